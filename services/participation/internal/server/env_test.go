package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/participation/migrations"
	"github.com/gongyak/gongyak/services/participation/service"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// now is the tests' clock.
var now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

var kst = time.FixedZone("KST", 9*60*60)

// env is the participation service beside the real pledge service, over
// real gRPC connections on a fresh database; svc calls it as a system
// admin unless a call says otherwise (as).
type env struct {
	pool    *pgxpool.Pool
	conn    *grpc.ClientConn
	srv     *grpcserver.Server
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
	var srv *grpcserver.Server
	conn, _ := grpctest.Serve(t, p.Auth(t), func(s *grpcserver.Server) {
		srv = s
		service.Register(s, pool, p.Conn, hasher, func() time.Time { return now })
	})
	return &env{pool: pool, conn: conn, srv: srv, svc: participationv1.NewParticipationServiceClient(authtest.WithToken(conn, p.AdminToken)), pledges: p}
}

// as returns a context whose calls present a token of the test issuer
// holding roles, written as the gongyak_roles claim writes them.
func (e *env) as(t *testing.T, roles ...string) context.Context {
	t.Helper()
	return authtest.As(context.Background(), e.pledges.Token(t, "official", roles...))
}

// Roles of the tests, in the district gwangsan unless named otherwise.
const (
	districtAdmin = "district-admin@districts/gwangsan"
	legalEditor   = "department-editor@districts/gwangsan/departments/legal-support"
	welfareEditor = "department-editor@districts/gwangsan/departments/welfare"
	viewer        = "viewer@districts/gwangsan"
	personalData  = "personal-data@districts/gwangsan"
	registrar     = "registrar@districts/gwangsan"
	otherViewer   = "viewer@districts/buk"
)

// anonymous is a client that presents no credential.
func (e *env) anonymous() participationv1.ParticipationServiceClient {
	return participationv1.NewParticipationServiceClient(e.conn)
}

// publishTerm marks a term of gwangsan public, as its district admin
// would: its pledges become readable by anyone.
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
		District: d, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"terms"}}}); err != nil {
		t.Fatal(err)
	}
}

// auditEvents lists gwangsan's participation audit events matching filter,
// as its district admin reads them.
func (e *env) auditEvents(t *testing.T, filter string) []*typev1.AuditEvent {
	t.Helper()
	resp, err := e.svc.ListAuditEvents(e.as(t, districtAdmin), &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan", Filter: filter, PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetAuditEvents()
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
