// Package importflow imports a text card as one durable workflow. The
// pledge's part — the pledge and the departments it names — is written in
// one transaction of the pledge service together with the import's own
// record: the plan of the writes the other services keep (budget,
// indicators, the contest and its submissions), each checked with
// validate_only first. Every write is then done so that doing it again
// changes nothing (creates carry a request_id and an id chosen here;
// updates look before they write), and its progress is recorded before and
// after it is sent. An import cut off on the way — a crash, a service
// that could not answer — is finished later by one rule: once the pledge's
// transaction committed, it rolls forward; when a service refuses a write
// (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND…), everything is undone,
// each undo only while the resource still carries what the import wrote.
package importflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	budgetv1 "github.com/gongyak/gongyak/pkg/api/gongyak/budget/v1"
	indicatorv1 "github.com/gongyak/gongyak/pkg/api/gongyak/indicator/v1"
	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/services/pledge/internal/cardtext"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
)

// Services are the services that keep the card's other parts.
type Services struct {
	Budgets       budgetv1.BudgetServiceClient
	Indicators    indicatorv1.IndicatorServiceClient
	Participation participationv1.ParticipationServiceClient
}

// Identity is the pledge service acting as itself, for finishing imports
// whose caller is gone (at start, after a crash).
type Identity interface {
	Context(ctx context.Context) (context.Context, error)
}

// Store is what the workflow keeps in the pledge service's database.
type Store interface {
	ImportPledge(ctx context.Context, p pledge.Pledge, departments pledge.CardDepartments, opts postgres.ImportOptions) (postgres.Imported, error)
	GetPledge(ctx context.Context, district, id string) (postgres.PledgeWithTerm, error)
	ImportByRequest(ctx context.Context, district, requestID string) (postgres.ImportRecord, bool, error)
	ClaimImport(ctx context.Context, id string, lease time.Duration) (postgres.ImportRecord, bool, error)
	SaveImportSteps(ctx context.Context, id string, steps json.RawMessage) error
	LeaseImport(ctx context.Context, id string, d time.Duration) error
	ReleaseImport(ctx context.Context, id string, wait time.Duration) error
	MarkImportUndoing(ctx context.Context, id string, failure json.RawMessage) error
	AbandonImport(ctx context.Context, rec postgres.ImportRecord, steps json.RawMessage, failure func(pledgeLeft bool) (json.RawMessage, error)) error
	FinishImport(ctx context.Context, id string, steps, response json.RawMessage) error
}

// Flow runs imports.
type Flow struct {
	Store    Store
	Services Services
	// Show writes the pledge as the API shows it, for the answer.
	Show func(postgres.PledgeWithTerm) *pledgev1.Pledge
	// Identity finishes imports left by a crash; without one they are
	// finished by a retry of the same request_id.
	Identity Identity
	Log      *slog.Logger
	// Lease is how long a worker holds an import without saying so
	// again (postgres.DefaultImportLease when 0): after a crash, the
	// import waits that long for another worker.
	Lease time.Duration
}

func (f *Flow) lease() time.Duration {
	if f.Lease > 0 {
		return f.Lease
	}
	return postgres.DefaultImportLease
}

// Request is one import: the card read, and the pledge it makes, in the
// domain's shape.
type Request struct {
	District     pledge.District
	Card         *cardtext.Card
	Pledge       pledge.Pledge
	RequestID    string
	ValidateOnly bool
	// Digest tells a retry (the same request) from another request that
	// reuses the request_id.
	Digest string
	// Response holds what is known before writing: warnings.
	Response *pledgev1.ImportPledgeCardResponse
}

// Import imports a card as the caller of ctx. With a request_id seen
// before, it returns that import's result, finishing it first when it was
// cut off.
func (f *Flow) Import(ctx context.Context, req Request) (*pledgev1.ImportPledgeCardResponse, error) {
	if req.RequestID != "" && !req.ValidateOnly {
		rec, ok, err := f.Store.ImportByRequest(ctx, req.District.ID, req.RequestID)
		if err != nil {
			return nil, err
		}
		if ok {
			if rec.Digest != req.Digest {
				return nil, apierr.Invalid("request_id", "was used for another import; a retry must send the same request")
			}
			return f.outcome(ctx, rec)
		}
	}
	resp, recorded, err := f.start(ctx, req)
	if err != nil && !recorded && req.RequestID != "" && !req.ValidateOnly {
		// The same request sent again at once: the other send's import,
		// recorded meanwhile and writing, may be what this one tripped on
		// (a budget it found new and then not). Answer as a retry does.
		if rec, ok, lerr := f.Store.ImportByRequest(ctx, req.District.ID, req.RequestID); lerr == nil && ok && rec.Digest == req.Digest {
			return f.outcome(ctx, rec)
		}
	}
	return resp, err
}

// start imports a card that no import of its request_id has recorded yet;
// recorded says whether it recorded its own (after which its errors are
// the import's).
func (f *Flow) start(ctx context.Context, req Request) (_ *pledgev1.ImportPledgeCardResponse, recorded bool, _ error) {
	resp := req.Response
	if !req.ValidateOnly && (f.Services.Budgets == nil || f.Services.Indicators == nil || f.Services.Participation == nil) {
		return nil, false, apierr.Unavailable("this pledge service was started without the addresses of the budget, indicator and participation services")
	}
	// A new pledge's id is chosen here, so that the plan made before its
	// transaction names the pledge the transaction creates.
	if req.Pledge.ID == "" {
		req.Pledge.ID = pledge.NewID()
	}
	// The pledge's part as a dry run first: it says whether the card makes
	// a pledge or updates one, which the plan of the other writes needs.
	dry, err := f.Store.ImportPledge(ctx, req.Pledge, cardDepartments(req), postgres.ImportOptions{ValidateOnly: true, Keep: keeper(req.Card), StatusDate: req.Card.StatusDate})
	if err != nil {
		return nil, false, underCard(err)
	}
	counts(resp, req.Card)
	if !dry.Created {
		resp.KeptFields = keptFields(req.Card)
	}
	runID := resourceid.New()
	name := dry.Pledge.Pledge.Name()
	steps, err := f.plan(ctx, dry.Pledge.Pledge, req.Card, runID, !dry.Created)
	if err != nil {
		return nil, false, err
	}
	if !dry.Created {
		// The pledge exists: the other services check its parts before
		// anything is written. (A new pledge's are checked once the pledge
		// they belong to exists.)
		if err := f.validate(ctx, steps); err != nil {
			return nil, false, err
		}
	}
	if req.ValidateOnly {
		resp.Pledge, resp.Created, resp.DepartmentsCreated = f.Show(dry.Pledge), dry.Created, int32(len(dry.Departments))
		if dry.Created {
			resp.Warnings = append(resp.Warnings, &pledgev1.ImportWarning{Message: "the card's budget, indicators and contest are checked when the card is imported: the pledge is new"})
		}
		return resp, false, nil
	}
	// What is known of the answer now is kept with the import, for a
	// worker that finishes it for a caller who is gone.
	early, err := protojson.Marshal(resp)
	if err != nil {
		return nil, false, err
	}
	rec := &postgres.ImportRecord{ID: runID, DistrictID: req.District.ID, RequestID: req.RequestID, Digest: req.Digest,
		Subject: auth.FromContext(ctx).Actor(), Steps: encodeSteps(steps), Response: early, Lease: f.lease()}
	crashpoint("planned")
	im, err := f.Store.ImportPledge(ctx, req.Pledge, cardDepartments(req), postgres.ImportOptions{Keep: keeper(req.Card), Record: rec, StatusDate: req.Card.StatusDate})
	if errors.Is(err, postgres.ErrImportRequested) {
		// The same request sent twice at once: this one wrote nothing and
		// answers as a retry does.
		resp, err := f.Import(ctx, req)
		return resp, true, err
	}
	if err != nil {
		return nil, false, underCard(err)
	}
	crashpoint("pledge")
	resp.Pledge, resp.Created, resp.DepartmentsCreated = f.Show(im.Pledge), im.Created, int32(len(im.Departments))
	run := &run{flow: f, rec: rec, steps: steps, resp: resp}
	run.hold(ctx)
	if im.Created != dry.Created || im.Pledge.Pledge.Name() != name {
		// Another import made the pledge (or took it away) between the
		// plan and the transaction: the plan no longer fits, and nothing
		// of it was sent yet.
		return nil, true, run.abandon(ctx, &apierr.Error{Code: codes.Aborted, Reason: apierr.ReasonConcurrentChange,
			Message: "another import changed this pledge at the same time; import the card again"})
	}
	if im.Created {
		if err := f.validate(ctx, run.steps); err != nil {
			if refused(err) {
				// Refused before anything of the card left this service.
				return nil, true, run.abandon(ctx, err)
			}
			// Could not be checked now: the steps go on as they are, each
			// checked by its service as it is written.
		}
	}
	resp, err = run.finish(ctx)
	return resp, true, err
}

// outcome answers a retry: the finished import's answer, or its
// refusal; one still running is finished now, by this caller, unless
// another worker holds it.
func (f *Flow) outcome(ctx context.Context, rec postgres.ImportRecord) (*pledgev1.ImportPledgeCardResponse, error) {
	switch rec.State {
	case postgres.ImportDone:
		resp := &pledgev1.ImportPledgeCardResponse{}
		if err := protojson.Unmarshal(rec.Response, resp); err != nil {
			return nil, err
		}
		return resp, nil
	case postgres.ImportUndone:
		failure := &apierr.Error{}
		if err := json.Unmarshal(rec.Failure, failure); err != nil {
			return nil, err
		}
		return nil, failure
	}
	claimed, ok, err := f.Store.ClaimImport(ctx, rec.ID, f.lease())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apierr.Unavailable("the import of this request is still being written; retry in a moment")
	}
	return f.resume(ctx, claimed)
}

// cardDepartments are the departments a card names.
func cardDepartments(req Request) pledge.CardDepartments {
	return pledge.CardDepartments{Owning: req.Card.Department, Team: req.Pledge.OwningTeam, Related: req.Card.Related}
}

// counts fills what the card holds to write.
func counts(resp *pledgev1.ImportPledgeCardResponse, card *cardtext.Card) {
	resp.BudgetLines, resp.Indicators = int32(len(card.Budget)), int32(len(card.Indicators))
	if card.Contest != nil {
		resp.Programs, resp.Submissions = 1, int32(len(card.Contest.Submissions))
	}
}

// refused reports whether a service's answer refuses the write for good,
// rather than saying it could not take it now.
func refused(err error) bool {
	switch apierr.ToStatus(err).Code() {
	case codes.InvalidArgument, codes.FailedPrecondition, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied, codes.OutOfRange:
		return true
	}
	return false
}

// underCard names the fields of the card's pledge the store refused under
// the card, such as card.pledge.title.
func underCard(err error) error {
	e, ok := err.(*apierr.Error)
	if !ok || len(e.Violations) == 0 {
		return err
	}
	return e.Renamed(func(f string) string { return "card." + f })
}

func encodeSteps(steps []*Step) json.RawMessage {
	if steps == nil {
		steps = []*Step{}
	}
	raw, err := json.Marshal(steps)
	if err != nil {
		panic(fmt.Sprintf("importflow: steps do not encode: %v", err))
	}
	return raw
}
