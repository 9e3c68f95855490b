package server_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/gongyak/gongyak/pkg/grpcserver"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/testing/protocmp"
)

// callCounts counts gRPC calls by full method name.
type callCounts struct {
	mu    sync.Mutex
	count map[string]int
}

func (c *callCounts) add(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.count == nil {
		c.count = map[string]int{}
	}
	c.count[method]++
}

// snapshot is the counts so far.
func (c *callCounts) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.count)
}

// since is the calls counted after before was taken, by method.
func (c *callCounts) since(before map[string]int) map[string]int {
	out := map[string]int{}
	for m, n := range c.snapshot() {
		if d := n - before[m]; d > 0 {
			out[m] = d
		}
	}
	return out
}

// total is the number of calls in counts.
func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// countingRegistrar registers services on a server counting every unary
// call that arrives at them, before any check of the caller.
type countingRegistrar struct {
	*grpcserver.Server
	calls *callCounts
}

func (r countingRegistrar) RegisterService(desc *grpc.ServiceDesc, impl any) {
	counted := *desc
	counted.Methods = slices.Clone(desc.Methods)
	for i, m := range counted.Methods {
		method, handler := "/"+desc.ServiceName+"/"+m.MethodName, m.Handler
		counted.Methods[i].Handler = func(srv any, ctx context.Context, dec func(any) error, next grpc.UnaryServerInterceptor) (any, error) {
			r.calls.add(method)
			return handler(srv, ctx, dec, next)
		}
	}
	r.Server.RegisterService(&counted, impl)
}

// TestACardReadByADistrictReaderCallsNothingBackOnThePledgeService reads
// the seed card as a viewer of its district: the one call arriving at the
// pledge service is the card's own (budget, indicator and participation
// are given the pledge along with their calls and do not ask for it), and
// the budget section still compares the plan with the card's required
// budget exactly as the budget service alone does.
func TestACardReadByADistrictReaderCallsNothingBackOnThePledgeService(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	name := st.importCard(t, "gwangsan", seedCard(t)).GetPledge().GetName()
	alone, err := st.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name + "/budget"})
	if err != nil {
		t.Fatal(err)
	}
	if alone.GetRequiredBudget() == nil {
		t.Fatal("the budget service alone gives no comparison with the required budget")
	}
	viewer := pledgev1.NewPledgeServiceClient(authtest.WithToken(st.pledgeConn, st.issuer.Token(t, "kim", "viewer@districts/gwangsan")))
	before := st.pledgeCalls.snapshot()
	card, err := viewer.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{pledgev1.PledgeService_GetPledgeCard_FullMethodName: 1}
	if diff := cmp.Diff(want, st.pledgeCalls.since(before)); diff != "" {
		t.Errorf("calls arriving at the pledge service for one card (-want +got):\n%s", diff)
	}
	for _, s := range []*pledgev1.Section{card.GetBudgetSection(), card.GetIndicatorSection(), card.GetParticipationSection()} {
		if !isAvailable(s) {
			t.Fatalf("a section is %v", s)
		}
	}
	if diff := cmp.Diff(alone.GetRequiredBudget(), card.GetBudget().GetRequiredBudget(), protocmp.Transform()); diff != "" {
		t.Errorf("the card's comparison with the required budget (-budget alone +card):\n%s", diff)
	}
}
