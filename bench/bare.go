package main

// The bare path: the ceiling the suite's reads are measured against. A
// minimal gRPC service reads one row by primary key with pgx and returns
// it; the same grpc-gateway runtime the suite's gateway is built on serves
// it over REST. It carries no authentication, so the suite's ratio to it
// includes what the suite's own checks cost. Each runs as a process of its
// own (this program, started again with -bare), as the suite's gateway and
// services do, apart from the process driving the load.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The bare service: GetRow takes a row's id (google.protobuf.Int64Value)
// and returns its JSON document as it is stored (google.api.HttpBody,
// which the gateway writes out as it is): the least a read can do. Its
// descriptor is made here rather than generated: it only names types
// that are already generated.
const (
	bareService = "gongyak.bench.v1.BareService"
	bareMethod  = "/" + bareService + "/GetRow"
)

// Rows of the bare table: a tiny one, and one filled with the pledge's own
// REST response, so both paths return the same bytes.
const (
	tinyRow  = 1
	largeRow = 2
)

// bareFile describes the bare service for ghz.
func bareFile() (protoreflect.FileDescriptor, error) {
	s := func(v string) *string { return &v }
	fd := &descriptorpb.FileDescriptorProto{
		Name: s("gongyak/bench/v1/bare.proto"), Package: s("gongyak.bench.v1"), Syntax: s("proto3"),
		Dependency: []string{"google/protobuf/wrappers.proto", "google/api/httpbody.proto"},
		Service: []*descriptorpb.ServiceDescriptorProto{{Name: s("BareService"), Method: []*descriptorpb.MethodDescriptorProto{{
			Name: s("GetRow"), InputType: s(".google.protobuf.Int64Value"), OutputType: s(".google.api.HttpBody")}}}},
	}
	return protodesc.NewFile(fd, protoregistry.GlobalFiles)
}

// prepareBare makes the bare table in the bench database and writes its
// two rows; large is the document of the large one.
func prepareBare(ctx context.Context, url string, large []byte) error {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	_, err = pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bare_docs (id bigint PRIMARY KEY, doc text NOT NULL)`)
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `INSERT INTO bare_docs VALUES ($1, $2), ($3, $4)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
		tinyRow, `{"name": "rows/1", "title": "작은 행"}`, largeRow, string(large))
	return err
}

// serveBareGRPC is the bare gRPC service, on addr, until SIGTERM.
func serveBareGRPC(addr, dbURL string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := grpc.NewServer()
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: bareService,
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{MethodName: "GetRow", Handler: func(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			req := &wrapperspb.Int64Value{}
			if err := dec(req); err != nil {
				return nil, err
			}
			var doc []byte
			if err := pool.QueryRow(ctx, "SELECT doc FROM bare_docs WHERE id = $1", req.GetValue()).Scan(&doc); err != nil {
				return nil, status.Errorf(codes.NotFound, "row %d: %v", req.GetValue(), err)
			}
			return &httpbody.HttpBody{ContentType: "application/json", Data: doc}, nil
		}}},
	}, nil)
	go func() { <-ctx.Done(); srv.GracefulStop() }()
	return srv.Serve(lis)
}

// serveBareGateway is the grpc-gateway in front of the bare service:
// GET /v1/rows/{id}, on addr, until SIGTERM.
func serveBareGateway(addr, grpcAddr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	mux := runtime.NewServeMux()
	err = mux.HandlePath(http.MethodGet, "/v1/rows/{id}", func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		_, out := runtime.MarshalerForRequest(mux, r)
		id, err := strconv.ParseInt(params["id"], 10, 64)
		if err != nil {
			runtime.HTTPError(r.Context(), mux, out, w, r, status.Error(codes.InvalidArgument, "id"))
			return
		}
		resp := &httpbody.HttpBody{}
		if err := conn.Invoke(r.Context(), bareMethod, wrapperspb.Int64(id), resp); err != nil {
			runtime.HTTPError(r.Context(), mux, out, w, r, err)
			return
		}
		runtime.ForwardResponseMessage(r.Context(), mux, out, w, r, resp)
	})
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: mux}
	go func() { <-ctx.Done(); srv.Close() }() //nolint:errcheck // stopping
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return fmt.Errorf("bare gateway: %w", err)
	}
	return nil
}
