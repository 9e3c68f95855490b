package scalegen

import (
	"fmt"
	"slices"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/money"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// pledges makes a district's pledges: cfg.Pledges of 민선 8기, a few of
// 민선 7기 (one per 50, at least one), and now and then one created by
// mistake and deleted.
func (g *gen) pledges(d District) []Pledge {
	titles := g.r.Perm(len(titleWho) * len(titleWhat) * len(titleDo))
	var out []Pledge
	next := 0
	title := func() string {
		n := titles[next%len(titles)]
		next++
		who, what, do := titleWho[n%len(titleWho)], titleWhat[n/len(titleWho)%len(titleWhat)], titleDo[n/len(titleWho)/len(titleWhat)]
		return who + " " + what + " " + do
	}
	for n := range g.cfg.Pledges {
		out = append(out, g.pledge(d, Term8, fmt.Sprintf("p8-%03d", n+1), fmt.Sprintf("%d-%d", n/30+1, n%30+1), title()))
	}
	for n := range max(1, g.cfg.Pledges/50) {
		out = append(out, g.pledge(d, Term7, fmt.Sprintf("p7-%03d", n+1), fmt.Sprintf("%d-%d", n/30+1, n%30+1), title()))
	}
	if g.chance(0.5) {
		out = append(out, Pledge{ID: "x8-001", Deleted: true, Pledge: &pledgev1.Pledge{
			Title: title(), Term: 8, Code: "0-1", OwningDepartment: resourcename.Department.Format(d.ID, pick(g, d.Departments).ID),
		}})
	}
	return out
}

// pledge makes one pledge of term t with everything under it.
func (g *gen) pledge(d District, t Term, id, code, title string) Pledge {
	dep := pick(g, d.Departments)
	p := &pledgev1.Pledge{
		Title: title, Code: code, Term: t.Number,
		ProjectType:        pledgev1.ProjectType_PROJECT_TYPE_NEW,
		CompletionTiming:   pledgev1.CompletionTiming_COMPLETION_TIMING_WITHIN_TERM,
		ImplementingLevels: []pledgev1.ImplementingLevel{pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_LOCAL},
		OwningDepartment:   resourcename.Department.Format(d.ID, dep.ID),
		OwningTeam:         dep.Value.GetTeams()[0],
		Contacts:           []*pledgev1.Contact{{Name: g.person(), Position: "주무관", Phone: dep.Value.GetPhone()}},
		FinalGoal:          title + "으로 주민 삶의 질 향상",
		Background:         []*pledgev1.BackgroundPoint{{Label: "필요성", Text: fmt.Sprintf("%s의 %s 수요 증가에 대응", d.District.GetDisplayName(), title)}},
	}
	if g.chance(0.4) {
		p.ProjectType = pledgev1.ProjectType_PROJECT_TYPE_CONTINUING
	}
	if g.chance(0.3) {
		p.ImplementingLevels = append([]pledgev1.ImplementingLevel{pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_METROPOLITAN}, p.ImplementingLevels...)
	}
	if g.chance(0.15) {
		p.ImplementingLevels = append([]pledgev1.ImplementingLevel{pledgev1.ImplementingLevel_IMPLEMENTING_LEVEL_NATIONAL}, p.ImplementingLevels...)
	}
	first, last := t.Start.Year(), t.End.Year()
	period := &pledgev1.Period{StartYear: int32(g.between(first, first+1)), EndYear: int32(g.between(last-1, last))}
	// Some of 민선 8기's pledges complete after the term (임기후): their
	// years run on.
	if t == Term8 && g.chance(0.15) {
		p.CompletionTiming = pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM
		period = &pledgev1.Period{StartYear: int32(first + 1), EndYear: int32(g.between(last+1, last+4))}
	}
	period.Label = fmt.Sprintf("%d~%d", period.GetStartYear(), period.GetEndYear())
	p.Overview = &pledgev1.Overview{
		Period:   period,
		Methods:  []*pledgev1.Bullet{{Text: pick(g, []string{"직영", "위탁 운영", "민관 협력", "공모 사업 연계"})}},
		Contents: []*pledgev1.Bullet{{Text: title, Children: []*pledgev1.Bullet{{Text: "대상: " + pick(g, titleWho)}}}},
	}
	years := make([]int, 0, 8)
	for y := int(period.GetStartYear()); y <= int(period.GetEndYear()); y++ {
		years = append(years, y)
		p.YearlyGoals = append(p.YearlyGoals, &pledgev1.YearlyGoal{Year: int32(y), Goal: fmt.Sprintf("%d년 단계별 목표 달성", y)})
	}
	last8 := g.lastDay(t)
	for _, day := range g.days(t.Start, last8, g.between(2, 4)) {
		p.ProgressLog = append(p.ProgressLog, &pledgev1.DatedEntry{
			Date:  &pledgev1.DateLabel{Label: fmt.Sprintf("'%02d. %d.", day.Year()%100, int(day.Month()))},
			Items: []*pledgev1.Bullet{{Text: pick(g, []string{"기본계획 수립", "주민설명회 개최", "실시설계 용역", "공사 착공", "시범 운영", "예산 확보"})}},
		})
	}
	if p.GetCompletionTiming() == pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM {
		p.FuturePlans = []*pledgev1.DatedEntry{{Date: &pledgev1.DateLabel{Label: fmt.Sprintf("'%02d. 3. ~", (last+1)%100)},
			Items: []*pledgev1.Bullet{{Text: "후속 단계 추진"}}}}
	}
	if g.chance(0.3) {
		p.Risks = []*pledgev1.Risk{{Problem: "사업비 증가", Countermeasure: "국·시비 추가 확보"}}
	}
	out := Pledge{ID: id, Pledge: p, History: g.history(t, p.GetCompletionTiming())}
	out.Budget = g.budget(d, id, years)
	if total := out.Budget.GetLines(); len(total) > 0 {
		var won int64
		for _, l := range total {
			won += l.GetPlannedWon()
		}
		p.RequiredBudget = &pledgev1.RequiredBudget{Label: money.FormatMillionWon(won) + "백만원", AmountWon: won}
	}
	out.Indicators = g.indicators(d, id, years)
	return out
}

// lastDay is the last day history of term t may fall on: the term's end,
// or the day before today when that is sooner.
func (g *gen) lastDay(t Term) time.Time {
	yesterday := g.cfg.Today.AddDate(0, 0, -1)
	if yesterday.Before(t.End) {
		return yesterday
	}
	return t.End
}

// days picks n different days from two weeks after from to to, in order.
func (g *gen) days(from, to time.Time, n int) []time.Time {
	from = from.AddDate(0, 0, 14)
	span := int(to.Sub(from).Hours()/24) + 1
	if span < 1 {
		return nil
	}
	taken := map[int]bool{}
	var out []time.Time
	for len(out) < min(n, span) {
		if k := g.r.IntN(span); !taken[k] {
			taken[k] = true
			out = append(out, from.AddDate(0, 0, k))
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// finals are the statuses pledges end at, with their odds; after-term
// pledges complete less often.
var finals = map[bool][]struct {
	status pledgev1.PledgeStatus
	odds   float64
}{
	false: {{pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, 0.38}, {pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING, 0.15},
		{pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK, 0.30}, {pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL, 0.09},
		{pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, 0.05}, {pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED, 0.03}},
	true: {{pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED, 0.05}, {pledgev1.PledgeStatus_PLEDGE_STATUS_COMPLETED_CONTINUING, 0.10},
		{pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK, 0.60}, {pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL, 0.17},
		{pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD, 0.05}, {pledgev1.PledgeStatus_PLEDGE_STATUS_ABANDONED, 0.03}},
}

// passing are the statuses a pledge passes through, with their odds.
var passing = []pledgev1.PledgeStatus{
	pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK, pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK, pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK,
	pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK, pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL, pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL,
	pledgev1.PledgeStatus_PLEDGE_STATUS_PARTIAL, pledgev1.PledgeStatus_PLEDGE_STATUS_ON_HOLD,
}

// history makes 2 to 4 status changes within term t, each to a status
// other than the one before, the first from 정상추진 (as a pledge is
// created), ending at a final status. A few of 민선 8기's pledges start
// late, after the report period, and had no status in it.
func (g *gen) history(t Term, timing pledgev1.CompletionTiming) []StatusStep {
	n := g.between(2, 4)
	from, to := t.Start, g.lastDay(t)
	if t == Term8 && g.chance(0.03) && g.cfg.AsOfDate.AddDate(0, 0, 20).Before(to) {
		from = g.cfg.AsOfDate // days start two weeks after it
	}
	days := g.days(from, to, n)
	steps := make([]StatusStep, len(days))
	roll, final := g.r.Float64(), pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK
	for _, f := range finals[timing == pledgev1.CompletionTiming_COMPLETION_TIMING_AFTER_TERM] {
		if roll < f.odds {
			final = f.status
			break
		}
		roll -= f.odds
	}
	// Each change is to another status than the one before; a pledge is
	// created 정상추진, so its first change is to another.
	created := pledgev1.PledgeStatus_PLEDGE_STATUS_ON_TRACK
	for i := len(steps) - 1; i >= 0; i-- {
		s := final
		for i < len(steps)-1 && s == steps[i+1].Status || i == 0 && s == created {
			s = pick(g, passing)
		}
		steps[i] = StatusStep{Status: s, Effective: days[i], Reason: pick(g, reasons)}
	}
	return steps
}
