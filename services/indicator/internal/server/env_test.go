package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/indicator/migrations"
	"github.com/gongyak/gongyak/services/indicator/service"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// today is the tests' clock: 2026, so 2018–2025 have passed.
var today = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// env runs the real pledge service and the indicator service behind their
// own gRPC listeners on one fresh database; the indicator service checks
// its callers' tokens and API keys as in production. indicators calls it
// as a system admin.
type env struct {
	pool       *pgxpool.Pool
	conn       *grpc.ClientConn
	methods    []string
	indicators indicatorv1.IndicatorServiceClient
	pledges    *pledgetest.Pledges
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p, pool := pledgetest.Beside(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	var methods []string
	conn, _ := grpctest.Serve(t, p.Auth(t), func(s *grpcserver.Server) {
		service.Register(t.Context(), s, pool, p.Conn, func() time.Time { return today })
		methods = s.Methods()
	})
	return &env{pool: pool, conn: conn, methods: methods, pledges: p,
		indicators: indicatorv1.NewIndicatorServiceClient(authtest.WithToken(conn, p.AdminToken))}
}

// as returns a client of the indicator service presenting token ("" for
// an anonymous caller).
func (e *env) as(token string) indicatorv1.IndicatorServiceClient {
	return indicatorv1.NewIndicatorServiceClient(authtest.WithToken(e.conn, token))
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
	d, err := e.pledges.Districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range d.GetTerms() {
		if term.GetNumber() == number {
			term.Public = true
		}
	}
	if _, err := e.pledges.Districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{
		District: &pledgev1.District{Name: d.GetName(), Etag: d.GetEtag(), Terms: d.GetTerms()},
	}); err != nil {
		t.Fatal(err)
	}
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

// snapshot digests every row of the indicator schema, its audit log too.
func snapshot(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var d string
	err := pool.QueryRow(context.Background(), `SELECT
		coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM indicators t), '') ||
		coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM entries t), '') ||
		coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM request_ids t), '') ||
		coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM audit_events t), '')`).Scan(&d)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
