package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"google.golang.org/grpc/codes"
)

// summaryLine writes a summary row as its groups, count, statuses (완료,
// 이행 후 계속추진, 정상추진, 일부추진, 보류, 폐기, 미지정) and completion
// rate.
func summaryLine(r *pledgev1.PledgeSummary) string {
	var groups []string
	for _, g := range []string{r.GetDistrict(), r.GetMetropolitanGovernment(), r.GetDepartment()} {
		if g != "" {
			groups = append(groups, g)
		}
	}
	if r.GetTerm() != 0 {
		groups = append(groups, fmt.Sprint(r.GetTerm()))
	}
	if r.GetStatus() != 0 {
		groups = append(groups, strings.TrimPrefix(r.GetStatus().String(), "PLEDGE_STATUS_"))
	}
	if r.GetProjectType() != 0 {
		groups = append(groups, strings.TrimPrefix(r.GetProjectType().String(), "PROJECT_TYPE_"))
	}
	s := r.GetStatuses()
	return fmt.Sprintf("%s: %d [%d %d %d %d %d %d %d] %s", strings.Join(groups, " "), r.GetPledgeCount(),
		s.GetCompleted(), s.GetCompletedContinuing(), s.GetOnTrack(), s.GetPartial(), s.GetOnHold(), s.GetAbandoned(), s.GetUnspecified(),
		r.GetCompletionRate())
}

// TestSummariesCountPledgesByStatusAcrossDistricts counts the three
// districts' pledges grouped every way, paged, filtered: the deleted one is
// left out, the one without a status counts as 미지정, and each group's
// completion rate is (완료 + 이행 후 계속추진) ÷ its pledges.
func TestSummariesCountPledgesByStatusAcrossDistricts(t *testing.T) {
	e := newEnv(t)
	e.seedThreeDistricts(t)
	ctx := context.Background()
	const total = ": 8 [2 1 1 1 1 1 1] 37.50"
	for _, tt := range []struct {
		parent  string
		groupBy []string
		filter  string
		rows    []string
		total   string
	}{
		{"districts/-", nil, "", []string{total}, total},
		{"districts/-", []string{"district"}, "", []string{
			"districts/buk: 3 [1 0 0 0 0 1 1] 33.33",
			"districts/gwangsan: 3 [1 1 1 0 0 0 0] 66.67",
			"districts/haeundae: 2 [0 0 0 1 1 0 0] 0.00"}, total},
		{"districts/-", []string{"district", "status"}, "", []string{
			"districts/buk: 1 [0 0 0 0 0 0 1] 0.00",
			"districts/buk COMPLETED: 1 [1 0 0 0 0 0 0] 100.00",
			"districts/buk ABANDONED: 1 [0 0 0 0 0 1 0] 0.00",
			"districts/gwangsan COMPLETED: 1 [1 0 0 0 0 0 0] 100.00",
			"districts/gwangsan COMPLETED_CONTINUING: 1 [0 1 0 0 0 0 0] 100.00",
			"districts/gwangsan ON_TRACK: 1 [0 0 1 0 0 0 0] 0.00",
			"districts/haeundae PARTIAL: 1 [0 0 0 1 0 0 0] 0.00",
			"districts/haeundae ON_HOLD: 1 [0 0 0 0 1 0 0] 0.00"}, total},
		{"districts/-", []string{"metropolitan_government", "term"}, "", []string{
			"광주광역시 7: 5 [2 0 1 0 0 1 1] 40.00",
			"광주광역시 8: 1 [0 1 0 0 0 0 0] 100.00",
			"부산광역시 8: 2 [0 0 0 1 1 0 0] 0.00"}, total},
		{"districts/-", []string{"department", "project_type"}, "", []string{
			"NEW: 4 [1 1 0 0 1 1 0] 50.00",
			"CONTINUING: 2 [0 0 0 1 0 0 1] 0.00",
			"districts/gwangsan/departments/legal-support NEW: 1 [1 0 0 0 0 0 0] 100.00",
			"districts/gwangsan/departments/legal-support CONTINUING: 1 [0 0 1 0 0 0 0] 0.00"}, total},
		{"districts/-", []string{"district"}, `metropolitan_government = "광주광역시" AND status != PLEDGE_STATUS_ABANDONED`, []string{
			"districts/buk: 2 [1 0 0 0 0 0 1] 50.00",
			"districts/gwangsan: 3 [1 1 1 0 0 0 0] 66.67"}, ": 5 [2 1 1 0 0 0 1] 60.00"},
		{"districts/-", []string{"term"}, `department = "districts/gwangsan/departments/legal-support" OR project_type = PROJECT_TYPE_CONTINUING`, []string{
			"7: 3 [1 0 1 0 0 0 1] 33.33",
			"8: 1 [0 0 0 1 0 0 0] 0.00"}, ": 4 [1 0 1 1 0 0 1] 25.00"},
		{"districts/gwangsan", []string{"status"}, "", []string{
			"COMPLETED: 1 [1 0 0 0 0 0 0] 100.00",
			"COMPLETED_CONTINUING: 1 [0 1 0 0 0 0 0] 100.00",
			"ON_TRACK: 1 [0 0 1 0 0 0 0] 0.00"}, ": 3 [1 1 1 0 0 0 0] 66.67"},
		{"districts/-", []string{"district"}, "term = 9", nil, ": 0 [0 0 0 0 0 0 0] "},
	} {
		// Three rows a page: the rows of every page make the whole, and
		// each page carries the total of all.
		var rows []string
		token := ""
		for range 10 {
			resp, err := e.pledges.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: tt.parent, GroupBy: tt.groupBy, Filter: tt.filter, PageSize: 3, PageToken: token})
			if err != nil {
				t.Fatalf("%s by %v where %q: %v", tt.parent, tt.groupBy, tt.filter, err)
			}
			if got := summaryLine(resp.GetTotal()); got != tt.total {
				t.Errorf("%s by %v where %q: total %s, want %s", tt.parent, tt.groupBy, tt.filter, got, tt.total)
			}
			for _, r := range resp.GetRows() {
				rows = append(rows, summaryLine(r))
			}
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
		}
		if strings.Join(rows, "\n") != strings.Join(tt.rows, "\n") {
			t.Errorf("%s by %v where %q:\n%s\nwant\n%s", tt.parent, tt.groupBy, tt.filter, strings.Join(rows, "\n"), strings.Join(tt.rows, "\n"))
		}
	}

	for _, bad := range []struct {
		req    *pledgev1.SummarizePledgesRequest
		fields string
	}{
		{&pledgev1.SummarizePledgesRequest{Parent: "districts/-", GroupBy: []string{"status", "color", "status"}}, "[group_by[1] group_by[2]]"},
		{&pledgev1.SummarizePledgesRequest{Parent: "districts/-", Filter: `region = "광주"`}, "[filter]"},
		{&pledgev1.SummarizePledgesRequest{Parent: "gwangsan", PageSize: -1}, "[page_size parent]"},
	} {
		_, err := e.pledges.SummarizePledges(ctx, bad.req)
		if got := fmt.Sprint(violated(wantStatus(t, err, codes.InvalidArgument))); got != bad.fields {
			t.Errorf("%v: violations %s, want %s", bad.req, got, bad.fields)
		}
	}
	_, err := e.pledges.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/nowhere"})
	wantStatus(t, err, codes.NotFound)

	// Every district's summary is for those who read every district's;
	// one district's for its readers too.
	viewer := pledgev1.NewPledgeServiceClient(authtest.WithToken(e.conn, e.issuer.Token(t, "lee", "viewer@districts/gwangsan")))
	ministry := pledgev1.NewPledgeServiceClient(authtest.WithToken(e.conn, e.issuer.Token(t, "min", "ministry-reporter")))
	if _, err := viewer.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/gwangsan"}); err != nil {
		t.Errorf("a viewer's own district: %v", err)
	}
	_, err = viewer.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/-"})
	wantStatus(t, err, codes.PermissionDenied)
	_, err = viewer.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/buk"})
	wantStatus(t, err, codes.PermissionDenied)
	if resp, err := ministry.SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/-"}); err != nil || summaryLine(resp.GetTotal()) != total {
		t.Errorf("the ministry: %v %v", resp, err)
	}
	_, err = pledgev1.NewPledgeServiceClient(e.conn).SummarizePledges(ctx, &pledgev1.SummarizePledgesRequest{Parent: "districts/gwangsan"})
	wantStatus(t, err, codes.Unauthenticated)
}
