package e2e

import (
	"bufio"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/pkg/money"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// cardPlanRow reads the 구 비 row of the card's 연도별 투자계획 table, in
// 백만원, and returns the plan lines it holds and its 계 cell, in won.
func cardPlanRow(t *testing.T) ([]map[string]any, int64) {
	t.Helper()
	f, err := os.Open("../services/pledge/testdata/cards/000_f92421f269c71dea.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var header []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		switch {
		case strings.HasPrefix(cells[0], "구 분(백만원)"):
			header = cells
		case cells[0] == "구 비" && header != nil:
			total, _, err := money.ParseMillionWon(cells[1])
			if err != nil {
				t.Fatal(err)
			}
			var lines []map[string]any
			for i := 2; i < len(cells); i++ {
				won, ok, err := money.ParseMillionWon(cells[i])
				if err != nil {
					t.Fatalf("cell %q: %v", cells[i], err)
				}
				if !ok {
					continue // '-': no amount that year
				}
				year := strings.TrimSuffix(header[i], "년")
				lines = append(lines, map[string]any{"source": "FUNDING_SOURCE_LOCAL", "sourceLabel": "구비", "year": year, "plannedWon": won})
			}
			return lines, total
		}
	}
	t.Fatal("the card has no 구 비 row")
	return nil, 0
}

// TestTheCardsPlanRoundTripsThroughREST enters the card's 구비 row as the
// card writes it (2.5, 3 and 3 백만원, '-' for 2018 and 2019) and gets back
// the card's 계 of 8.5 백만원, its 합계 row, 구 100, and agreement with the
// pledge's 소요예산; the trace of the write goes gateway → budget → pledge.
func TestTheCardsPlanRoundTripsThroughREST(t *testing.T) {
	rcv := newOTLPReceiver(t)
	r := startSuite(t, rcv.srv.URL, "pledge", "budget")
	r.seedGwangsan(t)
	r.call(t, "POST", "/v1/districts/gwangsan/pledges?pledgeId=innovation-tf", fixture.GwangsanJSON).must(t, http.StatusOK)

	lines, cardTotal := cardPlanRow(t)
	if len(lines) != 3 || cardTotal != 8_500_000 {
		t.Fatalf("the card's row read as %d lines, 계 %d won", len(lines), cardTotal)
	}
	const traceID = "5b8efff798038103d269b633813fc60c"
	path := "/v1/districts/gwangsan/pledges/innovation-tf/budget"
	written := r.call(t, "PATCH", path+"?allowMissing=true", map[string]any{"lines": lines},
		"traceparent", "00-"+traceID+"-eee19b7ec3c1b174-01").must(t, http.StatusOK)
	got := r.call(t, "GET", path, nil).must(t, http.StatusOK)
	if string(got.raw) != string(written.raw) {
		t.Errorf("GET differs from the write's answer:\n%s\n%s", got.raw, written.raw)
	}
	if got.str("total.plannedWon") != "8500000" {
		t.Errorf("total planned = %s, want the card's 계 8.5백만원", got.str("total.plannedWon"))
	}
	years, _ := got.body["yearTotals"].([]any)
	var row []string
	for _, y := range years {
		m := y.(map[string]any)
		row = append(row, money.FormatMillionWon(mustInt(t, m["amounts"].(map[string]any)["plannedWon"])))
	}
	if strings.Join(row, " ") != "2.5 3 3" {
		t.Errorf("합계 row = %v, want 2.5 3 3", row)
	}
	shares, _ := got.body["shares"].([]any)
	if len(shares) != 1 || shares[0].(map[string]any)["percent"] != float64(100) || shares[0].(map[string]any)["sourceLabel"] != "구비" {
		t.Errorf("shares = %v, want 구비 100", shares)
	}
	if got.get("requiredBudget.consistent") != true {
		t.Errorf("the plan disagrees with the card's 소요예산: %v", got.get("requiredBudget"))
	}

	// Two officials with one etag: the second is refused and nothing lost.
	etag := got.str("etag")
	r.call(t, "PATCH", path, map[string]any{"etag": etag, "asOfDate": map[string]int{"year": 2021, "month": 12, "day": 31}}).must(t, http.StatusOK)
	r.call(t, "PATCH", path, map[string]any{"etag": etag, "lines": []any{}}).must(t, http.StatusConflict)
	if after := r.call(t, "GET", path, nil); after.str("total.plannedWon") != "8500000" {
		t.Errorf("a refused write changed the plan: %s", after.raw)
	}

	// Bad amounts, named; and a write without its etag.
	current := r.call(t, "GET", path, nil).str("etag")
	for _, tt := range []struct{ body, field string }{
		{`{"etag": "` + current + `", "lines": [{"source": "FUNDING_SOURCE_LOCAL", "year": 2020, "plannedWon": "99999999999999999999"}]}`, "budget.lines[0].planned_won"},
		{`{"etag": "` + current + `", "lines": [{"source": "FUNDING_SOURCE_LOCAL", "year": 2020, "plannedWon": "-2500000"}]}`, "budget.lines[0].planned_won"},
		{`{"etag": "` + current + `", "lines": [{"source": "FUNDING_SOURCE_LOTTERY", "year": 2020}]}`, "budget.lines[0].source"},
		{`{"etag": "` + current + `", "lines": [{"source": "FUNDING_SOURCE_LOCAL", "year": 2024, "plannedWon": "1"}]}`, "budget.lines[0].year"},
		{`{"lines": [{"source": "FUNDING_SOURCE_LOCAL", "year": 2020, "plannedWon": "1"}]}`, "budget.etag"},
	} {
		resp := r.call(t, "PATCH", path, tt.body).must(t, http.StatusBadRequest)
		if v := resp.violations(); len(v) != 1 || v[0] != tt.field {
			t.Errorf("%s: violations %v, want %s", tt.body, v, tt.field)
		}
	}

	find := func(spans []span, service string, kind tracepb.Span_SpanKind, name, parent string) *span {
		for i, s := range spans {
			if s.service == service && s.kind == kind && s.name == name && (parent == "" || s.parentID == parent) {
				return &spans[i]
			}
		}
		return nil
	}
	rcv.trace(t, traceID, func(spans []span) bool {
		gw := find(spans, "gateway", tracepb.Span_SPAN_KIND_CLIENT, "gongyak.budget.v1.BudgetService/UpdateBudget", "")
		if gw == nil {
			return false
		}
		budgetServer := find(spans, "budget", tracepb.Span_SPAN_KIND_SERVER, "gongyak.budget.v1.BudgetService/UpdateBudget", gw.spanID)
		if budgetServer == nil {
			return false
		}
		call := find(spans, "budget", tracepb.Span_SPAN_KIND_CLIENT, "gongyak.pledge.v1.PledgeService/GetPledge", budgetServer.spanID)
		if call == nil {
			return false
		}
		return find(spans, "pledge", tracepb.Span_SPAN_KIND_SERVER, "gongyak.pledge.v1.PledgeService/GetPledge", call.spanID) != nil
	})
}

func mustInt(t *testing.T, v any) int64 {
	t.Helper()
	s, _ := v.(string)
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("%v is not a whole number", v)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
