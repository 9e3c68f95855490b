package server

import (
	"context"
	"strings"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/pledgeref"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// pledgeAccess asks the pledge service, with the caller's own credential
// (the connection passes it on), what the policy needs to know of a
// pledge: whether the caller may read it, and which department owns it.
type pledgeAccess struct {
	client pledgev1.PledgeServiceClient
}

// readable reports whether the pledge service lets the caller read the
// pledge called name: for a caller who may not read its district, only a
// published pledge.
func (a pledgeAccess) readable(ctx context.Context, name string) (bool, error) {
	_, err := a.get(ctx, name)
	switch status.Code(err) {
	case codes.OK:
		return true, nil
	case codes.NotFound, codes.PermissionDenied, codes.Unauthenticated, codes.InvalidArgument:
		return false, nil
	}
	return false, unavailable(name, err)
}

// owner returns the id of the department owning the pledge called name,
// "" when it has none; found is false when the pledge service does not
// know the pledge.
func (a pledgeAccess) owner(ctx context.Context, name string) (department string, found bool, err error) {
	p, err := a.get(ctx, name)
	switch status.Code(err) {
	case codes.OK:
	case codes.NotFound, codes.InvalidArgument:
		return "", false, nil
	case codes.PermissionDenied, codes.Unauthenticated:
		return "", false, err // the caller may not even read it
	default:
		return "", false, unavailable(name, err)
	}
	// districts/{district}/departments/{department}
	parts := strings.Split(p.GetOwningDepartment(), "/")
	if len(parts) == 4 && parts[2] == "departments" {
		return parts[3], true, nil
	}
	return "", true, nil
}

func (a pledgeAccess) get(ctx context.Context, name string) (*pledgev1.Pledge, error) {
	ctx, cancel := context.WithTimeout(ctx, pledgeref.Timeout)
	defer cancel()
	return a.client.GetPledge(ctx, &pledgev1.GetPledgeRequest{Name: name})
}

func unavailable(name string, err error) error {
	return apierr.Unavailable("the pledge service could not be asked about %s (%s); nothing was done", name, status.Code(err))
}
