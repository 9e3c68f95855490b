package importflow

import (
	"context"
	"encoding/json"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

func mask(paths []string) *fieldmaskpb.FieldMask {
	if len(paths) == 0 {
		return nil
	}
	return &fieldmaskpb.FieldMask{Paths: paths}
}

func decodeAs[T proto.Message](raw json.RawMessage, m T) (T, error) {
	return m, protojson.Unmarshal(raw, m)
}

// budgetKind writes a pledge's plan: always an update, which creates the
// plan (allow_missing) when the pledge has none.
type budgetKind struct{}

func (budgetKind) get(ctx context.Context, s Services, name string) (resource, error) {
	b, err := s.Budgets.GetBudget(ctx, &budgetv1.GetBudgetRequest{Name: name})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (budgetKind) write(ctx context.Context, s Services, st *Step, etag string, validateOnly bool) (resource, error) {
	b, err := decodeAs(st.Write, &budgetv1.Budget{})
	if err != nil {
		return nil, err
	}
	b.Name, b.Etag = st.Name, etag
	return s.Budgets.UpdateBudget(ctx, &budgetv1.UpdateBudgetRequest{Budget: b, UpdateMask: mask(st.Paths), AllowMissing: etag == "", ValidateOnly: validateOnly})
}

func (budgetKind) remove(ctx context.Context, s Services, name, etag string) error {
	_, err := s.Budgets.DeleteBudget(ctx, &budgetv1.DeleteBudgetRequest{Name: name, Etag: etag})
	return err
}

func (budgetKind) decode(raw json.RawMessage) (resource, error) {
	return decodeAs(raw, &budgetv1.Budget{})
}

func (budgetKind) same(cur, want resource) bool {
	c, w := cur.(*budgetv1.Budget), want.(*budgetv1.Budget)
	if len(c.GetLines()) != len(w.GetLines()) {
		return false
	}
	for i := range c.GetLines() {
		if !proto.Equal(c.GetLines()[i], w.GetLines()[i]) {
			return false
		}
	}
	return true
}

// indicatorKind writes an indicator of the pledge.
type indicatorKind struct{}

func (indicatorKind) get(ctx context.Context, s Services, name string) (resource, error) {
	i, err := s.Indicators.GetIndicator(ctx, &indicatorv1.GetIndicatorRequest{Name: name})
	if err != nil {
		return nil, err
	}
	return i, nil
}

func (indicatorKind) write(ctx context.Context, s Services, st *Step, etag string, validateOnly bool) (resource, error) {
	ind, err := decodeAs(st.Write, &indicatorv1.Indicator{})
	if err != nil {
		return nil, err
	}
	if st.Create {
		ind.Name = ""
		return s.Indicators.CreateIndicator(ctx, &indicatorv1.CreateIndicatorRequest{Parent: resourcename.Parent(st.Name), IndicatorId: resourcename.ID(st.Name),
			Indicator: ind, RequestId: st.RequestID, ValidateOnly: validateOnly})
	}
	ind.Name, ind.Etag = st.Name, etag
	return s.Indicators.UpdateIndicator(ctx, &indicatorv1.UpdateIndicatorRequest{Indicator: ind, UpdateMask: mask(st.Paths), ValidateOnly: validateOnly})
}

func (indicatorKind) remove(ctx context.Context, s Services, name, etag string) error {
	_, err := s.Indicators.DeleteIndicator(ctx, &indicatorv1.DeleteIndicatorRequest{Name: name, Etag: etag})
	return err
}

func (indicatorKind) decode(raw json.RawMessage) (resource, error) {
	return decodeAs(raw, &indicatorv1.Indicator{})
}

// same compares what a card writes of an indicator; the server's
// achievements are not written.
func (indicatorKind) same(cur, want resource) bool {
	c, w := cur.(*indicatorv1.Indicator), want.(*indicatorv1.Indicator)
	if c.GetTitle() != w.GetTitle() || c.GetKind() != w.GetKind() || c.GetUnit() != w.GetUnit() ||
		c.GetPosition() != w.GetPosition() || len(c.GetEntries()) != len(w.GetEntries()) {
		return false
	}
	for i, e := range c.GetEntries() {
		e = proto.Clone(e).(*indicatorv1.YearEntry)
		e.Achievement = nil
		if !proto.Equal(e, w.GetEntries()[i]) {
			return false
		}
	}
	return true
}

// programKind writes the card's contest.
type programKind struct{}

func (programKind) get(ctx context.Context, s Services, name string) (resource, error) {
	p, err := s.Participation.GetProgram(ctx, &participationv1.GetProgramRequest{Name: name})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (programKind) write(ctx context.Context, s Services, st *Step, etag string, validateOnly bool) (resource, error) {
	p, err := decodeAs(st.Write, &participationv1.Program{})
	if err != nil {
		return nil, err
	}
	if st.Create {
		p.Name = ""
		return s.Participation.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: resourcename.Parent(st.Name), ProgramId: resourcename.ID(st.Name),
			Program: p, RequestId: st.RequestID, ValidateOnly: validateOnly})
	}
	p.Name, p.Etag = st.Name, etag
	return s.Participation.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{Program: p, UpdateMask: mask(st.Paths), ValidateOnly: validateOnly})
}

func (programKind) remove(ctx context.Context, s Services, name, etag string) error {
	_, err := s.Participation.DeleteProgram(ctx, &participationv1.DeleteProgramRequest{Name: name, Etag: etag})
	return err
}

func (programKind) decode(raw json.RawMessage) (resource, error) {
	return decodeAs(raw, &participationv1.Program{})
}

// same compares what a card writes of its contest.
func (programKind) same(cur, want resource) bool {
	c, w := cur.(*participationv1.Program), want.(*participationv1.Program)
	return c.GetTitle() == w.GetTitle() && c.GetStatus() == w.GetStatus() &&
		c.GetDeclared().GetSelected() == w.GetDeclared().GetSelected() &&
		(w.GetSubmissionWindow() == nil || proto.Equal(c.GetSubmissionWindow(), w.GetSubmissionWindow()))
}

// submissionKind writes an awarded submission of the contest.
type submissionKind struct{}

func (submissionKind) get(ctx context.Context, s Services, name string) (resource, error) {
	sub, err := s.Participation.GetSubmission(ctx, &participationv1.GetSubmissionRequest{Name: name})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// write writes a submission; the participation service has no
// validate_only for submissions, and validate never asks for one.
func (submissionKind) write(ctx context.Context, s Services, st *Step, etag string, _ bool) (resource, error) {
	sub, err := decodeAs(st.Write, &participationv1.Submission{})
	if err != nil {
		return nil, err
	}
	if st.Create {
		sub.Name = ""
		return s.Participation.CreateSubmission(ctx, &participationv1.CreateSubmissionRequest{Parent: resourcename.Parent(st.Name), SubmissionId: resourcename.ID(st.Name),
			Submission: sub, RequestId: st.RequestID})
	}
	sub.Name, sub.Etag = st.Name, etag
	return s.Participation.UpdateSubmission(ctx, &participationv1.UpdateSubmissionRequest{Submission: sub, UpdateMask: mask(st.Paths)})
}

func (submissionKind) remove(ctx context.Context, s Services, name, etag string) error {
	_, err := s.Participation.DeleteSubmission(ctx, &participationv1.DeleteSubmissionRequest{Name: name, Etag: etag})
	return err
}

func (submissionKind) decode(raw json.RawMessage) (resource, error) {
	return decodeAs(raw, &participationv1.Submission{})
}

// same compares what a card writes of an award.
func (submissionKind) same(cur, want resource) bool {
	c, w := cur.(*participationv1.Submission), want.(*participationv1.Submission)
	return c.GetTitle() == w.GetTitle() && c.GetSelected() == w.GetSelected() && c.GetAward() == w.GetAward() && c.GetAwardRank() == w.GetAwardRank()
}
