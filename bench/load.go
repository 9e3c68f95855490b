package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bojand/ghz/runner"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// shape is how hard and how long each load runs.
type shape struct {
	Conns    int
	WarmUp   time.Duration
	Duration time.Duration
}

// httpLoad drives a closed loop of s.Conns vegeta workers (rate 0: each
// sends its next request when its last is answered) with the targets
// next makes, first for s.WarmUp, unmeasured, then for s.Duration. Each
// result goes to seen (when not nil) before it is counted; a response is
// a success when ok says so (status 200 when ok is nil).
func httpLoad(name string, s shape, next vegeta.Targeter, seen func(*vegeta.Result), ok func(*vegeta.Result) bool) figure {
	if ok == nil {
		ok = func(r *vegeta.Result) bool { return r.Code == http.StatusOK }
	}
	run := func(d time.Duration) figure {
		// A client of its own, whose connections are closed when the run
		// ends: the gateway limits the connections one client address may
		// hold (64), and a run's idle ones would count against the next.
		client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConnsPerHost: s.Conns, MaxConnsPerHost: s.Conns, DisableCompression: true}}
		defer func() {
			client.CloseIdleConnections()
			// Until the gateway has seen them close, they still count.
			time.Sleep(300 * time.Millisecond)
		}()
		atk := vegeta.NewAttacker(vegeta.Workers(uint64(s.Conns)), vegeta.MaxWorkers(uint64(s.Conns)), vegeta.Client(client))
		var latencies []time.Duration
		failed := map[string]int{}
		began := time.Now()
		for r := range atk.Attack(next, vegeta.Rate{Freq: 0}, d, name) {
			if seen != nil {
				seen(r)
			}
			if !ok(r) && len(failed) == 0 {
				// The first refusal of a run, to tell why from.
				say("%s: first refusal: %d %s %.300s", name, r.Code, r.Error, r.Body)
			}
			switch {
			case ok(r):
				latencies = append(latencies, r.Latency)
			case r.Code == 0:
				failed[errorKind(r.Error)]++
			default:
				failed[strconv.Itoa(int(r.Code))]++
			}
		}
		return newFigure(latencies, failed, time.Since(began))
	}
	if s.WarmUp > 0 {
		run(s.WarmUp)
	}
	return run(s.Duration)
}

// errorKind is the end of a transport error, without the URL and ports
// that make each one unique: "EOF", "connection reset by peer".
func errorKind(e string) string {
	if i := strings.LastIndex(e, ": "); i >= 0 {
		e = e[i+2:]
	}
	return e
}

// staticTarget is a targeter that sends the same request every time.
func staticTarget(method, url string, header http.Header) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		*t = vegeta.Target{Method: method, URL: url, Header: header}
		return nil
	}
}

// grpcLoad drives a gRPC method with ghz: s.Conns concurrent callers on
// as many connections, a warm-up run, then the measured one.
func grpcLoad(s shape, addr, method string, files []protoreflect.FileDescriptor, req proto.Message, md map[string]string) (figure, error) {
	set, err := protoset(files)
	if err != nil {
		return figure{}, err
	}
	data, err := proto.Marshal(req)
	if err != nil {
		return figure{}, err
	}
	run := func(d time.Duration) (figure, error) {
		opts := []runner.Option{runner.WithInsecure(true), runner.WithProtosetBinary(set), runner.WithBinaryData(data),
			runner.WithConcurrency(uint(s.Conns)), runner.WithConnections(uint(s.Conns)), runner.WithRunDuration(d),
			runner.WithTimeout(30 * time.Second), runner.WithAsync(false)}
		if md != nil {
			opts = append(opts, runner.WithMetadata(md))
		}
		report, err := runner.Run(method, addr, opts...)
		if err != nil {
			return figure{}, fmt.Errorf("ghz %s: %w", method, err)
		}
		var latencies []time.Duration
		failed := map[string]int{}
		for _, d := range report.Details {
			switch {
			case d.Error == "":
				latencies = append(latencies, d.Latency)
			case d.Status == "Canceled":
				// ghz cancels the calls in flight when the duration ends:
				// neither answered nor failed.
			default:
				failed[d.Status]++
			}
		}
		return newFigure(latencies, failed, report.Total), nil
	}
	if s.WarmUp > 0 {
		if _, err := run(s.WarmUp); err != nil {
			return figure{}, err
		}
	}
	return run(s.Duration)
}

// protoset is the descriptor set ghz needs to call a method: the files
// given and every file they import, imports first.
func protoset(files []protoreflect.FileDescriptor) ([]byte, error) {
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	var add func(f protoreflect.FileDescriptor)
	add = func(f protoreflect.FileDescriptor) {
		if seen[f.Path()] {
			return
		}
		seen[f.Path()] = true
		imports := f.Imports()
		for i := range imports.Len() {
			add(imports.Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(f))
	}
	for _, f := range files {
		add(f)
	}
	return proto.Marshal(set)
}

// withTimeout is a context for the harness's own calls.
func withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
