package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

// PledgeQuery is what ListPledges lists.
type PledgeQuery struct {
	// District is the district listed, or auth.AllDistricts (`-`) for
	// every district.
	District    string
	Size        int
	Token       string
	Filter      string
	OrderBy     string
	Query       string
	ShowDeleted bool
	// PublishedOnly lists the pledges of the district's public terms
	// alone, deleted ones never: what a caller who may not read the
	// district sees.
	PublishedOnly bool
	// Readable are the districts listed whole even with PublishedOnly, in
	// a listing of every district: those the caller reads district by
	// district.
	Readable []string
	// Enum names filters compare against, by field.
	Enums map[string]map[string]int32
}

// PledgePage is one page of pledges.
type PledgePage struct {
	Pledges   []PledgeWithTerm
	NextToken string
	Total     int
}

// orderable maps order_by fields to their sort key.
var orderable = map[string]pagetoken.Key{
	"title":       {Expr: "title", Type: "text"},
	"code":        {Expr: "code", Type: "text"},
	"term":        {Expr: "term", Type: "integer"},
	"status":      {Expr: "status", Type: "smallint"},
	"create_time": {Expr: "create_time", Type: "timestamptz"},
	"update_time": {Expr: "update_time", Type: "timestamptz"},
}

// parseOrderBy reads an AIP-132 order_by into sort keys, ending with the
// id so every pledge has one place (after the district's id, across
// districts).
func parseOrderBy(orderBy string, relevance string, across bool) ([]pagetoken.Key, []string, error) {
	var keys []pagetoken.Key
	var names []string
	seen := map[string]bool{}
	for _, part := range strings.Split(orderBy, ",") {
		fields := strings.Fields(part)
		if len(fields) == 0 {
			continue
		}
		key, ok := orderable[fields[0]]
		if !ok || len(fields) > 2 || len(fields) == 2 && fields[1] != "desc" && fields[1] != "asc" || seen[fields[0]] {
			return nil, nil, apierr.Invalid("order_by", "%q is not a sort order; use title, code, term, status, create_time or update_time, each optionally followed by desc, separated by commas", strings.TrimSpace(part))
		}
		seen[fields[0]] = true
		key.Desc = len(fields) == 2 && fields[1] == "desc"
		keys, names = append(keys, key), append(names, fields[0])
	}
	if len(keys) == 0 {
		if relevance != "" {
			keys, names = append(keys, pagetoken.Key{Expr: relevance, Type: "real", Desc: true}), append(names, "relevance")
		}
		keys, names = append(keys, orderable["create_time"]), append(names, "create_time")
	}
	if across {
		keys, names = append(keys, pagetoken.Key{Expr: "district_id", Type: "text"}), append(names, "district")
	}
	return append(keys, pagetoken.Key{Expr: "id", Type: "text"}), append(names, "id"), nil
}

// updateTimeFilter is the filter of a List that filters on update_time
// alone: a poller's question, what changed since.
var updateTimeFilter = filter.Schema{"update_time": {Column: "update_time", Kind: filter.Time}}

// pledgeFilter lists the fields a pledge filter may name.
func pledgeFilter(enums map[string]map[string]int32) filter.Schema {
	return filter.Schema{
		"district":                {Column: resourcename.District.SQL("district_id"), Kind: filter.Text},
		"metropolitan_government": {Column: "(SELECT d.metropolitan_government FROM districts d WHERE d.id = pledges.district_id)", Kind: filter.Text},
		"term":                    {Column: "term", Kind: filter.Int},
		"code":                    {Column: "code", Kind: filter.Text},
		"title":                   {Column: "title", Kind: filter.Text},
		"owning_department":       {Column: resourcename.Department.SQL("district_id", "coalesce(owning_department, '')"), Kind: filter.Text},
		"status":                  {Column: "status", Kind: filter.Enum, Values: enums["status"]},
		"project_type":            {Column: "project_type", Kind: filter.Enum, Values: enums["project_type"]},
		"completion_timing":       {Column: "completion_timing", Kind: filter.Enum, Values: enums["completion_timing"]},
		"implementing_levels":     {Column: "implementing_levels", Kind: filter.EnumList, Values: enums["implementing_levels"]},
		"update_time":             {Column: "update_time", Kind: filter.Time},
	}
}

// ListPledges returns a page of a district's pledges, or of every
// district's, in an order that holds across pages.
func (s *Store) ListPledges(ctx context.Context, q PledgeQuery) (PledgePage, error) {
	across := q.District == auth.AllDistricts
	var one *pledge.District // the district listed, with its terms, unless across
	if !across {
		d, err := s.district(ctx, q.District)
		if err != nil {
			return PledgePage{}, err
		}
		one = &d
	}
	q.Query = strings.TrimSpace(q.Query)
	if len([]rune(q.Query)) > 100 {
		return PledgePage{}, apierr.Invalid("query", "is longer than 100 characters")
	}
	bound := []string{q.District, q.Filter, q.OrderBy, q.Query, strconv.FormatBool(q.ShowDeleted), strconv.FormatBool(q.PublishedOnly)}
	if across {
		bound = append(bound, strings.Join(q.Readable, ","))
	}
	binding := pagetoken.Bind(append([]string{"pledges"}, bound...)...)

	args := []any{q.District, q.ShowDeleted}
	where := []string{"district_id = $1", "($2 OR delete_time IS NULL)"}
	if across {
		where[0] = "$1::text = '-'"
	}
	relevance := ""
	if q.Query != "" {
		args = append(args, q.Query)
		// The word found anywhere, whatever its case: the lower-cased word
		// in the lower-cased text, which is what ILIKE '%word%' compares
		// (with no % or _ to escape); word similarity (<%) forgives small
		// differences. Plain % similarity would miss a word in a long
		// title.
		//
		// The grams narrow the first to the pledges holding every piece
		// of the word, through an index that serves words of one or two
		// characters as the trigram index cannot (migration 0009);
		// position decides. The word's grams are computed once, not for
		// each pledge as a prepared statement's generic plan would, and
		// position, unlike ILIKE, is no condition the trigram index offers
		// to serve, by reading all of itself for a short word.
		where = append(where, `((search_grams @> (SELECT search_word_grams(lower($3))) AND position(lower($3) IN lower(search_text)) > 0)
			OR $3 <% search_text)`)
		relevance = "word_similarity($3, search_text)"
	}
	if q.PublishedOnly {
		// What is published — a public term's pledges, deleted ones never
		// — and the districts the caller reads whole.
		args = append(args, nonNil(q.Readable))
		where = append(where, fmt.Sprintf(`(district_id = ANY($%d) OR delete_time IS NULL AND EXISTS (SELECT 1 FROM terms t
			WHERE t.district_id = pledges.district_id AND t.number = pledges.term AND t.public))`, len(args)))
	}
	cond, fargs, err := filter.SQL(q.Filter, pledgeFilter(q.Enums), len(args)+1)
	if err != nil {
		return PledgePage{}, err
	}
	args = append(args, fargs...)
	where = append(where, cond)

	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pledges WHERE `+strings.Join(where, " AND "), args...).Scan(&total); err != nil {
		return PledgePage{}, err
	}

	keys, names, err := parseOrderBy(q.OrderBy, relevance, across)
	if err != nil {
		return PledgePage{}, err
	}
	after, err := pagetoken.Decode(q.Token, binding, len(keys))
	if err != nil {
		return PledgePage{}, err
	}
	afterCond, afterArgs := pagetoken.After(keys, after, len(args)+1)
	args = append(args, afterArgs...)
	where = append(where, afterCond)
	rel := "0::real"
	if relevance != "" {
		rel = relevance
	}
	args = append(args, q.Size+1)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT %s, %s FROM pledges WHERE %s ORDER BY %s LIMIT $%d`,
		pledgeColumns, rel, strings.Join(where, " AND "), pagetoken.OrderBy(keys), len(args)), args...)
	if err != nil {
		return PledgePage{}, err
	}
	type scored struct {
		p   pledge.Pledge
		rel float32
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (scored, error) {
		var sc scored
		var err error
		sc.p, err = scanPledge(row, &sc.rel)
		return sc, err
	})
	if err != nil {
		return PledgePage{}, err
	}
	page := PledgePage{Total: total}
	list, page.NextToken = pagetoken.Cut(list, q.Size, binding, func(last scored) []string {
		values := make([]string, len(names))
		for i, n := range names {
			values[i] = sortValue(last.p, n, last.rel)
		}
		return values
	})
	if one != nil {
		for _, sc := range list {
			t, _ := one.Term(sc.p.Term)
			page.Pledges = append(page.Pledges, PledgeWithTerm{Pledge: sc.p, Term: t})
		}
		return page, nil
	}
	var districts []string
	for _, sc := range list {
		districts = append(districts, sc.p.DistrictID)
	}
	terms, err := termsOf(ctx, s.pool, districts)
	if err != nil {
		return PledgePage{}, err
	}
	for _, sc := range list {
		page.Pledges = append(page.Pledges, PledgeWithTerm{Pledge: sc.p, Term: terms[sc.p.DistrictID][sc.p.Term]})
	}
	return page, nil
}

// termsOf reads the terms of districts, by district and number.
func termsOf(ctx context.Context, q pgdb.Querier, districts []string) (map[string]map[int]pledge.Term, error) {
	rows, err := q.Query(ctx, `SELECT district_id, number, display_name, start_date, end_date, head_of_government, public
		FROM terms WHERE district_id = ANY($1)`, nonNil(districts))
	if err != nil {
		return nil, err
	}
	out := map[string]map[int]pledge.Term{}
	var district string
	var t pledge.Term
	var start, end time.Time
	_, err = pgx.ForEachRow(rows, []any{&district, &t.Number, &t.DisplayName, &start, &end, &t.HeadOfGovernment, &t.Public}, func() error {
		t.Start, t.End = toDate(start), toDate(end)
		if out[district] == nil {
			out[district] = map[int]pledge.Term{}
		}
		out[district][t.Number] = t
		return nil
	})
	return out, err
}

func sortValue(p pledge.Pledge, name string, rel float32) string {
	switch name {
	case "title":
		return p.Title
	case "code":
		return p.Code
	case "term":
		return strconv.Itoa(p.Term)
	case "status":
		return strconv.Itoa(int(p.Status))
	case "create_time":
		return p.CreateTime.UTC().Format(time.RFC3339Nano)
	case "update_time":
		return p.UpdateTime.UTC().Format(time.RFC3339Nano)
	case "relevance":
		return strconv.FormatFloat(float64(rel), 'g', -1, 32)
	case "district":
		return p.DistrictID
	}
	return p.ID
}

// ListStatusChanges returns a page of a pledge's status history, oldest
// first.
func (s *Store) ListStatusChanges(ctx context.Context, district, id, filterText string, size int, token string) ([]pledge.StatusChange, string, error) {
	if _, err := getPledge(ctx, s.pool, district, id, ""); err != nil {
		return nil, "", err
	}
	binding := pagetoken.Bind("statusChanges", district, id, filterText)
	after, err := pagetoken.Decode(token, binding, 1)
	if err != nil {
		return nil, "", err
	}
	where, fargs, err := filter.SQL(filterText, updateTimeFilter, 4)
	if err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "number", Type: "bigint"}}
	cond, args := pagetoken.After(keys, after, 4+len(fargs))
	rows, err := s.pool.Query(ctx, `SELECT number, previous_status, status, reason, actor, change_time, effective_date, update_time
		FROM status_changes WHERE district_id = $1 AND pledge_id = $2 AND `+where+` AND `+cond+`
		ORDER BY number LIMIT $3`, append(append([]any{district, id, size + 1}, fargs...), args...)...)
	if err != nil {
		return nil, "", err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.StatusChange, error) {
		c := pledge.StatusChange{DistrictID: district, PledgeID: id}
		var effective time.Time
		err := row.Scan(&c.Number, &c.Previous, &c.Status, &c.Reason, &c.Actor, &c.Time, &effective, &c.UpdateTime)
		c.EffectiveDate = toDate(effective)
		return c, err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := pagetoken.Cut(list, size, binding, func(last pledge.StatusChange) []string {
		return []string{strconv.FormatInt(last.Number, 10)}
	})
	return list, next, nil
}
