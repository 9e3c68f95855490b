package server_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	"github.com/gongyak/gongyak/pkg/racetest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// TestBallotsRacingTheCloseAreCountedOnlyWhenAcknowledged closes an
// evaluation's vote while citizens keep voting: every ballot is either
// acknowledged or refused as too late, the tally read as soon as the close
// is acknowledged counts exactly the ballots acknowledged, and nothing is
// counted after it — however the ballots and the close interleave.
func TestBallotsRacingTheCloseAreCountedOnlyWhenAcknowledged(t *testing.T) {
	e := newEnv(t)
	prog, entries := evaluation(t, e)
	ctx := context.Background()
	cast := func(c int) error {
		b := &participationv1.Ballot{CitizenId: fmt.Sprintf("010-7777-%04d", c),
			Scores: []*participationv1.BallotScore{{Entry: entries[c%len(entries)], Score: int32(1 + c%10)}}}
		_, err := e.svc.CreateBallot(ctx, &participationv1.CreateBallotRequest{Parent: prog.GetName(), Ballot: b, RequestId: fmt.Sprintf("close-race-%d", c)})
		return err
	}
	// Each voter casts ballot after ballot, each of a citizen of its own,
	// until one is refused; the closer closes once some are in.
	const voters, most = 16, 400
	var acknowledged, refused atomic.Int32
	var atClose int32
	racetest.Together(voters+1, func(k int) {
		if k < voters {
			for n := range most {
				switch err := cast(n*voters + k); status.Code(err) {
				case codes.OK:
					acknowledged.Add(1)
				case codes.FailedPrecondition:
					refused.Add(1)
					return
				default:
					t.Errorf("voter %d, ballot %d: %v, want OK or FAILED_PRECONDITION (too late)", k, n, err)
					return
				}
			}
			t.Errorf("voter %d: %d ballots, none refused: the vote never closed", k, most)
			return
		}
		for acknowledged.Load() < 3*voters {
			time.Sleep(time.Millisecond)
		}
		_, err := e.svc.UpdateProgram(ctx, &participationv1.UpdateProgramRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"voting_window"}},
			Program: &participationv1.Program{Name: prog.GetName(), Etag: prog.GetEtag(),
				VotingWindow: &participationv1.Window{OpenTime: at(now.Add(-time.Hour)), CloseTime: at(now.Add(-time.Minute))}}})
		if err != nil {
			t.Error(err)
			return
		}
		tally, err := e.svc.GetTally(ctx, &participationv1.GetTallyRequest{Name: prog.GetName() + "/tally"})
		if err != nil {
			t.Error(err)
			return
		}
		atClose = tally.GetBallots()
	})
	t.Logf("%d ballots acknowledged, %d refused as too late", acknowledged.Load(), refused.Load())
	tally, err := e.svc.GetTally(ctx, &participationv1.GetTallyRequest{Name: prog.GetName() + "/tally"})
	if err != nil {
		t.Fatal(err)
	}
	if n := acknowledged.Load(); tally.GetBallots() != n || atClose != n {
		t.Errorf("%d ballots acknowledged; the tally counted %d when the close was acknowledged and %d at the end", n, atClose, tally.GetBallots())
	}
}
