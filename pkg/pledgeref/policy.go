package pledgeref

import (
	"context"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// The rules of the services that keep data under a pledge (budget,
// indicator): who may read or write it depends on the pledge, which only
// the pledge service knows.

// Readable asks the pledge service, with the caller's own credential,
// whether the caller may read a pledge: for a caller who may not read the
// district, whether the pledge is published.
func (c *Client) Readable() auth.PledgeReadable {
	return func(ctx context.Context, pledge string) error {
		_, err := c.Lookup(ctx, pledge)
		return err
	}
}

// WriteRule needs write permission for what the pledge's owning
// department owns. Only a department editor's call needs the owner, which
// the pledge service tells with the caller's credential; a pledge it does
// not show the caller is refused like one the caller may not write, so a
// refusal reveals nothing. The pledge looked up rides on in the context,
// where Known finds it for the handler.
func (c *Client) WriteRule(pledgeOf func(req any) string) auth.Rule {
	return func(ctx context.Context, req any) (context.Context, error) {
		name := pledgeOf(req)
		caller := auth.FromContext(ctx)
		t := auth.In(auth.DistrictOf(name))
		if caller.Can(auth.WriteData, t) {
			return ctx, nil // it may write the whole district: no need to look
		}
		if len(caller.Departments(t.District)) == 0 {
			return nil, auth.Deny(ctx, auth.WriteData, t)
		}
		p, err := c.Lookup(ctx, name)
		if err != nil {
			return nil, auth.Deny(ctx, auth.WriteData, t)
		}
		if d := DepartmentID(p.Pledge.GetOwningDepartment()); d != "" {
			t.Departments = []string{d}
		}
		if !caller.Can(auth.WriteData, t) {
			return nil, auth.Deny(ctx, auth.WriteData, t)
		}
		return context.WithValue(ctx, pledgeKey{}, p), nil
	}
}

type pledgeKey struct{}

// Known returns the pledge called name: the one the policy looked up for
// this call, or else the pledge service's answer. It ignores a pledge
// the caller passed along (Along): that is the caller's word, fit for a
// read's display (Shown) but not for what a write checks or stores.
func (c *Client) Known(ctx context.Context, name string) (Pledge, error) {
	if p, ok := ctx.Value(pledgeKey{}).(Pledge); ok && p.Name() == name {
		return p, nil
	}
	return c.Lookup(ctx, name)
}

// DepartmentID is the id in `districts/{district}/departments/{id}`, ""
// for anything else.
func DepartmentID(name string) string {
	if ids, ok := resourcename.Department.Match(name); ok {
		return ids[1]
	}
	return ""
}
