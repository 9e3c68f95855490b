package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/gongyak/gongyak/pkg/config"
	"github.com/gongyak/gongyak/pkg/eventbus"
	"github.com/gongyak/gongyak/pkg/suite"
)

// natsBinary is `gongyak nats`, the suite's NATS server.
var natsBinary = suite.Binary{Name: "nats"}

// runNATS serves an embedded NATS server with JetStream, and the stream
// of change events on it, until Ctrl-C: the message system of `gongyak
// run`. A deployment runs a NATS cluster instead.
func runNATS(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("nats", flag.ContinueOnError)
	var addr, dataDir string
	config.String(fs, &addr, "addr", "GONGYAK_NATS_ADDR", config.DefaultAddrs["nats"], "host:port NATS listens on")
	config.String(fs, &dataDir, "data", "GONGYAK_NATS_DATA", ".data/nats", "folder JetStream keeps its streams in; kept between runs")
	if err := config.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("nats: unexpected arguments %q", fs.Args())
	}
	srv, err := suite.StartNATS(ctx, addr, dataDir)
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	fmt.Fprintf(out, "NATS with JetStream on %s, stream %s kept in %s; Ctrl-C stops it\n", srv.URL(), eventbus.StreamName, dataDir)
	<-ctx.Done()
	fmt.Fprintln(out, "NATS stopped")
	return nil
}
