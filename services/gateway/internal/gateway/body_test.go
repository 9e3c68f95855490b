package gateway

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
)

func TestDecoderNamesTheFieldABodyGetsWrong(t *testing.T) {
	tests := []struct {
		body, field, desc string
	}{
		{`{"title": "x", "titel": "y"}`, "titel", "not a field of Pledge"},
		{`{"progressLog": [{"date": {"label": "'19. 3."}}, {"date": {"lable": "x"}}]}`, "progress_log[1].date.lable", "not a field of DateLabel"},
		{`{"implementingLevels": ["IMPLEMENTING_LEVEL_LOCAL", "IMPLEMENTING_LEVEL_MOON"]}`, "implementing_levels[1]", `"IMPLEMENTING_LEVEL_MOON" is not a value of ImplementingLevel`},
		{`{"term": "seven"}`, "term", "whole number"},
		{`{"term": 7.5}`, "term", "whole number"},
		{`{"term": 4294967296}`, "term", "out of range"},
		{`{"requiredBudget": {"amountWon": "1e3"}}`, "required_budget.amount_won", "whole number"},
		{`{"allDepartmentsRelated": "yes"}`, "all_departments_related", "true or false"},
		{`{"contacts": {"name": "x"}}`, "contacts", "JSON array"},
		{`{"overview": []}`, "overview", "JSON object"},
		{`{"title": 1}`, "title", "string"},
		{`{"title": "x",`, "", "is not JSON"},
		{"{\"title\": \"\xff\"}", "", "not valid UTF-8 (from byte 11)"},
	}
	m := newJSONMarshaler()
	for _, tt := range tests {
		p := &pledgev1.Pledge{}
		err := m.NewDecoder(strings.NewReader(tt.body)).Decode(p)
		var be bodyError
		if !errors.As(err, &be) || be.field != tt.field || !strings.Contains(be.desc, tt.desc) {
			t.Errorf("decoding %s: %v; want field %q saying %q", tt.body, err, tt.field, tt.desc)
		}
	}
	// Proto names are accepted as well as JSON names, and null is no value.
	p := &pledgev1.Pledge{}
	if err := m.NewDecoder(strings.NewReader(`{"final_goal": "목표", "overview": null, "requiredBudget": {"amountWon": 8500000}}`)).Decode(&p); err != nil {
		t.Fatalf("a good body: %v", err)
	}
	if p.GetFinalGoal() != "목표" || p.GetRequiredBudget().GetAmountWon() != 8_500_000 {
		t.Errorf("decoded %v", p)
	}
	if err := m.NewDecoder(strings.NewReader("  ")).Decode(&pledgev1.Pledge{}); err != io.EOF {
		t.Errorf("an empty body: %v, want io.EOF", err)
	}
}

func TestDecoderRefusesABodyOverTheLimit(t *testing.T) {
	rec := httptest.NewRecorder()
	body := http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(`{"title": "`+strings.Repeat("가", 100)+`"}`)), 64)
	err := newJSONMarshaler().NewDecoder(body).Decode(&pledgev1.Pledge{})
	var be bodyError
	if !errors.As(err, &be) || !strings.Contains(be.desc, "limit of 64 bytes") {
		t.Errorf("an oversized body: %v", err)
	}
}
