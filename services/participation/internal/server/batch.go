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
