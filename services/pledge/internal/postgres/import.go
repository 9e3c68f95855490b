package postgres

import (
	"context"
	"errors"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

// errValidateOnly rolls back a transaction that only checked.
var errValidateOnly = errors.New("validate only")

// Imported is what ImportPledge wrote, and what undoing it needs.
type Imported struct {
	Pledge  PledgeWithTerm
	Created bool
	// Previous is the pledge before an update, to restore on undo.
	Previous pledge.Pledge
	// LastStatusChange is the pledge's last history entry before the
	// import; an undo removes the ones after it.
	LastStatusChange int64
	// Departments the import created, by id.
	Departments []string
}

// ImportOptions say how ImportPledge writes.
type ImportOptions struct {
	// ValidateOnly checks everything and keeps nothing.
	ValidateOnly bool
	// Keep, given the stored pledge a card updates and the card's, puts
	// back into the card's what the card does not carry.
	Keep func(prev pledge.Pledge, next *pledge.Pledge)
	// Record, when set, is the import's own record, written in the same
	// transaction with what undoing the pledge's part needs.
	Record *ImportRecord
	// StatusDate is the day the card says its status took effect; the
	// status change the import records takes effect then (today when
	// zero). It is checked as ChangeStatus checks an effective date, and a
	// refusal names status_date.
	StatusDate pledge.Date
}

// ImportPledge writes a card's pledge in one transaction, as
// pledge.PlanImport decides from what the district holds: the departments
// the card names that the district lacks (by display name) are created,
// then the pledge is created or, when one of its term has its identity,
// written over, the status history recording the change of status the
// plan gives.
func (s *Store) ImportPledge(ctx context.Context, p pledge.Pledge, departments pledge.CardDepartments, opts ImportOptions) (Imported, error) {
	var out Imported
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		// Imports into one district go one at a time, dry runs too: two
		// cards naming the same new department, or the same new pledge,
		// would both create it.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('gongyak.pledge.import/' || $1, 0))`, p.DistrictID); err != nil {
			return err
		}
		d, err := lockDistrict(ctx, tx, p.DistrictID)
		if err != nil {
			return err
		}
		term, err := d.TermOrCurrent("term", p.Term)
		if err != nil {
			return err
		}
		p.Term = term.Number
		existing, err := departmentsOf(ctx, tx, p.DistrictID)
		if err != nil {
			return err
		}
		candidates, err := identityCandidates(ctx, tx, p, " FOR UPDATE")
		if err != nil {
			return err
		}
		plan, err := pledge.PlanImport(pledge.CardImport{Pledge: p, Term: term, Departments: departments,
			Existing: existing, Candidates: candidates, Keep: opts.Keep})
		if err != nil {
			return err
		}
		if out, err = s.writeImport(ctx, tx, plan, opts.StatusDate); err != nil {
			return err
		}
		out.Pledge.Term = term
		if opts.ValidateOnly {
			return errValidateOnly
		}
		if opts.Record != nil {
			return s.insertImport(ctx, tx, opts.Record, out)
		}
		return nil
	})
	if errors.Is(err, errValidateOnly) {
		err = nil
	}
	return out, err
}

// writeImport writes an import's plan in tx; the change of status takes
// effect on statusDate (today when zero), checked as ChangeStatus checks
// an effective date, a refusal naming status_date.
func (s *Store) writeImport(ctx context.Context, tx pgx.Tx, plan pledge.ImportPlan, statusDate pledge.Date) (Imported, error) {
	out := Imported{Created: plan.Created()}
	for _, dep := range plan.NewDepartments {
		if err := s.insertDepartment(ctx, tx, dep); err != nil {
			return out, err
		}
		out.Departments = append(out.Departments, dep.ID)
	}
	p := plan.Pledge
	if plan.Created() {
		if !statusDate.IsZero() {
			if err := checkStatusDate(ctx, tx, p, "status_date", statusDate); err != nil {
				return out, err
			}
		}
		if err := insertPledge(ctx, tx, p); err != nil {
			return out, err
		}
	} else {
		out.Previous = *plan.Previous
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM status_changes WHERE district_id = $1 AND pledge_id = $2`,
			p.DistrictID, p.ID).Scan(&out.LastStatusChange); err != nil {
			return out, err
		}
		if _, err := overwritePledge(ctx, tx, p, 0); err != nil {
			return out, err
		}
		if plan.Status != nil {
			if !statusDate.IsZero() {
				if err := checkStatusDate(ctx, tx, out.Previous, "status_date", statusDate); err != nil {
					return out, err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE pledges SET status = $3, status_change_time = now() WHERE district_id = $1 AND id = $2`,
				p.DistrictID, p.ID, plan.Status.To); err != nil {
				return out, err
			}
		}
	}
	if t := plan.Status; t != nil {
		if err := recordStatusOn(ctx, tx, p.DistrictID, p.ID, t.From, t.To, t.Reason, statusDate); err != nil {
			return out, err
		}
	}
	got, err := getPledge(ctx, tx, p.DistrictID, p.ID, "")
	if err != nil {
		return out, err
	}
	out.Pledge = PledgeWithTerm{Pledge: got}
	if out.Created {
		return out, s.record(ctx, tx, audit.Create, got.Name(), nil, got)
	}
	return out, s.record(ctx, tx, audit.Update, got.Name(), out.Previous, got)
}

// undoImport takes back what ImportPledge wrote: a created pledge and its
// history go entirely; an updated one gets its previous fields back and
// loses the history entries the import added; departments the import
// created go. A pledge changed since the import is left as it is (an
// ETAG_MISMATCH error, before anything is written).
func (s *Store) undoImport(ctx context.Context, tx pgx.Tx, im Imported) error {
	{
		p := im.Pledge.Pledge
		if im.Created {
			// Only what the import wrote is taken back: a pledge changed
			// since by someone else stays, and the undo says so.
			var revision int64
			err := tx.QueryRow(ctx, `SELECT revision FROM pledges WHERE district_id = $1 AND id = $2 FOR UPDATE`, p.DistrictID, p.ID).Scan(&revision)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			if revision != p.Revision {
				return apierr.EtagMismatch(p.Name())
			}
			if _, err := tx.Exec(ctx, `DELETE FROM status_changes WHERE district_id = $1 AND pledge_id = $2`, p.DistrictID, p.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM photo_files WHERE district_id = $1 AND pledge_id = $2`, p.DistrictID, p.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM pledges WHERE district_id = $1 AND id = $2`, p.DistrictID, p.ID); err != nil {
				return err
			}
			if err := s.record(ctx, tx, audit.Delete, p.Name(), p, nil); err != nil {
				return err
			}
		} else {
			prev := im.Previous
			// Only what the import wrote is taken back: a pledge changed
			// since by someone else is left alone, and said so.
			wrote, err := overwritePledge(ctx, tx, prev, p.Revision)
			if err != nil {
				return err
			}
			if !wrote {
				return apierr.EtagMismatch(p.Name())
			}
			if _, err := tx.Exec(ctx, `UPDATE pledges SET status_change_time = $3 WHERE district_id = $1 AND id = $2`,
				prev.DistrictID, prev.ID, prev.StatusChangeTime); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM status_changes WHERE district_id = $1 AND pledge_id = $2 AND number > $3`,
				prev.DistrictID, prev.ID, im.LastStatusChange); err != nil {
				return err
			}
			if err := s.record(ctx, tx, audit.Update, p.Name(), p, prev); err != nil {
				return err
			}
		}
		if len(im.Departments) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM departments WHERE district_id = $1 AND id = ANY($2)`, p.DistrictID, im.Departments); err != nil {
				return err
			}
			for _, id := range im.Departments {
				if err := s.record(ctx, tx, audit.Delete, pledge.DepartmentName(p.DistrictID, id), pledge.Department{DistrictID: p.DistrictID, ID: id}, nil); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
