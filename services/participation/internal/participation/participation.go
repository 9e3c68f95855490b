// Package participation holds the participation service's domain:
// citizen participation programs and their records — members,
// submissions, evaluation entries and ballots, survey questions and
// responses — and the rules they obey. Personal data is stored as given;
// masking it is the server's job when it answers.
package participation

import (
	"time"

	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Kind is what kind of program it is, numbered as
// gongyak.participation.v1.ProgramKind.
type Kind int16

// Program kinds.
const (
	KindUnspecified Kind = iota
	KindTaskForce
	KindCommittee
	KindClub
	KindIdeaContest
	KindPolicyCompetition
	KindSurvey
	KindEvent
)

// Status is where a program stands, numbered as ProgramStatus.
type Status int16

// Program statuses.
const (
	StatusUnspecified Status = iota
	StatusPlanned
	StatusOngoing
	StatusCompleted
	StatusCancelled
)

// Date is a calendar date; the zero Date is none.
type Date struct{ Year, Month, Day int }

// IsZero reports whether d is no date.
func (d Date) IsZero() bool { return d == Date{} }

// Window is a span of time, both ends included; a zero end is open.
type Window struct{ Open, Close time.Time }

// IsZero reports whether the window sets no limit.
func (w Window) IsZero() bool { return w.Open.IsZero() && w.Close.IsZero() }

// Contains reports whether t lies in the window.
func (w Window) Contains(t time.Time) bool {
	return (w.Open.IsZero() || !t.Before(w.Open)) && (w.Close.IsZero() || !t.After(w.Close))
}

// Counts are counts a district declares, or records count.
type Counts struct {
	Members, Applications, Selected, Participants int
}

// Recorded counts a program's records.
type Recorded struct {
	Members, Submissions, Selected, Entries, Ballots, Questions, Responses int
}

// Program is one participation program.
type Program struct {
	DistrictID, ID   string
	Kind             Kind
	Title            string
	Description      string
	Status           Status
	Start, End       Date
	Term             int
	Pledges          []string // pledge ids within the district
	Declared         Counts
	Recorded         Recorded
	Submissions      Window
	Voting           Window
	Responses        Window
	BallotScaleMax   int
	CitizenWeight    int
	PanelWeight      int
	Revision         int64
	Created, Updated time.Time
}

// Name is the program's resource name.
func (p Program) Name() string { return resourcename.Program.Format(p.DistrictID, p.ID) }

// Record is what every record of a program (member, submission, entry,
// question) carries beside its own fields: its id within the program,
// its revision (what its etag is made from) and when it was created and
// last changed. The store sets all but the id.
type Record struct {
	ID               string
	Revision         int64
	Created, Updated time.Time
}

// Base returns the record's Record: through it, code written once for
// every kind of record (the store's and the standard methods') reads and
// sets what they share.
func (r *Record) Base() *Record { return r }

// Person is a citizen's personal data.
type Person struct{ Name, Phone, Email string }

// MemberRole is who a member is, numbered as MemberRole.
type MemberRole int16

// Member roles.
const (
	RoleUnspecified MemberRole = iota
	RoleCitizen
	RoleExpert
	RoleOfficial
)

// Member is a member of a program.
type Member struct {
	Record
	Person       Person
	Role         MemberRole
	Affiliation  string
	Joined, Left Date
}

// JudgeScore is one judge's score, a decimal 0–100.
type JudgeScore struct {
	Judge string `json:"judge,omitempty"`
	Score string `json:"score"`
}

// Submission is an idea, a proposal or an application.
type Submission struct {
	Record
	Title       string
	Description string
	Proposer    Person
	Received    time.Time
	Scores      []JudgeScore
	MeanScore   string
	Selected    bool
	Award       string
	AwardRank   int
}

// Entry is one item of a citizen evaluation.
type Entry struct {
	Record
	Title       string
	Description string
	PanelScore  string
	Position    int
}

// BallotScore scores one entry.
type BallotScore struct {
	EntryID string
	Score   int
}

// Ballot is one citizen's vote; the citizen is known only by a keyed hash.
type Ballot struct {
	ID          string
	CitizenHash []byte
	Scores      []BallotScore
	Cast        time.Time
	// Updated is when the ballot was written here.
	Updated time.Time
}

// QuestionKind is how a question is answered, numbered as QuestionKind.
type QuestionKind int16

// Question kinds.
const (
	QuestionUnspecified QuestionKind = iota
	QuestionScale
	QuestionSingleChoice
	QuestionMultipleChoice
	QuestionFreeText
)

// Question is one survey question.
type Question struct {
	Record
	Text     string
	Kind     QuestionKind
	Options  []string
	ScaleMin int
	ScaleMax int
	Required bool
	Position int
}

// Answer answers one question.
type Answer struct {
	QuestionID string
	Scale      int
	Choices    []int
	Text       string
}

// Response is one respondent's answers.
type Response struct {
	ID          string
	CitizenHash []byte // nil when the survey does not know the respondent
	Answers     []Answer
	Submitted   time.Time
	// Updated is when the response was written here.
	Updated time.Time
}
