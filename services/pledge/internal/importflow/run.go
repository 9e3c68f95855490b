package importflow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"google.golang.org/protobuf/encoding/protojson"
)

// retryAfter is how long an import that could not go on waits before a
// worker takes it up again.
const retryAfter = 20 * time.Second

// run is one import going on: its record and its steps.
type run struct {
	flow  *Flow
	rec   *postgres.ImportRecord
	steps []*Step
	resp  *pledgev1.ImportPledgeCardResponse

	stopHolding func()
}

// hold keeps the import's lease while the run goes on, so that no other
// worker takes it up meanwhile; letGo ends that.
func (r *run) hold(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(r.flow.lease() / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				r.flow.Store.LeaseImport(ctx, r.rec.ID, r.flow.lease()) //nolint:errcheck // the next tick tries again
			}
		}
	}()
	r.stopHolding = func() { cancel(); <-done }
}

// letGo stops holding the import. With a wait, the run could not go on:
// it lets go at once, and workers take it up after wait.
func (r *run) letGo(ctx context.Context, wait time.Duration) {
	if r.stopHolding != nil {
		r.stopHolding()
		r.stopHolding = nil
	}
	if wait > 0 {
		r.flow.Store.ReleaseImport(context.WithoutCancel(ctx), r.rec.ID, wait) //nolint:errcheck // its lease runs out anyway
	}
}

// save records the steps' progress; point names where the import is, for
// the fault tests' crash points.
func (r *run) save(ctx context.Context, point string) error {
	if err := r.flow.Store.SaveImportSteps(ctx, r.rec.ID, encodeSteps(r.steps)); err != nil {
		return err
	}
	crashpoint(point)
	return nil
}

// finish writes the steps still to do, then ends the import: done, or —
// when a service refused a write — undone. When a service could not take a
// write now, the import stays running for a worker to take up later, and
// the caller is told to retry.
func (r *run) finish(ctx context.Context) (*pledgev1.ImportPledgeCardResponse, error) {
	defer r.letGo(ctx, 0)
	for i, st := range r.steps {
		err := refusal(fmt.Sprintf("step-%d", i+1))
		if err == nil {
			err = st.do(ctx, r.flow.Services, func(point string) error {
				return r.save(ctx, fmt.Sprintf("step-%d-%s", i+1, point))
			})
		}
		switch {
		case err == nil:
			continue
		case refused(err):
			return nil, r.abandon(ctx, failed(partOf(st), err))
		default:
			// Not refused: it can go on later. A worker takes it up after a
			// while; a retry with the request_id, then too.
			r.letGo(ctx, retryAfter)
			return nil, apierr.Unavailable("the card's %s could not be written yet (%s); the import is kept and finishes by itself — retry with the same request_id to get its result",
				partOf(st), apierr.ToStatus(err).Message())
		}
	}
	crashpoint("done")
	r.complete()
	final, err := r.flow.Store.GetPledge(ctx, r.rec.DistrictID, r.rec.PledgeID)
	if err != nil {
		return nil, err
	}
	r.resp.Pledge = r.flow.Show(final)
	raw, err := protojson.Marshal(r.resp)
	if err != nil {
		return nil, err
	}
	if err := r.flow.Store.FinishImport(ctx, r.rec.ID, encodeSteps(r.steps), raw); err != nil {
		return nil, err
	}
	return r.resp, nil
}

// complete counts what the steps wrote, for the answer.
func (r *run) complete() {
	r.resp.Indicators, r.resp.Programs, r.resp.Submissions = 0, 0, 0
	for _, st := range r.steps {
		switch st.Kind {
		case "indicator":
			r.resp.Indicators++
		case "program":
			r.resp.Programs++
		case "submission":
			r.resp.Submissions++
		}
	}
}

// abandon undoes an import a service refused — every step the last first,
// the pledge's part last of all, each only while it holds what the import
// wrote — and records it undone with why. It returns the refusal.
func (r *run) abandon(ctx context.Context, refusal error) error {
	defer r.letGo(ctx, 0)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	f, rec, steps := r.flow, r.rec, r.steps
	why := apierr.FromStatus(apierr.ToStatus(refusal))
	// The refusal is kept first: a worker that takes the import up after a
	// crash goes on undoing it, for the same reason.
	raw, err := json.Marshal(why)
	if err != nil {
		return err
	}
	if err := f.Store.MarkImportUndoing(ctx, rec.ID, raw); err != nil {
		return err
	}
	crashpoint("undoing")
	var kept []string
	for i := len(steps) - 1; i >= 0; i-- {
		if err := steps[i].undo(ctx, f.Services); err != nil {
			// Could not be asked: the import stays running, to be undone
			// by a worker later.
			f.Store.SaveImportSteps(ctx, rec.ID, encodeSteps(steps)) //nolint:errcheck // its lease runs out anyway
			r.letGo(ctx, retryAfter)
			return apierr.Unavailable("%s; undoing what the import wrote could not finish yet (%s): it goes on by itself", why.Message, apierr.ToStatus(err).Message())
		}
		if steps[i].State == left {
			kept = append(kept, steps[i].Name)
		}
		if steps[i].State == undone {
			// Recorded as it goes, so that a worker taking the import up
			// after a crash does not ask for it again.
			if err := f.Store.SaveImportSteps(ctx, rec.ID, encodeSteps(steps)); err != nil {
				return err
			}
			crashpoint(fmt.Sprintf("undone-%d", i+1))
		}
	}
	out := *why
	err = f.Store.AbandonImport(ctx, *rec, encodeSteps(steps), func(pledgeLeft bool) (json.RawMessage, error) {
		if pledgeLeft {
			kept = append(kept, rec.Undo.Pledge.Pledge.Name())
		}
		out.Message = why.Message + "; nothing of the card was kept"
		if len(kept) > 0 {
			out.Message = why.Message + "; what the import wrote was undone but for " + strings.Join(kept, ", ") + ", changed by someone else since"
		}
		return json.Marshal(&out)
	})
	if err != nil {
		return err
	}
	return &out
}

// resume takes up an import cut off on the way, as the caller of ctx.
func (f *Flow) resume(ctx context.Context, rec postgres.ImportRecord) (*pledgev1.ImportPledgeCardResponse, error) {
	var steps []*Step
	if err := json.Unmarshal(rec.Steps, &steps); err != nil {
		return nil, fmt.Errorf("import %s: its steps do not read: %w", rec.ID, err)
	}
	// The answer as it was known when the import began: its warnings, the
	// fields kept, what the card holds.
	resp := &pledgev1.ImportPledgeCardResponse{}
	if len(rec.Response) > 0 {
		if err := protojson.Unmarshal(rec.Response, resp); err != nil {
			return nil, fmt.Errorf("import %s: its answer does not read: %w", rec.ID, err)
		}
	}
	resp.Created, resp.DepartmentsCreated = rec.Undo.Created, int32(len(rec.Undo.Departments))
	r := &run{flow: f, rec: &rec, steps: steps, resp: resp}
	r.hold(ctx)
	if len(rec.Failure) > 0 {
		// Cut off while undoing: finish the undo, for the same reason.
		why := &apierr.Error{}
		if err := json.Unmarshal(rec.Failure, why); err != nil {
			r.letGo(ctx, 0)
			return nil, fmt.Errorf("import %s: its refusal does not read: %w", rec.ID, err)
		}
		return nil, r.abandon(ctx, why)
	}
	return r.finish(ctx)
}

// Recover takes up, one after another, the imports cut off on the way
// whose worker let go (a crash, an outage), as the service itself, until
// none is left; then again every interval, until ctx ends.
func (f *Flow) Recover(ctx context.Context, interval time.Duration) {
	for {
		f.recoverAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func (f *Flow) recoverAll(ctx context.Context) {
	for ctx.Err() == nil {
		rec, ok, err := f.Store.ClaimImport(ctx, "", f.lease())
		if err != nil {
			f.Log.WarnContext(ctx, "looking for imports to finish", "error", err.Error())
			return
		}
		if !ok {
			return
		}
		if f.Identity == nil {
			f.Log.WarnContext(ctx, "an import was cut off and this service has no identity of its own to finish it (GONGYAK_SERVICE_CLIENT_ID); a retry with its request_id will", "import", rec.ID)
			f.Store.ReleaseImport(ctx, rec.ID, retryAfter) //nolint:errcheck // its lease runs out anyway
			return
		}
		sctx, err := f.Identity.Context(ctx)
		if err != nil {
			f.Log.WarnContext(ctx, "the service's own identity is not available to finish an import", "import", rec.ID, "error", err.Error())
			f.Store.ReleaseImport(ctx, rec.ID, retryAfter) //nolint:errcheck // its lease runs out anyway
			return
		}
		_, err = f.resume(sctx, rec)
		f.Log.InfoContext(ctx, "finished an import that was cut off", "import", rec.ID, "pledge", rec.PledgeID, "for", rec.Subject,
			"outcome", apierr.ToStatus(err).Code().String())
	}
}
