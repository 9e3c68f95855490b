package server_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/telemetry"
	"github.com/gongyak/gongyak/services/budget/migrations"
	"github.com/gongyak/gongyak/services/budget/service"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env runs the real pledge service and the budget service, each behind its
// own gRPC listener, on one fresh database with both schemas; the budget
// service dials the pledge service as it does in production, and checks
// its callers' tokens and API keys as it does there. budgets calls it as
// a system admin.
type env struct {
	p            *pledgetest.Pledges
	conn         *grpc.ClientConn
	methods      []string
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
	var methods []string
	conn, _ := grpctest.Serve(t, p.Auth(t), func(s *grpcserver.Server) {
		service.Register(t.Context(), s, budgetPool, p.Conn, telemetry.NewLogger(io.Discard, "budget", "error"))
		methods = s.Methods()
	})
	return &env{
		p: p, conn: conn, methods: methods,
		budgetPool: budgetPool, budgets: budgetv1.NewBudgetServiceClient(authtest.WithToken(conn, p.AdminToken)),
		pledges: p.Pledges, districts: p.Districts, stopPledges: p.Stop,
		cardPledge: p.Card, afterTermOne: p.AfterTerm,
	}
}

// as returns a client of the budget service presenting token ("" for an
// anonymous caller).
func (e *env) as(token string) budgetv1.BudgetServiceClient {
	return budgetv1.NewBudgetServiceClient(authtest.WithToken(e.conn, token))
}

// serviceMethods are the methods the server registered, but the
// platform's own (health, reflection).
func (e *env) serviceMethods() []string {
	var out []string
	for _, m := range e.methods {
		if !strings.HasPrefix(m, "/grpc.") {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

// publishTerm marks a term of gwangsan public, publishing its pledges.
func (e *env) publishTerm(t *testing.T, number int32) {
	t.Helper()
	ctx := context.Background()
	d, err := e.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range d.GetTerms() {
		if term.GetNumber() == number {
			term.Public = true
		}
	}
	if _, err := e.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{
		District: &pledgev1.District{Name: d.GetName(), Etag: d.GetEtag(), Terms: d.GetTerms()},
	}); err != nil {
		t.Fatal(err)
	}
}

func day(y, m, d int32) *date.Date { return pledgetest.Day(y, m, d) }

// violated returns the fields an error's BadRequest names.
func violated(err error) []string {
	var out []string
	for _, v := range apierr.FieldViolations(status.Convert(err)) {
		out = append(out, v.Field)
	}
	slices.Sort(out)
	return out
}
