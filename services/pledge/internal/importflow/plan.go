package importflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// planner turns a card into the writes the other services keep, reading
// what they hold of the pledge when it exists.
type planner struct {
	s Services
	// district and id are the pledge's, pledge its name.
	district, id, pledge string
	runID                string
	exists               bool
}

// requestID names one write of this import.
func (p *planner) requestID(step string) string { return "import-" + p.runID + "-" + step }

// plan returns the writes of a card's budget, indicators and contest, in
// the order they go out; with exists, it reads what the services hold of
// the pledge to match the card with.
func (f *Flow) plan(ctx context.Context, of pledge.Pledge, card *cardtext.Card, runID string, exists bool) ([]*Step, error) {
	p := &planner{s: f.Services, district: of.DistrictID, id: of.ID, pledge: of.Name(), runID: runID, exists: exists}
	var steps []*Step
	for _, part := range []func(context.Context, *cardtext.Card) ([]*Step, error){p.budget, p.indicators, p.contest} {
		more, err := part(ctx, card)
		if err != nil {
			return nil, err
		}
		steps = append(steps, more...)
	}
	return steps, nil
}

// failed says which part of the card a service refused or could not take.
// A service names fields from its own resource (budget.lines[2].year); the
// import names them from the card (card.budget.lines[2].year).
func failed(part string, err error) error {
	st := apierr.ToStatus(err)
	if st.Code() == codes.InvalidArgument {
		return apierr.FromStatus(st).Renamed(func(f string) string {
			_, rest, _ := strings.Cut(f, ".")
			return strings.TrimSuffix("card."+part+"."+rest, ".")
		})
	}
	return status.Errorf(st.Code(), "the card's %s could not be written: %s", part, st.Message())
}

// budget is the card's plan. Lines keep the secured and executed money
// already recorded for the same source and year: a card knows only what
// was planned. A card without section III leaves the plan alone; one with
// an empty table clears its lines.
func (p *planner) budget(ctx context.Context, card *cardtext.Card) ([]*Step, error) {
	if _, absent := card.Unread["budget"]; absent {
		return nil, nil
	}
	name := resourcename.Budget.Format(p.district, p.id)
	var prev *budgetv1.Budget
	if p.exists {
		got, err := p.s.Budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
		if err != nil && status.Code(err) != codes.NotFound {
			return nil, failed("budget", err)
		}
		prev = got
	}
	if prev == nil && len(card.Budget) == 0 {
		return nil, nil
	}
	lines := make([]*budgetv1.BudgetLine, len(card.Budget))
	for i, l := range card.Budget {
		lines[i] = proto.Clone(l).(*budgetv1.BudgetLine)
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
	// planned at 0.
	for _, old := range prev.GetLines() {
		if l := kept[[2]int32{int32(old.GetSource()), old.GetYear()}]; l != nil && (l.GetSecuredWon() != 0 || l.GetExecutedWon() != 0) {
			carried := proto.Clone(l).(*budgetv1.BudgetLine)
			carried.PlannedWon = 0
			lines = append(lines, carried)
		}
	}
	st := &Step{Kind: "budget", Name: name, Write: encode(&budgetv1.Budget{Lines: lines}), Paths: []string{"lines"}, State: pending}
	if prev != nil {
		st.Previous = encode(prev)
	}
	return []*Step{st}, nil
}

// indicators are the card's indicators, matched by title with those the
// pledge has; entries keep their recorded assessment, note and evidence.
// The import adds and updates indicators, never deletes one: each keeps a
// history of its own.
func (p *planner) indicators(ctx context.Context, card *cardtext.Card) ([]*Step, error) {
	existing := map[string]*indicatorv1.Indicator{}
	if p.exists && len(card.Indicators) > 0 {
		token := ""
		for {
			resp, err := p.s.Indicators.ListIndicators(ctx, &indicatorv1.ListIndicatorsRequest{Parent: p.pledge, PageSize: 500, PageToken: token})
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
	}
	var steps []*Step
	for n, in := range card.Indicators {
		ind := proto.Clone(in).(*indicatorv1.Indicator)
		ind.Position = int32(n + 1)
		prev := existing[ind.GetTitle()]
		if prev == nil {
			steps = append(steps, &Step{Kind: "indicator", Name: resourcename.Indicator.Format(p.district, p.id, resourceid.New()), Create: true,
				Write: encode(ind), RequestID: p.requestID(fmt.Sprintf("indicator-%d", n)), State: pending})
			continue
		}
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
		ind.Direction, ind.Baseline = prev.GetDirection(), prev.GetBaseline()
		steps = append(steps, &Step{Kind: "indicator", Name: prev.GetName(), Write: encode(ind), Previous: encode(prev),
			Paths: []string{"title", "kind", "direction", "unit", "baseline", "entries", "position"}, State: pending})
	}
	return steps, nil
}

// contest is the card's contest: a program serving the pledge, matched by
// title, and its awarded submissions, matched by title.
func (p *planner) contest(ctx context.Context, card *cardtext.Card) ([]*Step, error) {
	c := card.Contest
	if c == nil {
		return nil, nil
	}
	district := resourcename.District.Format(p.district)
	var prev *participationv1.Program
	if p.exists {
		token := ""
		for prev == nil {
			resp, err := p.s.Participation.ListPrograms(ctx, &participationv1.ListProgramsRequest{
				Parent: district, PageSize: 500, PageToken: token, Filter: `pledges:"` + p.pledge + `" AND kind = PROGRAM_KIND_IDEA_CONTEST`,
			})
			if err != nil {
				return nil, failed("contest", err)
			}
			for _, pr := range resp.GetPrograms() {
				if pr.GetTitle() == c.Title {
					prev = pr
				}
			}
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
		}
	}
	program := &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_IDEA_CONTEST, Title: c.Title, Pledges: []string{p.pledge},
		SubmissionWindow: c.Window, Declared: &participationv1.Counts{Selected: int32(len(c.Submissions))},
		Status: participationv1.ProgramStatus_PROGRAM_STATUS_COMPLETED,
	}
	var steps []*Step
	existing := map[string]*participationv1.Submission{}
	programID := resourceid.New()
	if prev == nil {
		steps = append(steps, &Step{Kind: "program", Name: resourcename.Program.Format(p.district, programID), Create: true,
			Write: encode(program), RequestID: p.requestID("contest"), State: pending})
	} else {
		ids, ok := resourcename.Program.Match(prev.GetName())
		if !ok {
			return nil, fmt.Errorf("the participation service answered a program called %q, not %s", prev.GetName(), resourcename.Program)
		}
		programID = ids[1]
		paths := []string{"declared.selected", "status"}
		if c.Window != nil {
			paths = append(paths, "submission_window")
		}
		steps = append(steps, &Step{Kind: "program", Name: prev.GetName(), Write: encode(program), Previous: encode(prev), Paths: paths, State: pending})
		token := ""
		for {
			resp, err := p.s.Participation.ListSubmissions(ctx, &participationv1.ListSubmissionsRequest{Parent: prev.GetName(), PageSize: 500, PageToken: token})
			if err != nil {
				return nil, failed("contest", err)
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
	}
	for n, in := range c.Submissions {
		sub := proto.Clone(in).(*participationv1.Submission)
		if old := existing[sub.GetTitle()]; old != nil {
			delete(existing, sub.GetTitle()) // a second submission of the title is another one
			steps = append(steps, &Step{Kind: "submission", Name: old.GetName(), Write: encode(sub), Previous: encode(old),
				Paths: []string{"selected", "award", "award_rank"}, State: pending})
			continue
		}
		if c.Window != nil {
			// In the window, in the card's order.
			closes := c.Window.GetCloseTime().AsTime()
			sub.ReceiveTime = timestamppb.New(closes.Add(time.Duration(n-len(c.Submissions)) * time.Second))
		}
		steps = append(steps, &Step{Kind: "submission", Name: resourcename.Submission.Format(p.district, programID, resourceid.New()), Create: true,
			Write: encode(sub), RequestID: p.requestID(fmt.Sprintf("submission-%d", n)), State: pending})
	}
	return steps, nil
}

// validate checks every step with its service, writing nothing. The
// contest's submissions are checked by their service as they are written
// (it has no validate_only for them); a refusal then undoes the import.
func (f *Flow) validate(ctx context.Context, steps []*Step) error {
	for _, st := range steps {
		if st.Kind == "submission" {
			continue
		}
		if err := st.validate(ctx, f.Services); err != nil {
			return failed(partOf(st), err)
		}
	}
	return nil
}

// partOf is the card's part a step writes, for messages.
func partOf(st *Step) string {
	switch st.Kind {
	case "program", "submission":
		return "contest"
	case "indicator":
		return "indicators"
	}
	return st.Kind
}
