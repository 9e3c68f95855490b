// Package server serves the participation service's gRPC API and says who
// may call it (Policy). Personal data in its answers is masked unless the
// verified caller may see the district's personal data, every answer that
// shows it unmasked is recorded in the audit log first, and it never
// appears in an error message: errors name the field, not its value.
package server

import (
	"context"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/personal"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
)

// kst is the time windows are shown in.
var kst = time.FixedZone("KST", 9*60*60)

// Server serves gongyak.participation.v1.ParticipationService.
type Server struct {
	participationv1.UnimplementedParticipationServiceServer
	store   Store
	records Records
	pledges *pledgeref.Client
	citizen *personal.Hasher
	now     func() time.Time
}

// New returns the server over store and records. pledges checks the
// pledges programs serve, citizen hashes voters' identifiers, now is the
// clock that windows are enforced by.
func New(store Store, records Records, pledges *pledgeref.Client, citizen *personal.Hasher, now func() time.Time) *Server {
	return &Server{store: store, records: records, pledges: pledges, citizen: citizen, now: now}
}

// childName names a program's record in collection.
func childName(district, program, collection, id string) string {
	return resourcename.ProgramRecord(collection).Format(district, program, id)
}

func parseDistrict(field, name string) (string, error) {
	ids, err := resourcename.District.Parse(field, name)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

func parseProgram(field, name string) (district, program string, err error) {
	return parseUnderProgram(field, name, resourcename.Program)
}

// parseUnderProgram reads a name of pattern, which starts with a
// program's name and has no other id: the program itself or one of its
// results (tally, contestResults, surveyResults).
func parseUnderProgram(field, name string, pattern resourcename.Pattern) (district, program string, err error) {
	ids, err := pattern.Parse(field, name)
	if err != nil {
		return "", "", err
	}
	return ids[0], ids[1], nil
}

// parseChild reads the name of a program's record in collection.
func parseChild(field, name, collection string) (district, program, id string, err error) {
	ids, err := resourcename.ProgramRecord(collection).Parse(field, name)
	if err != nil {
		return "", "", "", err
	}
	return ids[0], ids[1], ids[2], nil
}

// newID returns the id a client chose, checked, or a fresh one.
func newID(field, chosen string, v *apierr.Violations) string {
	if chosen == "" {
		return resourceid.New()
	}
	v.Merge(resourceid.Check(field, chosen))
	return chosen
}

// at decides the time a submission, ballot or response counts at: the
// server's clock, or for a registrar recording a past one (RecordPast in
// the district: the registrar role, or a key with the registrar scope) the
// time given, which must lie in the window and not ahead of the server's
// clock. Nobody else sets the time: a caller that could would reopen a
// closed window. field names the time in the request.
func (s *Server) at(ctx context.Context, district string, given time.Time, w participation.Window, field, what string) (time.Time, error) {
	now := s.now()
	if !given.IsZero() {
		if !auth.FromContext(ctx).Can(auth.RecordPast, auth.In(district)) {
			return time.Time{}, apierr.Invalid(field, "is set by the server; recording a past %s needs the %s role in districts/%s", what, auth.RoleRegistrar, district)
		}
		if given.After(now) {
			return time.Time{}, apierr.Invalid(field, "lies ahead of the server's clock; only past %s are recorded", what)
		}
		if !w.Contains(given) {
			return time.Time{}, apierr.Invalid(field, "lies outside the program's window (%s)", describe(w))
		}
		return given, nil
	}
	if !w.Contains(now) {
		e := apierr.FailedPrecondition("the program takes no %s now: its window is %s", what, describe(w))
		e.Violations = []apierr.FieldViolation{{Field: field, Description: "the window is closed (" + describe(w) + ")"}}
		return time.Time{}, e
	}
	return now, nil
}

func describe(w participation.Window) string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "open"
		}
		return t.In(kst).Format("2006-01-02 15:04 KST")
	}
	return f(w.Open) + " to " + f(w.Close)
}
