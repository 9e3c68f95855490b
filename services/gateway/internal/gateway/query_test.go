package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/grpc-ecosystem/grpc-gateway/v2/utilities"
)

// violation is one BadRequest field violation of an error body.
type violation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

func violationsOf(t *testing.T, body []byte) []violation {
	t.Helper()
	var st struct {
		Details []struct {
			Type       string      `json:"@type"`
			Violations []violation `json:"fieldViolations"`
		} `json:"details"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	var out []violation
	for _, d := range st.Details {
		out = append(out, d.Violations...)
	}
	return out
}

func TestQueryParametersThatDoNotParseAreNamedPlainly(t *testing.T) {
	g, _ := newTestGateway(t, testConfig())
	tests := []struct {
		query, field, desc string
	}{
		{"pageSize=abc", "page_size", "is not a whole number"},
		{"pageSize=1e99", "page_size", "is not a whole number"},
		{"pageSize=2.5", "page_size", "is not a whole number"},
		{"pageSize=99999999999", "page_size", "is out of range (-2147483648 to 2147483647)"},
		{"page_size=abc", "page_size", "is not a whole number"},
		{"showDeleted=maybe", "show_deleted", "must be true or false"},
		{"pageSize=5&pageSize=6", "page_size", "is given more than once"},
		{"pageSize=5&page_size=6", "page_size", "is given more than once"},
		{"query=x.y&pageSize=abc", "page_size", "is not a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			w := httptest.NewRecorder()
			g.ServeHTTP(w, httptest.NewRequest("GET", "/v1/districts/gwangsan/pledges?"+tt.query, nil))
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if v := violationsOf(t, w.Body.Bytes()); len(v) != 1 || v[0].Field != tt.field || v[0].Description != tt.desc {
				t.Errorf("violations %+v, want %s %q", v, tt.field, tt.desc)
			}
			if body := w.Body.String(); strings.Contains(body, "strconv") || strings.Contains(body, "parsing") || strings.Contains(body, "invalid syntax") {
				t.Errorf("Go's parser text reached the client: %s", body)
			}
		})
	}
	// A campaign tag of a shared link names no field and is let be.
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("GET", "/v1/districts/gwangsan/pledges?pageSize=10&utm_source=mail", nil))
	if w.Code != http.StatusOK {
		t.Errorf("a campaign tag: %d %s", w.Code, w.Body)
	}
}

// A parameter that names no field of the method is refused naming it, so
// a misspelt filter never answers with everything, unfiltered.
func TestQueryParametersThatNameNoFieldAreRefused(t *testing.T) {
	g, _ := newTestGateway(t, testConfig())
	tests := []struct {
		path, query, field, desc string
	}{
		{"/v1/districts/gwangsan/pledges", `filters=term = 7`, "filters", "is not a parameter of this method; its parameters are page_size, page_token, filter, order_by, query, show_deleted"},
		{"/v1/districts/gwangsan/pledges/p1/indicators", `update_time=2026-11-01T00:00:00Z`, "update_time", "is not a parameter of this method; its parameters are page_size, page_token, filter"},
		{"/v1/districts/gwangsan/pledges", "orderBy.x=1", "order_by", "has no fields to set"},
		{"/v1/districts/gwangsan/pledges", "pledge.title=x", "pledge.title", "is not a parameter of this method; its parameters are page_size, page_token, filter, order_by, query, show_deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			w := httptest.NewRecorder()
			g.ServeHTTP(w, httptest.NewRequest("GET", tt.path+"?"+url.Values{strings.SplitN(tt.query, "=", 2)[0]: {strings.SplitN(tt.query, "=", 2)[1]}}.Encode(), nil))
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if v := violationsOf(t, w.Body.Bytes()); len(v) != 1 || v[0].Field != tt.field || v[0].Description != tt.desc {
				t.Errorf("violations %+v, want %s %q", v, tt.field, tt.desc)
			}
		})
	}
}

func TestQueryParserNamesNestedFieldsByTheirProtoPath(t *testing.T) {
	noFilter := utilities.NewDoubleArray(nil)
	tests := []struct {
		query, field, desc string
	}{
		{"status=PLEDGE_STATUS_MOON", "status", "is not a value of PledgeStatus"},
		{"status=99", "status", "is not a value of PledgeStatus"},
		{"requiredBudget.amountWon=8.5", "required_budget.amount_won", "is not a whole number"},
		{"required_budget.amount_won=99999999999999999999", "required_budget.amount_won", "is out of range (-9223372036854775808 to 9223372036854775807)"},
		{"implementingLevels=IMPLEMENTING_LEVEL_LOCAL&implementingLevels=IMPLEMENTING_LEVEL_MOON", "implementing_levels[1]", "is not a value of ImplementingLevel"},
		{"title.text=x", "title", "has no fields to set"},
		{"title=a&title=b", "title", "is given more than once"},
		{"title[k]=v", "title", "is not a map"},
		{"allDepartmentsRelated=yes", "all_departments_related", "must be true or false"},
		{"deleteTime=yesterday", "delete_time", "is not a time such as 2020-01-20T09:00:00+09:00"},
		{"overview=x", "overview", "cannot be given as a query parameter"},
	}
	for _, tt := range tests {
		values, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		err = queryParser{}.Parse(&pledgev1.Pledge{}, values, noFilter)
		var qe queryError
		if !errors.As(err, &qe) || qe.field != tt.field || qe.desc != tt.desc {
			t.Errorf("%s: %v; want %s %q", tt.query, err, tt.field, tt.desc)
		}
	}
	values := url.Values{
		"status": {"PLEDGE_STATUS_ON_TRACK"}, "requiredBudget.amountWon": {"8500000"}, "implementing_levels": {"IMPLEMENTING_LEVEL_LOCAL", "2"},
		"deleteTime": {"2021-03-01T09:00:00+09:00"},
	}
	p := &pledgev1.Pledge{}
	if err := (queryParser{}).Parse(p, values, noFilter); err != nil {
		t.Fatalf("good parameters: %v", err)
	}
	if p.GetStatus() != pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK || p.GetRequiredBudget().GetAmountWon() != 8_500_000 ||
		len(p.GetImplementingLevels()) != 2 || p.GetDeleteTime().GetSeconds() == 0 {
		t.Errorf("parsed %v", p)
	}
}

// FuzzQueryParser: whatever the query, the parser answers a queryError or
// nothing, never panics, and never passes Go's parser text on.
func FuzzQueryParser(f *testing.F) {
	for _, q := range []string{"pageSize=abc", "status=PLEDGE_STATUS_MOON", "requiredBudget.amountWon=1e99", "title[x]=y", "a.b.c=1", "implementingLevels=1&implementingLevels=x"} {
		f.Add(q)
	}
	noFilter := utilities.NewDoubleArray(nil)
	f.Fuzz(func(t *testing.T, query string) {
		values, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		err = queryParser{}.Parse(&pledgev1.Pledge{}, values, noFilter)
		var qe queryError
		if err != nil && (!errors.As(err, &qe) || strings.Contains(qe.desc, "strconv") || strings.Contains(qe.desc, "parsing")) {
			t.Errorf("%q: %v", query, err)
		}
	})
}
