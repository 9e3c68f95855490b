package server

import (
	"context"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
)

// Personal data (names, phones and e-mails of members and proposers, and
// survey answers written freely) is shown unmasked only to a caller who
// may see the district's personal data — the personal-data grant or key
// scope in that district, never in published-only mode — and only in
// answers to reads, each of which is recorded first (개인정보 접속기록:
// who saw whose data, when). Answers to writes are masked for everyone: the
// caller has what it sent, and an unmasked view is always a recorded read.

// unmasked reports whether the caller of ctx sees district's personal data.
func unmasked(ctx context.Context, district string) bool {
	return auth.CanSeePersonalData(ctx, district)
}

// reads collects the resources an answer shows unmasked.
type reads []postgres.Read

// person adds resource when p holds personal data, naming its fields
// under field.
func (r *reads) person(resource, field string, p participation.Person) {
	var fields []string
	for _, f := range []struct{ name, value string }{{"name", p.Name}, {"phone", p.Phone}, {"email", p.Email}} {
		if f.value != "" {
			fields = append(fields, field+"."+f.name)
		}
	}
	if len(fields) > 0 {
		*r = append(*r, postgres.Read{Resource: resource, Fields: fields})
	}
}

// answers adds a response when it holds free-text answers.
func (r *reads) answers(resource string, rs participation.Response) {
	for _, a := range rs.Answers {
		if a.Text != "" {
			*r = append(*r, postgres.Read{Resource: resource, Fields: []string{"answers.text"}})
			return
		}
	}
}

// recordReads writes what an answer is about to show unmasked; an answer
// whose reads cannot be recorded is not sent.
func (s *Server) recordReads(ctx context.Context, r reads) error {
	if err := s.store.RecordReads(ctx, r); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return apierr.Unavailable("the personal data could not be shown: its access record could not be written; try again")
	}
	return nil
}

// maskAnswers hides free-text answers, which may hold personal data.
func maskAnswers(r participation.Response) participation.Response {
	answers := make([]participation.Answer, len(r.Answers))
	copy(answers, r.Answers)
	for i := range answers {
		if answers[i].Text != "" {
			answers[i].Text = "***"
		}
	}
	r.Answers = answers
	return r
}
