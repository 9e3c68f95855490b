// Package actor carries who is making a request. Until authentication
// exists the caller names itself in the x-gongyak-actor header; services
// read the actor only from the context, so authentication can later fill it
// without touching them.
package actor

import (
	"context"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Header is the request header, and the gRPC metadata key, that names the
// actor. Headers carry ASCII only, so a name in Korean is sent
// percent-encoded as UTF-8 (법무 is %EB%B2%95%EB%AC%B4); Encode and the
// server's decoding take care of it.
const Header = "x-gongyak-actor"

// Encode writes name as a header value.
func Encode(name string) string { return url.PathEscape(name) }

// Anonymous is the actor of a request that names none.
const Anonymous = "anonymous"

// maxLen bounds an actor name, in characters.
const maxLen = 100

type contextKey struct{}

type rolesKey struct{}

// RolesHeader names the roles the caller holds, comma-separated. Until
// authentication exists the caller states them, as it states its name;
// services read roles only from the context, so authentication can later
// fill them from the caller's verified identity without touching them.
const RolesHeader = "x-gongyak-roles"

// Roles a caller may hold.
const (
	// RolePersonalData may see citizens' personal data unmasked.
	RolePersonalData = "personal-data"
	// RoleRegistrar may record past submissions and ballots with the time
	// they were received, outside the windows the server enforces.
	RoleRegistrar = "registrar"
)

// WithRoles returns a context whose caller holds roles.
func WithRoles(ctx context.Context, roles ...string) context.Context {
	return context.WithValue(ctx, rolesKey{}, roles)
}

// Has reports whether the caller of ctx holds role.
func Has(ctx context.Context, role string) bool {
	roles, _ := ctx.Value(rolesKey{}).([]string)
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// With returns a context whose actor is name.
func With(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, contextKey{}, name)
}

// From returns the actor of ctx, or Anonymous.
func From(ctx context.Context) string {
	if name, ok := ctx.Value(contextKey{}).(string); ok && name != "" {
		return name
	}
	return Anonymous
}

// Valid reports whether name can be an actor: valid UTF-8, printable, and
// at most 100 characters.
func Valid(name string) bool {
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxLen {
		return false
	}
	return strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// UnaryServerInterceptor puts the actor named in the incoming metadata into
// the context, and refuses a malformed one.
func UnaryServerInterceptor(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if values := md.Get(Header); len(values) > 0 {
		name, err := url.PathUnescape(strings.TrimSpace(values[0]))
		if err != nil || !Valid(name) {
			return nil, status.Errorf(codes.InvalidArgument, "the %s header must be printable text of at most %d characters, percent-encoded UTF-8 where it is not ASCII", Header, maxLen)
		}
		ctx = With(ctx, name)
	}
	var roles []string
	for _, v := range md.Get(RolesHeader) {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				roles = append(roles, r)
			}
		}
	}
	if len(roles) > 0 {
		ctx = WithRoles(ctx, roles...)
	}
	return handler(ctx, req)
}

// UnaryClientInterceptor passes the context's actor on to the service
// called, so that a change made on someone's behalf is recorded as theirs.
func UnaryClientInterceptor(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if name, ok := ctx.Value(contextKey{}).(string); ok && name != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, Header, Encode(name))
	}
	if roles, _ := ctx.Value(rolesKey{}).([]string); len(roles) > 0 {
		ctx = metadata.AppendToOutgoingContext(ctx, RolesHeader, strings.Join(roles, ","))
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}
