package postgres

import (
	"context"

	"github.com/gongyak/gongyak/pkg/pgchange"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
)

// DistrictChannel is the channel the pledge schema's triggers notify when
// districts or terms change (migration 0008), which a district cache's
// Watcher listens on.
const DistrictChannel = "pledge_district_changes"

// CacheDistricts has the store keep the districts it reads, with their
// terms, until w (a Watcher of DistrictChannel on the store's pool) counts
// a change: every read of a pledge, a card or a district needs its
// district, which changes seldom. Another replica's change is seen when
// its notification comes (within milliseconds; while w is not listening
// nothing is kept), this store's own at once. Call it before the store is
// used.
func (s *Store) CacheDistricts(w *pgchange.Watcher) {
	s.districts = pgchange.NewCache[string, pledge.District](w, 1024)
}

// district returns the district id with its terms, from the cache when
// the store has one. The value is shared: it must not be changed.
func (s *Store) district(ctx context.Context, id string) (pledge.District, error) {
	read := func(ctx context.Context) (pledge.District, error) { return getDistrict(ctx, s.pool, id, "") }
	if s.districts == nil {
		return read(ctx)
	}
	return s.districts.Get(ctx, id, read)
}

// GetDistrict returns the district id. The value may be shared with
// other callers: it must not be changed.
func (s *Store) GetDistrict(ctx context.Context, id string) (pledge.District, error) {
	return s.district(ctx, id)
}

// DistrictPublished reports whether the district has a public term, which
// makes the district itself readable by anyone; false when there is no
// such district.
func (s *Store) DistrictPublished(ctx context.Context, id string) (bool, error) {
	d, err := s.district(ctx, id)
	if err != nil {
		return false, ignoreNotFound(err)
	}
	for _, t := range d.Terms {
		if t.Public {
			return true, nil
		}
	}
	return false, nil
}

// TermPublished reports whether the district's term — its current one
// when term is 0 — is public, which makes its pledges readable by anyone;
// false when there is no such term.
func (s *Store) TermPublished(ctx context.Context, district string, term int) (bool, error) {
	d, err := s.district(ctx, district)
	if err != nil {
		return false, ignoreNotFound(err)
	}
	if term == 0 {
		term = d.CurrentTerm
	}
	t, ok := d.Term(term)
	return ok && t.Public, nil
}
