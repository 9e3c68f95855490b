// Package auth says who is calling and what they may do. Every service
// checks every call itself (the gateway is not a trust boundary): an
// interceptor verifies the caller's credential — an OpenID Connect access
// token from a configured issuer, or an API key — into a Principal, and a
// per-method Policy, denying by default, decides whether the call may run.
// Calls onward to another service carry the caller's credential unchanged,
// so each service's check is about the person or system that asked.
package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gongyak/gongyak/pkg/resourcename"
)

// Kind is what sort of caller a principal is.
type Kind int

// The kinds of callers.
const (
	// Anonymous callers sent no credential.
	Anonymous Kind = iota
	// User is a person signed in with OpenID Connect.
	User
	// APIKey is another system calling with an API key.
	APIKey
	// Service is a Gongyak service acting on its own, with client
	// credentials from the system issuer, for work that has no caller.
	Service
)

// Roles a grant may hold (DESIGN.md, "Who is calling").
const (
	// RoleSystemAdmin may do everything but see personal data; granted only
	// by the system issuer.
	RoleSystemAdmin = "system-admin"
	// RoleMinistryReporter reads every district's summaries and published
	// data, never personal data; granted only by the system issuer.
	RoleMinistryReporter = "ministry-reporter"
	// RoleDistrictAdmin runs a district: its settings, departments, terms,
	// keys, audit log and all its data.
	RoleDistrictAdmin = "district-admin"
	// RoleDepartmentEditor writes the pledges its department owns, and
	// their budget, indicators and programs; it reads the whole district.
	RoleDepartmentEditor = "department-editor"
	// RoleViewer reads a district's data, personal data masked.
	RoleViewer = "viewer"
	// RoleRegistrar records past submissions and ballots (with the time
	// they were received), and reads the district.
	RoleRegistrar = "registrar"
	// RolePersonalData sees the district's personal data unmasked: a grant
	// on top of another role, within the caller's district.
	RolePersonalData = "personal-data"
)

// Grant is a role held on a resource: "" for the whole system,
// `districts/{district}`, or `districts/{district}/departments/{department}`
// for a department editor.
type Grant struct {
	Role     string
	Resource string
}

func (g Grant) String() string {
	if g.Resource == "" {
		return g.Role
	}
	return g.Role + "@" + g.Resource
}

// ParseGrant reads a grant as the `gongyak_roles` claim writes it:
// `district-admin@districts/gwangsan`, or `system-admin` alone for a
// system-wide role. A role on a resource it cannot hold is refused.
func ParseGrant(s string) (Grant, error) {
	role, resource, _ := strings.Cut(strings.TrimSpace(s), "@")
	g := Grant{Role: role, Resource: resource}
	switch role {
	case RoleSystemAdmin, RoleMinistryReporter:
		if resource != "" {
			return g, fmt.Errorf("%s is system-wide and takes no resource", role)
		}
	case RoleDistrictAdmin, RoleViewer, RoleRegistrar, RolePersonalData:
		if _, ok := resourcename.District.Match(resource); !ok {
			return g, fmt.Errorf("%s needs a district: %s@districts/{district}", role, role)
		}
	case RoleDepartmentEditor:
		if _, ok := resourcename.Department.Match(resource); !ok {
			return g, fmt.Errorf("%s needs a department: %s@districts/{district}/departments/{department}", role, role)
		}
	default:
		return g, fmt.Errorf("unknown role %q", role)
	}
	return g, nil
}

// District is the district a grant is held in, "" for a system-wide one.
func (g Grant) District() string { return DistrictOf(g.Resource) }

// Department is the department of a department editor's grant.
func (g Grant) Department() string {
	if ids, ok := resourcename.Department.Match(g.Resource); ok {
		return ids[1]
	}
	return ""
}

// Principal is a verified caller.
type Principal struct {
	Kind Kind
	// Subject identifies the caller within its issuer: the token's `sub`,
	// the API key's resource name, or the service's client id.
	Subject string
	// Issuer is the token's issuer; empty for API keys.
	Issuer string
	// Grants are the roles the caller holds, as far as its issuer may
	// grant them.
	Grants []Grant
	// Scopes are an API key's scopes, and District the district it belongs
	// to ("" for a cross-district key).
	Scopes   []string
	District string
	// Expiry is when the credential stops working.
	Expiry time.Time

	// credential is what the caller presented, passed on unchanged to the
	// services this one calls for it.
	credential string
}

// anonymous is the principal of a call without a credential.
var anonymous = &Principal{Kind: Anonymous}

// Actor names the caller in status histories and the audit log:
// `user:{sub}@{issuer host}`, `apikey:{key name}`, `service:{client id}`,
// or `anonymous`.
func (p *Principal) Actor() string {
	switch p.Kind {
	case User:
		return "user:" + p.Subject + "@" + issuerHost(p.Issuer)
	case APIKey:
		return "apikey:" + p.Subject
	case Service:
		return "service:" + strings.TrimPrefix(p.Subject, "service:")
	}
	return "anonymous"
}

// Credential is the bearer credential the caller presented, "" for an
// anonymous one.
func (p *Principal) Credential() string { return p.credential }

// WithCredential returns p carrying raw, the credential it was verified
// from, so that calls made on its behalf present it again.
func (p *Principal) WithCredential(raw string) *Principal {
	q := *p
	q.credential = raw
	return &q
}

func issuerHost(issuer string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(issuer, "https://"), "http://")
	return strings.TrimSuffix(h, "/")
}

type principalKey struct{}

// WithPrincipal returns ctx whose caller is p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller of ctx; an anonymous principal when the
// call carried no credential. It is never nil.
func FromContext(ctx context.Context) *Principal {
	if p, ok := ctx.Value(principalKey{}).(*Principal); ok && p != nil {
		return p
	}
	return anonymous
}
