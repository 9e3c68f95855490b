package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/actor"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
	"github.com/gongyak/gongyak/services/participation/internal/server"
	"github.com/gongyak/gongyak/services/participation/migrations"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// now is the tests' clock.
var now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

var kst = time.FixedZone("KST", 9*60*60)

type env struct {
	pool    *pgxpool.Pool
	svc     participationv1.ParticipationServiceClient
	pledges *pledgetest.Pledges
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p, pool := pledgetest.Beside(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	hasher, err := personal.NewHasher("test-key-0123456789-0123456789-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := grpctest.Serve(t, func(s *grpc.Server) {
		participationv1.RegisterParticipationServiceServer(s, server.New(postgres.New(pool), pledgeref.New(p.Conn), hasher, func() time.Time { return now }))
	})
	return &env{pool: pool, svc: participationv1.NewParticipationServiceClient(conn), pledges: p}
}

// as returns a context whose caller holds roles.
func as(roles ...string) context.Context {
	ctx := context.Background()
	for _, r := range roles {
		ctx = metadata.AppendToOutgoingContext(ctx, actor.RolesHeader, r)
	}
	return ctx
}

func at(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

func violated(err error) []string {
	var out []string
	for _, v := range apierr.FieldViolations(status.Convert(err)) {
		out = append(out, v.Field)
	}
	slices.Sort(out)
	return out
}

// snapshot digests every row of the participation schema.
func snapshot(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var d string
	err := pool.QueryRow(context.Background(), `SELECT string_agg(coalesce(h, ''), ',') FROM (
		SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM programs x) h
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM members x)
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM submissions x)
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM entries x)
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM ballots x)
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM ballot_scores x)
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM questions x)
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM responses x)
		UNION ALL SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) FROM answers x)) s`).Scan(&d)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
