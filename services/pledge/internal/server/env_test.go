package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/gongyak/gongyak/services/pledge/service"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is the pledge service serving over a real gRPC connection on a
// fresh database, called by a system admin unless a test says otherwise.
type env struct {
	pool      *pgxpool.Pool
	issuer    *authtest.Issuer
	conn      grpc.ClientConnInterface
	districts pledgev1.DistrictServiceClient
	pledges   pledgev1.PledgeServiceClient
	keys      pledgev1.ApiKeyServiceClient
	audit     pledgev1.AuditServiceClient
	// methods are every method the server registered.
	methods []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	pool := pgtest.NewPool(t, pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS})
	issuer := authtest.NewIssuer(t)
	var methods []string
	conn, _ := grpctest.Serve(t, authtest.Authenticator(nil, issuer.AsSystem()), func(s *grpcserver.Server) {
		if err := service.Register(t.Context(), s, pool, service.Backends{}, time.Second); err != nil {
			t.Fatal(err)
		}
		methods = s.Methods()
	})
	e := &env{pool: pool, issuer: issuer, conn: conn, methods: methods}
	admin := authtest.WithToken(conn, issuer.Token(t, "admin", "system-admin"))
	e.districts, e.pledges = pledgev1.NewDistrictServiceClient(admin), pledgev1.NewPledgeServiceClient(admin)
	e.keys, e.audit = pledgev1.NewApiKeyServiceClient(admin), pledgev1.NewAuditServiceClient(admin)
	return e
}

// as returns ctx presenting a token of the test issuer for subject with
// roles.
func (e *env) as(t *testing.T, ctx context.Context, subject string, roles ...string) context.Context {
	t.Helper()
	return authtest.As(ctx, e.issuer.Token(t, subject, roles...))
}

func day(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }

// gwangsan is 광주광역시 광산구 with the terms DESIGN.md names.
func gwangsan() *pledgev1.District {
	return &pledgev1.District{
		DisplayName:            "광산구",
		Kind:                   pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT,
		MetropolitanGovernment: "광주광역시",
		Terms: []*pledgev1.Term{
			{Number: 7, DisplayName: "민선 7기", StartDate: day(2018, 7, 1), EndDate: day(2022, 6, 30)},
			{Number: 8, DisplayName: "민선 8기", StartDate: day(2022, 7, 1), EndDate: day(2026, 6, 30)},
			{Number: 9, DisplayName: "민선 9기", StartDate: day(2026, 7, 1), EndDate: day(2030, 6, 30)},
		},
		CurrentTerm: 9,
	}
}

// seed creates the district gwangsan and the department that owns the
// seed card's pledge.
func (e *env) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{District: gwangsan(), DistrictId: "gwangsan"}); err != nil {
		t.Fatalf("create district: %v", err)
	}
	if _, err := e.districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{
		Parent:       "districts/gwangsan",
		DepartmentId: "legal-support",
		Department:   &pledgev1.Department{DisplayName: "법무지원과", Teams: []string{"법무규제혁신팀"}, Phone: "062) 960-8891"},
	}); err != nil {
		t.Fatalf("create department: %v", err)
	}
}

// snapshot returns a digest of every row of the pledge schema, to show a
// refused request wrote nothing.
func snapshot(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, table := range []string{"districts", "terms", "departments", "pledges", "status_changes", "request_ids"} {
		var digest *string
		if err := pool.QueryRow(ctx, `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM `+table+` t`).Scan(&digest); err != nil {
			t.Fatal(err)
		}
		if digest != nil {
			out[table] = *digest
		} else {
			out[table] = "empty"
		}
	}
	return out
}

// wantStatus fails unless err is a status with code, and returns it.
func wantStatus(t *testing.T, err error, code codes.Code) *status.Status {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Fatalf("got %v (%v), want %v", st.Code(), err, code)
	}
	return st
}

// violated returns the fields a status's BadRequest names.
func violated(st *status.Status) []string {
	var fields []string
	for _, v := range apierr.FieldViolations(st) {
		fields = append(fields, v.Field)
	}
	slices.Sort(fields)
	return fields
}
