package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
)

// threeDistricts holds pledges in 광산구 and 북구 (광주광역시) and 해운대구
// (부산광역시), with each status, one pledge deleted and one without a
// status, and 광산구's 민선 7기 public.
type threeDistricts struct {
	// names by short name: g1 g2 g3 g4 (deleted) b1 b2 b3 (no status) h1 h2.
	names map[string]string
}

func (e *env) seedThreeDistricts(t *testing.T) threeDistricts {
	t.Helper()
	e.seed(t)
	ctx := context.Background()
	for id, d := range map[string][2]string{"buk": {"북구", "광주광역시"}, "haeundae": {"해운대구", "부산광역시"}} {
		district := gwangsan()
		district.DisplayName, district.MetropolitanGovernment = d[0], d[1]
		if _, err := e.districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{DistrictId: id, District: district}); err != nil {
			t.Fatal(err)
		}
	}
	const (
		completed  = pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED
		continuing = pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING
		onTrack    = pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK
		newType    = pledgev1.ProjectType_PROJECT_TYPE_NEW
		contType   = pledgev1.ProjectType_PROJECT_TYPE_CONTINUING
		legal      = "districts/gwangsan/departments/legal-support"
	)
	// Created in turns across districts, so that the order of creation is
	// not the order of districts.
	f := threeDistricts{names: map[string]string{}}
	for _, p := range []struct {
		short, district string
		term            int32
		status          pledgev1.PledgeStatus
		typ             pledgev1.ProjectType
		department      string
	}{
		{"g1", "gwangsan", 7, completed, newType, legal},
		{"b1", "buk", 7, completed, newType, ""},
		{"h1", "haeundae", 8, pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL, contType, ""},
		{"g2", "gwangsan", 7, onTrack, contType, legal},
		{"b2", "buk", 7, pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED, newType, ""},
		{"h2", "haeundae", 8, pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, newType, ""},
		{"g3", "gwangsan", 8, continuing, newType, ""},
		{"b3", "buk", 7, onTrack, contType, ""},
		{"g4", "gwangsan", 7, completed, newType, legal},
	} {
		created, err := e.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/" + p.district, PledgeId: p.short, Pledge: &pledgev1.Pledge{
			Title: "공약 " + p.short, Term: p.term, Status: p.status, ProjectType: p.typ, OwningDepartment: p.department}})
		if err != nil {
			t.Fatal(err)
		}
		f.names[p.short] = created.GetName()
		if p.short == "g4" {
			if _, err := e.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: created.GetName(), Etag: created.GetEtag()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The API always gives a status; a pledge kept from before statuses
	// were required has none.
	if _, err := e.pool.Exec(ctx, `UPDATE pledges SET status = 0 WHERE district_id = 'buk' AND id = 'b3'`); err != nil {
		t.Fatal(err)
	}
	d, err := e.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	d.Terms[0].Public = true
	if _, err := e.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{District: d, UpdateMask: mask("terms")}); err != nil {
		t.Fatal(err)
	}
	return f
}

// listAll pages through a listing size pledges at a time.
func listAll(t *testing.T, c pledgev1.PledgeServiceClient, req *pledgev1.ListPledgesRequest, size int32) ([]*pledgev1.Pledge, int32, error) {
	t.Helper()
	var out []*pledgev1.Pledge
	var total int32
	req.PageSize, req.PageToken = size, ""
	for range 50 {
		resp, err := c.ListPledges(context.Background(), req)
		if err != nil {
			return nil, 0, err
		}
		out, total = append(out, resp.GetPledges()...), resp.GetTotalSize()
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			return out, total, nil
		}
	}
	t.Fatal("paging does not end")
	return nil, 0, nil
}

func shortNames(f threeDistricts, list []*pledgev1.Pledge) []string {
	var out []string
	for _, p := range list {
		for short, name := range f.names {
			if name == p.GetName() {
				out = append(out, short)
			}
		}
	}
	return out
}

// TestListingEveryDistrictShowsWhatEachCallerReadsDistrictByDistrict lists
// `districts/-` as callers of every kind, two pledges a page: the pages
// hold, in order of creation and once each, exactly the pledges the caller
// lists district by district — everything for a system admin; what is
// published for the ministry and anonymous callers; that and their own
// district whole for a district's viewer.
func TestListingEveryDistrictShowsWhatEachCallerReadsDistrictByDistrict(t *testing.T) {
	e := newEnv(t)
	f := e.seedThreeDistricts(t)
	callers := map[string]grpc.ClientConnInterface{
		"system admin":  authtest.WithToken(e.conn, e.issuer.Token(t, "admin", "system-admin")),
		"ministry":      authtest.WithToken(e.conn, e.issuer.Token(t, "min", "ministry-reporter")),
		"anonymous":     e.conn,
		"buk viewer":    authtest.WithToken(e.conn, e.issuer.Token(t, "lee", "viewer@districts/buk")),
		"광산구 viewer":    authtest.WithToken(e.conn, e.issuer.Token(t, "kim", "viewer@districts/gwangsan")),
		"광산구 editor":    authtest.WithToken(e.conn, e.issuer.Token(t, "yoon", "department-editor@districts/gwangsan/departments/legal-support")),
		"another admin": authtest.WithToken(e.conn, e.issuer.Token(t, "park", "district-admin@districts/seogu")),
	}
	want := map[string]string{
		"system admin":  "g1 b1 h1 g2 b2 h2 g3 b3",
		"ministry":      "g1 g2",
		"anonymous":     "g1 g2",
		"buk viewer":    "g1 b1 g2 b2 b3",
		"광산구 viewer":    "g1 g2 g3",
		"광산구 editor":    "g1 g2 g3",
		"another admin": "g1 g2",
	}
	wantDeleted := map[string]string{"system admin": "g1 b1 h1 g2 b2 h2 g3 b3 g4", "광산구 viewer": "g1 g2 g3 g4", "광산구 editor": "g1 g2 g3 g4"}
	for who, conn := range callers {
		c := pledgev1.NewPledgeServiceClient(conn)
		for _, deleted := range []bool{false, true} {
			across, total, err := listAll(t, c, &pledgev1.ListPledgesRequest{Parent: "districts/-", ShowDeleted: deleted}, 2)
			if err != nil {
				t.Errorf("%s: %v", who, err)
				continue
			}
			expected := want[who]
			if w, ok := wantDeleted[who]; ok && deleted {
				expected = w
			}
			if got := strings.Join(shortNames(f, across), " "); got != expected || int(total) != len(across) {
				t.Errorf("%s (show_deleted %v): %s (total %d), want %s", who, deleted, got, total, expected)
			}
			// District by district, the same pledges: never more.
			var byDistrict []string
			for _, d := range []string{"gwangsan", "buk", "haeundae"} {
				list, _, err := listAll(t, c, &pledgev1.ListPledgesRequest{Parent: "districts/" + d, ShowDeleted: deleted}, 500)
				if err != nil {
					t.Fatal(err)
				}
				byDistrict = append(byDistrict, shortNames(f, list)...)
			}
			got := shortNames(f, across)
			slices.Sort(got)
			slices.Sort(byDistrict)
			if !cmp.Equal(got, byDistrict) {
				t.Errorf("%s (show_deleted %v): across districts %v, district by district %v", who, deleted, got, byDistrict)
			}
		}
	}

	// Each pledge comes as it does alone, with its own district's term.
	list, _, err := listAll(t, e.pledges, &pledgev1.ListPledgesRequest{Parent: "districts/-"}, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		alone, err := e.pledges.GetPledge(context.Background(), &pledgev1.GetPledgeRequest{Name: p.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(alone, p, protocmp.Transform()); diff != "" || p.GetValidYears().GetFirstYear() == 0 {
			t.Errorf("%s listed differs from it alone:\n%s", p.GetName(), diff)
		}
	}
}

// TestListingEveryDistrictFiltersByDistrictAndRegion filters and orders a
// listing across districts, and pages it in a steady order.
func TestListingEveryDistrictFiltersByDistrictAndRegion(t *testing.T) {
	e := newEnv(t)
	f := e.seedThreeDistricts(t)
	for _, tt := range []struct {
		filter, orderBy, want string
	}{
		{`district = "districts/buk"`, "", "b1 b2 b3"},
		{`metropolitan_government = "부산광역시"`, "", "h1 h2"},
		{`metropolitan_government = "광주*" AND term = 7 AND status = PLEDGE_STATUS_COMPLETED`, "", "g1 b1"},
		{`NOT district = "districts/gwangsan" AND project_type = PROJECT_TYPE_NEW`, "title desc", "h2 b2 b1"},
		{"", "term desc, title", "g3 h1 h2 b1 b2 b3 g1 g2"},
	} {
		for _, size := range []int32{1, 3, 500} {
			list, total, err := listAll(t, e.pledges, &pledgev1.ListPledgesRequest{Parent: "districts/-", Filter: tt.filter, OrderBy: tt.orderBy}, size)
			if got := strings.Join(shortNames(f, list), " "); err != nil || got != tt.want || int(total) != len(list) {
				t.Errorf("filter %q order %q, %d a page: %s (total %d) %v, want %s", tt.filter, tt.orderBy, size, got, total, err, tt.want)
			}
		}
	}
	// A page token is bound to its listing.
	first, err := e.pledges.ListPledges(context.Background(), &pledgev1.ListPledgesRequest{Parent: "districts/-", PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.pledges.ListPledges(context.Background(), &pledgev1.ListPledgesRequest{Parent: "districts/-", PageSize: 2, PageToken: first.GetNextPageToken(), Filter: "term = 7"})
	wantStatus(t, err, codes.InvalidArgument)
	_, err = e.pledges.ListPledges(context.Background(), &pledgev1.ListPledgesRequest{Parent: "districts/-", Filter: `region = "광주"`})
	if got := violated(wantStatus(t, err, codes.InvalidArgument)); fmt.Sprint(got) != "[filter]" {
		t.Errorf("an unknown filter field: %v", got)
	}
}
