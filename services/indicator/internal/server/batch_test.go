package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// pledgesOfTerm8 adds n pledges of 민선 8기 to gwangsan and returns their
// names.
func (e *env) pledgesOfTerm8(t *testing.T, n int) []string {
	t.Helper()
	req := &pledgev1.BatchCreatePledgesRequest{Parent: "districts/gwangsan"}
	for i := range n {
		req.Requests = append(req.Requests, &pledgev1.CreatePledgeRequest{Pledge: &pledgev1.Pledge{Title: fmt.Sprintf("8기 공약 %d", i), Term: 8}})
	}
	resp, err := e.pledges.Pledges.BatchCreatePledges(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range resp.GetPledges() {
		names = append(names, p.GetName())
	}
	return names
}

// visitors is a quantitative indicator of a 민선 8기 pledge: 2023 and 2024
// measured (80 of 100, 50 of 100), 2025 without an actual (no data, the
// tests' clock being 2026), 2026 not yet due.
func visitors(parent string) *indicatorv1.CreateIndicatorRequest {
	return &indicatorv1.CreateIndicatorRequest{Parent: parent, Indicator: &indicatorv1.Indicator{
		Title: "방문객", Kind: quantitative, Unit: "명", Direction: indicatorv1.Direction_DIRECTION_HIGHER_IS_BETTER,
		Entries: []*indicatorv1.YearEntry{
			{Year: 2023, Target: num("100"), Actual: num("80")},
			{Year: 2024, Target: num("100"), Actual: num("50")},
			{Year: 2025, Target: num("100")},
			{Year: 2026, Target: num("100")},
		}}}
}

// TestABatchOfIndicatorsIsWrittenWholeOrNotAtAll creates indicators of
// several pledges at once (parent `…/pledges/-`): a batch with faults
// among good requests names each and writes nothing; the good one writes
// every indicator with its entries, achievements and audit event, and its
// retry replays it.
func TestABatchOfIndicatorsIsWrittenWholeOrNotAtAll(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pledges := e.pledgesOfTerm8(t, 3)
	before := snapshot(t, e.pool)
	batchOf := func(requestID string) *indicatorv1.BatchCreateIndicatorsRequest {
		req := &indicatorv1.BatchCreateIndicatorsRequest{Parent: "districts/gwangsan/pledges/-", RequestId: requestID}
		for _, p := range pledges {
			req.Requests = append(req.Requests, visitors(p), visitors(p))
			req.Requests[len(req.Requests)-1].Indicator.Title = "만족도"
		}
		return req
	}
	bad := batchOf("")
	bad.Requests[1].Indicator.Entries[0].Year = 2019 // before 민선 8기
	bad.Requests[2].Indicator.Title = ""
	bad.Requests[4].Parent = "districts/seogu/pledges/x"
	bad.Requests[5].Indicator.Entries[1].Actual = txt("많음")
	_, err := e.indicators.BatchCreateIndicators(ctx, bad)
	want := []string{"requests[1].indicator.entries[0].year", "requests[2].indicator.title", "requests[4].parent", "requests[5].indicator.entries[1].actual"}
	if got := violated(err); status.Code(err) != codes.InvalidArgument || !slices.Equal(got, want) {
		t.Errorf("%v: violations %v, want %v", err, got, want)
	}
	if snapshot(t, e.pool) != before {
		t.Error("a refused batch wrote")
	}

	resp, err := e.indicators.BatchCreateIndicators(ctx, batchOf("ind-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetIndicators()) != 6 {
		t.Fatalf("%d indicators, want 6", len(resp.GetIndicators()))
	}
	for n, i := range resp.GetIndicators() {
		a := i.GetAchievement()
		if i.GetTerm() != 8 || i.GetPosition() != int32(n%2+1) || len(i.GetEntries()) != 4 ||
			a.GetPercent() != "65.00" || a.GetMeasured() != 2 || a.GetNoData() != 1 || a.GetNotYetDue() != 1 {
			t.Errorf("indicator %d: %v", n, i)
		}
		got, err := e.indicators.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: i.GetName()})
		if err != nil || got.GetEtag() != i.GetEtag() {
			t.Errorf("read back %s: %v %v", i.GetName(), got, err)
		}
	}
	var events int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'create'`).Scan(&events); err != nil || events != 6 {
		t.Errorf("%d create events (%v), want one per indicator", events, err)
	}
	written := snapshot(t, e.pool)
	again, err := e.indicators.BatchCreateIndicators(ctx, batchOf("ind-1"))
	if err != nil || len(again.GetIndicators()) != 6 || again.GetIndicators()[5].GetName() != resp.GetIndicators()[5].GetName() {
		t.Errorf("the retry: %v %v", again, err)
	}
	if snapshot(t, e.pool) != written {
		t.Error("the retry wrote")
	}

	// One pledge's batch: the next positions; ids already there named.
	one := &indicatorv1.BatchCreateIndicatorsRequest{Parent: pledges[0], Requests: []*indicatorv1.CreateIndicatorRequest{visitors(""), visitors("")}}
	one.Requests[0].IndicatorId, one.Requests[1].IndicatorId = "kept", "kept"
	_, err = e.indicators.BatchCreateIndicators(ctx, one)
	if got := violated(err); !slices.Equal(got, []string{"requests[1].indicator_id"}) {
		t.Errorf("an id twice: %v %v", err, got)
	}
	one.Requests[1].IndicatorId = ""
	added, err := e.indicators.BatchCreateIndicators(ctx, one)
	if err != nil || added.GetIndicators()[0].GetPosition() != 3 || added.GetIndicators()[1].GetPosition() != 4 {
		t.Fatalf("a pledge's batch: %v %v", added, err)
	}
	one.Requests[1].IndicatorId = "other"
	_, err = e.indicators.BatchCreateIndicators(ctx, one)
	if got := violated(err); status.Code(err) != codes.AlreadyExists || !slices.Equal(got, []string{"requests[0].indicator_id"}) {
		t.Errorf("an id taken: %v %v", err, got)
	}
}

// TestABatchOfIndicatorsHoldsAtMost500AndNeedsTheWholeDistrict refuses 501
// and the department editor who owns the pledge; a district admin loads.
func TestABatchOfIndicatorsHoldsAtMost500AndNeedsTheWholeDistrict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	card := e.pledges.Card
	many := &indicatorv1.BatchCreateIndicatorsRequest{Parent: card}
	for range 501 {
		many.Requests = append(many.Requests, &indicatorv1.CreateIndicatorRequest{Indicator: cardIndicator()})
	}
	_, err := e.indicators.BatchCreateIndicators(ctx, many)
	if got := violated(err); !slices.Equal(got, []string{"requests"}) {
		t.Errorf("501 indicators: %v %v", err, got)
	}
	few := &indicatorv1.BatchCreateIndicatorsRequest{Parent: card, Requests: many.Requests[:2]}
	_, err = e.as(e.pledges.Token(t, "legal", "department-editor@districts/gwangsan/departments/legal-support")).BatchCreateIndicators(ctx, few)
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("the card's department editor: %v, want PERMISSION_DENIED", err)
	}
	if _, err := e.as(e.pledges.Token(t, "kim", "district-admin@districts/gwangsan")).BatchCreateIndicators(ctx, few); err != nil {
		t.Errorf("the district admin: %v", err)
	}
}
