package service_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	"github.com/gongyak/gongyak/pkg/tcpproxy"
	"github.com/gongyak/gongyak/services/pledge/pledgetest"
	"github.com/gongyak/gongyak/services/pledge/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// outaged is the pledge service on a database it reaches through a proxy
// the test takes away, watching its readiness as the binary does.
type outaged struct {
	db      *tcpproxy.Proxy
	conn    *grpc.ClientConn
	admin   *authtest.Conn
	key     string // an API key not used yet, so no check of it is remembered
	pledge  string
	healthy healthpb.HealthClient
}

// readinessInterval is how often the test's service checks its database:
// shorter than the binary's 2 s, to keep the test short.
const readinessInterval = 200 * time.Millisecond

func startOutaged(t *testing.T) *outaged {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(pgtest.ServiceURL(pgtest.NewDatabase(t, pledgetest.Schema), service.Schema))
	if err != nil {
		t.Fatal(err)
	}
	o := &outaged{db: tcpproxy.Start(t, u.Host)}
	u.Host = o.db.Addr()
	pool, err := pgdb.Open(ctx, u.String(), service.Schema, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	issuer := authtest.NewIssuer(t)
	o.conn, _ = grpctest.Serve(t, authtest.Authenticator(nil, issuer.AsSystem()), func(s *grpcserver.Server) {
		if err := service.Register(t.Context(), s, pool, service.Backends{}, pledgetest.KeyCacheTTL); err != nil {
			t.Fatal(err)
		}
		go s.WatchReadiness(t.Context(), readinessInterval, pool.Ping)
	})
	o.admin = authtest.WithToken(o.conn, issuer.Token(t, "admin", auth.RoleSystemAdmin))
	o.healthy = healthpb.NewHealthClient(o.conn)

	districts := pledgev1.NewDistrictServiceClient(o.admin)
	if _, err := districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: "gwangsan", District: &pledgev1.District{
		DisplayName: "광산구", Kind: pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT, MetropolitanGovernment: "광주광역시",
		Terms: []*pledgev1.Term{{Number: 8, StartDate: pledgetest.Day(2022, 7, 1), EndDate: pledgetest.Day(2026, 6, 30)}}, CurrentTerm: 8,
	}}); err != nil {
		t.Fatal(err)
	}
	p, err := pledgev1.NewPledgeServiceClient(o.admin).CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "river-park",
		Pledge: &pledgev1.Pledge{Title: "황룡강 수변공원 조성", Term: 8}})
	if err != nil {
		t.Fatal(err)
	}
	o.pledge = p.GetName()
	k, err := pledgev1.NewApiKeyServiceClient(o.admin).CreateApiKey(ctx, &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan", ApiKeyId: "portal",
		ApiKey: &pledgev1.ApiKey{DisplayName: "시민참여 포털", Scopes: []string{"read"}}})
	if err != nil {
		t.Fatal(err)
	}
	o.key = k.GetSecret()
	o.waitHealth(t, healthpb.HealthCheckResponse_SERVING, 3*time.Second)
	return o
}

// calls are what callers of every kind make, each answered by one status.
func (o *outaged) calls() map[string]func(context.Context) error {
	pledges := pledgev1.NewPledgeServiceClient(o.admin)
	return map[string]func(context.Context) error{
		"a read": func(ctx context.Context) error {
			_, err := pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: o.pledge})
			return err
		},
		"a write": func(ctx context.Context) error {
			_, err := pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "청년 창업 지원", Term: 8}})
			return err
		},
		"a call with an API key": func(ctx context.Context) error {
			_, err := pledgev1.NewPledgeServiceClient(o.conn).ListPledges(authtest.As(ctx, o.key), &pledgev1.ListPledgesRequest{Parent: "districts/gwangsan"})
			return err
		},
	}
}

func TestADatabaseOutageIsUnavailableAndPassesWithoutARestart(t *testing.T) {
	o := startOutaged(t)
	ctx := context.Background()

	o.db.Down()
	for name, call := range o.calls() {
		st := status.Convert(call(ctx))
		if st.Code() != codes.Unavailable || apierr.RetryDelay(st) <= 0 {
			t.Errorf("%s with the database away: %v %q (retry after %v); want UNAVAILABLE with a RetryInfo",
				name, st.Code(), st.Message(), apierr.RetryDelay(st))
		}
	}
	// An anonymous read of a pledge not published is refused for what it
	// is once the database can say so; meanwhile it is not the caller's
	// fault.
	_, err := pledgev1.NewPledgeServiceClient(o.conn).GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: o.pledge})
	if status.Code(err) != codes.Unavailable {
		t.Errorf("an anonymous read with the database away: %v; want UNAVAILABLE", err)
	}
	o.waitHealth(t, healthpb.HealthCheckResponse_NOT_SERVING, readinessInterval+2*time.Second)

	o.db.Up()
	back := time.Now()
	o.waitHealth(t, healthpb.HealthCheckResponse_SERVING, readinessInterval+2*time.Second)
	for name, call := range o.calls() {
		for {
			err := call(ctx)
			if err == nil {
				break
			}
			if time.Since(back) > 3*time.Second {
				t.Fatalf("%s still fails 3s after the database came back: %v", name, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	_, err = pledgev1.NewPledgeServiceClient(o.conn).GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: o.pledge})
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("an anonymous read of an unpublished pledge, the database back: %v; want UNAUTHENTICATED (sign in)", err)
	}
	t.Logf("served again %v after the database came back", time.Since(back).Round(time.Millisecond))
}

func TestAHungDatabaseMakesTheServiceNotReadyWithinSeconds(t *testing.T) {
	o := startOutaged(t)
	o.db.Hang()
	hung := time.Now()
	// A read waits at most its caller's deadline, and says it ran out.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := o.calls()["a read"](ctx); status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("a read with the database hung: %v; want DEADLINE_EXCEEDED", err)
	}
	o.waitHealth(t, healthpb.HealthCheckResponse_NOT_SERVING, readinessInterval+2*time.Second)
	t.Logf("not ready %v after the database hung", time.Since(hung).Round(time.Millisecond))
	o.db.Up()
	o.waitHealth(t, healthpb.HealthCheckResponse_SERVING, readinessInterval+2*time.Second)
	if err := o.calls()["a read"](context.Background()); err != nil {
		t.Errorf("a read once the database answers again: %v", err)
	}
}

// waitHealth waits up to within for the service's health to be want.
func (o *outaged) waitHealth(t *testing.T, want healthpb.HealthCheckResponse_ServingStatus, within time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		resp, err := o.healthy.Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() == want {
			return
		}
		if time.Since(start) > within {
			t.Fatalf("health still %v (%v) after %v; want %v", resp.GetStatus(), err, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
