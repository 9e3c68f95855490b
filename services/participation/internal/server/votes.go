package server

import (
	"context"
	"encoding/hex"
	"strings"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"google.golang.org/protobuf/proto"
)

// withoutCitizen returns the request with its citizen's identifier
// replaced by its keyed hash, for the fingerprint a retry is recognised
// by: a plain hash of a phone number could be guessed back.
func (s *Server) withoutCitizen(req proto.Message) proto.Message {
	out := proto.Clone(req)
	switch r := out.(type) {
	case *participationv1.CreateBallotRequest:
		if r.GetBallot() != nil {
			r.Ballot.CitizenId = hex.EncodeToString(s.citizen.Hash(r.GetBallot().GetCitizenId()))
		}
	case *participationv1.CreateResponseRequest:
		if r.GetResponse() != nil && r.GetResponse().GetCitizenId() != "" {
			r.Response.CitizenId = hex.EncodeToString(s.citizen.Hash(r.GetResponse().GetCitizenId()))
		}
	}
	return out
}

// entryID reads an entry reference of the program: its full name, or its
// bare id.
func entryID(district, program, ref string) string {
	return strings.TrimPrefix(ref, childName(district, program, "entries", ""))
}

// CreateBallot casts a citizen's ballot while the program's voting window
// is open. The citizen is known only by a keyed hash of citizen_id: one
// ballot per citizen, and a retry with the same request_id counts once.
func (s *Server) CreateBallot(ctx context.Context, req *participationv1.CreateBallotRequest) (*participationv1.Ballot, error) {
	var v apierr.Violations
	d, p, err := parseProgram("parent", req.GetParent())
	v.Merge(err)
	in := req.GetBallot()
	b := participation.Ballot{ID: newID("ballot_id", req.GetBallotId(), &v), CitizenHash: s.citizen.Hash(in.GetCitizenId())}
	for _, sc := range in.GetScores() {
		b.Scores = append(b.Scores, participation.BallotScore{EntryID: entryID(d, p, sc.GetEntry()), Score: int(sc.GetScore())})
	}
	key, err := idempotency.For("CreateBallot", req.GetRequestId(), s.withoutCitizen(req))
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	given := fromTS(in.GetCastTime())
	saved, err := s.store.CastBallot(ctx, d, p, b, key, func(prog participation.Program, entries map[string]bool) (time.Time, error) {
		if err := participation.CheckBallot("ballot", in.GetCitizenId(), b.Scores, entries, prog.BallotScaleMax); err != nil {
			return time.Time{}, err
		}
		return s.at(ctx, d, given, prog.Voting, "ballot.cast_time", "ballots")
	})
	if err != nil {
		return nil, err
	}
	return ballotToProto(d, p, saved), nil
}

// ListBallots lists an evaluation's ballots, never who cast them.
func (s *Server) ListBallots(ctx context.Context, req *participationv1.ListBallotsRequest) (*participationv1.ListBallotsResponse, error) {
	pg, err := page(req.GetParent(), req.GetPageSize(), req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListBallots(ctx, pg)
	if err != nil {
		return nil, err
	}
	resp := &participationv1.ListBallotsResponse{NextPageToken: next}
	for _, b := range list {
		resp.Ballots = append(resp.Ballots, ballotToProto(pg.District, pg.Program, b))
	}
	return resp, nil
}

// CreateResponse records a survey response while the survey is open; a
// respondent who gives a citizen_id answers once.
func (s *Server) CreateResponse(ctx context.Context, req *participationv1.CreateResponseRequest) (*participationv1.Response, error) {
	var v apierr.Violations
	d, p, err := parseProgram("parent", req.GetParent())
	v.Merge(err)
	in := req.GetResponse()
	r := participation.Response{ID: newID("response_id", req.GetResponseId(), &v)}
	if in.GetCitizenId() != "" {
		r.CitizenHash = s.citizen.Hash(in.GetCitizenId())
	}
	for _, a := range in.GetAnswers() {
		ans := participation.Answer{
			QuestionID: strings.TrimPrefix(a.GetQuestion(), childName(d, p, "questions", "")),
			Scale:      int(a.GetScaleValue()), Text: a.GetText(),
		}
		for _, c := range a.GetChoices() {
			ans.Choices = append(ans.Choices, int(c))
		}
		r.Answers = append(r.Answers, ans)
	}
	key, err := idempotency.For("CreateResponse", req.GetRequestId(), s.withoutCitizen(req))
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	given := fromTS(in.GetSubmitTime())
	saved, err := s.store.SubmitResponse(ctx, d, p, r, key, func(prog participation.Program, questions map[string]participation.Question) (time.Time, error) {
		if err := participation.CheckResponse("response", r.Answers, questions); err != nil {
			return time.Time{}, err
		}
		return s.at(ctx, d, given, prog.Responses, "response.submit_time", "responses")
	})
	if err != nil {
		return nil, err
	}
	return responseToProto(d, p, maskAnswers(saved)), nil
}

// ListResponses lists a survey's responses; free-text answers, which may
// hold personal data, are shown only to a caller who may see it.
func (s *Server) ListResponses(ctx context.Context, req *participationv1.ListResponsesRequest) (*participationv1.ListResponsesResponse, error) {
	pg, err := page(req.GetParent(), req.GetPageSize(), req.GetPageToken(), req.GetFilter())
	if err != nil {
		return nil, err
	}
	list, next, err := s.store.ListResponses(ctx, pg)
	if err != nil {
		return nil, err
	}
	show := unmasked(ctx, pg.District)
	var r reads
	resp := &participationv1.ListResponsesResponse{NextPageToken: next}
	for _, rs := range list {
		out := responseToProto(pg.District, pg.Program, rs)
		if show {
			r.answers(out.GetName(), rs)
		} else {
			out = responseToProto(pg.District, pg.Program, maskAnswers(rs))
		}
		resp.Responses = append(resp.Responses, out)
	}
	if err := s.recordReads(ctx, r); err != nil {
		return nil, err
	}
	return resp, nil
}
