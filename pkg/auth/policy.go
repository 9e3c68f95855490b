package auth

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"google.golang.org/grpc"
)

// Rule decides whether the caller in ctx may make a call with req. It
// returns the context the call runs with — marked PublishedOnly when the
// caller may read published data alone — or a refusal made by Deny.
type Rule func(ctx context.Context, req any) (context.Context, error)

// Policy holds every method's rule, by full method name
// (`/gongyak.pledge.v1.PledgeService/GetPledge`). A method without one is
// refused: deny by default.
type Policy map[string]Rule

// With returns a policy holding p's rules and more's.
func (p Policy) With(more Policy) Policy {
	out := maps.Clone(p)
	maps.Copy(out, more)
	return out
}

// UnaryServerInterceptor applies the policy to every unary call; it runs
// after the caller is authenticated.
func (p Policy) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := p.check(ctx, info.FullMethod, req)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor applies the policy to every stream. A server
// stream (one request, many answers, such as a change feed's watch) is
// checked against its request when the handler reads it, so its rule can
// look at the district it asks about; a stream of requests is checked as
// it opens, without one.
func (p Policy) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if !info.IsClientStream {
			return handler(srv, &checkedStream{ServerStream: ss, policy: p, method: info.FullMethod})
		}
		if _, err := p.check(ss.Context(), info.FullMethod, nil); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}

// checkedStream checks the policy on a server stream's one request, and
// runs the handler with the context the rule returns.
type checkedStream struct {
	grpc.ServerStream
	policy Policy
	method string
	ctx    context.Context
}

func (s *checkedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if s.ctx != nil {
		return nil
	}
	ctx, err := s.policy.check(s.ServerStream.Context(), s.method, m)
	if err != nil {
		return err
	}
	s.ctx = ctx
	return nil
}

func (s *checkedStream) Context() context.Context {
	if s.ctx != nil {
		return s.ctx
	}
	return s.ServerStream.Context()
}

func (p Policy) check(ctx context.Context, method string, req any) (context.Context, error) {
	rule, ok := p[method]
	if !ok {
		return nil, apierr.PermissionDenied("no policy allows %s: every method must have one", method)
	}
	return rule(ctx, req)
}

// Public lets anyone make the call: health checks, and reflection where it
// is turned on.
func Public(ctx context.Context, _ any) (context.Context, error) { return ctx, nil }

// Signed lets any verified caller make the call; what the call returns is
// the caller's own (such as the key it presented).
func Signed(ctx context.Context, _ any) (context.Context, error) {
	if FromContext(ctx).Kind == Anonymous {
		return nil, needCredential()
	}
	return ctx, nil
}

// Need lets the call run when the caller may do perm on the target that
// target reads from the request.
func Need(perm Permission, target func(ctx context.Context, req any) (Target, error)) Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		t, err := target(ctx, req)
		if err != nil {
			return nil, err
		}
		if !FromContext(ctx).Can(perm, t) {
			return nil, Deny(ctx, perm, t)
		}
		return ctx, nil
	}
}

// InDistrict needs perm in the district of the resource name that name
// reads from the request (`districts/{district}/…`).
func InDistrict(perm Permission, name func(req any) string) Rule {
	return Need(perm, func(_ context.Context, req any) (Target, error) {
		return In(DistrictOf(name(req))), nil
	})
}

// Name reads a request's `name`.
func Name(req any) string {
	if r, ok := req.(interface{ GetName() string }); ok {
		return r.GetName()
	}
	return ""
}

// Parent reads a request's `parent`.
func Parent(req any) string {
	if r, ok := req.(interface{ GetParent() string }); ok {
		return r.GetParent()
	}
	return ""
}

// DistrictOf reads the district id out of a resource name, as
// resourcename.DistrictOf does: `districts/gwangsan/pledges/p1` →
// gwangsan, `districts/-` → AllDistricts; "" when name is not a
// district's.
func DistrictOf(name string) string { return resourcename.DistrictOf(name) }

// Deny is the refusal of a call that needed perm on t: UNAUTHENTICATED
// for a caller without a credential (sign in first), PERMISSION_DENIED for
// one whose roles do not allow it.
func Deny(ctx context.Context, perm Permission, t Target) error {
	p := FromContext(ctx)
	if p.Kind == Anonymous {
		return needCredential()
	}
	where := resourcename.District.Format(t.District)
	switch t.District {
	case "":
		where = "this resource"
	case AllDistricts:
		where = "every district (districts/-)"
	}
	if len(t.Departments) > 0 && perm == WriteData {
		where += " for what departments/" + strings.Join(t.Departments, ", departments/") + " own"
	}
	return apierr.PermissionDenied("%s may not %s in %s", p.Actor(), perm, where)
}

func needCredential() error {
	return apierr.Unauthenticated("sign in, or send an API key: this call needs a credential (Authorization: Bearer …)")
}

type viewKey struct{}

// WithPublishedOnly marks ctx as a call that may read published data
// alone: a term's public pledges, personal data masked.
func WithPublishedOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, viewKey{}, true)
}

// PublishedOnly reports whether the call may read published data alone.
func PublishedOnly(ctx context.Context) bool {
	v, _ := ctx.Value(viewKey{}).(bool)
	return v
}

// PledgeReadable asks the pledge service whether the caller of ctx may
// read a pledge, presenting the caller's own credential; nil when it may.
type PledgeReadable func(ctx context.Context, pledge string) error

// ReadPledgeData is the rule for reading what hangs under a pledge (its
// budget, indicators, achievement): a caller who may read the pledge's
// district reads it; any other caller only when the pledge service lets
// it read the pledge itself — a published pledge — and then published
// data alone.
func ReadPledgeData(readable PledgeReadable, pledgeOf func(req any) string) Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		name := pledgeOf(req)
		t := In(DistrictOf(name))
		if FromContext(ctx).Can(ReadData, t) {
			return ctx, nil
		}
		if err := readable(ctx, name); err != nil {
			return nil, Deny(ctx, ReadData, t)
		}
		return WithPublishedOnly(ctx), nil
	}
}

// PledgeOf cuts a pledge's name out of the name of something under it:
// `districts/d/pledges/p/indicators/i` → `districts/d/pledges/p`.
func PledgeOf(name string) string {
	if ids, ok := resourcename.Pledge.MatchPrefix(name); ok {
		return resourcename.Pledge.Format(ids...)
	}
	return name
}

// CanSeePersonalData reports whether the caller of ctx may see personal
// data of district unmasked.
func CanSeePersonalData(ctx context.Context, district string) bool {
	return !PublishedOnly(ctx) && FromContext(ctx).Can(PersonalData, In(district))
}

// String describes a principal for logs: its actor, never its credential.
func (p *Principal) String() string { return fmt.Sprintf("%s %v", p.Actor(), p.Grants) }
