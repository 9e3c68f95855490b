package postgres

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/audit"
	"github.com/gongyak/gongyak/pkg/pgdb"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/jackc/pgx/v5"
)

// PhotoName is `districts/{d}/pledges/{p}/photos/{n}`, n from 1.
func PhotoName(district, id string, n int) string {
	return fmt.Sprintf("%s/photos/%d", pledge.PledgeName(district, id), n)
}

// SavePhotoFile attaches an image to the n-th photo of a live pledge and
// sets the photo's uri to where it can be fetched.
func (s *Store) SavePhotoFile(ctx context.Context, district, id string, n int, contentType string, data []byte) (pledge.Photo, error) {
	var out pledge.Photo
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		p, err := getPledge(ctx, tx, district, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		if !p.DeleteTime.IsZero() {
			return apierr.FailedPrecondition("pledge %s was deleted", p.Name())
		}
		if n < 1 || n > len(p.Photos) {
			return apierr.NotFound("photo", PhotoName(district, id, n))
		}
		sum := sha256.Sum256(data)
		if _, err := tx.Exec(ctx, `INSERT INTO photo_files (district_id, pledge_id, position, content_type, data, sha256)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (district_id, pledge_id, position) DO UPDATE
			SET content_type = excluded.content_type, data = excluded.data, sha256 = excluded.sha256, update_time = now()`,
			district, id, n, contentType, data, sum[:]); err != nil {
			return err
		}
		before := p
		before.Photos = slices.Clone(p.Photos)
		p.Photos[n-1].URI = "/v1/" + PhotoName(district, id, n) + ":content"
		if _, err := tx.Exec(ctx, `UPDATE pledges SET photos = $3, revision = revision + 1, update_time = now()
			WHERE district_id = $1 AND id = $2`, district, id, p.Photos); err != nil {
			return err
		}
		out = p.Photos[n-1]
		return s.record(ctx, tx, audit.Update, p.Name(), before, p)
	})
	return out, err
}

// PhotoFile returns the image attached to the n-th photo of a pledge.
func (s *Store) PhotoFile(ctx context.Context, district, id string, n int) (string, []byte, error) {
	var contentType string
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT content_type, data FROM photo_files WHERE district_id = $1 AND pledge_id = $2 AND position = $3`,
		district, id, n).Scan(&contentType, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, apierr.NotFound("photo file", PhotoName(district, id, n))
	}
	return contentType, data, err
}
