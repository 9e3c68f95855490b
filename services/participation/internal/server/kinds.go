package server

import (
	"context"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The kinds of a program's records. Each method below is its kind's
// standard method, served by recordKind.

var members = recordKind[participation.Member, *participation.Member, *participationv1.Member]{
	collection: "members", noun: "member", method: "Member", methods: "Members",
	toProto: memberToProto, fromProto: memberFromProto,
	personal: "person", person: func(m participation.Member) participation.Person { return m.Person },
}

var submissions = recordKind[participation.Submission, *participation.Submission, *participationv1.Submission]{
	collection: "submissions", noun: "submission", method: "Submission", methods: "Submissions",
	toProto: submissionToProto, fromProto: submissionFromProto,
	personal: "proposer", person: func(s participation.Submission) participation.Person { return s.Proposer },
	// A submission is taken while the program's window is open by the
	// server's clock; a registrar records a past one.
	admit: func(ctx context.Context, s *Server, district string, p participation.Program, sub *participation.Submission) error {
		received, err := s.at(ctx, district, sub.Received, p.Submissions, "submission.receive_time", "submissions")
		sub.Received = received
		return err
	},
}

var entries = recordKind[participation.Entry, *participation.Entry, *participationv1.Entry]{
	collection: "entries", noun: "entry", method: "Entry", methods: "Entries",
	toProto:   func(d, p string, e participation.Entry, _ bool) *participationv1.Entry { return entryToProto(d, p, e) },
	fromProto: entryFromProto,
}

var questions = recordKind[participation.Question, *participation.Question, *participationv1.Question]{
	collection: "questions", noun: "question", method: "Question", methods: "Questions",
	toProto: func(d, p string, q participation.Question, _ bool) *participationv1.Question {
		return questionToProto(d, p, q)
	},
	fromProto: questionFromProto,
}

// GetMember returns one member, masked unless the caller may see personal data.
func (s *Server) GetMember(ctx context.Context, req *participationv1.GetMemberRequest) (*participationv1.Member, error) {
	return members.get(ctx, s, s.records.Members, req.GetName())
}

// ListMembers lists a program's members.
func (s *Server) ListMembers(ctx context.Context, req *participationv1.ListMembersRequest) (*participationv1.ListMembersResponse, error) {
	list, next, err := members.list(ctx, s, s.records.Members, req)
	return answer(&participationv1.ListMembersResponse{Members: list, NextPageToken: next}, err)
}

// CreateMember adds a member.
func (s *Server) CreateMember(ctx context.Context, req *participationv1.CreateMemberRequest) (*participationv1.Member, error) {
	return members.create(ctx, s, s.records.Members, req, req.GetMemberId(), req.GetMember())
}

// BatchCreateMembers adds up to batch.Max members to one program at once.
func (s *Server) BatchCreateMembers(ctx context.Context, req *participationv1.BatchCreateMembersRequest) (*participationv1.BatchCreateMembersResponse, error) {
	list, err := createAll(ctx, members, s, s.records.Members, req, req.GetRequests(),
		func(r *participationv1.CreateMemberRequest) (string, *participationv1.Member) {
			return r.GetMemberId(), r.GetMember()
		})
	return answer(&participationv1.BatchCreateMembersResponse{Members: list}, err)
}

// UpdateMember changes a member.
func (s *Server) UpdateMember(ctx context.Context, req *participationv1.UpdateMemberRequest) (*participationv1.Member, error) {
	return members.update(ctx, s.records.Members, req.GetMember(), req.GetUpdateMask().GetPaths())
}

// DeleteMember removes a member.
func (s *Server) DeleteMember(ctx context.Context, req *participationv1.DeleteMemberRequest) (*emptypb.Empty, error) {
	return members.delete(ctx, s.records.Members, req.GetName(), req.GetEtag())
}

// GetSubmission returns one submission, its proposer masked unless the
// caller may see personal data.
func (s *Server) GetSubmission(ctx context.Context, req *participationv1.GetSubmissionRequest) (*participationv1.Submission, error) {
	return submissions.get(ctx, s, s.records.Submissions, req.GetName())
}

// ListSubmissions lists a program's submissions.
func (s *Server) ListSubmissions(ctx context.Context, req *participationv1.ListSubmissionsRequest) (*participationv1.ListSubmissionsResponse, error) {
	list, next, err := submissions.list(ctx, s, s.records.Submissions, req)
	return answer(&participationv1.ListSubmissionsResponse{Submissions: list, NextPageToken: next}, err)
}

// CreateSubmission takes a submission while the program's window is open
// by the server's clock (or records a past one for a registrar); a retry
// with the same request_id counts once.
func (s *Server) CreateSubmission(ctx context.Context, req *participationv1.CreateSubmissionRequest) (*participationv1.Submission, error) {
	return submissions.create(ctx, s, s.records.Submissions, req, req.GetSubmissionId(), req.GetSubmission())
}

// BatchCreateSubmissions adds up to batch.Max submissions to one program
// at once, each admitted as CreateSubmission admits one.
func (s *Server) BatchCreateSubmissions(ctx context.Context, req *participationv1.BatchCreateSubmissionsRequest) (*participationv1.BatchCreateSubmissionsResponse, error) {
	list, err := createAll(ctx, submissions, s, s.records.Submissions, req, req.GetRequests(),
		func(r *participationv1.CreateSubmissionRequest) (string, *participationv1.Submission) {
			return r.GetSubmissionId(), r.GetSubmission()
		})
	return answer(&participationv1.BatchCreateSubmissionsResponse{Submissions: list}, err)
}

// UpdateSubmission judges a submission: scores, selection, award.
func (s *Server) UpdateSubmission(ctx context.Context, req *participationv1.UpdateSubmissionRequest) (*participationv1.Submission, error) {
	return submissions.update(ctx, s.records.Submissions, req.GetSubmission(), req.GetUpdateMask().GetPaths())
}

// DeleteSubmission removes a submission.
func (s *Server) DeleteSubmission(ctx context.Context, req *participationv1.DeleteSubmissionRequest) (*emptypb.Empty, error) {
	return submissions.delete(ctx, s.records.Submissions, req.GetName(), req.GetEtag())
}

// GetEntry returns one evaluation entry.
func (s *Server) GetEntry(ctx context.Context, req *participationv1.GetEntryRequest) (*participationv1.Entry, error) {
	return entries.get(ctx, s, s.records.Entries, req.GetName())
}

// ListEntries lists an evaluation's entries.
func (s *Server) ListEntries(ctx context.Context, req *participationv1.ListEntriesRequest) (*participationv1.ListEntriesResponse, error) {
	list, next, err := entries.list(ctx, s, s.records.Entries, req)
	return answer(&participationv1.ListEntriesResponse{Entries: list, NextPageToken: next}, err)
}

// CreateEntry adds an evaluation entry.
func (s *Server) CreateEntry(ctx context.Context, req *participationv1.CreateEntryRequest) (*participationv1.Entry, error) {
	return entries.create(ctx, s, s.records.Entries, req, req.GetEntryId(), req.GetEntry())
}

// UpdateEntry changes an entry, such as its panel score.
func (s *Server) UpdateEntry(ctx context.Context, req *participationv1.UpdateEntryRequest) (*participationv1.Entry, error) {
	return entries.update(ctx, s.records.Entries, req.GetEntry(), req.GetUpdateMask().GetPaths())
}

// DeleteEntry removes an entry without ballots.
func (s *Server) DeleteEntry(ctx context.Context, req *participationv1.DeleteEntryRequest) (*emptypb.Empty, error) {
	return entries.delete(ctx, s.records.Entries, req.GetName(), req.GetEtag())
}

// GetQuestion returns one survey question.
func (s *Server) GetQuestion(ctx context.Context, req *participationv1.GetQuestionRequest) (*participationv1.Question, error) {
	return questions.get(ctx, s, s.records.Questions, req.GetName())
}

// ListQuestions lists a survey's questions.
func (s *Server) ListQuestions(ctx context.Context, req *participationv1.ListQuestionsRequest) (*participationv1.ListQuestionsResponse, error) {
	list, next, err := questions.list(ctx, s, s.records.Questions, req)
	return answer(&participationv1.ListQuestionsResponse{Questions: list, NextPageToken: next}, err)
}

// CreateQuestion adds a survey question.
func (s *Server) CreateQuestion(ctx context.Context, req *participationv1.CreateQuestionRequest) (*participationv1.Question, error) {
	return questions.create(ctx, s, s.records.Questions, req, req.GetQuestionId(), req.GetQuestion())
}

// UpdateQuestion changes a question that has no answers yet.
func (s *Server) UpdateQuestion(ctx context.Context, req *participationv1.UpdateQuestionRequest) (*participationv1.Question, error) {
	return questions.update(ctx, s.records.Questions, req.GetQuestion(), req.GetUpdateMask().GetPaths())
}

// DeleteQuestion removes a question without answers.
func (s *Server) DeleteQuestion(ctx context.Context, req *participationv1.DeleteQuestionRequest) (*emptypb.Empty, error) {
	return questions.delete(ctx, s.records.Questions, req.GetName(), req.GetEtag())
}

// answer is resp, or nothing with err.
func answer[R any](resp *R, err error) (*R, error) {
	if err != nil {
		return nil, err
	}
	return resp, nil
}
