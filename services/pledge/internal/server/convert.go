package server

import (
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func dateToProto(d pledge.Date) *date.Date {
	if d.IsZero() {
		return nil
	}
	return &date.Date{Year: int32(d.Year), Month: int32(d.Month), Day: int32(d.Day)}
}

func dateFromProto(d *date.Date) pledge.Date {
	return pledge.Date{Year: int(d.GetYear()), Month: int(d.GetMonth()), Day: int(d.GetDay())}
}

func timeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func districtToProto(d pledge.District) *pledgev1.District {
	out := &pledgev1.District{
		Name:                   d.Name(),
		DisplayName:            d.DisplayName,
		Kind:                   pledgev1.DistrictKind(d.Kind),
		MetropolitanGovernment: d.MetropolitanGovernment,
		RegionCode:             d.RegionCode,
		CurrentTerm:            int32(d.CurrentTerm),
		Etag:                   etag.Of(d.Name(), d.Revision),
		CreateTime:             timeToProto(d.CreateTime),
		UpdateTime:             timeToProto(d.UpdateTime),
	}
	for _, t := range d.Terms {
		out.Terms = append(out.Terms, &pledgev1.Term{
			Number:           int32(t.Number),
			DisplayName:      t.DisplayName,
			StartDate:        dateToProto(t.Start),
			EndDate:          dateToProto(t.End),
			HeadOfGovernment: t.HeadOfGovernment,
			Public:           t.Public,
		})
	}
	return out
}

func districtFromProto(in *pledgev1.District) pledge.District {
	d := pledge.District{
		DisplayName:            in.GetDisplayName(),
		Kind:                   pledge.DistrictKind(in.GetKind()),
		MetropolitanGovernment: in.GetMetropolitanGovernment(),
		RegionCode:             in.GetRegionCode(),
		CurrentTerm:            int(in.GetCurrentTerm()),
	}
	for _, t := range in.GetTerms() {
		d.Terms = append(d.Terms, pledge.Term{
			Number:           int(t.GetNumber()),
			DisplayName:      t.GetDisplayName(),
			Start:            dateFromProto(t.GetStartDate()),
			End:              dateFromProto(t.GetEndDate()),
			HeadOfGovernment: t.GetHeadOfGovernment(),
			Public:           t.GetPublic(),
		})
	}
	return d
}

func departmentToProto(d pledge.Department) *pledgev1.Department {
	return &pledgev1.Department{
		Name:        d.Name(),
		DisplayName: d.DisplayName,
		Teams:       d.Teams,
		Phone:       d.Phone,
		Etag:        etag.Of(d.Name(), d.Revision),
		CreateTime:  timeToProto(d.CreateTime),
		UpdateTime:  timeToProto(d.UpdateTime),
	}
}

func departmentFromProto(in *pledgev1.Department) pledge.Department {
	return pledge.Department{DisplayName: in.GetDisplayName(), Teams: in.GetTeams(), Phone: in.GetPhone()}
}

func pledgeToProto(pt postgres.PledgeWithTerm) *pledgev1.Pledge {
	p := pt.Pledge
	out := &pledgev1.Pledge{
		Name:                  p.Name(),
		Term:                  int32(p.Term),
		Code:                  p.Code,
		Title:                 p.Title,
		ProjectType:           pledgev1.ProjectType(p.ProjectType),
		CompletionTiming:      pledgev1.CompletionTiming(p.CompletionTiming),
		OwningTeam:            p.OwningTeam,
		AllDepartmentsRelated: p.AllDepartmentsRelated,
		Status:                pledgev1.PledgeStatus(p.Status),
		StatusChangeTime:      timeToProto(p.StatusChangeTime),
		FinalGoal:             p.FinalGoal,
		Etag:                  etag.Of(p.Name(), p.Revision),
		CreateTime:            timeToProto(p.CreateTime),
		UpdateTime:            timeToProto(p.UpdateTime),
		DeleteTime:            timeToProto(p.DeleteTime),
		ProgressLog:           entriesToProto(p.ProgressLog),
		FuturePlans:           entriesToProto(p.FuturePlans),
	}
	if b := p.RequiredBudget; b.Label != "" || b.AmountWon != 0 || len(b.Shares) > 0 {
		out.RequiredBudget = &pledgev1.RequiredBudget{Label: b.Label, AmountWon: b.AmountWon}
		for _, s := range b.Shares {
			out.RequiredBudget.Shares = append(out.RequiredBudget.Shares, &pledgev1.FundingShare{
				Source: typev1.FundingSource(s.Source), Label: s.Label, Percent: int32(s.Percent),
			})
		}
	}
	if o := p.Overview; o.Period != (pledge.Period{}) || len(o.Methods) > 0 || len(o.Contents) > 0 {
		out.Overview = &pledgev1.Overview{Methods: bulletsToProto(o.Methods), Contents: bulletsToProto(o.Contents)}
		if o.Period != (pledge.Period{}) {
			out.Overview.Period = &pledgev1.Period{
				Label:     o.Period.Label,
				StartYear: int32(o.Period.StartYear),
				EndYear:   int32(o.Period.EndYear),
				OpenEnded: o.Period.OpenEnded,
			}
		}
	}
	if p.OwningDepartment != "" {
		out.OwningDepartment = pledge.DepartmentName(p.DistrictID, p.OwningDepartment)
	}
	for _, id := range p.RelatedDepartments {
		out.RelatedDepartments = append(out.RelatedDepartments, pledge.DepartmentName(p.DistrictID, id))
	}
	for _, l := range p.ImplementingLevels {
		out.ImplementingLevels = append(out.ImplementingLevels, pledgev1.ImplementingLevel(l))
	}
	for _, c := range p.Contacts {
		out.Contacts = append(out.Contacts, &pledgev1.Contact{Name: c.Name, Position: c.Position, Phone: c.Phone})
	}
	for _, b := range p.Background {
		out.Background = append(out.Background, &pledgev1.BackgroundPoint{Label: b.Label, Text: b.Text})
	}
	for _, g := range p.YearlyGoals {
		out.YearlyGoals = append(out.YearlyGoals, &pledgev1.YearlyGoal{Year: int32(g.Year), Goal: g.Goal})
	}
	for _, r := range p.Risks {
		out.Risks = append(out.Risks, &pledgev1.Risk{Problem: r.Problem, Countermeasure: r.Countermeasure})
	}
	for _, ph := range p.Photos {
		out.Photos = append(out.Photos, &pledgev1.Photo{Caption: ph.Caption, Text: ph.Text, Uri: ph.URI})
	}
	if pt.Term.Number != 0 {
		first, last := p.ValidYears(pt.Term)
		out.ValidYears = &pledgev1.YearRange{FirstYear: int32(first), LastYear: int32(last)}
	}
	return out
}

func bulletsToProto(bs []pledge.Bullet) []*pledgev1.Bullet {
	var out []*pledgev1.Bullet
	for _, b := range bs {
		out = append(out, &pledgev1.Bullet{Text: b.Text, Children: bulletsToProto(b.Children)})
	}
	return out
}

func bulletsFromProto(bs []*pledgev1.Bullet) []pledge.Bullet {
	var out []pledge.Bullet
	for _, b := range bs {
		out = append(out, pledge.Bullet{Text: b.GetText(), Children: bulletsFromProto(b.GetChildren())})
	}
	return out
}

func entriesToProto(es []pledge.DatedEntry) []*pledgev1.DatedEntry {
	var out []*pledgev1.DatedEntry
	for i, e := range es {
		d := &pledgev1.DateLabel{
			Label:     e.Date.Label,
			Date:      dateToProto(e.Date.Date),
			Precision: pledgev1.DatePrecision(e.Date.Precision),
			EndDate:   dateToProto(e.Date.End),
			OpenEnded: e.Date.OpenEnded,
		}
		for _, m := range e.Date.More {
			d.MoreDates = append(d.MoreDates, dateToProto(m))
		}
		out = append(out, &pledgev1.DatedEntry{Sequence: int32(i + 1), Date: d, Items: bulletsToProto(e.Items)})
	}
	return out
}

// entriesFromProto keeps only the labels of dates: the server reads them.
func entriesFromProto(es []*pledgev1.DatedEntry) []pledge.DatedEntry {
	var out []pledge.DatedEntry
	for _, e := range es {
		out = append(out, pledge.DatedEntry{
			Date:  pledge.DateLabel{Label: e.GetDate().GetLabel()},
			Items: bulletsFromProto(e.GetItems()),
		})
	}
	return out
}

// pledgeFromProto reads a pledge of district from the request field
// "pledge". Department references must name departments of the same
// district.
func pledgeFromProto(in *pledgev1.Pledge, district string) (pledge.Pledge, error) {
	var v apierr.Violations
	p := pledge.Pledge{
		DistrictID:            district,
		Term:                  int(in.GetTerm()),
		Code:                  in.GetCode(),
		Title:                 in.GetTitle(),
		ProjectType:           pledge.ProjectType(in.GetProjectType()),
		CompletionTiming:      pledge.CompletionTiming(in.GetCompletionTiming()),
		OwningTeam:            in.GetOwningTeam(),
		AllDepartmentsRelated: in.GetAllDepartmentsRelated(),
		Status:                pledge.Status(in.GetStatus()),
		FinalGoal:             in.GetFinalGoal(),
		RequiredBudget: pledge.RequiredBudget{
			Label:     in.GetRequiredBudget().GetLabel(),
			AmountWon: in.GetRequiredBudget().GetAmountWon(),
		},
		Overview: pledge.Overview{
			Period: pledge.Period{
				Label:     in.GetOverview().GetPeriod().GetLabel(),
				StartYear: int(in.GetOverview().GetPeriod().GetStartYear()),
				EndYear:   int(in.GetOverview().GetPeriod().GetEndYear()),
				OpenEnded: in.GetOverview().GetPeriod().GetOpenEnded(),
			},
			Methods:  bulletsFromProto(in.GetOverview().GetMethods()),
			Contents: bulletsFromProto(in.GetOverview().GetContents()),
		},
		ProgressLog: entriesFromProto(in.GetProgressLog()),
		FuturePlans: entriesFromProto(in.GetFuturePlans()),
	}
	ref := func(field, name string) string {
		d, id, err := pledge.ParseDepartmentName(field, name)
		if err != nil {
			v.Merge(err)
			return ""
		}
		if d != district {
			v.Add(field, "names a department of another district")
		}
		return id
	}
	if in.GetOwningDepartment() != "" {
		p.OwningDepartment = ref("pledge.owning_department", in.GetOwningDepartment())
	}
	for i, name := range in.GetRelatedDepartments() {
		p.RelatedDepartments = append(p.RelatedDepartments, ref(apierr.Path("pledge", "related_departments", i), name))
	}
	for _, l := range in.GetImplementingLevels() {
		p.ImplementingLevels = append(p.ImplementingLevels, pledge.ImplementingLevel(l))
	}
	for _, c := range in.GetContacts() {
		p.Contacts = append(p.Contacts, pledge.Contact{Name: c.GetName(), Position: c.GetPosition(), Phone: c.GetPhone()})
	}
	for _, s := range in.GetRequiredBudget().GetShares() {
		p.RequiredBudget.Shares = append(p.RequiredBudget.Shares, pledge.FundingShare{
			Source: pledge.FundingSource(s.GetSource()), Label: s.GetLabel(), Percent: int(s.GetPercent()),
		})
	}
	for _, b := range in.GetBackground() {
		p.Background = append(p.Background, pledge.BackgroundPoint{Label: b.GetLabel(), Text: b.GetText()})
	}
	for _, g := range in.GetYearlyGoals() {
		p.YearlyGoals = append(p.YearlyGoals, pledge.YearlyGoal{Year: int(g.GetYear()), Goal: g.GetGoal()})
	}
	for _, r := range in.GetRisks() {
		p.Risks = append(p.Risks, pledge.Risk{Problem: r.GetProblem(), Countermeasure: r.GetCountermeasure()})
	}
	for _, ph := range in.GetPhotos() {
		// uri is output only: a file stays with its photo's position.
		p.Photos = append(p.Photos, pledge.Photo{Caption: ph.GetCaption(), Text: ph.GetText()})
	}
	return p, v.Err()
}

func statusChangeToProto(c pledge.StatusChange) *pledgev1.StatusChange {
	return &pledgev1.StatusChange{
		Name:           c.Name(),
		PreviousStatus: pledgev1.PledgeStatus(c.Previous),
		Status:         pledgev1.PledgeStatus(c.Status),
		Reason:         c.Reason,
		Actor:          c.Actor,
		ChangeTime:     timeToProto(c.Time),
		EffectiveDate:  dateToProto(c.EffectiveDate),
		UpdateTime:     timeToProto(c.UpdateTime),
	}
}
