package server_test

import (
	"context"
	"slices"
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
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
		k, err := e.pledges.Keys.CreateApiKey(context.Background(), &pledgev1.CreateApiKeyRequest{Parent: "districts/gwangsan",
			ApiKey: &pledgev1.ApiKey{DisplayName: scope + " key", Scopes: []string{scope}}})
		if err != nil {
			t.Fatal(err)
		}
		return k.GetSecret()
	}
	p := e.pledges
	return map[string]string{
		anonymous:     "",
		systemAdmin:   p.Token(t, "root", "system-admin"),
		reporter:      p.Token(t, "ministry", "ministry-reporter"),
		districtAdmin: p.Token(t, "gwangsan-admin", "district-admin@districts/gwangsan"),
		owner:         p.Token(t, "legal", "department-editor@districts/gwangsan/departments/legal-support"),
		otherEditor:   p.Token(t, "welfare", "department-editor@districts/gwangsan/departments/welfare"),
		viewer:        p.Token(t, "gwangsan-viewer", "viewer@districts/gwangsan"),
		otherViewer:   p.Token(t, "seogu-viewer", "viewer@districts/seogu"),
		readKey:       key("read"),
		writeKey:      key("write"),
	}
}

// policyCase is a call of method, and the callers the policy lets make
// it.
type policyCase struct {
	method, what string
	call         func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error
	allowed      []string
}

// stale is an etag no indicator has: a write the policy lets through ends
// ABORTED in the handler and changes nothing.
const stale = "00000000000000000000"

// TestEachMethodLetsInExactlyTheCallersItShould calls every method as
// every kind of caller, with requests that change nothing, and compares
// who got past the policy with a table written by hand. A method the
// server serves without a row here fails the test.
func TestEachMethodLetsInExactlyTheCallersItShould(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card, afterTerm := e.pledges.Card, e.pledges.AfterTerm
	ind, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: card, Indicator: cardIndicator()})
	if err != nil {
		t.Fatal(err)
	}
	// A key that writes reads what it writes (its etag, its pledge).
	readers := []string{systemAdmin, districtAdmin, owner, otherEditor, viewer, readKey, writeKey}
	writers := []string{systemAdmin, districtAdmin, owner, writeKey}
	summaryReaders := []string{systemAdmin, reporter, districtAdmin, owner, otherEditor, viewer, readKey}
	tests := []policyCase{
		{indicatorv1.IndicatorService_GetIndicator_FullMethodName, "the card's indicator", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: ind.GetName()})
			return err
		}, readers},
		{indicatorv1.IndicatorService_ListIndicators_FullMethodName, "the card's indicators", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: card})
			return err
		}, readers},
		{indicatorv1.IndicatorService_GetPledgeAchievement_FullMethodName, "the card's achievement", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: card + "/achievement"})
			return err
		}, readers},
		{indicatorv1.IndicatorService_CreateIndicator_FullMethodName, "on the card, validate only", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: card, Indicator: cardIndicator(), ValidateOnly: true})
			return err
		}, writers},
		{indicatorv1.IndicatorService_CreateIndicator_FullMethodName, "on a pledge no department owns, validate only", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: afterTerm, Indicator: &indicatorv1.Indicator{Title: "방문객", Kind: quantitative}, ValidateOnly: true})
			return err
		}, []string{systemAdmin, districtAdmin, writeKey}},
		{indicatorv1.IndicatorService_UpdateIndicator_FullMethodName, "the card's indicator", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: &indicatorv1.Indicator{Name: ind.GetName(), Etag: stale, Title: "바뀐 제목"}})
			return err
		}, writers},
		{indicatorv1.IndicatorService_DeleteIndicator_FullMethodName, "the card's indicator", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: ind.GetName(), Etag: stale})
			return err
		}, writers},
		{indicatorv1.IndicatorService_BatchCreateIndicators_FullMethodName, "on the card, its id taken", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.BatchCreateIndicators(ctx, &indicatorv1.BatchCreateIndicatorsRequest{Parent: card, Requests: []*indicatorv1.CreateIndicatorRequest{
				{IndicatorId: ind.GetName()[len(card)+len("/indicators/"):], Indicator: cardIndicator()}}})
			return err
		}, []string{systemAdmin, districtAdmin, writeKey}}, // bulk loads: not the department editor who owns the pledge
		{indicatorv1.IndicatorService_SummarizeIndicators_FullMethodName, "gwangsan's", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/gwangsan"})
			return err
		}, summaryReaders},
		{indicatorv1.IndicatorService_SummarizeIndicators_FullMethodName, "every district's", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.SummarizeIndicators(ctx, &indicatorv1.SummarizeIndicatorsRequest{Parent: "districts/-"})
			return err
		}, []string{systemAdmin, reporter}},
		{indicatorv1.IndicatorService_ListAuditEvents_FullMethodName, "gwangsan's", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			_, err := c.ListAuditEvents(ctx, &typev1.ListAuditEventsRequest{Parent: "districts/gwangsan"})
			return err
		}, []string{systemAdmin, districtAdmin}},
		// A district's bulk export, for the pledge service's: its readers
		// (published-only callers are refused, so a viewer of another
		// district is too).
		{indicatorv1.IndicatorService_ExportDistrictData_FullMethodName, "gwangsan's", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			st, err := c.ExportDistrictData(ctx, &typev1.ExportDistrictDataRequest{Name: "districts/gwangsan"})
			if err == nil {
				_, err = st.Recv()
			}
			return err
		}, readers},
		// Its import: those who create districts. Gwangsan has data here, so
		// the import let in is refused (FAILED_PRECONDITION) and writes
		// nothing; its one line is not a row either.
		{indicatorv1.IndicatorService_ImportDistrictData_FullMethodName, "into gwangsan, which has data", func(ctx context.Context, c indicatorv1.IndicatorServiceClient) error {
			st, err := c.ImportDistrictData(ctx)
			if err != nil {
				return err
			}
			// A refused stream ends the send: CloseAndRecv says why.
			_ = st.Send(&typev1.ImportDistrictDataRequest{Name: "districts/gwangsan", ExportId: "policy-table",
				Lines: []*typev1.DataLine{{Type: "indicator.nothing", Resource: []byte(`{}`), Line: 2}}})
			_, err = st.CloseAndRecv()
			return err
		}, []string{systemAdmin}},
	}
	for _, m := range e.serviceMethods() {
		if !slices.ContainsFunc(tests, func(tt policyCase) bool { return tt.method == m }) {
			t.Errorf("%s is served but has no row in this table: say who may call it", m)
		}
	}
	before := snapshot(t, e.pool)
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
	if after := snapshot(t, e.pool); after != before {
		t.Error("the calls changed the indicator schema")
	}
}

// TestAPublishedPledgesIndicatorsAreReadByAnyoneAndWrittenByNoOneNew
// publishes 민선 7기: anyone reads the card's indicators and achievement,
// as its district does; the 민선 8기 pledge's stay closed, and neither may
// be written by those who could not before.
func TestAPublishedPledgesIndicatorsAreReadByAnyoneAndWrittenByNoOneNew(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card, afterTerm := e.pledges.Card, e.pledges.AfterTerm
	onCard, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: card, Indicator: cardIndicator()})
	if err != nil {
		t.Fatal(err)
	}
	onAfterTerm, err := e.indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: afterTerm, Indicator: &indicatorv1.Indicator{
		Title: "방문객", Kind: quantitative, Unit: "명", Entries: []*indicatorv1.YearEntry{{Year: 2024, Target: num("1000"), Actual: num("500")}}}})
	if err != nil {
		t.Fatal(err)
	}
	anon, outsider := e.as(""), e.as(e.pledges.Token(t, "seogu-viewer", "viewer@districts/seogu"))
	if _, err := anon.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: onCard.GetName()}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("before publishing, anonymous read the card's indicator: %v", err)
	}
	e.publishTerm(t, 7)

	type reads struct {
		indicator   *indicatorv1.Indicator
		list        *indicatorv1.ListIndicatorsResponse
		achievement *indicatorv1.PledgeAchievement
	}
	read := func(c indicatorv1.IndicatorServiceClient, ind *indicatorv1.Indicator, pledge string) (reads, []error) {
		var r reads
		errs := make([]error, 3)
		r.indicator, errs[0] = c.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: ind.GetName()})
		r.list, errs[1] = c.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: pledge})
		r.achievement, errs[2] = c.GetPledgeAchievement(ctx, &indicatorv1.GetPledgeAchievementRequest{Name: pledge + "/achievement"})
		return r, errs
	}
	official, errs := read(e.indicators, onCard, card)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for who, c := range map[string]indicatorv1.IndicatorServiceClient{"anonymous": anon, "another district's viewer": outsider} {
		got, errs := read(c, onCard, card)
		for i, err := range errs {
			if err != nil {
				t.Errorf("%s reading the published card (read %d): %v", who, i, err)
			}
		}
		if !proto.Equal(got.indicator, official.indicator) || !proto.Equal(got.list, official.list) || !proto.Equal(got.achievement, official.achievement) {
			t.Errorf("%s reads other data than the district does", who)
		}
		want := map[string]codes.Code{"anonymous": codes.Unauthenticated, "another district's viewer": codes.PermissionDenied}[who]
		_, errs = read(c, onAfterTerm, afterTerm)
		for i, err := range errs {
			if status.Code(err) != want {
				t.Errorf("%s reading the unpublished 민선 8기 pledge (read %d): %v, want %v", who, i, err, want)
			}
		}
	}

	before := snapshot(t, e.pool)
	for who, c := range map[string]indicatorv1.IndicatorServiceClient{"anonymous": anon, "another district's viewer": outsider} {
		want := map[string]codes.Code{"anonymous": codes.Unauthenticated, "another district's viewer": codes.PermissionDenied}[who]
		if _, err := c.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: card, Indicator: cardIndicator()}); status.Code(err) != want {
			t.Errorf("%s adding to the published card: %v, want %v", who, err, want)
		}
		if _, err := c.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: &indicatorv1.Indicator{Name: onCard.GetName(), Etag: onCard.GetEtag(), Title: "x"}}); status.Code(err) != want {
			t.Errorf("%s updating the published card's indicator: %v, want %v", who, err, want)
		}
		if _, err := c.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: onCard.GetName(), Etag: onCard.GetEtag()}); status.Code(err) != want {
			t.Errorf("%s deleting the published card's indicator: %v, want %v", who, err, want)
		}
		if _, err := c.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: onAfterTerm.GetName(), Etag: onAfterTerm.GetEtag()}); status.Code(err) != want {
			t.Errorf("%s deleting the unpublished pledge's indicator: %v, want %v", who, err, want)
		}
	}
	if after := snapshot(t, e.pool); after != before {
		t.Error("refused writes changed the indicator schema")
	}
}
