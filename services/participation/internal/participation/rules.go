package participation

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/fieldtext"
	"github.com/gongyak/gongyak/pkg/personal"
)

// Defaults of an evaluation.
const (
	DefaultBallotScaleMax = 10
	maxCount              = 10_000_000
	maxTitle              = 300
	maxText               = 4000
	maxName               = 50
	maxOptions            = 20
	maxScores             = 20
)

// score is a score of 0–100 with at most two decimals.
var score = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,2})?$`)

// ValidScore reports whether s is a score from 0 to 100 with at most two
// decimals.
func ValidScore(s string) bool {
	if !score.MatchString(s) {
		return false
	}
	f, _ := strconv.ParseFloat(s, 64) // a bound check only; scores are kept as text and summed as numeric
	return f <= 100
}

type checker struct {
	v      apierr.Violations
	prefix string
}

func (c *checker) f(parts ...any) string { return apierr.Path(append([]any{c.prefix}, parts...)...) }

// text checks a text field; personal data is never repeated in what it
// says.
func (c *checker) text(field, s string, max int, required bool) {
	fieldtext.Check(&c.v, field, s, max, required, "\n\t")
}

func (c *checker) person(field string, p Person, nameRequired bool) {
	c.text(apierr.Path(field, "name"), p.Name, maxName, nameRequired)
	if p.Phone != "" && !personal.ValidPhone(p.Phone) {
		c.v.Add(apierr.Path(field, "phone"), "is not a phone number; write it like 010-1234-5678")
	}
	if p.Email != "" && !personal.ValidEmail(p.Email) {
		c.v.Add(apierr.Path(field, "email"), "is not an e-mail address")
	}
}

func (c *checker) date(field string, d Date) {
	if d.IsZero() {
		return
	}
	days := [...]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if d.Year < 1990 || d.Year > 2100 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > days[d.Month-1] ||
		d.Month == 2 && d.Day == 29 && !(d.Year%4 == 0 && (d.Year%100 != 0 || d.Year%400 == 0)) {
		c.v.Add(field, "must be a whole date, such as 2020-04-24")
	}
}

func before(a, b Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	return a.Day <= b.Day
}

func (c *checker) window(field string, w Window) {
	if !w.Open.IsZero() && !w.Close.IsZero() && w.Close.Before(w.Open) {
		c.v.Add(apierr.Path(field, "close_time"), "comes before open_time")
	}
}

// Check reports every rule the program breaks, naming fields under prefix,
// and fills the evaluation defaults.
func (p *Program) Check(prefix string) error {
	c := &checker{prefix: prefix}
	if p.Kind <= KindUnspecified || p.Kind > KindEvent {
		c.v.Add(c.f("kind"), "must be one of PROGRAM_KIND_TASK_FORCE, _COMMITTEE, _CLUB, _IDEA_CONTEST, _POLICY_COMPETITION, _SURVEY, _EVENT")
	}
	p.Title = strings.TrimSpace(p.Title)
	c.text(c.f("title"), p.Title, maxTitle, true)
	c.text(c.f("description"), p.Description, maxText, false)
	if p.Status < StatusUnspecified || p.Status > StatusCancelled {
		c.v.Add(c.f("status"), "has no value %d", p.Status)
	}
	c.date(c.f("start_date"), p.Start)
	c.date(c.f("end_date"), p.End)
	if !p.Start.IsZero() && !p.End.IsZero() && !before(p.Start, p.End) {
		c.v.Add(c.f("end_date"), "comes before start_date")
	}
	if len(p.Pledges) > 20 {
		c.v.Add(c.f("pledges"), "lists %d pledges; at most 20 are allowed", len(p.Pledges))
	}
	for field, n := range map[string]int{"members": p.Declared.Members, "applications": p.Declared.Applications, "selected": p.Declared.Selected, "participants": p.Declared.Participants} {
		if n < 0 || n > maxCount {
			c.v.Add(c.f("declared", field), "must be between 0 and %d", maxCount)
		}
	}
	if p.Declared.Applications > 0 && p.Declared.Selected > p.Declared.Applications {
		c.v.Add(c.f("declared", "selected"), "is more than the declared applications")
	}
	c.window(c.f("submission_window"), p.Submissions)
	c.window(c.f("voting_window"), p.Voting)
	c.window(c.f("response_window"), p.Responses)
	switch {
	case p.BallotScaleMax == 0:
		p.BallotScaleMax = DefaultBallotScaleMax
	case p.BallotScaleMax < 2 || p.BallotScaleMax > 100:
		c.v.Add(c.f("ballot_scale_max"), "must be between 2 and 100")
	}
	switch {
	case p.CitizenWeight == 0 && p.PanelWeight == 0:
		p.CitizenWeight, p.PanelWeight = 50, 50
	case p.CitizenWeight < 0 || p.PanelWeight < 0 || p.CitizenWeight+p.PanelWeight != 100:
		c.v.Add(c.f("citizen_weight_percent"), "and panel_weight_percent must be between 0 and 100 and add up to 100")
	}
	return c.v.Err()
}

// Check reports every rule the member breaks.
func (m *Member) Check(prefix string) error {
	c := &checker{prefix: prefix}
	c.person(c.f("person"), m.Person, true)
	if m.Role <= RoleUnspecified || m.Role > RoleOfficial {
		c.v.Add(c.f("role"), "must be MEMBER_ROLE_CITIZEN, _EXPERT or _OFFICIAL")
	}
	c.text(c.f("affiliation"), m.Affiliation, 100, false)
	c.date(c.f("join_date"), m.Joined)
	c.date(c.f("leave_date"), m.Left)
	if !m.Joined.IsZero() && !m.Left.IsZero() && !before(m.Joined, m.Left) {
		c.v.Add(c.f("leave_date"), "comes before join_date")
	}
	return c.v.Err()
}

// Check reports every rule the submission breaks.
func (s *Submission) Check(prefix string) error {
	c := &checker{prefix: prefix}
	s.Title = strings.TrimSpace(s.Title)
	c.text(c.f("title"), s.Title, maxTitle, true)
	c.text(c.f("description"), s.Description, maxText, false)
	c.person(c.f("proposer"), s.Proposer, false)
	if len(s.Scores) > maxScores {
		c.v.Add(c.f("scores"), "has %d scores; at most %d are allowed", len(s.Scores), maxScores)
	}
	for i, sc := range s.Scores {
		c.text(c.f("scores", i, "judge"), sc.Judge, maxName, false)
		if !ValidScore(sc.Score) {
			c.v.Add(c.f("scores", i, "score"), "must be a score from 0 to 100 with at most two decimals")
		}
	}
	c.text(c.f("award"), s.Award, 20, false)
	if s.AwardRank < 0 || s.AwardRank > 100 {
		c.v.Add(c.f("award_rank"), "must be between 0 and 100")
	}
	if (s.Award != "" || s.AwardRank > 0) && !s.Selected {
		c.v.Add(c.f("selected"), "must be true for an awarded submission")
	}
	return c.v.Err()
}

// Check reports every rule the entry breaks.
func (e *Entry) Check(prefix string) error {
	c := &checker{prefix: prefix}
	e.Title = strings.TrimSpace(e.Title)
	c.text(c.f("title"), e.Title, maxTitle, true)
	c.text(c.f("description"), e.Description, maxText, false)
	if e.PanelScore != "" && !ValidScore(e.PanelScore) {
		c.v.Add(c.f("panel_score"), "must be a score from 0 to 100 with at most two decimals")
	}
	if e.Position < 0 {
		c.v.Add(c.f("position"), "must not be negative")
	}
	return c.v.Err()
}

// CheckBallot reports what is wrong with a ballot's scores, given the
// program's entries (by id) and its scale.
func CheckBallot(prefix string, citizenID string, scores []BallotScore, entries map[string]bool, scaleMax int) error {
	c := &checker{prefix: prefix}
	switch {
	case strings.TrimSpace(citizenID) == "":
		c.v.Add(c.f("citizen_id"), "is required: one ballot per citizen, known by the identifier the caller verified")
	case utf8.RuneCountInString(citizenID) > 200 || !utf8.ValidString(citizenID):
		c.v.Add(c.f("citizen_id"), "is not an identifier this service takes")
	}
	if len(scores) == 0 {
		c.v.Add(c.f("scores"), "is empty: score at least one entry")
	}
	seen := map[string]bool{}
	for i, s := range scores {
		switch {
		case !entries[s.EntryID]:
			c.v.Add(c.f("scores", i, "entry"), "is not an entry of this evaluation")
		case seen[s.EntryID]:
			c.v.Add(c.f("scores", i, "entry"), "is scored twice")
		}
		seen[s.EntryID] = true
		if s.Score < 1 || s.Score > scaleMax {
			c.v.Add(c.f("scores", i, "score"), "must be between 1 and %d", scaleMax)
		}
	}
	return c.v.Err()
}

// Check reports every rule the question breaks.
func (q *Question) Check(prefix string) error {
	c := &checker{prefix: prefix}
	q.Text = strings.TrimSpace(q.Text)
	c.text(c.f("text"), q.Text, 1000, true)
	switch q.Kind {
	case QuestionScale:
		if q.ScaleMin < 0 || q.ScaleMax > 100 || q.ScaleMin >= q.ScaleMax {
			c.v.Add(c.f("scale_max"), "must be above scale_min, both between 0 and 100")
		}
		if len(q.Options) > 0 {
			c.v.Add(c.f("options"), "are for choices, not scales")
		}
	case QuestionSingleChoice, QuestionMultipleChoice:
		if len(q.Options) < 2 || len(q.Options) > maxOptions {
			c.v.Add(c.f("options"), "must list 2 to %d options", maxOptions)
		}
		for i, o := range q.Options {
			c.text(c.f("options", i), o, 200, true)
		}
	case QuestionFreeText:
		if len(q.Options) > 0 {
			c.v.Add(c.f("options"), "are for choices, not free text")
		}
	default:
		c.v.Add(c.f("kind"), "must be QUESTION_KIND_SCALE, _SINGLE_CHOICE, _MULTIPLE_CHOICE or _FREE_TEXT")
	}
	if q.Position < 0 {
		c.v.Add(c.f("position"), "must not be negative")
	}
	return c.v.Err()
}

// CheckResponse reports what is wrong with a response's answers, given the
// survey's questions by id.
func CheckResponse(prefix string, answers []Answer, questions map[string]Question) error {
	c := &checker{prefix: prefix}
	answered := map[string]bool{}
	for i, a := range answers {
		q, ok := questions[a.QuestionID]
		if !ok {
			c.v.Add(c.f("answers", i, "question"), "is not a question of this survey")
			continue
		}
		if answered[a.QuestionID] {
			c.v.Add(c.f("answers", i, "question"), "is answered twice")
		}
		answered[a.QuestionID] = true
		switch q.Kind {
		case QuestionScale:
			if a.Scale < q.ScaleMin || a.Scale > q.ScaleMax {
				c.v.Add(c.f("answers", i, "scale_value"), "must be between %d and %d", q.ScaleMin, q.ScaleMax)
			}
		case QuestionSingleChoice, QuestionMultipleChoice:
			if len(a.Choices) == 0 || q.Kind == QuestionSingleChoice && len(a.Choices) != 1 {
				c.v.Add(c.f("answers", i, "choices"), "must choose %s", map[bool]string{true: "exactly one option", false: "at least one option"}[q.Kind == QuestionSingleChoice])
			}
			seen := map[int]bool{}
			for j, ch := range a.Choices {
				if ch < 1 || ch > len(q.Options) || seen[ch] {
					c.v.Add(c.f("answers", i, "choices", j), "must be a position from 1 to %d, once", len(q.Options))
				}
				seen[ch] = true
			}
		case QuestionFreeText:
			c.text(c.f("answers", i, "text"), a.Text, 2000, q.Required)
		}
	}
	var missing []int
	for id, q := range questions {
		if q.Required && !answered[id] {
			missing = append(missing, q.Position)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		c.v.Add(c.f("answers"), "leave required questions unanswered (positions %s)", strings.Trim(fmt.Sprint(missing), "[]"))
	}
	return c.v.Err()
}
