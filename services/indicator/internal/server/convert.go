package server

import (
	"time"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/indicator/internal/indicator"
	"github.com/gongyak/gongyak/services/indicator/internal/postgres"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func timeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func measureToProto(m indicator.Measure) *indicatorv1.Measure {
	switch {
	case m.Number != "":
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: m.Number}}
	case m.Text != "":
		return &indicatorv1.Measure{Value: &indicatorv1.Measure_Text{Text: m.Text}}
	}
	return nil
}

func measureFromProto(m *indicatorv1.Measure) indicator.Measure {
	switch v := m.GetValue().(type) {
	case *indicatorv1.Measure_Number:
		return indicator.Measure{Number: v.Number, IsNumber: true}
	case *indicatorv1.Measure_Text:
		return indicator.Measure{Text: v.Text}
	}
	return indicator.Measure{}
}

func resultToProto(r indicator.Result) *indicatorv1.Achievement {
	return &indicatorv1.Achievement{
		State: indicatorv1.AchievementState(r.State), Percent: r.Percent,
		Measured: int32(r.Measured), NoData: int32(r.NoData), NotYetDue: int32(r.NotYetDue),
	}
}

// View is an indicator as the API shows it: what the audit log records of
// a change.
func View(i indicator.Indicator) proto.Message { return indicatorToProto(i) }

func indicatorToProto(i indicator.Indicator) *indicatorv1.Indicator {
	out := &indicatorv1.Indicator{
		Name:        i.Name(),
		Title:       i.Title,
		Kind:        indicatorv1.IndicatorKind(i.Kind),
		Direction:   indicatorv1.Direction(i.Direction),
		Unit:        i.Unit,
		Baseline:    measureToProto(i.Baseline),
		Achievement: resultToProto(i.Result),
		Position:    int32(i.Position),
		Term:        int32(i.Term),
		Etag:        etag.Of(i.Name(), i.Revision),
		CreateTime:  timeToProto(i.CreateTime),
		UpdateTime:  timeToProto(i.UpdateTime),
	}
	for _, e := range i.Entries {
		entry := &indicatorv1.YearEntry{
			Year: int32(e.Year), Target: measureToProto(e.Target), Actual: measureToProto(e.Actual),
			Assessment: indicatorv1.Assessment(e.Assessment), Unit: e.Unit, Note: e.Note, Evidence: e.Evidence,
		}
		if e.Result.State != indicator.StateUnspecified {
			entry.Achievement = resultToProto(entryResult(e.Result))
		}
		out.Entries = append(out.Entries, entry)
	}
	return out
}

// entryResult fills an entry's counts: it is one part, in its state.
func entryResult(r indicator.Result) indicator.Result {
	switch r.State {
	case indicator.StateMeasured:
		r.Measured = 1
	case indicator.StateNoData:
		r.NoData = 1
	case indicator.StateNotYetDue:
		r.NotYetDue = 1
	}
	return r
}

func indicatorFromProto(in *indicatorv1.Indicator) indicator.Indicator {
	i := indicator.Indicator{
		Title:     in.GetTitle(),
		Kind:      indicator.Kind(in.GetKind()),
		Direction: indicator.Direction(in.GetDirection()),
		Unit:      in.GetUnit(),
		Baseline:  measureFromProto(in.GetBaseline()),
		Position:  int(in.GetPosition()),
	}
	for _, e := range in.GetEntries() {
		i.Entries = append(i.Entries, indicator.Entry{
			Year: int(e.GetYear()), Target: measureFromProto(e.GetTarget()), Actual: measureFromProto(e.GetActual()),
			Assessment: indicator.Assessment(e.GetAssessment()), Unit: e.GetUnit(), Note: e.GetNote(), Evidence: e.GetEvidence(),
		})
	}
	return i
}

func summaryToProto(r postgres.SummaryRow) *indicatorv1.IndicatorSummary {
	out := &indicatorv1.IndicatorSummary{
		Term: int32(r.Term), Year: int32(r.Year),
		MeasuredEntries: int32(r.Measured), NoDataEntries: int32(r.NoData), NotYetDueEntries: int32(r.NotYetDue),
		MeanAchievement: r.MeanAchievement, OverdueIndicators: int32(r.OverdueIndicators),
	}
	if r.District != "" {
		out.District = resourcename.District.Format(r.District)
	}
	return out
}
