package postgres

import (
	"context"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/filter"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

const apiKeyColumns = `id, district_id, display_name, scopes, creator, expire_time, revoke_time, create_time, update_time`

// scanAPIKey reads a row of apiKeyColumns, then into extra what the
// query selects after them.
func scanAPIKey(row pgx.Row, extra ...any) (pledge.APIKey, error) {
	var k pledge.APIKey
	var expire, revoke *time.Time
	err := row.Scan(append([]any{&k.ID, &k.DistrictID, &k.DisplayName, &k.Scopes, &k.Creator, &expire, &revoke, &k.CreateTime, &k.UpdateTime}, extra...)...)
	if expire != nil {
		k.ExpireTime = *expire
	}
	if revoke != nil {
		k.RevokeTime = *revoke
	}
	return k, err
}

func errKeyNotFound(district, id string) error {
	return apierr.NotFound("API key", pledge.APIKeyName(district, id))
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// CreateAPIKey stores a new key with the hash of its secret. Its district
// must exist; an id in use is ALREADY_EXISTS.
func (s *Store) CreateAPIKey(ctx context.Context, k pledge.APIKey, secretHash []byte) (pledge.APIKey, error) {
	var out pledge.APIKey
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if k.DistrictID != "" {
			if _, err := lockDistrict(ctx, tx, k.DistrictID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO api_keys (id, district_id, display_name, scopes, secret_sha256, expire_time, creator)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, k.DistrictID, k.DisplayName, k.Scopes, secretHash, nullTime(k.ExpireTime), k.Creator)
		if pgdb.IsCode(err, pgdb.UniqueViolation) {
			return apierr.AlreadyExists("API key %s already exists; its secret cannot be shown again: create another", k.Name())
		}
		if err != nil {
			return err
		}
		if out, err = scanAPIKey(tx.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1`, k.ID)); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Create, out.Name(), nil, out)
	})
	return out, err
}

// GetAPIKey returns a key of district ("" for a cross-district one).
func (s *Store) GetAPIKey(ctx context.Context, district, id string) (pledge.APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1 AND district_id = $2`, id, district))
	return k, notFound(err, errKeyNotFound(district, id))
}

// ListAPIKeys returns a page of district's keys, newest first.
func (s *Store) ListAPIKeys(ctx context.Context, district, filterText string, size int, token string) ([]pledge.APIKey, string, error) {
	binding := pagetoken.Bind("apiKeys", district, filterText)
	after, err := pagetoken.Decode(token, binding, 2)
	if err != nil {
		return nil, "", err
	}
	where, fargs, err := filter.SQL(filterText, updateTimeFilter, 3)
	if err != nil {
		return nil, "", err
	}
	keys := []pagetoken.Key{{Expr: "create_time", Type: "timestamptz", Desc: true}, {Expr: "id", Type: "text"}}
	cond, args := pagetoken.After(keys, after, 3+len(fargs))
	rows, err := s.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE district_id = $1 AND `+where+` AND `+cond+
		` ORDER BY `+pagetoken.OrderBy(keys)+` LIMIT $2`, append(append([]any{district, size + 1}, fargs...), args...)...)
	if err != nil {
		return nil, "", err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pledge.APIKey, error) { return scanAPIKey(row) })
	if err != nil {
		return nil, "", err
	}
	list, next := pagetoken.Cut(list, size, binding, func(last pledge.APIKey) []string {
		return []string{last.CreateTime.Format(time.RFC3339Nano), last.ID}
	})
	return list, next, nil
}

// RevokeAPIKey stops a key for good; a revoked key is returned as it is.
func (s *Store) RevokeAPIKey(ctx context.Context, district, id string) (pledge.APIKey, error) {
	var out pledge.APIKey
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := scanAPIKey(tx.QueryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1 AND district_id = $2 FOR UPDATE`, id, district))
		if err != nil {
			return notFound(err, errKeyNotFound(district, id))
		}
		if !before.RevokeTime.IsZero() {
			out = before
			return nil
		}
		if out, err = scanAPIKey(tx.QueryRow(ctx, `UPDATE api_keys SET revoke_time = now(), update_time = now() WHERE id = $1 RETURNING `+apiKeyColumns, id)); err != nil {
			return err
		}
		return s.record(ctx, tx, audit.Revoke, out.Name(), before, out)
	})
	return out, err
}

// KeyByID returns any key by its id with the hash of its secret, for
// checking a presented key.
func (s *Store) KeyByID(ctx context.Context, id string) (pledge.APIKey, []byte, error) {
	var hash []byte
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `SELECT `+apiKeyColumns+`, secret_sha256 FROM api_keys WHERE id = $1`, id), &hash)
	return k, hash, notFound(err, errKeyNotFound("", id))
}
