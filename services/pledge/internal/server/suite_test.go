package server_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/gongyak/gongyak/pkg/grpctest"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/pgtest"
	budgetservice "github.com/gongyak/gongyak/services/budget/service"
	indicatorservice "github.com/gongyak/gongyak/services/indicator/service"
	participationservice "github.com/gongyak/gongyak/services/participation/service"
	"github.com/gongyak/gongyak/services/pledge/service"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// suite runs all four services in-process, each behind its own gRPC
// listener and calling the others over real connections, on one database
// with every schema, each service connected as its own role.
type suite struct {
	url           string
	issuer        *authtest.Issuer
	adminToken    string
	pledges       pledgev1.PledgeServiceClient
	audit         pledgev1.AuditServiceClient
	reports       pledgev1.ReportServiceClient
	districts     pledgev1.DistrictServiceClient
	budgets       budgetv1.BudgetServiceClient
	indicators    indicatorv1.IndicatorServiceClient
	participation participationv1.ParticipationServiceClient
	stopIndicator func()
	// indicatorFault, when set, is asked before each indicator write that
	// is not validate_only; what it returns is the write's error.
	indicatorFault atomic.Pointer[func(context.Context) error]
	// indicatorDelay, when set, is how long the indicator service takes
	// to answer each read of a card (its indicators, its achievement).
	indicatorDelay atomic.Int64
	// The pledge service's database and the services it calls, for a
	// second worker of its imports.
	pledgePool *pgxpool.Pool
	backends   service.Backends
	authn      *auth.Authenticator
	// pledgeConn is a connection to the pledge service that presents no
	// credential.
	pledgeConn grpc.ClientConnInterface
	// pledgeCalls counts the calls arriving at the pledge service, from
	// the test and from the other services alike.
	pledgeCalls *callCounts
}

// failIndicatorWrites makes the indicator service answer every write with
// code, as a service failing (UNAVAILABLE) or refusing (FAILED_PRECONDITION)
// mid-import would; codes.OK heals it.
func (st *suite) failIndicatorWrites(code codes.Code) {
	if code == codes.OK {
		st.indicatorFault.Store(nil)
		return
	}
	fail := func(context.Context) error { return status.Error(code, "injected: the indicator service fails") }
	st.indicatorFault.Store(&fail)
}

// faultyIndicators is the real indicator service whose writes can be made
// to fail.
type faultyIndicators struct {
	indicatorv1.IndicatorServiceServer
	fault *atomic.Pointer[func(context.Context) error]
	delay *atomic.Int64
}

func (f *faultyIndicators) ListIndicators(ctx context.Context, req *indicatorv1.ListIndicatorsRequest) (*indicatorv1.ListIndicatorsResponse, error) {
	time.Sleep(time.Duration(f.delay.Load()))
	return f.IndicatorServiceServer.ListIndicators(ctx, req)
}

func (f *faultyIndicators) GetPledgeAchievement(ctx context.Context, req *indicatorv1.GetPledgeAchievementRequest) (*indicatorv1.PledgeAchievement, error) {
	time.Sleep(time.Duration(f.delay.Load()))
	return f.IndicatorServiceServer.GetPledgeAchievement(ctx, req)
}

func (f *faultyIndicators) injected(ctx context.Context, validateOnly bool) error {
	if fault := f.fault.Load(); fault != nil && !validateOnly {
		return (*fault)(ctx)
	}
	return nil
}

func (f *faultyIndicators) CreateIndicator(ctx context.Context, req *indicatorv1.CreateIndicatorRequest) (*indicatorv1.Indicator, error) {
	if err := f.injected(ctx, req.GetValidateOnly()); err != nil {
		return nil, err
	}
	return f.IndicatorServiceServer.CreateIndicator(ctx, req)
}

func (f *faultyIndicators) UpdateIndicator(ctx context.Context, req *indicatorv1.UpdateIndicatorRequest) (*indicatorv1.Indicator, error) {
	if err := f.injected(ctx, req.GetValidateOnly()); err != nil {
		return nil, err
	}
	return f.IndicatorServiceServer.UpdateIndicator(ctx, req)
}

// faultRegistrar registers services on a server, wrapping the indicator
// service in faultyIndicators.
type faultRegistrar struct {
	*grpcserver.Server
	fault *atomic.Pointer[func(context.Context) error]
	delay *atomic.Int64
}

func (r faultRegistrar) RegisterService(desc *grpc.ServiceDesc, impl any) {
	if real, ok := impl.(indicatorv1.IndicatorServiceServer); ok {
		impl = &faultyIndicators{IndicatorServiceServer: real, fault: r.fault, delay: r.delay}
	}
	r.Server.RegisterService(desc, impl)
}

func newSuite(t testing.TB) *suite {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewDatabase(t,
		pgtest.Schema{Name: service.Schema, Migrations: service.Migrations},
		pgtest.Schema{Name: budgetservice.Schema, Migrations: budgetservice.Migrations},
		pgtest.Schema{Name: indicatorservice.Schema, Migrations: indicatorservice.Migrations},
		pgtest.Schema{Name: participationservice.Schema, Migrations: participationservice.Migrations})
	open := func(schema string) *pgxpool.Pool {
		pool, err := pgdb.Open(ctx, pgtest.ServiceURL(url, schema), schema, "test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return pool
	}
	st := &suite{url: url, issuer: authtest.NewIssuer(t), pledgeCalls: &callCounts{}}
	pledgeLis := grpctest.Listen(t)
	toPledges, err := grpctest.Dial(t, pledgeLis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	// Every service trusts the test issuer and checks API keys through the
	// pledge service, as in a deployment.
	authn := func() *auth.Authenticator {
		keys, err := auth.NewKeyCache(auth.NewRemoteKeys(toPledges), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return authtest.Authenticator(keys, st.issuer.AsSystem())
	}
	budgetConn, _ := grpctest.Serve(t, authn(), func(s *grpcserver.Server) {
		budgetservice.Register(t.Context(), s, open(budgetservice.Schema), toPledges, nil)
	})
	indicatorConn, _, stop := grpctest.ServeStoppable(t, authn(), func(s *grpcserver.Server) {
		indicatorservice.Register(t.Context(), faultRegistrar{Server: s, fault: &st.indicatorFault, delay: &st.indicatorDelay}, open(indicatorservice.Schema), toPledges, time.Now)
	})
	hasher, _ := personal.NewHasher("suite-test-key-0123456789abcdef0123456789")
	participationConn, _ := grpctest.Serve(t, authn(), func(s *grpcserver.Server) {
		participationservice.Register(s, open(participationservice.Schema), toPledges, hasher, time.Now)
	})
	// The pledge service calls the others passing on its callers'
	// credentials; the test calls them as a system admin.
	backends := service.Backends{
		Budgets:       budgetv1.NewBudgetServiceClient(budgetConn),
		Indicators:    indicatorv1.NewIndicatorServiceClient(indicatorConn),
		Participation: participationv1.NewParticipationServiceClient(participationConn),
		// Generous, as the binary's 2 s default is not: under -race on a
		// loaded two-core machine a healthy section took over 1 s once,
		// and the card marked it unavailable.
		SectionTimeout: 3 * time.Second,
	}
	st.pledgePool, st.backends, st.authn = open(service.Schema), backends, authtest.Authenticator(nil, st.issuer.AsSystem())
	pledgeConn, _, _ := grpctest.ServeOn(t, pledgeLis, st.authn, func(s *grpcserver.Server) {
		if err := service.Register(t.Context(), countingRegistrar{Server: s, calls: st.pledgeCalls}, st.pledgePool, backends, time.Second); err != nil {
			t.Fatal(err)
		}
	})
	st.adminToken, st.pledgeConn = st.issuer.Token(t, "admin", auth.RoleSystemAdmin), pledgeConn
	as := func(conn grpc.ClientConnInterface) grpc.ClientConnInterface {
		return authtest.WithToken(conn, st.adminToken)
	}
	st.pledges, st.districts = pledgev1.NewPledgeServiceClient(as(pledgeConn)), pledgev1.NewDistrictServiceClient(as(pledgeConn))
	st.audit = pledgev1.NewAuditServiceClient(as(pledgeConn))
	st.reports, st.pledgeConn = pledgev1.NewReportServiceClient(as(pledgeConn)), pledgeConn
	st.budgets, st.indicators = budgetv1.NewBudgetServiceClient(as(budgetConn)), indicatorv1.NewIndicatorServiceClient(as(indicatorConn))
	st.participation = participationv1.NewParticipationServiceClient(as(participationConn))
	st.stopIndicator = stop
	for _, id := range []string{"gwangsan", "other"} {
		d := gwangsan()
		if id == "other" {
			d.DisplayName = "다른구"
		}
		if _, err := st.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: id, District: d}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// counts counts the rows of every service's tables, as the admin: no
// service's role may read them all.
func (st *suite) counts(t *testing.T) map[string]int {
	t.Helper()
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, st.url, "public", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	out := map[string]int{}
	for _, table := range []string{"pledge.pledges", "pledge.departments", "pledge.status_changes", "budget.plans", "budget.lines",
		"indicator.indicators", "indicator.entries", "participation.programs", "participation.submissions"} {
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}
