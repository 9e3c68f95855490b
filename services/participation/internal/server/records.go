package server

import (
	"context"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"github.com/gongyak/gongyak/services/participation/internal/postgres"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// page reads a list request's parent and paging into a store page.
func page(parent string, size int32, token, filter string) (postgres.Page, error) {
	var v apierr.Violations
	district, program, err := parseProgram("parent", parent)
	v.Merge(err)
	n, err := pagetoken.Size(size)
	v.Merge(err)
	return postgres.Page{District: district, Program: program, Token: token, Filter: filter, Size: n}, v.Err()
}

// recordOutputOnly are fields of records an update ignores.
var recordOutputOnly = []string{"name", "etag", "create_time", "update_time", "mean_score", "receive_time"}

// maskPaths are the fields an update writes: its mask, or those its
// resource sets, without the output-only ones; a path the resource does
// not have is refused before anything is read.
func maskPaths(mask []string, resource proto.Message) ([]string, error) {
	paths := fieldmask.Without(fieldmask.Expand(fieldmask.Paths(mask, resource), resource, recordOutputOnly...), recordOutputOnly...)
	empty := resource.ProtoReflect().New().Interface()
	return paths, fieldmask.Apply(empty, resource, paths)
}

// touches reports whether an update (its mask, or the fields its resource
// sets) reaches field.
func touches(mask []string, resource proto.Message, field string) bool {
	for _, p := range fieldmask.Expand(fieldmask.Paths(mask, resource), resource) {
		if fieldmask.Under(p, field) {
			return true
		}
	}
	return false
}

// refusePersonal refuses an update that writes personal data for a caller
// who may not see it: a masked value sent back would overwrite what is
// stored. It is refused whatever the value, since comparing it would tell
// a guesser whether the guess was right.
func refusePersonal(ctx context.Context, district string, mask []string, resource proto.Message, field, path string) error {
	if !unmasked(ctx, district) && touches(mask, resource, field) {
		return apierr.Invalid(path, "can be changed only by a caller who may see personal data")
	}
	return nil
}

func (s *Server) deleteRecord(ctx context.Context, name, collection, tag string) (*emptypb.Empty, error) {
	d, p, id, err := parseChild("name", name, collection)
	if err != nil {
		return nil, err
	}
	if err := etag.Require("etag", tag); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, s.store.DeleteRecord(ctx, collection, d, p, id, tag)
}

// --- members ---------------------------------------------------------------

// GetMember returns one member, masked unless the caller may see personal data.
func (s *Server) GetMember(ctx context.Context, req *participationv1.GetMemberRequest) (*participationv1.Member, error) {
	d, p, id, err := parseChild("name", req.GetName(), "members")
	if err != nil {
		return nil, err
	}
	m, err := s.store.GetMember(ctx, d, p, id)
	if err != nil {
		return nil, err
	}
	out := memberToProto(d, p, m, !unmasked(ctx, d))
	if unmasked(ctx, d) {
		var r reads
		r.person(out.GetName(), "person", m.Person)
		if err := s.recordReads(ctx, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListMembers lists a program's members.
func (s *Server) ListMembers(ctx context.Context, req *participationv1.ListMembersRequest) (*participationv1.ListMembersResponse, error) {
	pg, err := page(req.GetParent(), req.GetPageSize(), req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListMembers(ctx, pg)
	if err != nil {
		return nil, err
	}
	show := unmasked(ctx, pg.District)
	var r reads
	resp := &participationv1.ListMembersResponse{NextPageToken: next}
	for _, m := range list {
		out := memberToProto(pg.District, pg.Program, m, !show)
		if show {
			r.person(out.GetName(), "person", m.Person)
		}
		resp.Members = append(resp.Members, out)
	}
	if err := s.recordReads(ctx, r); err != nil {
		return nil, err
	}
	return resp, nil
}

// CreateMember adds a member.
func (s *Server) CreateMember(ctx context.Context, req *participationv1.CreateMemberRequest) (*participationv1.Member, error) {
	var v apierr.Violations
	d, p, err := parseProgram("parent", req.GetParent())
	v.Merge(err)
	m := memberFromProto(req.GetMember())
	m.ID = newID("member_id", req.GetMemberId(), &v)
	v.Merge(m.Check("member"))
	key, err := idempotency.For("CreateMember", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	saved, err := s.store.CreateMember(ctx, d, p, m, key)
	if err != nil {
		return nil, err
	}
	return memberToProto(d, p, saved, true), nil
}

// UpdateMember changes a member. Personal data is changed by sending it
// whole: a masked value sent back would overwrite what is stored, so the
// caller must be one who may see it to change it.
func (s *Server) UpdateMember(ctx context.Context, req *participationv1.UpdateMemberRequest) (*participationv1.Member, error) {
	d, p, id, err := parseChild("member.name", req.GetMember().GetName(), "members")
	if err != nil {
		return nil, err
	}
	tag := req.GetMember().GetEtag()
	if err := etag.Require("member.etag", tag); err != nil {
		return nil, err
	}
	mask := req.GetUpdateMask().GetPaths()
	if err := refusePersonal(ctx, d, mask, req.GetMember(), "person", "member.person"); err != nil {
		return nil, err
	}
	paths, err := maskPaths(mask, req.GetMember())
	if err != nil {
		return nil, err
	}
	saved, err := s.store.UpdateMember(ctx, d, p, id, tag, func(m *participation.Member) error {
		edited := memberToProto(d, p, *m, false)
		if err := fieldmask.Apply(edited, req.GetMember(), paths); err != nil {
			return err
		}
		next := memberFromProto(edited)
		next.ID, next.Revision, next.Created, next.Updated = m.ID, m.Revision, m.Created, m.Updated
		*m = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return memberToProto(d, p, saved, true), nil
}

// DeleteMember removes a member.
func (s *Server) DeleteMember(ctx context.Context, req *participationv1.DeleteMemberRequest) (*emptypb.Empty, error) {
	return s.deleteRecord(ctx, req.GetName(), "members", req.GetEtag())
}

// --- submissions -----------------------------------------------------------

// GetSubmission returns one submission, its proposer masked unless the
// caller may see personal data.
func (s *Server) GetSubmission(ctx context.Context, req *participationv1.GetSubmissionRequest) (*participationv1.Submission, error) {
	d, p, id, err := parseChild("name", req.GetName(), "submissions")
	if err != nil {
		return nil, err
	}
	sub, err := s.store.GetSubmission(ctx, d, p, id)
	if err != nil {
		return nil, err
	}
	out := submissionToProto(d, p, sub, !unmasked(ctx, d))
	if unmasked(ctx, d) {
		var r reads
		r.person(out.GetName(), "proposer", sub.Proposer)
		if err := s.recordReads(ctx, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListSubmissions lists a program's submissions.
func (s *Server) ListSubmissions(ctx context.Context, req *participationv1.ListSubmissionsRequest) (*participationv1.ListSubmissionsResponse, error) {
	pg, err := page(req.GetParent(), req.GetPageSize(), req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListSubmissions(ctx, pg)
	if err != nil {
		return nil, err
	}
	show := unmasked(ctx, pg.District)
	var r reads
	resp := &participationv1.ListSubmissionsResponse{NextPageToken: next}
	for _, sub := range list {
		out := submissionToProto(pg.District, pg.Program, sub, !show)
		if show {
			r.person(out.GetName(), "proposer", sub.Proposer)
		}
		resp.Submissions = append(resp.Submissions, out)
	}
	if err := s.recordReads(ctx, r); err != nil {
		return nil, err
	}
	return resp, nil
}

// CreateSubmission takes a submission while the program's window is open
// by the server's clock (or records a past one for a registrar); a retry
// with the same request_id counts once.
func (s *Server) CreateSubmission(ctx context.Context, req *participationv1.CreateSubmissionRequest) (*participationv1.Submission, error) {
	var v apierr.Violations
	d, p, err := parseProgram("parent", req.GetParent())
	v.Merge(err)
	sub := submissionFromProto(req.GetSubmission())
	sub.ID = newID("submission_id", req.GetSubmissionId(), &v)
	v.Merge(sub.Check("submission"))
	key, err := idempotency.For("CreateSubmission", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	saved, err := s.store.CreateSubmission(ctx, d, p, sub, key, func(prog participation.Program) (time.Time, error) {
		return s.at(ctx, d, sub.Received, prog.Submissions, "submission.receive_time", "submissions")
	})
	if err != nil {
		return nil, err
	}
	return submissionToProto(d, p, saved, true), nil
}

// UpdateSubmission judges a submission: scores, selection, award.
func (s *Server) UpdateSubmission(ctx context.Context, req *participationv1.UpdateSubmissionRequest) (*participationv1.Submission, error) {
	d, p, id, err := parseChild("submission.name", req.GetSubmission().GetName(), "submissions")
	if err != nil {
		return nil, err
	}
	tag := req.GetSubmission().GetEtag()
	if err := etag.Require("submission.etag", tag); err != nil {
		return nil, err
	}
	mask := req.GetUpdateMask().GetPaths()
	if err := refusePersonal(ctx, d, mask, req.GetSubmission(), "proposer", "submission.proposer"); err != nil {
		return nil, err
	}
	paths, err := maskPaths(mask, req.GetSubmission())
	if err != nil {
		return nil, err
	}
	saved, err := s.store.UpdateSubmission(ctx, d, p, id, tag, func(cur *participation.Submission) error {
		edited := submissionToProto(d, p, *cur, false)
		if err := fieldmask.Apply(edited, req.GetSubmission(), paths); err != nil {
			return err
		}
		next := submissionFromProto(edited)
		next.ID, next.Received, next.Revision, next.Created, next.Updated = cur.ID, cur.Received, cur.Revision, cur.Created, cur.Updated
		*cur = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return submissionToProto(d, p, saved, true), nil
}

// DeleteSubmission removes a submission.
func (s *Server) DeleteSubmission(ctx context.Context, req *participationv1.DeleteSubmissionRequest) (*emptypb.Empty, error) {
	return s.deleteRecord(ctx, req.GetName(), "submissions", req.GetEtag())
}

// --- entries ---------------------------------------------------------------

// GetEntry returns one evaluation entry.
func (s *Server) GetEntry(ctx context.Context, req *participationv1.GetEntryRequest) (*participationv1.Entry, error) {
	d, p, id, err := parseChild("name", req.GetName(), "entries")
	if err != nil {
		return nil, err
	}
	e, err := s.store.GetEntry(ctx, d, p, id)
	if err != nil {
		return nil, err
	}
	return entryToProto(d, p, e), nil
}

// ListEntries lists an evaluation's entries.
func (s *Server) ListEntries(ctx context.Context, req *participationv1.ListEntriesRequest) (*participationv1.ListEntriesResponse, error) {
	pg, err := page(req.GetParent(), req.GetPageSize(), req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListEntries(ctx, pg)
	if err != nil {
		return nil, err
	}
	resp := &participationv1.ListEntriesResponse{NextPageToken: next}
	for _, e := range list {
		resp.Entries = append(resp.Entries, entryToProto(pg.District, pg.Program, e))
	}
	return resp, nil
}

// CreateEntry adds an evaluation entry.
func (s *Server) CreateEntry(ctx context.Context, req *participationv1.CreateEntryRequest) (*participationv1.Entry, error) {
	var v apierr.Violations
	d, p, err := parseProgram("parent", req.GetParent())
	v.Merge(err)
	e := entryFromProto(req.GetEntry())
	e.ID = newID("entry_id", req.GetEntryId(), &v)
	v.Merge(e.Check("entry"))
	key, err := idempotency.For("CreateEntry", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	saved, err := s.store.CreateEntry(ctx, d, p, e, key)
	if err != nil {
		return nil, err
	}
	return entryToProto(d, p, saved), nil
}

// UpdateEntry changes an entry, such as its panel score.
func (s *Server) UpdateEntry(ctx context.Context, req *participationv1.UpdateEntryRequest) (*participationv1.Entry, error) {
	d, p, id, err := parseChild("entry.name", req.GetEntry().GetName(), "entries")
	if err != nil {
		return nil, err
	}
	tag := req.GetEntry().GetEtag()
	if err := etag.Require("entry.etag", tag); err != nil {
		return nil, err
	}
	paths, err := maskPaths(req.GetUpdateMask().GetPaths(), req.GetEntry())
	if err != nil {
		return nil, err
	}
	saved, err := s.store.UpdateEntry(ctx, d, p, id, tag, func(cur *participation.Entry) error {
		edited := entryToProto(d, p, *cur)
		if err := fieldmask.Apply(edited, req.GetEntry(), paths); err != nil {
			return err
		}
		next := entryFromProto(edited)
		next.ID, next.Revision, next.Created, next.Updated = cur.ID, cur.Revision, cur.Created, cur.Updated
		*cur = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return entryToProto(d, p, saved), nil
}

// DeleteEntry removes an entry without ballots.
func (s *Server) DeleteEntry(ctx context.Context, req *participationv1.DeleteEntryRequest) (*emptypb.Empty, error) {
	return s.deleteRecord(ctx, req.GetName(), "entries", req.GetEtag())
}

// --- questions -------------------------------------------------------------

// GetQuestion returns one survey question.
func (s *Server) GetQuestion(ctx context.Context, req *participationv1.GetQuestionRequest) (*participationv1.Question, error) {
	d, p, id, err := parseChild("name", req.GetName(), "questions")
	if err != nil {
		return nil, err
	}
	q, err := s.store.GetQuestion(ctx, d, p, id)
	if err != nil {
		return nil, err
	}
	return questionToProto(d, p, q), nil
}

// ListQuestions lists a survey's questions.
func (s *Server) ListQuestions(ctx context.Context, req *participationv1.ListQuestionsRequest) (*participationv1.ListQuestionsResponse, error) {
	pg, err := page(req.GetParent(), req.GetPageSize(), req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListQuestions(ctx, pg)
	if err != nil {
		return nil, err
	}
	resp := &participationv1.ListQuestionsResponse{NextPageToken: next}
	for _, q := range list {
		resp.Questions = append(resp.Questions, questionToProto(pg.District, pg.Program, q))
	}
	return resp, nil
}

// CreateQuestion adds a survey question.
func (s *Server) CreateQuestion(ctx context.Context, req *participationv1.CreateQuestionRequest) (*participationv1.Question, error) {
	var v apierr.Violations
	d, p, err := parseProgram("parent", req.GetParent())
	v.Merge(err)
	q := questionFromProto(req.GetQuestion())
	q.ID = newID("question_id", req.GetQuestionId(), &v)
	v.Merge(q.Check("question"))
	key, err := idempotency.For("CreateQuestion", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	saved, err := s.store.CreateQuestion(ctx, d, p, q, key)
	if err != nil {
		return nil, err
	}
	return questionToProto(d, p, saved), nil
}

// UpdateQuestion changes a question that has no answers yet.
func (s *Server) UpdateQuestion(ctx context.Context, req *participationv1.UpdateQuestionRequest) (*participationv1.Question, error) {
	d, p, id, err := parseChild("question.name", req.GetQuestion().GetName(), "questions")
	if err != nil {
		return nil, err
	}
	tag := req.GetQuestion().GetEtag()
	if err := etag.Require("question.etag", tag); err != nil {
		return nil, err
	}
	paths, err := maskPaths(req.GetUpdateMask().GetPaths(), req.GetQuestion())
	if err != nil {
		return nil, err
	}
	saved, err := s.store.UpdateQuestion(ctx, d, p, id, tag, func(cur *participation.Question) error {
		edited := questionToProto(d, p, *cur)
		if err := fieldmask.Apply(edited, req.GetQuestion(), paths); err != nil {
			return err
		}
		next := questionFromProto(edited)
		next.ID, next.Revision, next.Created, next.Updated = cur.ID, cur.Revision, cur.Created, cur.Updated
		*cur = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return questionToProto(d, p, saved), nil
}

// DeleteQuestion removes a question without answers.
func (s *Server) DeleteQuestion(ctx context.Context, req *participationv1.DeleteQuestionRequest) (*emptypb.Empty, error) {
	return s.deleteRecord(ctx, req.GetName(), "questions", req.GetEtag())
}
