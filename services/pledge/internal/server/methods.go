package server

import (
	"context"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
	"github.com/gongyak/gongyak/pkg/idempotency"
	"github.com/gongyak/gongyak/pkg/resourcename"
	"github.com/gongyak/gongyak/services/pledge/internal/pledge"
	"google.golang.org/protobuf/proto"
)

// The steps the standard methods (AIP-131 to 135) share.

// shown answers a method with what the store returned, written as the
// API shows it by show, or with the store's error.
func shown[T, M any](show func(T) M) func(T, error) (M, error) {
	return func(v T, err error) (M, error) {
		if err != nil {
			var none M
			return none, err
		}
		return show(v), nil
	}
}

// each writes every value of list as the API shows it.
func each[T, M any](list []T, show func(T) M) []M {
	var out []M
	for _, v := range list {
		out = append(out, show(v))
	}
	return out
}

// chosenID is the id a create gives its resource: the one the request
// chose (checked, as field), or a new one when it chose none.
func chosenID(v *apierr.Violations, field, chosen string) string {
	if chosen == "" {
		return pledge.NewID()
	}
	v.Merge(pledge.CheckID(field, chosen))
	return chosen
}

// target reads the name of the resource a change writes, and the etag
// the change must carry (AIP-154), adding what is wrong to v; it returns
// the name's ids.
func target(v *apierr.Violations, pattern resourcename.Pattern, nameField, name, etagField, tag string) []string {
	ids, err := pattern.Parse(nameField, name)
	v.Merge(err)
	v.Merge(etag.Require(etagField, tag))
	return ids
}

// updatePaths are the fields an update writes (AIP-134): those mask
// names, every field of in for none or "*" (but those of unexpanded), and
// never the output-only ones.
func updatePaths(mask []string, in proto.Message, outputOnly []string, unexpanded ...string) []string {
	paths := fieldmask.Paths(mask, in)
	return fieldmask.Without(fieldmask.Expand(paths, in, append(append([]string{}, outputOnly...), unexpanded...)...), outputOnly...)
}

// resourceOutputOnly are the fields of a district or department an
// update ignores.
var resourceOutputOnly = []string{"name", "etag", "create_time", "update_time"}

// apiMessage is a resource as the API shows it.
type apiMessage interface {
	proto.Message
	GetName() string
	GetEtag() string
}

// plainResource is how a resource whose only rules are its own Check (a
// district, a department) goes between the domain (T) and the API (M).
type plainResource[T any, M apiMessage] struct {
	// field is the request's field that holds it, such as "district".
	field   string
	pattern resourcename.Pattern
	view    func(T) M
	read    func(M) T
	// keep puts back into a changed value what the API does not write
	// (ids, revision, times).
	keep  func(stored T, next *T)
	check func(v *T, prefix string) error
}

// create is a create (AIP-133) of value, read from req (of method, with
// its request_id) with its id chosen, faults found so far in v: value is
// checked by its own rules, and written by write unless anything is
// wrong.
func (r plainResource[T, M]) create(ctx context.Context, v *apierr.Violations, value T, method, requestID string, req proto.Message,
	write func(ctx context.Context, value T, key idempotency.Key) (T, error),
) (M, error) {
	v.Merge(r.check(&value, r.field))
	key, err := idempotency.For(method, requestID, req)
	v.Merge(err)
	if err := v.Err(); err != nil {
		var none M
		return none, err
	}
	return shown(r.view)(write(ctx, value, key))
}

// update is an update of in (AIP-134): the fields mask names are copied
// onto the stored value through its API view, and the result is checked
// and written by write, in the store's one transaction.
func (r plainResource[T, M]) update(ctx context.Context, in M, mask []string,
	write func(ctx context.Context, name, tag string, change func(*T) error) (T, error),
) (M, error) {
	var none M
	if !in.ProtoReflect().IsValid() {
		return none, apierr.Invalid(r.field, "is required")
	}
	var v apierr.Violations
	target(&v, r.pattern, r.field+".name", in.GetName(), r.field+".etag", in.GetEtag())
	if err := v.Err(); err != nil {
		return none, err
	}
	paths := updatePaths(mask, in, resourceOutputOnly)
	return shown(r.view)(write(ctx, in.GetName(), in.GetEtag(), func(stored *T) error {
		cur := r.view(*stored)
		if err := fieldmask.Apply(cur, in, paths); err != nil {
			return err
		}
		next := r.read(cur)
		r.keep(*stored, &next)
		*stored = next
		return r.check(stored, r.field)
	}))
}
