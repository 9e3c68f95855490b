package server_test

import (
	"context"
	"html"
	"strings"
	"testing"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
	"google.golang.org/grpc/codes"
)

// TestTheDisclosurePageShowsEveryPublishedCardMasked imports the seed card
// into 민선 7기, adds a second pledge, a deleted one and one of 8기, and
// publishes 7기: read without signing in, its page holds both cards of the
// term, each with the seed card's values and every section, a table of
// contents, and people masked — for a caller who may see personal data
// too. 8기, not public, is refused to those who may not read the district.
// A service that stops leaves its section marked unavailable on every
// card, and the page still comes.
func TestTheDisclosurePageShowsEveryPublishedCardMasked(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	seed := st.importCard(t, "gwangsan", seedCard(t)).GetPledge()
	second, err := st.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", PledgeId: "second", Pledge: &pledgev1.Pledge{
		Title: "청소년 문화의집 건립", Term: 7, Contacts: []*pledgev1.Contact{{Name: "박서연", Position: "주무관", Phone: "010-2345-6789"}}}})
	if err != nil {
		t.Fatal(err)
	}
	// Its status dated, as the card shows it.
	second, err = st.pledges.ChangePledgeStatus(ctx, &pledgev1.ChangePledgeStatusRequest{Name: second.GetName(), Etag: second.GetEtag(),
		Status: pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL, Reason: "부지 확보", EffectiveDate: day(2021, 3, 15)})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := st.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "철회된 공약", Term: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.pledges.DeletePledge(ctx, &pledgev1.DeletePledgeRequest{Name: gone.GetName(), Etag: gone.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.pledges.CreatePledge(ctx, &pledgev1.CreatePledgeRequest{Parent: "districts/gwangsan", Pledge: &pledgev1.Pledge{Title: "8기 공약", Term: 8}}); err != nil {
		t.Fatal(err)
	}
	d, err := st.districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if err != nil {
		t.Fatal(err)
	}
	d.Terms[0].Public = true
	if _, err := st.districts.UpdateDistrict(ctx, &pledgev1.UpdateDistrictRequest{District: d, UpdateMask: mask("terms")}); err != nil {
		t.Fatal(err)
	}

	anon := pledgev1.NewReportServiceClient(st.pledgeConn)
	as := func(subject string, roles ...string) pledgev1.ReportServiceClient {
		return pledgev1.NewReportServiceClient(authtest.WithToken(st.pledgeConn, st.issuer.Token(t, subject, roles...)))
	}
	privacy := as("jung", "viewer@districts/gwangsan", "personal-data@districts/gwangsan")
	for who, c := range map[string]pledgev1.ReportServiceClient{"anonymous": anon, "a reader of personal data": privacy} {
		body, err := c.DisclosePledges(ctx, &pledgev1.DisclosePledgesRequest{Name: "districts/gwangsan", Term: 7})
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		page := string(body.GetData())
		if body.GetContentType() != "text/html; charset=utf-8" || !strings.Contains(page, "<title>광주광역시 광산구 민선 7기 공약 이행 현황</title>") {
			t.Errorf("%s: %s, page opens %.300q", who, body.GetContentType(), page)
		}
		// Both cards, in the table of contents and whole; nothing else.
		for _, p := range []*pledgev1.Pledge{seed, second} {
			anchor := "pledge-" + p.GetName()[strings.LastIndex(p.GetName(), "/")+1:]
			for _, want := range []string{`href="#` + anchor + `"`, `<section class="card" id="` + anchor + `">`, "<h1>" + html.EscapeString(p.GetTitle()) + "</h1>"} {
				if !strings.Contains(page, want) {
					t.Errorf("%s: the page lacks %q", who, want)
				}
			}
		}
		// Each status as :render writes it: dated where the history is.
		for _, want := range []string{
			`<li><a href="#pledge-second">청소년 문화의집 건립</a><span class="status">일부추진(&#39;21. 3. 15.)</span></li>`,
			`<th>추진상황</th><td>일부추진(&#39;21. 3. 15.)</td>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", who, want)
			}
		}
		for _, absent := range []string{"철회된 공약", "8기 공약", "지금 불러올 수 없습니다"} {
			if strings.Contains(page, absent) {
				t.Errorf("%s: the page shows %q", who, absent)
			}
		}
		// The seed card's values, every section, as the card renders them;
		// people masked.
		for _, s := range renderedSections {
			if s.html != "" && !strings.Contains(page, s.html) {
				t.Errorf("%s: the page lacks the section %q", who, s.html)
			}
			for _, v := range s.values {
				v = strings.NewReplacer("윤송미", "윤*미", "062) 960-8891", "062-***-8891").Replace(v)
				if !strings.Contains(page, html.EscapeString(v)) {
					t.Errorf("%s: the page lacks %q", who, v)
				}
			}
		}
		for _, personal := range []string{"윤송미", "윤다슬", "960-8891", "박서연", "2345-6789"} {
			if strings.Contains(page, personal) {
				t.Errorf("%s: the page shows %q unmasked", who, personal)
			}
		}
		for _, masked := range []string{"윤*슬 주무관", "박*연 주무관", "010-****-6789", "정*정"} {
			if !strings.Contains(page, html.EscapeString(masked)) {
				t.Errorf("%s: the page lacks %q", who, masked)
			}
		}
	}

	// 8기 is not public: the district's readers and system admins read
	// its page, no one else.
	for _, tt := range []struct {
		who  string
		c    pledgev1.ReportServiceClient
		want codes.Code
	}{
		{"anonymous", anon, codes.Unauthenticated},
		{"another district's admin", as("park", "district-admin@districts/other"), codes.PermissionDenied},
		{"the ministry", as("min", "ministry-reporter"), codes.PermissionDenied},
		{"a viewer", as("lee", "viewer@districts/gwangsan"), codes.OK},
		{"a system admin", as("root", "system-admin"), codes.OK},
	} {
		body, err := tt.c.DisclosePledges(ctx, &pledgev1.DisclosePledgesRequest{Name: "districts/gwangsan", Term: 8})
		if got := wantStatus(t, err, tt.want); got.Code() == codes.OK && !strings.Contains(string(body.GetData()), "8기 공약") {
			t.Errorf("%s: the page of 8기 lacks its pledge", tt.who)
		}
	}
	// The ministry reads published pages; a term that does not exist is
	// named.
	if _, err := as("min", "ministry-reporter").DisclosePledges(ctx, &pledgev1.DisclosePledgesRequest{Name: "districts/gwangsan", Term: 7}); err != nil {
		t.Errorf("the ministry, a published term: %v", err)
	}
	_, err = as("root", "system-admin").DisclosePledges(ctx, &pledgev1.DisclosePledgesRequest{Name: "districts/gwangsan", Term: 5})
	if got := violated(wantStatus(t, err, codes.InvalidArgument)); strings.Join(got, ",") != "term" {
		t.Errorf("an unknown term: %v", got)
	}

	st.stopIndicator()
	body, err := anon.DisclosePledges(ctx, &pledgev1.DisclosePledgesRequest{Name: "districts/gwangsan", Term: 7})
	if err != nil {
		t.Fatalf("without the indicator service: %v", err)
	}
	page := string(body.GetData())
	if n := strings.Count(page, "성과지표: 지금 불러올 수 없습니다"); n != 2 || !strings.Contains(page, "<h2>III 연도별 투자계획</h2>") {
		t.Errorf("without the indicator service, %d cards say so; the budget is there: %v", n, strings.Contains(page, "<h2>III 연도별 투자계획</h2>"))
	}
}
