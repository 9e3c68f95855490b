package server_test

import (
	"context"
	"fmt"
	"html"
	"os"
	"strings"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/services/pledge/fixture"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/testing/protocmp"
)

func seedCard(t testing.TB) string {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/cards/000_f92421f269c71dea.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func (st *suite) importCard(t testing.TB, district, text string) *pledgev1.ImportPledgeCardResponse {
	t.Helper()
	resp, err := st.pledges.ImportPledgeCard(context.Background(), &pledgev1.ImportPledgeCardRequest{Parent: "districts/" + district, CardText: text, Term: 7})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return resp
}

// TestImportingTheSeedCardFillsEveryService imports the real card and
// fetches its card: every field of the seed comes back.
func TestImportingTheSeedCardFillsEveryService(t *testing.T) {
	st := newSuite(t)
	resp := st.importCard(t, "gwangsan", seedCard(t))
	if !resp.GetCreated() || len(resp.GetWarnings()) != 0 || resp.GetDepartmentsCreated() != 1 || resp.GetBudgetLines() != 3 ||
		resp.GetIndicators() != 1 || resp.GetPrograms() != 1 || resp.GetSubmissions() != 7 {
		t.Errorf("import answered %v", resp)
	}
	card, err := st.pledges.GetPledgeCard(context.Background(), &pledgev1.GetPledgeCardRequest{Name: resp.GetPledge().GetName()})
	if err != nil {
		t.Fatal(err)
	}
	// The pledge: every prose and log section, as the fixture writes it.
	want := fixture.Gwangsan()
	got := fixture.StripOutputOnly(card.GetPledge())
	if card.GetDepartmentNames()[got.GetOwningDepartment()] != "법무지원과" {
		t.Errorf("owning department %q is named %q", got.GetOwningDepartment(), card.GetDepartmentNames()[got.GetOwningDepartment()])
	}
	want.OwningDepartment = got.GetOwningDepartment()
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("the imported pledge differs from the card (-want +got):\n%s", diff)
	}
	var labels []string
	for _, e := range card.GetPledge().GetProgressLog() {
		labels = append(labels, e.GetDate().GetLabel())
	}
	wantLabels := []string{"'18.12.31.", "'19. 3.", "'19. 9.", "'19.10.", "'19.10.", "'19.12.12.", "'20. 1. / 8.", "'20. 4.", "'20. 7.", "'20. 7.~12.", "'20. 12."}
	if !cmp.Equal(labels, wantLabels) {
		t.Errorf("progress log labels: %v", labels)
	}
	// III: 구비 2.5 + 3 + 3, 계 8.5, agreeing with 8.5백만원(구 100).
	b := card.GetBudget()
	var planned []int64
	for _, l := range b.GetLines() {
		planned = append(planned, int64(l.GetYear()), l.GetPlannedWon())
	}
	if !cmp.Equal(planned, []int64{2020, 2_500_000, 2021, 3_000_000, 2022, 3_000_000}) || b.GetTotal().GetPlannedWon() != 8_500_000 ||
		!b.GetRequiredBudget().GetConsistent() || b.GetShares()[0].GetPercent() != 100 {
		t.Errorf("budget: %v", b)
	}
	// II: the indicator and its rows; no data until assessed.
	if n := len(card.GetIndicators()); n != 1 || card.GetIndicators()[0].GetTitle() != "광산구정혁신 TF 운영" || len(card.GetIndicators()[0].GetEntries()) != 3 ||
		card.GetAchievement().GetAchievement().GetPercent() != "" {
		t.Errorf("indicators: %v", card.GetIndicators())
	}
	// VII: the contest's awards, names masked.
	if len(card.GetPrograms()) != 1 {
		t.Fatalf("%d programs serve the pledge", len(card.GetPrograms()))
	}
	var awards []string
	for _, a := range card.GetPrograms()[0].GetContestResults().GetAwards() {
		awards = append(awards, a.GetAward()+" "+a.GetProposer())
	}
	if !cmp.Equal(awards, []string{"금상 정*정", "은상 이*기", "은상 정*정", "동상 정*원", "동상 이*현", "장려상 전*경", "장려상 강*경"}) {
		t.Errorf("awards: %v", awards)
	}
	for _, s := range []*pledgev1.Section{card.GetBudgetSection(), card.GetIndicatorSection(), card.GetParticipationSection()} {
		if s.GetState() != pledgev1.SectionState_SECTION_STATE_AVAILABLE {
			t.Errorf("a section is %v", s)
		}
	}
}

// TestASecondImportChangesNoCounts imports the card twice: the second
// updates what the first wrote, and no service holds a row more.
func TestASecondImportChangesNoCounts(t *testing.T) {
	st := newSuite(t)
	first := st.importCard(t, "gwangsan", seedCard(t))
	before := st.counts(t)
	second := st.importCard(t, "gwangsan", seedCard(t))
	if second.GetCreated() || second.GetPledge().GetName() != first.GetPledge().GetName() || second.GetDepartmentsCreated() != 0 {
		t.Errorf("second import: %v", second)
	}
	if after := st.counts(t); !cmp.Equal(before, after) {
		t.Errorf("a second import changed the counts:\n%v", cmp.Diff(before, after))
	}
	if before["pledge.pledges"] != 1 || before["budget.lines"] != 3 || before["indicator.entries"] != 3 || before["participation.submissions"] != 7 {
		t.Errorf("counts after one import: %v", before)
	}
}

// TestACardWithoutATermGoesToTheTermOfItsYears imports the 2018–2022 card
// without naming a term, as an official with only the card would: it lands
// in 민선 7기, not the current 9기, says so, and a second import finds it.
// A card whose years begin in 2022 belongs to 8기, which began that year.
func TestACardWithoutATermGoesToTheTermOfItsYears(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	imp := func(text string) *pledgev1.ImportPledgeCardResponse {
		t.Helper()
		resp, err := st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: text})
		if err != nil {
			t.Fatalf("import without a term: %v", err)
		}
		return resp
	}
	first := imp(seedCard(t))
	if first.GetPledge().GetTerm() != 7 || len(first.GetWarnings()) != 1 || !strings.Contains(first.GetWarnings()[0].GetMessage(), "민선 7기") {
		t.Errorf("term %d, warnings %v; want 민선 7기, said once", first.GetPledge().GetTerm(), first.GetWarnings())
	}
	if again := imp(seedCard(t)); again.GetCreated() || again.GetPledge().GetName() != first.GetPledge().GetName() {
		t.Errorf("the second import made %s (created %v); want the first, %s", again.GetPledge().GetName(), again.GetCreated(), first.GetPledge().GetName())
	}

	// The same card under another title, moved to 8기's years: its goals,
	// budget and indicator run 2022–2026.
	card := seedCard(t)
	for y := 2022; y >= 2018; y-- {
		card = strings.ReplaceAll(card, fmt.Sprintf("%d년", y), fmt.Sprintf("%d년", y+4))
	}
	card = strings.Replace(card, "사회적가치 제고를 위한", "8기의", 1)
	if later := imp(card); later.GetPledge().GetTerm() != 8 {
		t.Errorf("a card whose years begin in 2022 went to term %d; want 8", later.GetPledge().GetTerm())
	}
}

// TestAnIndicatorServiceRefusingMidImportLeavesNothing makes the indicator
// service refuse its writes after the budget was written: the import fails
// with the refusal and nothing of the card remains in any service.
func TestAnIndicatorServiceRefusingMidImportLeavesNothing(t *testing.T) {
	st := newSuite(t)
	empty := st.counts(t)
	st.failIndicatorWrites(codes.FailedPrecondition)
	_, err := st.pledges.ImportPledgeCard(context.Background(), &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: seedCard(t), Term: 7})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(status.Convert(err).Message(), "nothing of the card was kept") {
		t.Fatalf("import with the indicator service refusing: %v", err)
	}
	if after := st.counts(t); !cmp.Equal(empty, after) {
		t.Errorf("rows remain after a failed import:\n%v", cmp.Diff(empty, after))
	}

	// A re-import that fails restores what the first import wrote.
	st.failIndicatorWrites(codes.OK)
	first := st.importCard(t, "gwangsan", seedCard(t))
	card1, _ := st.pledges.GetPledgeCard(context.Background(), &pledgev1.GetPledgeCardRequest{Name: first.GetPledge().GetName()})
	st.failIndicatorWrites(codes.FailedPrecondition)
	if _, err := st.pledges.ImportPledgeCard(context.Background(), &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: changedCard(t), Term: 7}); err == nil {
		t.Fatal("the failing re-import succeeded")
	}
	card2, err := st.pledges.GetPledgeCard(context.Background(), &pledgev1.GetPledgeCardRequest{Name: first.GetPledge().GetName()})
	if err != nil {
		t.Fatal(err)
	}
	ignore := protocmp.IgnoreFields(&pledgev1.Pledge{}, "etag", "update_time")
	ignoreBudget := protocmp.IgnoreFields(&budgetv1.Budget{}, "etag", "update_time")
	if diff := cmp.Diff(card1, card2, protocmp.Transform(), ignore, ignoreBudget); diff != "" {
		t.Errorf("a failed re-import left changes (-before +after):\n%s", diff)
	}
	hist, _ := st.pledges.ListStatusChanges(context.Background(), &pledgev1.ListStatusChangesRequest{Parent: first.GetPledge().GetName()})
	if len(hist.GetStatusChanges()) != 1 {
		t.Errorf("the status history holds %d entries after an undone re-import", len(hist.GetStatusChanges()))
	}
}

// TestTheCardComesBackWithoutAStoppedService stops the indicator service:
// the card still answers, in time, with that section marked unavailable.
func TestTheCardComesBackWithoutAStoppedService(t *testing.T) {
	st := newSuite(t)
	resp := st.importCard(t, "gwangsan", seedCard(t))
	st.stopIndicator()
	start := time.Now()
	card, err := st.pledges.GetPledgeCard(context.Background(), &pledgev1.GetPledgeCardRequest{Name: resp.GetPledge().GetName()})
	if err != nil {
		t.Fatalf("the card failed without the indicator service: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the card took %v; its sections wait 3s at most", took)
	}
	if s := card.GetIndicatorSection(); s.GetState() != pledgev1.SectionState_SECTION_STATE_UNAVAILABLE || !strings.Contains(s.GetReason(), "indicator") {
		t.Errorf("indicator section: %v", s)
	}
	if card.GetBudget().GetTotal().GetPlannedWon() != 8_500_000 || card.GetBudgetSection().GetState() != pledgev1.SectionState_SECTION_STATE_AVAILABLE || len(card.GetPrograms()) != 1 {
		t.Errorf("the other sections suffered: %v %v", card.GetBudgetSection(), card.GetParticipationSection())
	}
	page, err := st.pledges.RenderPledgeCard(context.Background(), &pledgev1.RenderPledgeCardRequest{Name: resp.GetPledge().GetName()})
	if err != nil || !strings.Contains(string(page.GetData()), "성과지표: 지금 불러올 수 없습니다") {
		t.Errorf("the rendered card does not say the section is unavailable: %v", err)
	}
}

// renderedSections are the card's seven sections as the text and HTML
// renders head them, each with values of the Gwangsan card it must show.
var renderedSections = []struct {
	text, html string
	values     []string
}{
	{"", "", []string{"사회적가치 제고를 위한 시민참여형 구정혁신 TF 운영", "법무지원과 법무규제혁신팀", "윤송미 팀장", "062) 960-8891", "8.5백만원(구 100)", "완료"}},
	{"I 추진개요", "<h2>I 추진개요</h2>", []string{"행복가치 대두", "구정혁신 T/F 구성 운영", "시민참여 혁신TF 구성 및 행복정책 연계 추진", "수당 지급근거 마련 위한 조례 제정"}},
	{"II\n\n성과지표", "<h2>II 성과지표</h2>", []string{"광산구정혁신 TF 운영", "TF 운영 계획 수립", "조례 제정 ('19.09.)"}},
	{"III\n\n연도별 투자계획", "<h2>III 연도별 투자계획</h2>", []string{"구비", "8.5", "2.5"}},
	{"IV\n\n그간 추진사항", "<h2>IV 그간 추진사항</h2>", []string{"'18.12.31.", "'20. 7.~12.", "행복광산 비전선포식", "정부혁신평가 최우수 지자체 선정"}},
	{"V\n\n향후 추진계획", "<h2>V 향후 추진계획</h2>", []string{"'21. 3. ~", "21년도 시민참여형 정책 발굴을 위한 '정책 아이디어 공모전' 시행", "시민참여형 광산구 혁신과제 발굴·관리"}},
	{"VI\n\n예상 문제점 및 대책", "<h2>VI 예상 문제점 및 대책</h2>", []string{"코로나19로 인한 소그룹 형태의 운영 지속 불가피", "분야별 분과 운영 및 온택트 시민참여 방식 확대 운영"}},
	{"VII\n\n관련사진", "<h2>VII 관련사진</h2>", []string{"『시민행복도조사』 분석 회의", "20년도 행복혁신정책 경진대회", "금상", "청각장애인 등 의사소통 취약자 관공서 이용편의 개선", "정*정"}},
}

// TestRenderedCardsHoldEverySectionAndReadBackAsTheCard renders the
// imported card as text and HTML, finds every section with its values in
// both, and imports the text into another district: what comes back is the
// hand-written fixture, field by field, and renders the same text again.
func TestRenderedCardsHoldEverySectionAndReadBackAsTheCard(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	resp := st.importCard(t, "gwangsan", seedCard(t))
	render := func(name, format string) string {
		t.Helper()
		body, err := st.pledges.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: name, Format: format})
		if err != nil {
			t.Fatal(err)
		}
		return string(body.GetData())
	}
	first := render(resp.GetPledge().GetName(), "text")
	page := render(resp.GetPledge().GetName(), "html")
	for _, s := range renderedSections {
		if s.text != "" && !strings.Contains(first, "\n"+s.text+"\n") {
			t.Errorf("the text card has no section %q", s.text)
		}
		if s.html != "" && !strings.Contains(page, s.html) {
			t.Errorf("the HTML card has no section %q", s.html)
		}
		for _, v := range s.values {
			if !strings.Contains(first, v) {
				t.Errorf("the text card lacks %q (section %q)", v, s.text)
			}
			if !strings.Contains(page, html.EscapeString(v)) {
				t.Errorf("the HTML card lacks %q (section %q)", v, s.html)
			}
		}
	}
	for _, want := range []string{"<table>", "<td class=\"num\">2.5</td>", "@media print"} {
		if !strings.Contains(page, want) {
			t.Errorf("the HTML card lacks %q", want)
		}
	}

	again := st.importCard(t, "other", first)
	if len(again.GetWarnings()) != 0 {
		t.Errorf("the rendered card imports with warnings: %v", again.GetWarnings())
	}
	card, err := st.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: again.GetPledge().GetName()})
	if err != nil {
		t.Fatal(err)
	}
	want := fixture.Gwangsan()
	got := fixture.StripOutputOnly(card.GetPledge())
	want.OwningDepartment = got.GetOwningDepartment()
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("the pledge imported from the rendered text differs from the card (-want +got):\n%s", diff)
	}
	if second := render(again.GetPledge().GetName(), "text"); first != second {
		t.Errorf("render → import → render changed the card:\n%s", cmp.Diff(first, second))
	}
	if _, err := st.pledges.RenderPledgeCard(ctx, &pledgev1.RenderPledgeCardRequest{Name: resp.GetPledge().GetName(), Format: "pdf"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("an unknown format: %v", err)
	}
}

func TestImportRefusesWhatItCannotRead(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	before := st.counts(t)
	for _, tt := range []struct {
		name, text string
		strict     bool
		field      string
	}{
		{"a card without a title", "I 추진개요\n\n○ 추진배경\n- (가) 나\n", false, "card_text"},
		{"an empty card", "  \n", false, "card_text"},
		{"a stray line in strict mode", strings.Replace(seedCard(t), "II\n", "이 줄은 어디에도 속하지 않는다\nII\n", 1), true, "card_text"},
		{"a budget year outside the term", strings.Replace(seedCard(t), "2022년\n국 비", "2024년\n국 비", 1), false, "card.budget.lines[2].year"},
	} {
		_, err := st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: tt.text, Strict: tt.strict, Term: 7})
		fv := apierr.FieldViolations(status.Convert(err))
		if status.Code(err) != codes.InvalidArgument || len(fv) == 0 || fv[0].Field != tt.field {
			t.Errorf("%s: %v (%v), want a violation of %s", tt.name, err, fv, tt.field)
		}
	}
	if after := st.counts(t); !cmp.Equal(before, after) {
		t.Errorf("refused imports wrote: %v", cmp.Diff(before, after))
	}
}

func TestPhotosTakeImagesOnly(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	resp := st.importCard(t, "gwangsan", seedCard(t))
	name := resp.GetPledge().GetName() + "/photos/2"
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82")
	for _, bad := range []*httpbody.HttpBody{
		{ContentType: "image/png", Data: []byte("<html>not an image</html>")},
		{ContentType: "application/pdf", Data: png},
		{ContentType: "image/jpeg", Data: png},
		{ContentType: "image/png", Data: make([]byte, 5<<20+1)},
	} {
		if _, err := st.pledges.UploadPhoto(ctx, &pledgev1.UploadPhotoRequest{Name: name, Content: bad}); status.Code(err) != codes.InvalidArgument {
			t.Errorf("uploading %s (%d bytes): %v", bad.GetContentType(), len(bad.GetData()), err)
		}
	}
	ph, err := st.pledges.UploadPhoto(ctx, &pledgev1.UploadPhotoRequest{Name: name, Content: &httpbody.HttpBody{ContentType: "image/png", Data: png}})
	if err != nil || ph.GetUri() == "" || ph.GetCaption() != "『시민행복도조사』 분석 회의" {
		t.Fatalf("upload: %v %v", err, ph)
	}
	got, err := st.pledges.GetPhotoContent(ctx, &pledgev1.GetPhotoContentRequest{Name: name})
	if err != nil || got.GetContentType() != "image/png" || string(got.GetData()) != string(png) {
		t.Errorf("download: %v %s %d bytes", err, got.GetContentType(), len(got.GetData()))
	}
	// The file stays with its photo through a re-import.
	st.importCard(t, "gwangsan", seedCard(t))
	p, _ := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: resp.GetPledge().GetName()})
	if p.GetPhotos()[1].GetUri() != ph.GetUri() {
		t.Errorf("after a re-import the photo's uri is %q", p.GetPhotos()[1].GetUri())
	}
	if _, err := st.pledges.UploadPhoto(ctx, &pledgev1.UploadPhotoRequest{Name: resp.GetPledge().GetName() + "/photos/9", Content: &httpbody.HttpBody{ContentType: "image/png", Data: png}}); status.Code(err) != codes.NotFound {
		t.Errorf("a photo the pledge does not have: %v", err)
	}
}

// TestADryRunWritesNothing checks cards with validate_only: a new card and
// a changed one report what they hold and leave every service as it was;
// a change the budget service would refuse is refused before anything is
// written.
func TestADryRunWritesNothing(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	dry := func(text string) (*pledgev1.ImportPledgeCardResponse, error) {
		return st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: text, Term: 7, ValidateOnly: true})
	}
	empty := st.counts(t)
	resp, err := dry(seedCard(t))
	if err != nil || !resp.GetCreated() || resp.GetBudgetLines() != 3 || resp.GetIndicators() != 1 || resp.GetPrograms() != 1 || resp.GetSubmissions() != 7 {
		t.Errorf("a dry run of a new card: %v, %v", resp, err)
	}
	if after := st.counts(t); !cmp.Equal(empty, after) {
		t.Errorf("a dry run of a new card wrote:\n%v", cmp.Diff(empty, after))
	}

	imported := st.importCard(t, "gwangsan", seedCard(t))
	before := st.counts(t)
	card := func() *pledgev1.PledgeCard {
		c, err := st.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: imported.GetPledge().GetName()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	was := card()
	changed := strings.Replace(seedCard(t), "2022년\t구정혁신 TF 운영", "2022년\t구정혁신 TF 평가", 1)
	if resp, err := dry(changed); err != nil || resp.GetCreated() || resp.GetPledge().GetName() != imported.GetPledge().GetName() {
		t.Errorf("a dry run of a changed card: %v, %v", resp, err)
	}
	_, err = dry(strings.Replace(seedCard(t), "2022년\n국 비", "2024년\n국 비", 1))
	if fv := apierr.FieldViolations(status.Convert(err)); len(fv) == 0 || fv[0].Field != "card.budget.lines[2].year" {
		t.Errorf("a dry run with a budget year outside the term: %v", err)
	}
	if after := st.counts(t); !cmp.Equal(before, after) {
		t.Errorf("dry runs changed the counts:\n%v", cmp.Diff(before, after))
	}
	if diff := cmp.Diff(was, card(), protocmp.Transform()); diff != "" {
		t.Errorf("dry runs changed the card:\n%s", diff)
	}
}
