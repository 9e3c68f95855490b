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

// ImportPledge writes a card's pledge in one transaction: it creates the
// departments the card names that the district lacks (by display name),
// then creates the pledge or, when one of the same term already has its
// identity (code, or title without one), updates it, recording a status
// change when the card's status differs.
func (s *Store) ImportPledge(ctx context.Context, p pledge.Pledge, owning string, related []string, opts ImportOptions) (Imported, error) {
	validateOnly := opts.ValidateOnly
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
		if p.Term == 0 {
			p.Term = d.CurrentTerm
		}
		term, ok := d.Term(p.Term)
		if !ok {
			return apierr.Invalid("term", "district %s has no term %d", d.Name(), p.Term)
		}
		ids := map[string]string{}
		for _, name := range append([]string{owning}, related...) {
			if name == "" || ids[name] != "" {
				continue
			}
			var id string
			err := tx.QueryRow(ctx, `SELECT id FROM departments WHERE district_id = $1 AND display_name = $2`, p.DistrictID, name).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				dep := pledge.Department{DistrictID: p.DistrictID, ID: pledge.NewID(), DisplayName: name}
				if p.OwningTeam != "" && name == owning {
					dep.Teams = []string{p.OwningTeam}
				}
				if err := dep.Check("department"); err != nil {
					return err
				}
				if err := s.insertDepartment(ctx, tx, dep); err != nil {
					return err
				}
				id = dep.ID
				out.Departments = append(out.Departments, id)
			} else if err != nil {
				return err
			}
			ids[name] = id
		}
		p.OwningDepartment = ids[owning]
		for _, r := range related {
			p.RelatedDepartments = append(p.RelatedDepartments, ids[r])
		}

		existing, err := sameIdentity(ctx, tx, p, " FOR UPDATE")
		switch {
		case err != nil:
			return err
		case existing == "":
			out.Created = true
			if p.ID == "" {
				p.ID = pledge.NewID()
			}
			if err := checkPledge(ctx, tx, &p, term); err != nil {
				return err
			}
			if !opts.StatusDate.IsZero() {
				if err := checkStatusDate(ctx, tx, p, "status_date", opts.StatusDate); err != nil {
					return err
				}
			}
			if err := insertPledge(ctx, tx, p); err != nil {
				return err
			}
			if err := recordStatusOn(ctx, tx, p.DistrictID, p.ID, pledge.StatusUnspecified, p.Status, "imported from a card", opts.StatusDate); err != nil {
				return err
			}
		default:
			prev, err := getPledge(ctx, tx, p.DistrictID, existing, "")
			if err != nil {
				return err
			}
			out.Previous = prev
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM status_changes WHERE district_id = $1 AND pledge_id = $2`,
				p.DistrictID, existing).Scan(&out.LastStatusChange); err != nil {
				return err
			}
			p.ID = existing
			status := p.Status
			if status == pledge.StatusUnspecified {
				status = prev.Status
			}
			p.Status = prev.Status
			keepPhotoFiles(&p, prev)
			if opts.Keep != nil {
				opts.Keep(prev, &p)
			}
			if err := checkPledge(ctx, tx, &p, term); err != nil {
				return err
			}
			if _, err := overwritePledge(ctx, tx, p, 0); err != nil {
				return err
			}
			if status != prev.Status {
				if !opts.StatusDate.IsZero() {
					if err := checkStatusDate(ctx, tx, prev, "status_date", opts.StatusDate); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(ctx, `UPDATE pledges SET status = $3, status_change_time = now() WHERE district_id = $1 AND id = $2`,
					p.DistrictID, p.ID, status); err != nil {
					return err
				}
				if err := recordStatusOn(ctx, tx, p.DistrictID, p.ID, prev.Status, status, "imported from a card", opts.StatusDate); err != nil {
					return err
				}
			}
		}
		got, err := getPledge(ctx, tx, p.DistrictID, p.ID, "")
		if err != nil {
			return err
		}
		out.Pledge = PledgeWithTerm{Pledge: got, Term: term}
		if out.Created {
			err = s.record(ctx, tx, audit.Create, got.Name(), nil, got)
		} else {
			err = s.record(ctx, tx, audit.Update, got.Name(), out.Previous, got)
		}
		if err != nil {
			return err
		}
		if validateOnly {
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

// keepPhotoFiles keeps the files attached to a pledge's photos, by
// position, when its photos are rewritten.
func keepPhotoFiles(p *pledge.Pledge, prev pledge.Pledge) {
	for i := range p.Photos {
		if i < len(prev.Photos) && p.Photos[i].URI == "" {
			p.Photos[i].URI = prev.Photos[i].URI
		}
	}
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
