package server

import (
	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/etag"
	"github.com/gongyak/gongyak/pkg/fieldmask"
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

// masked is stored with the fields paths name copied from in, going
// through the API's view of it (view, then back with read); keep puts
// back into the result what the API does not write (ids, revision,
// times).
func masked[T any, M proto.Message](stored T, in M, paths []string, view func(T) M, read func(M) T, keep func(stored T, next *T)) (T, error) {
	cur := view(stored)
	if err := fieldmask.Apply(cur, in, paths); err != nil {
		return stored, err
	}
	next := read(cur)
	keep(stored, &next)
	return next, nil
}
