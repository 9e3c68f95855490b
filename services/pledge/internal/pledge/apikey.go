package pledge

import (
	"slices"
	"time"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/fieldtext"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// APIKey is a key another system calls Gongyak with: a district's own
// systems' (DistrictID set) or a cross-district one's, such as the
// ministry's reporting client.
type APIKey struct {
	ID, DistrictID, DisplayName string
	Scopes                      []string
	Creator                     string
	// ExpireTime is when the key stops by itself; zero for never.
	ExpireTime, RevokeTime, CreateTime time.Time
	// UpdateTime is when the key was created or last revoked.
	UpdateTime time.Time
}

// Name is the key's resource name.
func (k APIKey) Name() string { return APIKeyName(k.DistrictID, k.ID) }

// APIKeyName is `districts/{district}/apiKeys/{id}`, or `apiKeys/{id}` for
// a cross-district key.
func APIKeyName(district, id string) string {
	if district == "" {
		return resourcename.APIKey.Format(id)
	}
	return resourcename.DistrictAPIKey.Format(district, id)
}

// Usable reports whether the key works at now: not revoked, not expired.
func (k APIKey) Usable(now time.Time) bool {
	return k.RevokeTime.IsZero() && (k.ExpireTime.IsZero() || now.Before(k.ExpireTime))
}

// Check checks a new key under field: a name, scopes its kind of key may
// hold, each once, and an expiry still ahead of now.
func (k APIKey) Check(field string, now time.Time) error {
	var v apierr.Violations
	fieldtext.Check(&v, field+".display_name", k.DisplayName, 100, true, "")
	global := k.DistrictID == ""
	if len(k.Scopes) == 0 {
		v.Add(field+".scopes", "is required: give at least one of %s", auth.Scopes(global))
	}
	for i, s := range k.Scopes {
		switch {
		case !auth.ValidScope(s, global) && global:
			v.Add(apierr.Path(field, "scopes", i), "a cross-district key takes %s only", auth.Scopes(true))
		case !auth.ValidScope(s, global):
			v.Add(apierr.Path(field, "scopes", i), "is not a scope; a district's key takes %s", auth.Scopes(false))
		case slices.Index(k.Scopes, s) < i:
			v.Add(apierr.Path(field, "scopes", i), "repeats a scope")
		}
	}
	if !k.ExpireTime.IsZero() && !k.ExpireTime.After(now) {
		v.Add(field+".expire_time", "has passed: a key must expire in the future, or never")
	}
	return v.Err()
}
