package server_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/racetest"
	"github.com/gongyak/gongyak/services/pledge/service"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// importAs imports a card into gwangsan's term 7 with a request_id.
func (st *suite) importAs(requestID, card string) (*pledgev1.ImportPledgeCardResponse, error) {
	return st.pledges.ImportPledgeCard(context.Background(), &pledgev1.ImportPledgeCardRequest{
		Parent: "districts/gwangsan", CardText: card, Term: 7, RequestId: requestID})
}

// importState is the state of the import a request_id started, read as
// the database's owner.
func (st *suite) importState(t *testing.T, requestID string) string {
	t.Helper()
	pool, err := pgdb.Open(context.Background(), st.url, "public", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var state string
	if err := pool.QueryRow(context.Background(), `SELECT state FROM pledge.imports WHERE request_id = $1`, requestID).Scan(&state); err != nil {
		t.Fatal(err)
	}
	return state
}

// since is what counts grew by from before to after.
func since(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		out[k] = v - before[k]
	}
	return out
}

// TestAnImportCutOffByAnOutageIsFinishedByItsRetry cuts an import off with
// the indicator service away: the pledge's transaction committed, so the
// import is kept and rolls forward. A retry of the request_id while the
// service is still away says so again; once it is back, the retry finishes
// the import, which then holds exactly what an import without the outage
// writes, and every later retry answers the same.
func TestAnImportCutOffByAnOutageIsFinishedByItsRetry(t *testing.T) {
	st := newSuite(t)
	empty := st.counts(t)
	st.failIndicatorWrites(codes.Unavailable)
	_, err := st.importAs("outage-1", seedCard(t))
	if status.Code(err) != codes.Unavailable || !strings.Contains(status.Convert(err).Message(), "retry with the same request_id") {
		t.Fatalf("import with the indicator service away: %v", err)
	}
	if got := since(empty, st.counts(t)); got["pledge.pledges"] != 1 || got["budget.lines"] != 3 || got["indicator.indicators"] != 0 {
		t.Errorf("after the cut-off import, rows grew by %v; want the pledge and its 3 budget lines, no indicator yet", got)
	}
	if _, err := st.importAs("outage-1", seedCard(t)); status.Code(err) != codes.Unavailable {
		t.Errorf("a retry with the service still away: %v", err)
	}
	if state := st.importState(t, "outage-1"); state != "running" {
		t.Errorf("the import is %s while the service is away; want running", state)
	}

	st.failIndicatorWrites(codes.OK)
	resp, err := st.importAs("outage-1", seedCard(t))
	if err != nil {
		t.Fatalf("the retry once the service is back: %v", err)
	}
	if !resp.GetCreated() || resp.GetIndicators() != 1 || resp.GetPrograms() != 1 || resp.GetSubmissions() != 7 || resp.GetBudgetLines() != 3 {
		t.Errorf("the finished import says %v", resp)
	}
	finished := st.counts(t)
	again, err := st.importAs("outage-1", seedCard(t))
	if err != nil || !proto.Equal(resp, again) {
		t.Errorf("a retry of the finished import: %v\n%s", err, cmp.Diff(resp, again, protocmp.Transform()))
	}
	if !cmp.Equal(finished, st.counts(t)) {
		t.Error("a retry of a finished import wrote again")
	}

	// The same card imported without an outage writes exactly as much.
	clean := st.importCard(t, "other", seedCard(t))
	if diff := cmp.Diff(since(empty, finished), since(finished, st.counts(t))); diff != "" || !clean.GetCreated() {
		t.Errorf("the import finished after the outage wrote other rows than a clean one (-after outage +clean):\n%s", diff)
	}

	// A request_id names one request: another card under it is refused.
	other := strings.Replace(seedCard(t), "구정혁신 TF 운영\n", "구정혁신 TF 운영 (2)\n", 1)
	_, err = st.importAs("outage-1", other)
	if v := apierr.FieldViolations(status.Convert(err)); status.Code(err) != codes.InvalidArgument || len(v) != 1 || v[0].Field != "request_id" {
		t.Errorf("another card under a used request_id: %v", err)
	}
}

// serviceIdentity is the pledge service acting as itself, as its binary
// does with its client credentials, here with a token of the test issuer.
type serviceIdentity struct {
	authn *auth.Authenticator
	token string
}

func (s serviceIdentity) Context(ctx context.Context) (context.Context, error) {
	p, err := s.authn.Authenticate(ctx, s.token)
	if err != nil {
		return nil, err
	}
	return auth.WithPrincipal(ctx, p), nil
}

// TestAWorkerFinishesAnImportWhoseCallerLeft leaves an import cut off by
// an outage without a retry: once it is due again, the service's own
// worker takes it up as the service and finishes it, and the caller's late
// retry gets the result.
func TestAWorkerFinishesAnImportWhoseCallerLeft(t *testing.T) {
	st := newSuite(t)
	st.failIndicatorWrites(codes.Unavailable)
	if _, err := st.importAs("left-1", seedCard(t)); status.Code(err) != codes.Unavailable {
		t.Fatalf("import with the indicator service away: %v", err)
	}
	st.failIndicatorWrites(codes.OK)
	// Time passes: the import is due for a worker (it waits 20 s).
	pool, err := pgdb.Open(context.Background(), st.url, "public", "test")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(context.Background(), `UPDATE pledge.imports SET next_attempt = now() WHERE request_id = 'left-1'`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	id := serviceIdentity{authn: st.authn, token: st.issuer.Token(t, "service:gongyak-pledge", auth.RoleSystemAdmin)}
	go func() {
		defer close(done)
		service.RecoverImports(ctx, st.pledgePool, st.backends, id, slog.New(slog.DiscardHandler), 50*time.Millisecond)
	}()
	for i := 0; i < 200 && st.importState(t, "left-1") != "done"; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	if state := st.importState(t, "left-1"); state != "done" {
		t.Fatalf("the worker left the import %s", state)
	}
	resp, err := st.importAs("left-1", seedCard(t))
	// The answer holds what was known when the import began (the card's
	// budget lines) and what the worker wrote.
	if err != nil || resp.GetBudgetLines() != 3 || resp.GetIndicators() != 1 || resp.GetSubmissions() != 7 || !resp.GetCreated() {
		t.Fatalf("the caller's late retry: %v %v", resp, err)
	}
	card, err := st.pledges.GetPledgeCard(context.Background(), &pledgev1.GetPledgeCardRequest{Name: resp.GetPledge().GetName()})
	if err != nil || len(card.GetIndicators()) != 1 || len(card.GetPrograms()) != 1 {
		t.Errorf("the card the worker finished: %v", err)
	}
}

// TestARefusedImportIsUndoneAndItsRetryRefusedAlike has a service refuse
// a write: everything is undone, and a retry of the request_id gets the
// same refusal without writing anything.
func TestARefusedImportIsUndoneAndItsRetryRefusedAlike(t *testing.T) {
	st := newSuite(t)
	empty := st.counts(t)
	st.failIndicatorWrites(codes.FailedPrecondition)
	_, first := st.importAs("refused-1", seedCard(t))
	if status.Code(first) != codes.FailedPrecondition {
		t.Fatalf("import refused by the indicator service: %v", first)
	}
	st.failIndicatorWrites(codes.OK)
	_, again := st.importAs("refused-1", seedCard(t))
	if status.Code(again) != codes.FailedPrecondition || status.Convert(again).Message() != status.Convert(first).Message() {
		t.Errorf("the retry of a refused import: %v; want %v", again, first)
	}
	if !cmp.Equal(empty, st.counts(t)) {
		t.Errorf("rows remain after a refused import and its retry: %v", cmp.Diff(empty, st.counts(t)))
	}
	if state := st.importState(t, "refused-1"); state != "undone" {
		t.Errorf("the refused import is %s", state)
	}
}

// TestAnUndoLeavesWhatSomeoneChangedSince has someone edit the budget a
// re-import just wrote, before the indicator service refuses the
// import's next write: the undo puts back the pledge, but leaves the
// budget as that person wrote it, and says so.
func TestAnUndoLeavesWhatSomeoneChangedSince(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	first := st.importCard(t, "gwangsan", seedCard(t))
	name := first.GetPledge().GetName()
	before, err := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	edit := func(ctx context.Context) error {
		b, err := st.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name + "/budget"})
		if err != nil {
			return err
		}
		b.Lines[0].Note = "an official's note"
		if _, err := st.budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: b, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"lines"}}}); err != nil {
			return err
		}
		return status.Error(codes.FailedPrecondition, "injected: the indicator service refuses")
	}
	st.indicatorFault.Store(&edit)
	_, err = st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: changedCard(t), Term: 7})
	msg := status.Convert(err).Message()
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(msg, "undone but for "+name+"/budget, changed by someone else since") {
		t.Fatalf("the refused re-import: %v", err)
	}
	st.failIndicatorWrites(codes.OK)
	after, err := st.pledges.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after, protocmp.Transform(), protocmp.IgnoreFields(&pledgev1.Pledge{}, "etag", "update_time")); diff != "" {
		t.Errorf("the pledge was not put back (-before +after):\n%s", diff)
	}
	b, err := st.budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name + "/budget"})
	if err != nil {
		t.Fatal(err)
	}
	if l := b.GetLines()[0]; l.GetNote() != "an official's note" || l.GetYear() != 2020 || l.GetPlannedWon() != 3_500_000 {
		t.Errorf("the budget someone changed was not left as they wrote it: %v", l)
	}
}

// changedCard is the seed card with another budget, status and first
// indicator target: a re-import writes the pledge, the budget and the
// indicator.
func changedCard(t *testing.T) string {
	t.Helper()
	card := seedCard(t)
	for _, c := range [][2]string{
		{"구 비\t8.5\t-\t-\t2.5\t3\t3", "구 비\t9.5\t-\t-\t3.5\t3\t3"},
		{"소요예산\t8.5백만원(구 100)\t추진상황\t완료", "소요예산\t9.5백만원(구 100)\t추진상황\t정상추진"},
		{"목 표\tTF 운영 계획 수립\t", "목 표\tTF 운영 계획 수립 (변경)\t"},
	} {
		if !strings.Contains(card, c[0]) {
			t.Fatalf("the seed card has no %q", c[0])
		}
		card = strings.Replace(card, c[0], c[1], 1)
	}
	return card
}

// lossyCard is the seed card as a copy that lost its layout: the type
// marks row's tabs turned to spaces, the 소요예산/추진상황 row and the whole
// budget section gone. It still changes the final goal.
func lossyCard(t *testing.T) string {
	card := seedCard(t)
	for _, cut := range []struct{ from, to string }{
		{"\t○\t\t\t\t○\t○\t\n", "  ○        ○   ○\n"},
		{"소요예산\t8.5백만원(구 100)\t추진상황\t완료\n", ""},
	} {
		if !strings.Contains(card, cut.from) {
			t.Fatalf("the seed card has no %q", cut.from)
		}
		card = strings.Replace(card, cut.from, cut.to, 1)
	}
	start, end := strings.Index(card, "\nIII\n"), strings.Index(card, "\nIV\n")
	if start < 0 || end < start {
		t.Fatal("the seed card has no section III before IV")
	}
	return card[:start] + card[end:]
}

// TestAReimportKeepsWhatTheCardDoesNotCarry re-imports a copy of the card
// that lost its layout: every stored value the copy does not carry stays,
// each kept field is listed with why, and what the copy carries updates.
// A section present but empty clears.
func TestAReimportKeepsWhatTheCardDoesNotCarry(t *testing.T) {
	st := newSuite(t)
	ctx := context.Background()
	first := st.importCard(t, "gwangsan", seedCard(t))
	name := first.GetPledge().GetName()
	before, err := st.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	seedGoal := before.GetPledge().GetFinalGoal()
	lossy := lossyCard(t)
	if !strings.Contains(lossy, seedGoal) {
		t.Fatalf("the seed card does not hold its final goal %q", seedGoal)
	}
	lossy = strings.Replace(lossy, seedGoal, seedGoal+" (고침)", 1)

	resp, err := st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: lossy, Term: 7})
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]string{}
	for _, k := range resp.GetKeptFields() {
		kept[k.GetField()] = k.GetReason()
	}
	for field, reason := range map[string]string{
		"pledge.project_type":        "lost their columns",
		"pledge.implementing_levels": "lost their columns",
		"pledge.completion_timing":   "lost their columns",
		"pledge.required_budget":     "no 소요예산",
		"pledge.status":              "no 추진상황",
		"budget":                     "no section III",
		"pledge.code":                "no 공약번호", // the seed card has none either
	} {
		if !strings.Contains(kept[field], reason) {
			t.Errorf("kept_fields[%s] = %q; want a reason saying %q", field, kept[field], reason)
		}
	}
	if len(kept) != 7 {
		t.Errorf("kept_fields = %v; want the seven the copy lacks", kept)
	}
	after, err := st.pledges.GetPledgeCard(ctx, &pledgev1.GetPledgeCardRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if got := after.GetPledge().GetFinalGoal(); got != seedGoal+" (고침)" {
		t.Errorf("the final goal the copy carries did not update: %q", got)
	}
	ignore := []cmp.Option{protocmp.Transform(),
		protocmp.IgnoreFields(&pledgev1.Pledge{}, "etag", "update_time", "final_goal"),
		protocmp.IgnoreFields(&budgetv1.Budget{}, "etag", "update_time")}
	if diff := cmp.Diff(before.GetPledge(), after.GetPledge(), ignore...); diff != "" {
		t.Errorf("the re-import lost stored values (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(before.GetBudget(), after.GetBudget(), ignore...); diff != "" {
		t.Errorf("the re-import changed the budget it did not carry (-before +after):\n%s", diff)
	}

	// Section VI there with nothing under it clears the risks.
	i, j := strings.Index(lossy, "\nVI\n"), strings.Index(lossy, "\nVII\n")
	empty := lossy[:i] + "\nVI\n\n예상 문제점 및 대책\n" + lossy[j:]
	resp, err = st.pledges.ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{Parent: "districts/gwangsan", CardText: empty, Term: 7})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.GetPledge().GetRisks(); len(got) != 0 {
		t.Errorf("an empty section VI left the risks %v", got)
	}
	for _, k := range resp.GetKeptFields() {
		if k.GetField() == "pledge.risks" {
			t.Errorf("an empty section VI was kept: %v", k)
		}
	}
}

// TestOneRequestSentFourTimesAtOnceImportsOnce sends one import with one
// request_id four times at once: it is written once; each send answers
// with its result, or that it is still being written; a retry then
// answers with the result.
func TestOneRequestSentFourTimesAtOnceImportsOnce(t *testing.T) {
	st := newSuite(t)
	empty := st.counts(t)
	errs := make([]error, 4)
	racetest.Together(len(errs), func(i int) {
		_, errs[i] = st.importAs("twice-1", seedCard(t))
	})
	for i, err := range errs {
		if err != nil && (status.Code(err) != codes.Unavailable || !strings.Contains(status.Convert(err).Message(), "still being written")) {
			t.Errorf("send %d: %v", i, err)
		}
	}
	resp, err := st.importAs("twice-1", seedCard(t))
	if err != nil || !resp.GetCreated() {
		t.Fatalf("the retry: %v %v", resp, err)
	}
	if got := since(empty, st.counts(t)); got["pledge.pledges"] != 1 || got["indicator.indicators"] != 1 || got["participation.submissions"] != 7 {
		t.Errorf("four sends of one import wrote %v; want one pledge, one indicator, 7 submissions", got)
	}
}
