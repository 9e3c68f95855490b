package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/pkg/summary"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// SummaryQuery is what SummarizePledges counts.
type SummaryQuery struct {
	summary.Query
	// Enums are the enum names a filter on status or project_type
	// compares against.
	Enums map[string]map[string]int32
}

// StatusCounts counts pledges by status; Unspecified are those without one
// (미지정).
type StatusCounts struct {
	Completed, CompletedContinuing, OnTrack, Partial, OnHold, Abandoned, Unspecified int
}

// SummaryRow counts the pledges of one group; the fields not grouped by
// are zero.
type SummaryRow struct {
	District               string
	MetropolitanGovernment string
	Term                   int
	Status                 pledge.Status
	ProjectType            pledge.ProjectType
	// Department is the owning department's name, "" for pledges without
	// one.
	Department  string
	PledgeCount int
	Statuses    StatusCounts
	// CompletionRate is (완료 + 이행 후 계속추진) ÷ PledgeCount, a percent
	// with two decimals rounded by PostgreSQL as the other services'
	// summaries round their rates; "" without pledges.
	CompletionRate string
}

// summaryDimensions are what a pledge summary can be grouped by, in the
// order its rows carry them.
var summaryDimensions = []summary.Dimension{
	summary.District("p.district_id"),
	{Name: "metropolitan_government", Column: "d.metropolitan_government", Zero: "''"},
	summary.Term("p.term"),
	{Name: "status", Column: "p.status", Zero: "0::smallint"},
	{Name: "project_type", Column: "p.project_type", Zero: "0::smallint"},
	{Name: "department", Column: departmentColumn, Zero: "''"},
}

// departmentColumn names a pledge's owning department, or is "" for a
// pledge without one.
var departmentColumn = "coalesce(" + resourcename.Department.SQL("p.district_id", "p.owning_department") + ", '')"

// summarySums count a group's pledges by status and rate its completion.
const summarySums = `count(*),
	count(*) FILTER (WHERE p.status = 1), count(*) FILTER (WHERE p.status = 2), count(*) FILTER (WHERE p.status = 3),
	count(*) FILTER (WHERE p.status = 4), count(*) FILTER (WHERE p.status = 5), count(*) FILTER (WHERE p.status = 6),
	count(*) FILTER (WHERE p.status NOT BETWEEN 1 AND 6),
	coalesce(round(100.0 * count(*) FILTER (WHERE p.status IN (1, 2)) / nullif(count(*), 0), 2)::text, '')`

// SummarizePledges counts the pledges that are not deleted by the
// requested groups in one SQL statement, and all of them together in
// another; the page's rows come in group order.
func (s *Store) SummarizePledges(ctx context.Context, q SummaryQuery) ([]SummaryRow, SummaryRow, string, error) {
	p, err := q.Prepare("pledges:summarize", summaryDimensions, filter.Schema{
		"district":                {Column: resourcename.District.SQL("p.district_id"), Kind: filter.Text},
		"metropolitan_government": {Column: "d.metropolitan_government", Kind: filter.Text},
		"term":                    {Column: "p.term", Kind: filter.Int},
		"status":                  {Column: "p.status", Kind: filter.Enum, Values: q.Enums["status"]},
		"project_type":            {Column: "p.project_type", Kind: filter.Enum, Values: q.Enums["project_type"]},
		"department":              {Column: departmentColumn, Kind: filter.Text},
	}, 2)
	if err != nil {
		return nil, SummaryRow{}, "", err
	}
	if q.District != "" {
		if _, err := getDistrict(ctx, s.pool, q.District, ""); err != nil {
			return nil, SummaryRow{}, "", err
		}
	}
	return summary.Sums[SummaryRow]{
		Select: summarySums, Values: (*SummaryRow).sums,
		From: ` FROM pledges p JOIN districts d ON d.id = p.district_id
			WHERE ($1 = '' OR p.district_id = $1) AND p.delete_time IS NULL AND ` + p.Where,
		Args: append([]any{q.District}, p.Args...),
		Dimensions: func(r *SummaryRow) []any {
			return []any{&r.District, &r.MetropolitanGovernment, &r.Term, &r.Status, &r.ProjectType, &r.Department}
		},
	}.Read(ctx, s.pool, p)
}

// sums are where a row's counts scan, in summarySums' order.
func (r *SummaryRow) sums() []any {
	c := &r.Statuses
	return []any{&r.PledgeCount, &c.Completed, &c.CompletedContinuing, &c.OnTrack, &c.Partial, &c.OnHold, &c.Abandoned,
		&c.Unspecified, &r.CompletionRate}
}
