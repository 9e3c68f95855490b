package server_test

import (
	"context"
	"io"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"github.com/gongyak/gongyak/services/budget/internal/postgres"
	"github.com/gongyak/gongyak/services/budget/internal/server"
	"github.com/gongyak/gongyak/services/budget/migrations"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	pledgeservice "github.com/gongyak/gongyak/services/pledge/service"
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
	ctx := context.Background()
	url := pgtest.NewDatabase(t,
		pgtest.Schema{Name: pledgeservice.Schema, Migrations: pledgeservice.Migrations},
		pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	open := func(schema string) *pgxpool.Pool {
		pool, err := pgdb.Open(ctx, url, schema, "test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return pool
	}
	pledgePool, budgetPool := open(pledgeservice.Schema), open(migrations.Schema)
	pledgeConn, pledgeAddr, stop := grpctest.ServeStoppable(t, func(s *grpc.Server) { pledgeservice.Register(s, pledgePool) })
	conn, _ := grpctest.Serve(t, func(s *grpc.Server) {
		dial, err := grpctest.Dial(t, pledgeAddr)
		if err != nil {
			t.Fatal(err)
		}
		budgetv1.RegisterBudgetServiceServer(s, server.New(postgres.New(budgetPool), pledgeref.New(dial), telemetry.NewLogger(io.Discard, "budget", "error")))
	})
	e := &env{
		budgetPool:  budgetPool,
		budgets:     budgetv1.NewBudgetServiceClient(conn),
		pledges:     pledgev1.NewPledgeServiceClient(pledgeConn),
		districts:   pledgev1.NewDistrictServiceClient(pledgeConn),
		stopPledges: stop,
	}
	e.seed(t)
	return e
}

func day(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }

// seed enters gwangsan, the card's pledge (민선 7기, completed within the
// term: 2018–2022) and a pledge completed after its term with an open
// period from 2021.
func (e *env) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_, err := e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "gwangsan", District: &pledgev1.District{
		DisplayName: "광산구", Kind: pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT, MetropolitanGovernment: "광주광역시",
		Terms: []*pledgev1.Term{
			{Number: 7, StartDate: day(2018, 7, 1), EndDate: day(2022, 6, 30)},
			{Number: 8, StartDate: day(2022, 7, 1), EndDate: day(2026, 6, 30)},
		},
		CurrentTerm: 8,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", DepartmentId: "legal-support", Department: &pledgev1.Department{DisplayName: "법무지원과"}}); err != nil {
		t.Fatal(err)
	}
	card, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "innovation-tf", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	e.cardPledge = card.GetName()
	after, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "river-park", Pledge: &pledgev1.Pledge{
		Title: "황룡강 수변공원 조성", Term: 8, CompletionTiming: pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM,
		Overview: &pledgev1.Overview{Period: &pledgev1.Period{StartYear: 2021, OpenEnded: true}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.afterTermOne = after.GetName()
}
