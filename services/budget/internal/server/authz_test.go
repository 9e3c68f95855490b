package server_test

import (
	"context"
	"slices"
	"testing"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// The callers the policy is tested against.
const (
	anonymous     = "anonymous"
	systemAdmin   = "system admin"
	reporter      = "ministry reporter"
	districtAdmin = "gwangsan district admin"
	owner         = "editor of legal-support (owns the card)"
	otherEditor   = "editor of another department"
	viewer        = "gwangsan viewer"
	otherViewer   = "viewer of another district"
	readKey       = "gwangsan read key"
	writeKey      = "gwangsan write key"
)

// callers returns each caller's credential: a token of the test issuer,
// an API key of gwangsan, or none.
func (e *env) callers(t *testing.T) map[string]string {
	t.Helper()
	key := func(scope string) string {
		k, err := e.p.Keys.CreateApiKey(context.Background(), &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan",
			ApiKey: &pledgev1.ApiKey{DisplayName: scope + " key", Scopes: []string{scope}}})
		if err != nil {
			t.Fatal(err)
		}
		return k.GetSecret()
	}
	return map[string]string{
		anonymous:     "",
		systemAdmin:   e.p.Token(t, "root", "system-admin"),
		reporter:      e.p.Token(t, "ministry", "ministry-reporter"),
		districtAdmin: e.p.Token(t, "gwangsan-admin", "district-admin@districts/gwangsan"),
		owner:         e.p.Token(t, "legal", "department-editor@districts/gwangsan/departments/legal-support"),
		otherEditor:   e.p.Token(t, "welfare", "department-editor@districts/gwangsan/departments/welfare"),
		viewer:        e.p.Token(t, "gwangsan-viewer", "viewer@districts/gwangsan"),
		otherViewer:   e.p.Token(t, "seogu-viewer", "viewer@districts/seogu"),
		readKey:       key("read"),
		writeKey:      key("write"),
	}
}

// policyCase is a call of method, and the callers the policy lets make
// it.
type policyCase struct {
	method, what string
	call         func(ctx context.Context, c budgetv1.BudgetServiceClient) error
	allowed      []string
}

// stale is an etag no plan has: a write the policy lets through ends
// ABORTED in the handler and changes nothing.
const stale = "00000000000000000000"

// TestEachMethodLetsInExactlyTheCallersItShould calls every method as
// every kind of caller, with requests that change nothing, and compares
// who got past the policy with a table written by hand. A method the
// server serves without a row here fails the test.
func TestEachMethodLetsInExactlyTheCallersItShould(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card, afterTerm := e.cardPledge+"/budget", e.afterTermOne+"/budget"
	if _, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(card), AllowMissing: true}); err != nil {
		t.Fatal(err)
	}
	// A key that writes reads what it writes (its etag, its pledge).
	readers := []string{systemAdmin, districtAdmin, owner, otherEditor, viewer, readKey, writeKey}
	summaryReaders := []string{systemAdmin, reporter, districtAdmin, owner, otherEditor, viewer, readKey}
	tests := []policyCase{
		{budgetv1.BudgetService_GetBudget_FullMethodName, "the card's plan", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			_, err := c.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: card})
			return err
		}, readers},
		{budgetv1.BudgetService_UpdateBudget_FullMethodName, "the card's plan", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			plan := cardPlan(card)
			plan.Etag = stale
			_, err := c.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: plan})
			return err
		}, []string{systemAdmin, districtAdmin, owner, writeKey}},
		{budgetv1.BudgetService_UpdateBudget_FullMethodName, "a plan of a pledge no department owns", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			plan := cardPlan(afterTerm)
			plan.Etag = stale
			_, err := c.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: plan})
			return err
		}, []string{systemAdmin, districtAdmin, writeKey}},
		{budgetv1.BudgetService_ListBudgets_FullMethodName, "gwangsan's plans", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			_, err := c.ListBudgets(ctx, &budgetv1.ListBudgetsRequest{Parent: "districts/gwangsan"})
			return err
		}, readers},
		{budgetv1.BudgetService_DeleteBudget_FullMethodName, "the card's plan", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			_, err := c.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: card, Etag: stale})
			return err
		}, []string{systemAdmin, districtAdmin, owner, writeKey}},
		{budgetv1.BudgetService_BatchUpdateBudgets_FullMethodName, "the card's plan, as a batch", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			plan := cardPlan(card)
			plan.Etag = stale
			_, err := c.BatchUpdateBudgets(ctx, &budgetv1.BatchUpdateBudgetsRequest{Parent: "districts/gwangsan", Requests: []*budgetv1.UpdateBudgetRequest{{Budget: plan}}})
			return err
		}, []string{systemAdmin, districtAdmin, writeKey}}, // bulk loads: not the department editor who owns the pledge
		{budgetv1.BudgetService_SummarizeBudgets_FullMethodName, "gwangsan's", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			_, err := c.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/gwangsan"})
			return err
		}, summaryReaders},
		{budgetv1.BudgetService_SummarizeBudgets_FullMethodName, "every district's", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			_, err := c.SummarizeBudgets(ctx, &budgetv1.SummarizeBudgetsRequest{Parent: "districts/-"})
			return err
		}, []string{systemAdmin, reporter}},
		{budgetv1.BudgetService_ListAuditEvents_FullMethodName, "gwangsan's", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			_, err := c.ListAuditEvents(ctx, &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
			return err
		}, []string{systemAdmin, districtAdmin}},
		// A district's bulk export, for the pledge service's: its readers
		// (published-only callers are refused, so a viewer of another
		// district is too).
		{budgetv1.BudgetService_ExportDistrictData_FullMethodName, "gwangsan's", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			st, err := c.ExportDistrictData(ctx, &typev1.ExportDistrictDataRequest{Name: "districts/gwangsan"})
			if err == nil {
				_, err = st.Recv()
			}
			return err
		}, readers},
		// Its import: those who create districts. Gwangsan has data here, so
		// the import let in is refused (FAILED_PRECONDITION) and writes
		// nothing; its one line is not a row either.
		{budgetv1.BudgetService_ImportDistrictData_FullMethodName, "into gwangsan, which has data", func(ctx context.Context, c budgetv1.BudgetServiceClient) error {
			st, err := c.ImportDistrictData(ctx)
			if err != nil {
				return err
			}
			// A refused stream ends the send: CloseAndRecv says why.
			_ = st.Send(&typev1.ImportDistrictDataRequest{Name: "districts/gwangsan", ExportId: "policy-table",
				Lines: []*typev1.DataLine{{Type: "budget.nothing", Resource: []byte(`{}`), Line: 2}}})
			_, err = st.CloseAndRecv()
			return err
		}, []string{systemAdmin}},
	}
	for _, m := range e.serviceMethods() {
		if !slices.ContainsFunc(tests, func(tt policyCase) bool { return tt.method == m }) {
			t.Errorf("%s is served but has no row in this table: say who may call it", m)
		}
	}
	before := snapshot(t, e.budgetPool)
	callers := e.callers(t)
	for _, tt := range tests {
		for _, who := range []string{anonymous, systemAdmin, reporter, districtAdmin, owner, otherEditor, viewer, otherViewer, readKey, writeKey} {
			err := tt.call(ctx, e.as(callers[who]))
			code := status.Code(err)
			t.Logf("%s, %s: %s → %v", tt.method, tt.what, who, code)
			switch {
			case slices.Contains(tt.allowed, who) && (code == codes.Unauthenticated || code == codes.PermissionDenied):
				t.Errorf("%s, %s: %s was refused: %v", tt.method, tt.what, who, err)
			case !slices.Contains(tt.allowed, who) && who == anonymous && code != codes.Unauthenticated:
				t.Errorf("%s, %s: anonymous got %v, want UNAUTHENTICATED", tt.method, tt.what, err)
			case !slices.Contains(tt.allowed, who) && who != anonymous && code != codes.PermissionDenied:
				t.Errorf("%s, %s: %s got %v, want PERMISSION_DENIED", tt.method, tt.what, who, err)
			}
		}
	}
	if after := snapshot(t, e.budgetPool); !cmp.Equal(before, after) {
		t.Error("the calls changed the budget schema")
	}
}

// TestAPublishedPledgesPlanIsReadByAnyoneAndWrittenByNoOneNew publishes
// 민선 7기: anyone reads the card's plan, as its district does; the 민선 8기
// pledge's stays closed, and neither may be written by those who could
// not before.
func TestAPublishedPledgesPlanIsReadByAnyoneAndWrittenByNoOneNew(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card, afterTerm := e.cardPledge+"/budget", e.afterTermOne+"/budget"
	written, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: cardPlan(card), AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{AllowMissing: true, Budget: &budgetv1.Budget{
		Name: afterTerm, Lines: []*budgetv1.BudgetLine{{Source: local, Year: 2023, PlannedWon: 1_000_000}}}}); err != nil {
		t.Fatal(err)
	}
	anon, outsider := e.as(""), e.as(e.p.Token(t, "seogu-viewer", "viewer@districts/seogu"))
	if _, err := anon.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: card}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("before publishing, anonymous read the card's plan: %v", err)
	}
	e.publishTerm(t, 7)

	official, err := e.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: card})
	if err != nil {
		t.Fatal(err)
	}
	for who, c := range map[string]budgetv1.BudgetServiceClient{"anonymous": anon, "another district's viewer": outsider} {
		got, err := c.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: card})
		if err != nil {
			t.Fatalf("%s reading the published card's plan: %v", who, err)
		}
		if !proto.Equal(got, official) || got.GetRequiredBudget() == nil {
			t.Errorf("%s reads another plan than the district's:\n%v\nwant\n%v", who, got, official)
		}
	}
	if _, err := anon.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: afterTerm}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("anonymous read the unpublished 민선 8기 plan: %v", err)
	}
	if _, err := outsider.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: afterTerm}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("another district's viewer read the unpublished 민선 8기 plan: %v", err)
	}

	before := snapshot(t, e.budgetPool)
	for who, c := range map[string]budgetv1.BudgetServiceClient{"anonymous": anon, "another district's viewer": outsider} {
		want := map[string]codes.Code{"anonymous": codes.Unauthenticated, "another district's viewer": codes.PermissionDenied}[who]
		plan := cardPlan(card)
		plan.Etag = written.GetEtag()
		if _, err := c.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: plan}); status.Code(err) != want {
			t.Errorf("%s updating the published plan: %v, want %v", who, err, want)
		}
		if _, err := c.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: card, Etag: written.GetEtag()}); status.Code(err) != want {
			t.Errorf("%s deleting the published plan: %v, want %v", who, err, want)
		}
		if _, err := c.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: afterTerm, Etag: stale}); status.Code(err) != want {
			t.Errorf("%s deleting the unpublished plan: %v, want %v", who, err, want)
		}
	}
	if after := snapshot(t, e.budgetPool); !cmp.Equal(before, after) {
		t.Error("refused writes changed the budget schema")
	}
}
