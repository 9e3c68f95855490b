package server

import (
	"context"
	"time"

	typev1 "github.com/gongyak/gongyak/pkg/api/gongyak/type/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
)

// Store is what the server asks of the store besides each kind of record
// (Records): programs, ballots, responses, what sums them, and the audit
// log. Every write runs in one transaction with its audit event.
type Store interface {
	GetProgram(ctx context.Context, district, id string) (participation.Program, error)
	ListPrograms(ctx context.Context, q postgres.ProgramQuery) ([]participation.Program, string, error)
	CreateProgram(ctx context.Context, p participation.Program, key idempotency.Key) (participation.Program, error)
	UpdateProgram(ctx context.Context, district, id, tag string, change func(*participation.Program) error) (participation.Program, error)
	DeleteProgram(ctx context.Context, district, id, tag string) error

	CastBallot(ctx context.Context, district, program string, b participation.Ballot, key idempotency.Key,
		check func(p participation.Program, entries map[string]bool) (time.Time, error)) (participation.Ballot, error)
	BatchCastBallots(ctx context.Context, district, program string, bs []participation.Ballot, v apierr.Violations,
		key idempotency.Key, check func(p participation.Program, entries map[string]bool, i int) (time.Time, error)) ([]participation.Ballot, error)
	ListBallots(ctx context.Context, p postgres.Page) ([]participation.Ballot, string, error)
	SubmitResponse(ctx context.Context, district, program string, r participation.Response, key idempotency.Key,
		check func(p participation.Program, questions map[string]participation.Question) (time.Time, error)) (participation.Response, error)
	ListResponses(ctx context.Context, p postgres.Page) ([]participation.Response, string, error)

	Tally(ctx context.Context, district, program string) (participation.Program, []postgres.EntryTally, error)
	ContestResults(ctx context.Context, district, program string) (participation.Program, []participation.Submission, error)
	SurveyResults(ctx context.Context, district, program string) (participation.Program, []postgres.QuestionResult, error)
	Summarize(ctx context.Context, q postgres.SummaryQuery) ([]postgres.SummaryRow, postgres.SummaryRow, string, error)

	RecordReads(ctx context.Context, reads []postgres.Read) error
	AuditEvents(ctx context.Context, page audit.Page) ([]*typev1.AuditEvent, error)
}

// RecordStore keeps one kind of a program's records, T. Create's admit,
// when set, sees the program, held against change, and completes or
// refuses the record; Update's change edits the stored record and refuses
// what may not be written. CreateAll is there for the kinds with batches
// (members, submissions).
type RecordStore[T any] interface {
	Get(ctx context.Context, district, program, id string) (T, error)
	List(ctx context.Context, p postgres.Page) ([]T, string, error)
	Create(ctx context.Context, district, program string, v T, key idempotency.Key, admit func(participation.Program, *T) error) (T, error)
	CreateAll(ctx context.Context, district, program string, vs []T, v apierr.Violations, key idempotency.Key,
		admit func(p participation.Program, i int, v *T) error) ([]T, error)
	Update(ctx context.Context, district, program, id, tag string, change func(*T) error) (T, error)
	Delete(ctx context.Context, district, program, id, tag string) error
}

// Records are the stores of each kind of a program's records.
type Records struct {
	Members     RecordStore[participation.Member]
	Submissions RecordStore[participation.Submission]
	Entries     RecordStore[participation.Entry]
	Questions   RecordStore[participation.Question]
}
