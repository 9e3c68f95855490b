package server_test

import (
	"io"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
	"github.com/gongyak/gongyak/services/budget/internal/server"
	"github.com/gongyak/gongyak/services/budget/migrations"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env runs the real pledge service and the budget service, each behind its
// own gRPC listener, on one fresh database with both schemas; the budget
// service dials the pledge service as it does in production.
type env struct {
	budgetPool   *pgxpool.Pool
	budgets      budgetv1.BudgetServiceClient
	pledges      pledgev1.PledgeServiceClient
	districts    pledgev1.DistrictServiceClient
	stopPledges  func()
	cardPledge   string
	afterTermOne string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p, budgetPool := pledgetest.Beside(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	conn, _ := grpctest.Serve(t, func(s *grpc.Server) {
		budgetv1.RegisterBudgetServiceServer(s, server.New(postgres.New(budgetPool), pledgeref.New(p.Conn), telemetry.NewLogger(io.Discard, "budget", "error")))
	})
	return &env{
		budgetPool: budgetPool, budgets: budgetv1.NewBudgetServiceClient(conn),
		pledges: p.Pledges, districts: p.Districts, stopPledges: p.Stop,
		cardPledge: p.Card, afterTermOne: p.AfterTerm,
	}
}

func day(y, m, d int32) *date.Date { return pledgetest.Day(y, m, d) }
