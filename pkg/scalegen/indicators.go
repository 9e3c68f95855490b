package scalegen

import (
	"fmt"
	"strconv"

	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
)

// indicators makes one to three indicators of a pledge over its years,
// quantitative mostly. A year that has passed has its actual (or, for a
// qualitative indicator, its assessment) most of the time and no data
// otherwise; the current year has it now and then; later years are not
// yet due.
func (g *gen) indicators(d District, pledge string, years []int) []Record[*indicatorv1.Indicator] {
	var out []Record[*indicatorv1.Indicator]
	current := g.cfg.Today.Year()
	for n := range g.between(1, 3) {
		var i *indicatorv1.Indicator
		if g.chance(0.7) {
			i = g.quantitative(years, current)
		} else {
			i = g.qualitative(years, current)
		}
		out = append(out, Record[*indicatorv1.Indicator]{ID: fmt.Sprintf("i%d", n+1), Value: i})
	}
	return out
}

// reported says whether a year's actual was reported: most years that
// have passed, some current ones, no later one.
func (g *gen) reported(year, current int) bool {
	switch {
	case year < current:
		return g.chance(0.85)
	case year == current:
		return g.chance(0.3)
	}
	return false
}

func (g *gen) quantitative(years []int, current int) *indicatorv1.Indicator {
	i := &indicatorv1.Indicator{Kind: indicatorv1.IndicatorKind_INDICATOR_KIND_QUANTITATIVE,
		Direction: indicatorv1.Direction_DIRECTION_HIGHER_IS_BETTER, Unit: pick(g, units)}
	i.Title = pick(g, titleWhat) + " 이용 실적"
	lower := g.chance(0.15)
	if lower {
		i.Direction, i.Unit, i.Title = indicatorv1.Direction_DIRECTION_LOWER_IS_BETTER, "건", pick(g, titleWho)+" 안전사고 건수"
	}
	base := g.between(5, 500)
	i.Baseline = &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: strconv.Itoa(base)}}
	for k, y := range years {
		target := base + base*(k+1)/5
		if lower {
			target = max(1, base-base*(k+1)/10)
		}
		e := &indicatorv1.YearEntry{Year: int32(y), Target: &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: strconv.Itoa(target)}}}
		if g.reported(y, current) {
			actual := target * g.between(40, 130) / 100
			e.Actual = &indicatorv1.Measure{Value: &indicatorv1.Measure_Number{Number: strconv.Itoa(actual)}}
		}
		i.Entries = append(i.Entries, e)
	}
	return i
}

func (g *gen) qualitative(years []int, current int) *indicatorv1.Indicator {
	i := &indicatorv1.Indicator{Kind: indicatorv1.IndicatorKind_INDICATOR_KIND_QUALITATIVE, Title: pick(g, titleWhat) + " 운영 체계 구축"}
	for _, y := range years {
		e := &indicatorv1.YearEntry{Year: int32(y), Target: &indicatorv1.Measure{Value: &indicatorv1.Measure_Text{Text: fmt.Sprintf("%d년 단계 완료", y)}}}
		switch {
		case g.reported(y, current):
			e.Actual = &indicatorv1.Measure{Value: &indicatorv1.Measure_Text{Text: "계획대로 추진"}}
			e.Assessment = pick(g, []indicatorv1.Assessment{indicatorv1.Assessment_ASSESSMENT_ACHIEVED, indicatorv1.Assessment_ASSESSMENT_ACHIEVED,
				indicatorv1.Assessment_ASSESSMENT_ACHIEVED, indicatorv1.Assessment_ASSESSMENT_PARTLY_ACHIEVED, indicatorv1.Assessment_ASSESSMENT_PARTLY_ACHIEVED,
				indicatorv1.Assessment_ASSESSMENT_NOT_ACHIEVED})
		case y >= current && g.chance(0.5):
			e.Assessment = indicatorv1.Assessment_ASSESSMENT_NOT_YET_DUE
		}
		i.Entries = append(i.Entries, e)
	}
	return i
}
