// Package pledgetest runs the real pledge service for the tests of the
// services that call it: in-process, behind its own gRPC listener, on the
// test's database, seeded with the Gwangsan district and card pledge.
package pledgetest

import (
	"context"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"github.com/gongyak/gongyak/services/pledge/migrations"
	"github.com/gongyak/gongyak/services/pledge/service"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
)

// Schema is the pledge service's schema, to migrate in test databases.
var Schema = pgtest.Schema{Name: migrations.Schema, Migrations: migrations.FS}

// Pledges is a running pledge service.
type Pledges struct {
	Addr string
	// Conn is a client connection to it, for the service under test,
	// which passes on its own callers' credentials.
	Conn *grpc.ClientConn
	// Issuer is the test's token issuer, trusted as the system issuer by
	// the pledge service and, through Auth, by the service under test.
	Issuer *authtest.Issuer
	// AdminToken is a system admin's token of Issuer, which Pledges and
	// Districts present.
	AdminToken string
	Pledges    pledgev1.PledgeServiceClient
	Districts  pledgev1.DistrictServiceClient
	Keys       pledgev1.ApiKeyServiceClient
	// Stop stops the service early, to test what its callers do then.
	Stop func()
	// Card is the name of the seeded Gwangsan card pledge (민선 7기, within
	// its term: 2018–2022), owned by the department legal-support;
	// AfterTerm that of a 민선 8기 pledge completed after its term with an
	// open period from 2021.
	Card, AfterTerm string
}

// KeyCacheTTL is how long the services of a test remember an API key's
// check: short, so that tests of revocation run quickly.
const KeyCacheTTL = time.Second

// Beside makes a fresh test database holding the pledge schema and schema,
// the one of the service under test, runs the seeded pledge service on it,
// and opens a pool on schema for the service under test. Each pool
// connects as its service's role, as in production.
func Beside(t *testing.T, schema pgtest.Schema) (*Pledges, *pgxpool.Pool) {
	t.Helper()
	url := pgtest.NewDatabase(t, Schema, schema)
	ctx := context.Background()
	pledgePool, err := pgdb.Open(ctx, pgtest.ServiceURL(url, migrations.Schema), migrations.Schema, "pledgetest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pledgePool.Close)
	issuer := authtest.NewIssuer(t)
	conn, addr, stop := grpctest.ServeStoppable(t, authtest.Authenticator(nil, issuer.AsSystem()), func(s *grpcserver.Server) {
		if err := service.Register(t.Context(), s, pledgePool, service.Backends{}, KeyCacheTTL); err != nil {
			t.Fatal(err)
		}
	})
	admin := authtest.WithToken(conn, issuer.Token(t, "admin", auth.RoleSystemAdmin))
	p := &Pledges{Addr: addr, Conn: conn, Issuer: issuer, AdminToken: admin.Token, Stop: stop,
		Pledges: pledgev1.NewPledgeServiceClient(admin), Districts: pledgev1.NewDistrictServiceClient(admin), Keys: pledgev1.NewApiKeyServiceClient(admin)}
	p.seed(t)
	pool, err := pgdb.Open(ctx, pgtest.ServiceURL(url, schema.Name), schema.Name, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return p, pool
}

// Auth is how a service beside the pledge service checks its callers:
// the test issuer's tokens, and API keys through the pledge service.
func (p *Pledges) Auth(t testing.TB) *auth.Authenticator {
	t.Helper()
	keys, err := auth.NewKeyCache(auth.NewRemoteKeys(p.Conn), KeyCacheTTL)
	if err != nil {
		t.Fatal(err)
	}
	return authtest.Authenticator(keys, p.Issuer.AsSystem())
}

// Token is a token of the test issuer for subject, holding roles written
// as the gongyak_roles claim writes them.
func (p *Pledges) Token(t testing.TB, subject string, roles ...string) string {
	t.Helper()
	return p.Issuer.Token(t, subject, roles...)
}

// Day is a google.type.Date.
func Day(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }

func (p *Pledges) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_, err := p.Districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "gwangsan", District: &pledgev1.District{
		DisplayName: "광산구", Kind: pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT, MetropolitanGovernment: "광주광역시",
		Terms: []*pledgev1.Term{
			{Number: 7, StartDate: Day(2018, 7, 1), EndDate: Day(2022, 6, 30)},
			{Number: 8, StartDate: Day(2022, 7, 1), EndDate: Day(2026, 6, 30)},
		},
		CurrentTerm: 8,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{Parent: "districts/gwangsan", DepartmentId: "legal-support", Department: &pledgev1.Department{DisplayName: "법무지원과"}}); err != nil {
		t.Fatal(err)
	}
	card, err := p.Pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "innovation-tf", Pledge: fixture.Gwangsan()})
	if err != nil {
		t.Fatal(err)
	}
	after, err := p.Pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "river-park", Pledge: &pledgev1.Pledge{
		Title: "황룡강 수변공원 조성", Term: 8, CompletionTiming: pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM,
		Overview: &pledgev1.Overview{Period: &pledgev1.Period{StartYear: 2021, OpenEnded: true}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	p.Card, p.AfterTerm = card.GetName(), after.GetName()
}
