package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/services/indicator/internal/postgres"
	"github.com/gongyak/gongyak/services/indicator/internal/server"
	"github.com/gongyak/gongyak/services/indicator/migrations"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// today is the tests' clock: 2026, so 2018–2025 have passed.
var today = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	pool       *pgxpool.Pool
	indicators indicatorv1.IndicatorServiceClient
	pledges    *pledgetest.Pledges
}

// newEnv runs the real pledge service and the indicator service behind
// their own gRPC listeners on one fresh database.
func newEnv(t *testing.T) *env {
	t.Helper()
	p, pool := pledgetest.Beside(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	conn, _ := grpctest.Serve(t, func(s *grpc.Server) {
		indicatorv1.RegisterIndicatorServiceServer(s, server.New(postgres.New(pool), pledgeref.New(p.Conn), func() time.Time { return today }))
	})
	return &env{pool: pool, indicators: indicatorv1.NewIndicatorServiceClient(conn), pledges: p}
}

func num(s string) *indicatorv1.Measure {
	return &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: s}}
}

func txt(s string) *indicatorv1.Measure {
	return &indicatorv1.Measure{Value: &indicatorv1.Measure_Text{Text: s}}
}

func violated(err error) []string {
	var out []string
	for _, v := range apierr.FieldViolations(status.Convert(err)) {
		out = append(out, v.Field)
	}
	slices.Sort(out)
	return out
}

// snapshot digests every row of the indicator schema.
func snapshot(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var d string
	err := pool.QueryRow(context.Background(), `SELECT
		coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM indicators t), '') ||
		coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM entries t), '') ||
		coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM request_ids t), '')`).Scan(&d)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
