package openapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The console's API client is generated from this document (openapi-typescript):
// what a generator needs of it is checked here, so a change to the protos or
// to proto/openapi.yaml that spoils it fails before a client is generated.

// errorResponses are the HTTP codes the gateway answers errors with that
// every operation must describe (services/gateway/internal/gateway/errors.go).
var errorResponses = []string{"400", "401", "403", "404", "409", "412", "429", "503"}

type document struct {
	SecurityDefinitions map[string]struct {
		Type string `json:"type"`
		In   string `json:"in"`
		Name string `json:"name"`
	} `json:"securityDefinitions"`
	Security []map[string][]string           `json:"security"`
	Paths    map[string]map[string]operation `json:"paths"`
}

type operation struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	Responses map[string]struct {
		Schema struct {
			Ref string `json:"$ref"`
		} `json:"schema"`
	} `json:"responses"`
	// Security is nil when the operation takes the document's requirement,
	// and empty when it needs no credential.
	Security *[]map[string][]string `json:"security"`
}

var (
	// template finds each path parameter, braces included.
	template = regexp.MustCompile(`\{[^}]*\}`)
	// paramName is what a generator turns into a readable argument: a word,
	// not name_3, budget.name or a pattern such as name=districts/*.
	paramName = regexp.MustCompile(`^[a-z][a-zA-Z]*$`)
)

// problems lists what a client generator would stumble on in doc.
func problems(doc []byte) []string {
	var d document
	if err := json.Unmarshal(doc, &d); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var out []string
	bearer, ok := d.SecurityDefinitions["Bearer"]
	if !ok {
		out = append(out, "no Bearer security definition")
	} else if bearer.Type != "apiKey" || bearer.In != "header" || bearer.Name != "Authorization" {
		out = append(out, fmt.Sprintf("Bearer is %s in %s %q, want apiKey in header Authorization", bearer.Type, bearer.In, bearer.Name))
	}
	if !slices.ContainsFunc(d.Security, func(r map[string][]string) bool { _, ok := r["Bearer"]; return ok }) {
		out = append(out, "no global security requirement of Bearer")
	}
	if len(d.Paths) == 0 {
		out = append(out, "no paths")
	}
	for path, item := range d.Paths {
		inTemplate := map[string]bool{}
		for _, m := range template.FindAllString(path, -1) {
			name := strings.Trim(m, "{}")
			if !paramName.MatchString(name) {
				out = append(out, fmt.Sprintf("%s: path parameter %q is not a plain name", path, name))
			}
			inTemplate[name] = true
		}
		for method, op := range item {
			where := strings.ToUpper(method) + " " + path
			declared := map[string]bool{}
			for _, p := range op.Parameters {
				if p.In != "path" {
					continue
				}
				declared[p.Name] = true
				if !inTemplate[p.Name] {
					out = append(out, fmt.Sprintf("%s: path parameter %q is not in the path", where, p.Name))
				}
			}
			for name := range inTemplate {
				if !declared[name] {
					out = append(out, fmt.Sprintf("%s: path parameter %q is not declared", where, name))
				}
			}
			for _, code := range errorResponses {
				if r, ok := op.Responses[code]; !ok || r.Schema.Ref != "#/definitions/Status" {
					out = append(out, fmt.Sprintf("%s: no %s response of google.rpc.Status", where, code))
				}
			}
			// The edge refuses a write without a credential, whatever the
			// method's policy: only reads may say they need none.
			if op.Security != nil && len(*op.Security) == 0 && method != "get" {
				out = append(out, fmt.Sprintf("%s: a write marked as needing no credential", where))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestDocumentServesAClientGenerator(t *testing.T) {
	for _, p := range problems(Document) {
		t.Error(p)
	}
}

// TestPublicReads checks the reads anyone may make of what a district
// publishes are the ones the document lets a client call without a
// credential (the policies in services/*/internal/server/policy.go).
func TestPublicReads(t *testing.T) {
	var d document
	if err := json.Unmarshal(Document, &d); err != nil {
		t.Fatal(err)
	}
	var public []string
	for _, item := range d.Paths {
		for _, op := range item {
			if op.Security != nil && len(*op.Security) == 0 {
				public = append(public, op.OperationID)
			}
		}
	}
	sort.Strings(public)
	want := []string{
		"BudgetService_GetBudget",
		"DistrictService_GetDistrict",
		"DistrictService_ListDistricts",
		"IndicatorService_GetIndicator",
		"IndicatorService_GetPledgeAchievement",
		"IndicatorService_ListIndicators",
		"ParticipationService_GetContestResults",
		"ParticipationService_GetProgram",
		"ParticipationService_GetSurveyResults",
		"ParticipationService_GetTally",
		"ParticipationService_ListPrograms",
		"PledgeService_GetPhotoContent",
		"PledgeService_GetPledge",
		"PledgeService_GetPledgeCard",
		"PledgeService_ListPledges",
		"PledgeService_RenderPledgeCard",
		"ReportService_DisclosePledges",
	}
	if !slices.Equal(public, want) {
		t.Errorf("operations needing no credential:\n got %q\nwant %q", public, want)
	}
}

// TestProblemsFound shows the checks catch what the generator used to emit.
func TestProblemsFound(t *testing.T) {
	const security = `"securityDefinitions": {"Bearer": {"type": "apiKey", "in": "header", "name": "Authorization"}},
		"security": [{"Bearer": []}],`
	const errs = `"400": {"schema": {"$ref": "#/definitions/Status"}}, "401": {"schema": {"$ref": "#/definitions/Status"}},
		"403": {"schema": {"$ref": "#/definitions/Status"}}, "404": {"schema": {"$ref": "#/definitions/Status"}},
		"409": {"schema": {"$ref": "#/definitions/Status"}}, "412": {"schema": {"$ref": "#/definitions/Status"}},
		"429": {"schema": {"$ref": "#/definitions/Status"}}, "503": {"schema": {"$ref": "#/definitions/Status"}}`
	op := func(path, params, responses, extra string) string {
		return `{"paths": {"` + path + `": {"get": {"parameters": [` + params + `], "responses": {` + responses + `}` + extra + `}}}}`
	}
	pledge := `{"name": "district", "in": "path"}, {"name": "pledge", "in": "path"}`
	tests := []struct {
		name string
		doc  string
		want string // a problem that must be among those found; "" for none
	}{
		{"sound", `{` + security + op("/v1/districts/{district}/pledges/{pledge}:card", pledge, errs, "")[1:], ""},
		{"numbered parameter", `{` + security + op("/v1/{name_1}:card", `{"name": "name_1", "in": "path"}`, errs, "")[1:], `path parameter "name_1" is not a plain name`},
		{"dotted parameter", `{` + security + op("/v1/{budget.name}", `{"name": "budget.name", "in": "path"}`, errs, "")[1:], `path parameter "budget.name" is not a plain name`},
		{"pattern left in the path", `{` + security + op("/v1/{name=districts/*}", `{"name": "name", "in": "path"}`, errs, "")[1:], `path parameter "name=districts/*" is not a plain name`},
		{"undeclared parameter", `{` + security + op("/v1/districts/{district}/pledges/{pledge}", `{"name": "district", "in": "path"}`, errs, "")[1:], `path parameter "pledge" is not declared`},
		{"no security definition", `{"security": [{"Bearer": []}],` + op("/v1/districts", "", errs, "")[1:], "no Bearer security definition"},
		{"no global requirement", `{"securityDefinitions": {"Bearer": {"type": "apiKey", "in": "header", "name": "Authorization"}},` + op("/v1/districts", "", errs, "")[1:], "no global security requirement of Bearer"},
		{"only the default error", `{` + security + op("/v1/districts", "", `"default": {"schema": {"$ref": "#/definitions/Status"}}`, "")[1:], "GET /v1/districts: no 409 response of google.rpc.Status"},
		{"public write", `{` + security + strings.Replace(op("/v1/districts", "", errs, `, "security": []`), `"get"`, `"post"`, 1)[1:], "POST /v1/districts: a write marked as needing no credential"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems([]byte(tt.doc))
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("problems in a sound document: %q", got)
				}
				return
			}
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems %q, want one saying %q", got, tt.want)
			}
		})
	}
}
