package server

import (
	"context"
	"encoding/hex"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/batch"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/services/participation/internal/participation"
	"google.golang.org/protobuf/proto"
)

// batchProgram reads a batch's program and checks its size and each
// request's parent; each request is passed to each for its own checks.
func batchProgram[R interface{ GetParent() string }](v *apierr.Violations, parent string, requests []R) (district, program string) {
	district, program, err := parseProgram("parent", parent)
	v.Merge(err)
	batch.Size(v, len(requests))
	for i, r := range requests {
		batch.Parent(v, i, r.GetParent(), parent)
	}
	return district, program
}

// BatchCreateMembers adds up to batch.Max members to one program in one
// transaction, each checked as CreateMember checks one; every fault is
// named at once, under `requests[i].`, and nothing is written unless all
// are accepted.
func (s *Server) BatchCreateMembers(ctx context.Context, req *participationv1.BatchCreateMembersRequest) (*participationv1.BatchCreateMembersResponse, error) {
	var v apierr.Violations
	d, p := batchProgram(&v, req.GetParent(), req.GetRequests())
	ms := make([]participation.Member, len(req.GetRequests()))
	for i, r := range req.GetRequests() {
		batch.NoRequestID(&v, i, r.GetRequestId())
		m := memberFromProto(r.GetMember())
		var one apierr.Violations
		m.ID = newID("member_id", r.GetMemberId(), &one)
		one.Merge(m.Check("member"))
		batch.Merge(&v, i, one.Err())
		ms[i] = m
	}
	key, err := idempotency.For("BatchCreateMembers", req.GetRequestId(), req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	saved, err := s.store.BatchCreateMembers(ctx, d, p, ms, key)
	if err != nil {
		return nil, err
	}
	resp := &participationv1.BatchCreateMembersResponse{}
	for _, m := range saved {
		resp.Members = append(resp.Members, memberToProto(d, p, m, true))
	}
	return resp, nil
}

// BatchCreateSubmissions adds up to batch.Max submissions to one program
// in one transaction, each checked and admitted as CreateSubmission admits
// one (its window, or the past time a registrar records).
func (s *Server) BatchCreateSubmissions(ctx context.Context, req *participationv1.BatchCreateSubmissionsRequest) (*participationv1.BatchCreateSubmissionsResponse, error) {
	var v apierr.Violations
	d, p := batchProgram(&v, req.GetParent(), req.GetRequests())
	subs := make([]participation.Submission, len(req.GetRequests()))
	for i, r := range req.GetRequests() {
		batch.NoRequestID(&v, i, r.GetRequestId())
		sub := submissionFromProto(r.GetSubmission())
		var one apierr.Violations
		sub.ID = newID("submission_id", r.GetSubmissionId(), &one)
		one.Merge(sub.Check("submission"))
		batch.Merge(&v, i, one.Err())
		subs[i] = sub
	}
	key, err := idempotency.For("BatchCreateSubmissions", req.GetRequestId(), req)
	v.Merge(err)
	if d == "" || len(subs) == 0 || len(subs) > batch.Max {
		return nil, v.Err()
	}
	// The store adds what only the program shows (its window), so every
	// fault is named at once.
	saved, err := s.store.BatchCreateSubmissions(ctx, d, p, subs, v, key, func(prog participation.Program, i int) (time.Time, error) {
		return s.at(ctx, d, subs[i].Received, prog.Submissions, "submission.receive_time", "submissions")
	})
	if err != nil {
		return nil, err
	}
	resp := &participationv1.BatchCreateSubmissionsResponse{}
	for _, sub := range saved {
		resp.Submissions = append(resp.Submissions, submissionToProto(d, p, sub, true))
	}
	return resp, nil
}

// BatchCreateBallots casts up to batch.Max ballots of one evaluation in
// one transaction, each checked as CreateBallot checks one; a citizen who
// has voted, or votes twice in the batch, refuses it, and nothing is
// written unless every ballot is accepted.
func (s *Server) BatchCreateBallots(ctx context.Context, req *participationv1.BatchCreateBallotsRequest) (*participationv1.BatchCreateBallotsResponse, error) {
	var v apierr.Violations
	d, p := batchProgram(&v, req.GetParent(), req.GetRequests())
	bs := make([]participation.Ballot, len(req.GetRequests()))
	for i, r := range req.GetRequests() {
		batch.NoRequestID(&v, i, r.GetRequestId())
		var one apierr.Violations
		bs[i] = participation.Ballot{ID: newID("ballot_id", r.GetBallotId(), &one), CitizenHash: s.citizen.Hash(r.GetBallot().GetCitizenId())}
		for _, sc := range r.GetBallot().GetScores() {
			bs[i].Scores = append(bs[i].Scores, participation.BallotScore{EntryID: entryID(d, p, sc.GetEntry()), Score: int(sc.GetScore())})
		}
		batch.Merge(&v, i, one.Err())
	}
	key, err := idempotency.For("BatchCreateBallots", req.GetRequestId(), s.withoutCitizens(req))
	v.Merge(err)
	if d == "" || len(bs) == 0 || len(bs) > batch.Max {
		return nil, v.Err()
	}
	// The store adds what only the program shows (its entries, scale and
	// window), so every fault is named at once.
	saved, err := s.store.BatchCastBallots(ctx, d, p, bs, v, key, func(prog participation.Program, entries map[string]bool, i int) (time.Time, error) {
		in := req.GetRequests()[i].GetBallot()
		if err := participation.CheckBallot("ballot", in.GetCitizenId(), bs[i].Scores, entries, prog.BallotScaleMax); err != nil {
			return time.Time{}, err
		}
		return s.at(ctx, d, fromTS(in.GetCastTime()), prog.Voting, "ballot.cast_time", "ballots")
	})
	if err != nil {
		return nil, err
	}
	resp := &participationv1.BatchCreateBallotsResponse{}
	for _, b := range saved {
		resp.Ballots = append(resp.Ballots, ballotToProto(d, p, b))
	}
	return resp, nil
}

// withoutCitizens is a batch of ballots with each citizen's identifier
// replaced by its keyed hash, for the fingerprint its retry is recognised
// by (see withoutCitizen).
func (s *Server) withoutCitizens(req *participationv1.BatchCreateBallotsRequest) proto.Message {
	out := proto.Clone(req).(*participationv1.BatchCreateBallotsRequest)
	for _, r := range out.GetRequests() {
		if r.GetBallot() != nil {
			r.Ballot.CitizenId = hex.EncodeToString(s.citizen.Hash(r.GetBallot().GetCitizenId()))
		}
	}
	return out
}
