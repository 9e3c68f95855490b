package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/pagetoken"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"github.com/gongyak/gongyak/services/pledge/internal/postgres"
	"google.golang.org/protobuf/proto"
)

// ApiKeyServer serves gongyak.pledge.v1.ApiKeyService.
type ApiKeyServer struct { //nolint:revive // named after the service
	pledgev1.UnimplementedApiKeyServiceServer
	store keyStore
	// forget drops the keys this service remembers, once one is revoked.
	forget func()
	now    func() time.Time
}

func apiKeyToProto(k pledge.APIKey) *pledgev1.ApiKey {
	return &pledgev1.ApiKey{
		Name: k.Name(), DisplayName: k.DisplayName, Scopes: k.Scopes, Creator: k.Creator,
		ExpireTime: timeToProto(k.ExpireTime), RevokeTime: timeToProto(k.RevokeTime), CreateTime: timeToProto(k.CreateTime),
		UpdateTime: timeToProto(k.UpdateTime),
	}
}

// keyParent reads a key's parent: `districts/{district}`, or "" for the
// cross-district keys.
func keyParent(field, parent string) (string, error) {
	if parent == "" {
		return "", nil
	}
	return pledge.ParseDistrictName(field, parent)
}

// keyName reads `districts/{district}/apiKeys/{id}` or `apiKeys/{id}`.
func keyName(field, name string) (district, id string, err error) {
	if ids, ok := resourcename.APIKey.Match(name); ok {
		return "", ids[0], nil
	}
	if ids, ok := resourcename.DistrictAPIKey.Match(name); ok {
		return ids[0], ids[1], nil
	}
	return "", "", apierr.Invalid(field, "must be %s or %s", resourcename.DistrictAPIKey, resourcename.APIKey)
}

// CreateApiKey issues a key; its secret is in the response alone.
func (s *ApiKeyServer) CreateApiKey(ctx context.Context, req *pledgev1.CreateApiKeyRequest) (*pledgev1.CreateApiKeyResponse, error) {
	var v apierr.Violations
	district, err := keyParent("parent", req.GetParent())
	v.Merge(err)
	in := req.GetApiKey()
	k := pledge.APIKey{ID: req.GetApiKeyId(), DistrictID: district, DisplayName: in.GetDisplayName(), Scopes: in.GetScopes(),
		Creator: auth.FromContext(ctx).Actor()}
	if in.GetExpireTime() != nil {
		k.ExpireTime = in.GetExpireTime().AsTime()
	}
	k.ID = chosenID(&v, "api_key_id", k.ID)
	v.Merge(k.Check("api_key", s.now()))
	if err := v.Err(); err != nil {
		return nil, err
	}
	secret := auth.NewKeySecret()
	created, err := s.store.CreateAPIKey(ctx, k, auth.HashSecret(secret))
	if err != nil {
		return nil, err
	}
	return &pledgev1.CreateApiKeyResponse{ApiKey: apiKeyToProto(created), Secret: auth.FormatKey(created.ID, secret)}, nil
}

// GetApiKey returns a key without its secret.
func (s *ApiKeyServer) GetApiKey(ctx context.Context, req *pledgev1.GetApiKeyRequest) (*pledgev1.ApiKey, error) {
	district, id, err := keyName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	return shown(apiKeyToProto)(s.store.GetAPIKey(ctx, district, id))
}

// ListApiKeys lists a district's keys, or the cross-district ones.
func (s *ApiKeyServer) ListApiKeys(ctx context.Context, req *pledgev1.ListApiKeysRequest) (*pledgev1.ListApiKeysResponse, error) {
	var v apierr.Violations
	district, err := keyParent("parent", req.GetParent())
	v.Merge(err)
	size, err := pagetoken.Size(req.GetPageSize())
	v.Merge(err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	list, next, err := s.store.ListAPIKeys(ctx, district, req.GetFilter(), size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	return &pledgev1.ListApiKeysResponse{ApiKeys: each(list, apiKeyToProto), NextPageToken: next}, nil
}

// RevokeApiKey stops a key; this service forgets it at once, the others
// within their cache's time (at most 30 s).
func (s *ApiKeyServer) RevokeApiKey(ctx context.Context, req *pledgev1.RevokeApiKeyRequest) (*pledgev1.ApiKey, error) {
	district, id, err := keyName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	k, err := s.store.RevokeAPIKey(ctx, district, id)
	if err != nil {
		return nil, err
	}
	s.forget()
	return apiKeyToProto(k), nil
}

// VerifyApiKey describes the key its caller presented.
func (s *ApiKeyServer) VerifyApiKey(ctx context.Context, _ *pledgev1.VerifyApiKeyRequest) (*pledgev1.ApiKey, error) {
	p := auth.FromContext(ctx)
	if p.Kind != auth.APIKey {
		return nil, apierr.FailedPrecondition("VerifyApiKey describes the API key the call presents; this call presented %s", p.Actor())
	}
	district, id, err := keyName("name", p.Subject)
	if err != nil {
		return nil, err
	}
	return shown(apiKeyToProto)(s.store.GetAPIKey(ctx, district, id))
}

// localKeys checks presented keys against the store: the pledge service's
// own way, which the others reach through VerifyApiKey.
type localKeys struct {
	store keyFinder
	now   func() time.Time
}

// VerifyKey finds the key by its id and compares its secret's hash.
func (l localKeys) VerifyKey(ctx context.Context, presented string) (*auth.Principal, error) {
	id, secret, ok := auth.SplitKey(presented)
	if !ok {
		return nil, auth.ErrBadKey
	}
	k, hash, err := l.store.KeyByID(ctx, id)
	if err != nil {
		var e *apierr.Error
		if errors.As(err, &e) && e.Reason == apierr.ReasonNotFound {
			return nil, auth.ErrBadKey
		}
		return nil, err
	}
	if !auth.SameHash(hash, secret) || !k.Usable(l.now()) {
		return nil, auth.ErrBadKey
	}
	return auth.KeyPrincipal(apiKeyToProto(k)), nil
}

// View writes a stored value as the API shows it: what the audit log
// records of a change.
func View(v any) proto.Message {
	switch v := v.(type) {
	case pledge.District:
		return districtToProto(v)
	case pledge.Department:
		return departmentToProto(v)
	case pledge.Pledge:
		return pledgeToProto(postgres.PledgeWithTerm{Pledge: v})
	case postgres.PledgeWithTerm:
		return pledgeToProto(v)
	case pledge.APIKey:
		return apiKeyToProto(v)
	}
	panic(fmt.Sprintf("server.View: no API view of %T", v))
}
