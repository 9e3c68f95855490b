package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ImportPledgeCard reads a text card and writes it through every service's
// API, all or nothing: the pledge (with the departments it names) in one
// transaction here, then — each checked with validate_only first — its
// budget, indicators and contest results; when a later write fails, what
// was written is undone, in reverse.
func (s *PledgeServer) ImportPledgeCard(ctx context.Context, req *pledgev1.ImportPledgeCardRequest) (*pledgev1.ImportPledgeCardResponse, error) {
	district, err := pledge.ParseDistrictName("parent", req.GetParent())
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.GetCardText()) == "" {
		return nil, apierr.Invalid("card_text", "is empty")
	}
	d, err := s.store.GetDistrict(ctx, district)
	if err != nil {
		return nil, err
	}
	card, warnings, err := cardtext.Parse(req.GetCardText(), cardtext.Options{DistrictKind: pledgev1.DistrictKind(d.Kind)})
	if err != nil {
		return nil, apierr.Invalid("card_text", "%s", err.Error())
	}
	resp := &pledgev1.ImportPledgeCardResponse{}
	for _, w := range warnings {
		resp.Warnings = append(resp.Warnings, &pledgev1.ImportWarning{Line: int32(w.Line), Text: w.Text, Message: w.Message})
	}
	if req.GetStrict() && len(warnings) > 0 {
		var v apierr.Violations
		for _, w := range warnings {
			v.Add("card_text", "line %d: %s", w.Line, w.Message)
		}
		return nil, v.Err()
	}
	p, err := pledgeFromProto(card.Pledge, district)
	if err != nil {
		return nil, err
	}
	p.Term = int(req.GetTerm())
	if p.Term == 0 {
		if t, first, ok := termOfCard(d, card); ok {
			p.Term = t.Number
			resp.Warnings = append(resp.Warnings, &pledgev1.ImportWarning{Message: fmt.Sprintf(
				"the card's years begin in %d, so it belongs to %s (give term to choose another)", first, t.DisplayName)})
		}
	}
	if !req.GetValidateOnly() && (s.backends.Budgets == nil || s.backends.Indicators == nil || s.backends.Participation == nil) {
		return nil, apierr.Unavailable("this pledge service was started without the addresses of the budget, indicator and participation services")
	}
	im, err := s.store.ImportPledge(ctx, p, card.Department, card.Related, req.GetValidateOnly())
	if err != nil {
		return nil, underCard(err)
	}
	resp.Pledge, resp.Created, resp.DepartmentsCreated = pledgeToProto(im.Pledge), im.Created, int32(len(im.Departments))
	u := &undo{store: s.store, imported: im}
	w := &cardWriter{backends: s.backends, name: im.Pledge.Pledge.Name(), undo: u, resp: resp, runID: resourceid.New()}
	if req.GetValidateOnly() {
		// What the import would write, as far as the card alone tells.
		resp.BudgetLines, resp.Indicators = int32(len(card.Budget)), int32(len(card.Indicators))
		if card.Contest != nil {
			resp.Programs, resp.Submissions = 1, int32(len(card.Contest.Submissions))
		}
		if im.Created {
			// The other services check a pledge that exists; this one does not.
			resp.Warnings = append(resp.Warnings, &pledgev1.ImportWarning{Message: "the card's budget, indicators and contest are checked when the card is imported: the pledge is new"})
			return resp, nil
		}
		if _, err := w.prepare(ctx, card); err != nil {
			return nil, err
		}
		return resp, nil
	}
	// The contest's past submissions are recorded with the caller's own
	// right to record past ones (a district admin's or registrar's): the
	// participation service checks it.
	if err := w.write(ctx, card); err != nil {
		undoCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if uerr := u.run(undoCtx); uerr != nil {
			return nil, apierr.Unavailable("the card was not imported (%s), and undoing what was written failed too (%s); import it again to repair it", status.Convert(err).Message(), uerr.Error())
		}
		return nil, err
	}
	final, err := s.store.GetPledge(ctx, district, im.Pledge.Pledge.ID)
	if err != nil {
		return nil, err
	}
	resp.Pledge = pledgeToProto(final)
	return resp, nil
}

// termOfCard picks the term a card without one belongs to: the last term
// that began by the card's first year (its earliest yearly goal or budget
// year). A 민선 7기 card plans 2018–2022, and 2022 is also 8기's first year,
// so the first year, not the last, tells them apart. ok is false when the
// card names no year or its first year precedes every term.
func termOfCard(d pledge.District, card *cardtext.Card) (t pledge.Term, first int, ok bool) {
	for _, g := range card.Pledge.GetYearlyGoals() {
		if y := int(g.GetYear()); y > 0 && (first == 0 || y < first) {
			first = y
		}
	}
	for _, l := range card.Budget {
		if y := int(l.GetYear()); y > 0 && (first == 0 || y < first) {
			first = y
		}
	}
	if first == 0 {
		return t, 0, false
	}
	for _, c := range d.Terms {
		if c.Start.Year <= first && (!ok || c.Start.Year > t.Start.Year) {
			t, ok = c, true
		}
	}
	return t, first, ok
}

// underCard names the fields of the card's pledge the store refused under
// the card, such as card.pledge.title.
func underCard(err error) error {
	e, ok := err.(*apierr.Error)
	if !ok || len(e.Violations) == 0 {
		return err
	}
	return e.Renamed(func(f string) string { return "card." + f })
}

// undo is the list of what an import wrote, each with how to take it back.
type undo struct {
	store    *postgres.Store
	imported postgres.Imported
	steps    []func(context.Context) error
}

func (u *undo) push(step func(context.Context) error) { u.steps = append(u.steps, step) }

// run takes back every write, the last first, and the pledge last of all.
func (u *undo) run(ctx context.Context) error {
	var failed []string
	for i := len(u.steps) - 1; i >= 0; i-- {
		if err := u.steps[i](ctx); err != nil {
			failed = append(failed, status.Convert(err).Message())
		}
	}
	if err := u.store.UndoImport(ctx, u.imported); err != nil {
		failed = append(failed, err.Error())
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}

// cardWriter writes a card's parts that other services keep. Every write
// carries a request_id of this import and, when it creates, an id chosen
// here, and its undo is recorded before it is sent: a write whose answer
// is lost is still undone, and a retried one is not done twice.
type cardWriter struct {
	backends Backends
	name     string // the pledge
	undo     *undo
	resp     *pledgev1.ImportPledgeCardResponse
	runID    string
}

// requestID names one write of this import.
func (w *cardWriter) requestID(step string) string { return "import-" + w.runID + "-" + step }

// gone treats NOT_FOUND as done: undoing a write that never happened.
func gone(err error) error {
	if status.Code(err) == codes.NotFound {
		return nil
	}
	return err
}

// etagNow is the etag an undo sends: the one the import's write returned,
// or, when its answer was lost, the resource's etag now (get reads it),
// the import's own write being the change it expects to find there.
// found is false when the resource is not there at all.
func etagNow[T interface{ GetEtag() string }](ctx context.Context, written T, get func(context.Context) (T, error)) (etag string, found bool, err error) {
	if e := written.GetEtag(); e != "" {
		return e, true, nil
	}
	cur, err := get(ctx)
	if status.Code(err) == codes.NotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return cur.GetEtag(), true, nil
}

// failed says which part of the card a service refused or could not take.
// A service names fields from its own resource (budget.lines[2].year); the
// import names them from the card (card.budget.lines[2].year).
func failed(part string, err error) error {
	st := status.Convert(err)
	if st.Code() == codes.InvalidArgument {
		return apierr.FromStatus(st).Renamed(func(f string) string {
			_, rest, _ := strings.Cut(f, ".")
			return strings.TrimSuffix("card."+part+"."+rest, ".")
		})
	}
	return status.Errorf(st.Code(), "the card's %s could not be written: %s; nothing of the card was kept", part, st.Message())
}

// prepare checks every part with its service and returns the writes.
func (w *cardWriter) prepare(ctx context.Context, card *cardtext.Card) ([]func(context.Context) error, error) {
	budget, err := w.prepareBudget(ctx, card.Budget)
	if err != nil {
		return nil, err
	}
	indicators, err := w.prepareIndicators(ctx, card.Indicators)
	if err != nil {
		return nil, err
	}
	contest, err := w.prepareContest(ctx, card.Contest)
	if err != nil {
		return nil, err
	}
	return []func(context.Context) error{budget, indicators, contest}, nil
}

func (w *cardWriter) write(ctx context.Context, card *cardtext.Card) error {
	writes, err := w.prepare(ctx, card)
	if err != nil {
		return err
	}
	// Everything checked: write.
	for _, write := range writes {
		if write == nil {
			continue
		}
		if err := write(ctx); err != nil {
			return err
		}
	}
	return nil
}

// prepareBudget checks the card's plan and returns how to write it. Lines
// keep the secured and executed money already recorded for the same source
// and year: a card knows only what was planned.
func (w *cardWriter) prepareBudget(ctx context.Context, lines []*budgetv1.BudgetLine) (func(context.Context) error, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	name := w.name + "/budget"
	prev, err := w.backends.Budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
	if err != nil && status.Code(err) != codes.NotFound {
		return nil, failed("budget", err)
	}
	kept := map[[2]int32]*budgetv1.BudgetLine{}
	for _, l := range prev.GetLines() {
		kept[[2]int32{int32(l.GetSource()), l.GetYear()}] = l
	}
	for _, l := range lines {
		key := [2]int32{int32(l.GetSource()), l.GetYear()}
		if old := kept[key]; old != nil {
			l.SecuredWon, l.ExecutedWon, l.CarryOver, l.Note = old.GetSecuredWon(), old.GetExecutedWon(), old.GetCarryOver(), old.GetNote()
			delete(kept, key)
		}
	}
	// Money secured or spent in a year the card plans nothing for stays,
	// planned at 0: a card knows only what was planned.
	for _, old := range prev.GetLines() {
		if l := kept[[2]int32{int32(old.GetSource()), old.GetYear()}]; l != nil && (l.GetSecuredWon() != 0 || l.GetExecutedWon() != 0) {
			carried := proto.Clone(l).(*budgetv1.BudgetLine)
			carried.PlannedWon = 0
			lines = append(lines, carried)
		}
	}
	req := &budgetv1.UpdateBudgetRequest{
		Budget:       &budgetv1.Budget{Name: name, Lines: lines, Etag: prev.GetEtag()},
		UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"lines"}},
		AllowMissing: true, ValidateOnly: true,
	}
	if _, err := w.backends.Budgets.UpdateBudget(ctx, req); err != nil {
		return nil, failed("budget", err)
	}
	return func(ctx context.Context) error {
		req.ValidateOnly = false
		var written *budgetv1.Budget // its etag guards the undo when known
		w.undo.push(func(ctx context.Context) error {
			etag, found, err := etagNow(ctx, written, func(ctx context.Context) (*budgetv1.Budget, error) {
				return w.backends.Budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
			})
			if err != nil || !found {
				return err
			}
			if prev == nil {
				_, err := w.backends.Budgets.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: name, Etag: etag})
				return gone(err)
			}
			_, err = w.backends.Budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{
				Budget:     &budgetv1.Budget{Name: name, Lines: prev.GetLines(), AsOfDate: prev.GetAsOfDate(), Etag: etag},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"lines", "as_of_date"}},
			})
			return err
		})
		var err error
		if written, err = w.backends.Budgets.UpdateBudget(ctx, req); err != nil {
			return failed("budget", err)
		}
		w.resp.BudgetLines = int32(len(lines))
		return nil
	}, nil
}

// prepareIndicators checks the card's indicators, matched by title with
// those the pledge has; entries keep their recorded assessment, note and
// evidence.
func (w *cardWriter) prepareIndicators(ctx context.Context, inds []*indicatorv1.Indicator) (func(context.Context) error, error) {
	if len(inds) == 0 {
		return nil, nil
	}
	existing := map[string]*indicatorv1.Indicator{}
	token := ""
	for {
		resp, err := w.backends.Indicators.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: w.name, PageSize: 500, PageToken: token})
		if err != nil {
			return nil, failed("indicators", err)
		}
		for _, i := range resp.GetIndicators() {
			existing[i.GetTitle()] = i
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	type op struct {
		create *indicatorv1.CreateIndicatorRequest
		update *indicatorv1.UpdateIndicatorRequest
		prev   *indicatorv1.Indicator
	}
	var ops []op
	for n, ind := range inds {
		ind.Position = int32(n + 1)
		if prev := existing[ind.GetTitle()]; prev != nil {
			delete(existing, ind.GetTitle()) // a second indicator of the title is another one
			old := map[int32]*indicatorv1.YearEntry{}
			for _, e := range prev.GetEntries() {
				old[e.GetYear()] = e
			}
			for _, e := range ind.GetEntries() {
				if o := old[e.GetYear()]; o != nil {
					e.Assessment, e.Note, e.Evidence = o.GetAssessment(), o.GetNote(), o.GetEvidence()
				}
			}
			ind.Name, ind.Etag = prev.GetName(), prev.GetEtag()
			ind.Direction, ind.Baseline = prev.GetDirection(), prev.GetBaseline()
			req := &indicatorv1.UpdateIndicatorRequest{Indicator: ind, ValidateOnly: true,
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title", "kind", "unit", "entries", "position"}}}
			if _, err := w.backends.Indicators.UpdateIndicator(ctx, req); err != nil {
				return nil, failed(fmt.Sprintf("indicators[%d]", n), err)
			}
			ops = append(ops, op{update: req, prev: prev})
			continue
		}
		req := &indicatorv1.CreateIndicatorRequest{Parent: w.name, Indicator: ind, ValidateOnly: true,
			IndicatorId: resourceid.New(), RequestId: w.requestID(fmt.Sprintf("indicator-%d", n))}
		if _, err := w.backends.Indicators.CreateIndicator(ctx, req); err != nil {
			return nil, failed(fmt.Sprintf("indicators[%d]", n), err)
		}
		ops = append(ops, op{create: req})
	}
	return func(ctx context.Context) error {
		for n, o := range ops {
			if o.create != nil {
				o.create.ValidateOnly = false
				created := w.name + "/indicators/" + o.create.GetIndicatorId()
				w.undo.push(func(ctx context.Context) error {
					etag, found, err := etagNow(ctx, (*indicatorv1.Indicator)(nil), func(ctx context.Context) (*indicatorv1.Indicator, error) {
						return w.backends.Indicators.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: created})
					})
					if err != nil || !found {
						return err
					}
					_, err = w.backends.Indicators.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: created, Etag: etag})
					return gone(err)
				})
				if _, err := w.backends.Indicators.CreateIndicator(ctx, o.create); err != nil {
					return failed(fmt.Sprintf("indicators[%d]", n), err)
				}
			} else {
				o.update.ValidateOnly = false
				prev := proto.Clone(o.prev).(*indicatorv1.Indicator)
				var updated *indicatorv1.Indicator
				w.undo.push(func(ctx context.Context) error {
					etag, found, err := etagNow(ctx, updated, func(ctx context.Context) (*indicatorv1.Indicator, error) {
						return w.backends.Indicators.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: prev.GetName()})
					})
					if err != nil || !found {
						return err
					}
					prev.Etag = etag
					_, err = w.backends.Indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: prev,
						UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title", "kind", "direction", "unit", "baseline", "entries", "position"}}})
					return err
				})
				var err error
				if updated, err = w.backends.Indicators.UpdateIndicator(ctx, o.update); err != nil {
					return failed(fmt.Sprintf("indicators[%d]", n), err)
				}
			}
			w.resp.Indicators++
		}
		return nil
	}, nil
}

// prepareContest checks the card's contest: a program serving the pledge,
// matched by title, and its awarded submissions, matched by title.
func (w *cardWriter) prepareContest(ctx context.Context, c *cardtext.Contest) (func(context.Context) error, error) {
	if c == nil {
		return nil, nil
	}
	district := strings.SplitN(w.name, "/pledges/", 2)[0]
	var prev *participationv1.Program
	token := ""
	for prev == nil {
		resp, err := w.backends.Participation.ListPrograms(ctx, &participationv1.ListProgramsRequest{
			Parent: district, PageSize: 500, PageToken: token, Filter: `pledges:"` + w.name + `" AND kind = PROGRAM_KIND_IDEA_CONTEST`,
		})
		if err != nil {
			return nil, failed("contest", err)
		}
		for _, p := range resp.GetPrograms() {
			if p.GetTitle() == c.Title {
				prev = p
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	program := &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, Title: c.Title, Pledges: []string{w.name},
		SubmissionWindow: c.Window, Declared: &participationv1.Counts{Selected: int32(len(c.Submissions))},
		Status: participationv1.ProgramStatus_PROGRAM_STATUS_COMPLETED,
	}
	paths := &fieldmaskpb.FieldMask{Paths: []string{"declared.selected", "status"}}
	if c.Window != nil {
		paths.Paths = append(paths.Paths, "submission_window")
	}
	if prev != nil {
		program.Name, program.Etag = prev.GetName(), prev.GetEtag()
		if _, err := w.backends.Participation.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{Program: program, UpdateMask: paths, ValidateOnly: true}); err != nil {
			return nil, failed("contest", err)
		}
	}
	create := &participationv1.CreateProgramRequest{Parent: district, Program: program, ValidateOnly: true,
		ProgramId: resourceid.New(), RequestId: w.requestID("contest")}
	if prev == nil {
		if _, err := w.backends.Participation.CreateProgram(ctx, create); err != nil {
			return nil, failed("contest", err)
		}
	}
	return func(ctx context.Context) error {
		var written *participationv1.Program
		var err error
		if prev != nil {
			old := proto.Clone(prev).(*participationv1.Program)
			w.undo.push(func(ctx context.Context) error {
				etag, found, err := etagNow(ctx, written, func(ctx context.Context) (*participationv1.Program, error) {
					return w.backends.Participation.GetProgram(ctx, &participationv1.GetProgramRequest{Name: old.GetName()})
				})
				if err != nil || !found {
					return err
				}
				old.Etag = etag
				_, err = w.backends.Participation.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{Program: old, UpdateMask: paths})
				return err
			})
			written, err = w.backends.Participation.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{Program: program, UpdateMask: paths})
		} else {
			name := district + "/programs/" + create.GetProgramId()
			w.undo.push(func(ctx context.Context) error {
				etag, found, err := etagNow(ctx, (*participationv1.Program)(nil), func(ctx context.Context) (*participationv1.Program, error) {
					return w.backends.Participation.GetProgram(ctx, &participationv1.GetProgramRequest{Name: name})
				})
				if err != nil || !found {
					return err
				}
				_, err = w.backends.Participation.DeleteProgram(ctx, &participationv1.DeleteProgramRequest{Name: name, Etag: etag})
				return gone(err)
			})
			create.ValidateOnly = false
			written, err = w.backends.Participation.CreateProgram(ctx, create)
		}
		if err != nil {
			return failed("contest", err)
		}
		w.resp.Programs++
		return w.writeSubmissions(ctx, written, c)
	}, nil
}

func (w *cardWriter) writeSubmissions(ctx context.Context, program *participationv1.Program, c *cardtext.Contest) error {
	existing := map[string]*participationv1.Submission{}
	token := ""
	for {
		resp, err := w.backends.Participation.ListSubmissions(ctx, &participationv1.ListSubmissionsRequest{Parent: program.GetName(), PageSize: 500, PageToken: token})
		if err != nil {
			return failed("contest", err)
		}
		for _, s := range resp.GetSubmissions() {
			if existing[s.GetTitle()] == nil {
				existing[s.GetTitle()] = s
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	for n, sub := range c.Submissions {
		field := fmt.Sprintf("contest.submissions[%d]", n)
		if prev := existing[sub.GetTitle()]; prev != nil {
			delete(existing, sub.GetTitle()) // a second submission of the title is another one
			sub.Name, sub.Etag = prev.GetName(), prev.GetEtag()
			mask := &fieldmaskpb.FieldMask{Paths: []string{"selected", "award", "award_rank"}}
			old := proto.Clone(prev).(*participationv1.Submission)
			var updated *participationv1.Submission
			w.undo.push(func(ctx context.Context) error {
				etag, found, err := etagNow(ctx, updated, func(ctx context.Context) (*participationv1.Submission, error) {
					return w.backends.Participation.GetSubmission(ctx, &participationv1.GetSubmissionRequest{Name: old.GetName()})
				})
				if err != nil || !found {
					return err
				}
				old.Etag = etag
				_, err = w.backends.Participation.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{Submission: old, UpdateMask: mask})
				return err
			})
			var err error
			if updated, err = w.backends.Participation.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{Submission: sub, UpdateMask: mask}); err != nil {
				return failed(field, err)
			}
		} else {
			if c.Window != nil {
				// In the window, in the card's order.
				close := c.Window.GetCloseTime().AsTime()
				sub.ReceiveTime = timestamppb.New(close.Add(time.Duration(n-len(c.Submissions)) * time.Second))
			}
			id := resourceid.New()
			w.undo.push(func(ctx context.Context) error {
				name := program.GetName() + "/submissions/" + id
				etag, found, err := etagNow(ctx, (*participationv1.Submission)(nil), func(ctx context.Context) (*participationv1.Submission, error) {
					return w.backends.Participation.GetSubmission(ctx, &participationv1.GetSubmissionRequest{Name: name})
				})
				if err != nil || !found {
					return err // not found: never written, or its program went first
				}
				_, err = w.backends.Participation.DeleteSubmission(ctx, &participationv1.DeleteSubmissionRequest{Name: name, Etag: etag})
				return gone(err)
			})
			if _, err := w.backends.Participation.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{
				Parent: program.GetName(), Submission: sub, SubmissionId: id, RequestId: w.requestID(fmt.Sprintf("submission-%d", n)),
			}); err != nil {
				return failed(field, err)
			}
		}
		w.resp.Submissions++
	}
	return nil
}
