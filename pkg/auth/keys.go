package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// KeyPrefix opens every API key: `gyk_{id}_{secret}`.
const KeyPrefix = "gyk_"

// NewKeySecret returns the secret part of a new key: 32 random bytes,
// base64url without padding (43 characters). It may hold underscores; the
// id, which cannot, is split off at the first one.
func NewKeySecret() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// FormatKey writes the key a system presents for the key id and secret.
func FormatKey(id, secret string) string { return KeyPrefix + id + "_" + secret }

// SplitKey reads a presented key into its id and secret.
func SplitKey(key string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(key, KeyPrefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, "_")
	return id, secret, ok && resourceid.Valid(id) && len(secret) >= 32
}

// HashSecret is what is stored of a key's secret. The secret is 256 random
// bits, so a plain SHA-256 cannot be searched backwards.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SameHash compares a stored hash with a presented secret's in constant
// time.
func SameHash(stored []byte, secret string) bool {
	return subtle.ConstantTimeCompare(stored, HashSecret(secret)) == 1
}

// KeyVerifier turns a presented API key into its caller: a key's name,
// district, scopes and expiry.
type KeyVerifier interface {
	VerifyKey(ctx context.Context, key string) (*Principal, error)
}

// ErrBadKey is the refusal of a key that is unknown, revoked, expired or
// malformed; the caller is not told which.
var ErrBadKey = errors.New("the API key is unknown, revoked or expired")

// MaxKeyCacheTTL bounds how long a key's check is remembered: a revoked
// key is refused everywhere within it.
const MaxKeyCacheTTL = 30 * time.Second

// KeyCache remembers each key's check, good or bad, for at most ttl.
type KeyCache struct {
	next KeyVerifier
	ttl  time.Duration
	now  func() time.Time

	mu      sync.Mutex
	entries map[[32]byte]keyEntry
}

type keyEntry struct {
	p       *Principal
	err     error
	expires time.Time
}

// NewKeyCache wraps next; ttl above MaxKeyCacheTTL is refused.
func NewKeyCache(next KeyVerifier, ttl time.Duration) (*KeyCache, error) {
	if ttl < 0 || ttl > MaxKeyCacheTTL {
		return nil, fmt.Errorf("an API key cache of %s is longer than %s: a revoked key would keep working", ttl, MaxKeyCacheTTL)
	}
	return &KeyCache{next: next, ttl: ttl, now: time.Now, entries: map[[32]byte]keyEntry{}}, nil
}

// VerifyKey returns the remembered answer for key while it is fresh, and
// asks again otherwise. Answers that say nothing of the key (the pledge
// service could not be asked) are not remembered.
func (c *KeyCache) VerifyKey(ctx context.Context, key string) (*Principal, error) {
	h := sha256.Sum256([]byte(key))
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[h]
	if ok && now.Before(e.expires) {
		c.mu.Unlock()
		return e.p, e.err
	}
	c.mu.Unlock()
	p, err := c.next.VerifyKey(ctx, key)
	if err != nil && !errors.Is(err, ErrBadKey) {
		return nil, err
	}
	expires := now.Add(c.ttl)
	if p != nil && !p.Expiry.IsZero() && p.Expiry.Before(expires) {
		expires = p.Expiry
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10_000 {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
	}
	c.entries[h] = keyEntry{p: p, err: err, expires: expires}
	return p, err
}

// Forget drops every remembered answer, for the service that has just
// revoked a key.
func (c *KeyCache) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// RemoteKeys verifies keys through the pledge service, which owns them:
// it presents the key itself to VerifyApiKey, which describes its caller.
type RemoteKeys struct {
	client pledgev1.ApiKeyServiceClient
}

// NewRemoteKeys asks the pledge service on conn.
func NewRemoteKeys(conn grpc.ClientConnInterface) *RemoteKeys {
	return &RemoteKeys{client: pledgev1.NewApiKeyServiceClient(conn)}
}

// VerifyKey asks the pledge service about key.
func (r *RemoteKeys) VerifyKey(ctx context.Context, key string) (*Principal, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// The call presents the key alone, not whatever ctx's caller holds.
	ctx = metadata.NewOutgoingContext(WithPrincipal(ctx, anonymous), metadata.Pairs("authorization", "Bearer "+key))
	k, err := r.client.VerifyApiKey(ctx, &pledgev1.VerifyApiKeyRequest{})
	switch status.Code(err) {
	case codes.OK:
	case codes.Unauthenticated, codes.PermissionDenied:
		return nil, ErrBadKey
	default:
		return nil, status.Errorf(codes.Unavailable, "the pledge service could not check the API key (%s); try again shortly", status.Code(err))
	}
	return KeyPrincipal(k), nil
}

// KeyPrincipal is the caller an API key stands for.
func KeyPrincipal(k *pledgev1.ApiKey) *Principal {
	p := &Principal{Kind: APIKey, Subject: k.GetName(), Scopes: k.GetScopes(), District: DistrictOf(k.GetName())}
	if k.GetExpireTime() != nil {
		p.Expiry = k.GetExpireTime().AsTime()
	}
	return p
}
