// Package fieldmask applies an update_mask (AIP-134) to a resource: it
// copies the fields the mask names, at any depth of nested messages, from
// the request's resource onto the stored one. The REST gateway derives a
// mask from the JSON body, down to leaf fields such as
// `required_budget.amount_won`, so updates must honour nested paths.
package fieldmask

import (
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Implied returns the mask of an update without one: every top-level field
// the request's resource sets (AIP-134).
func Implied(resource proto.Message) []string {
	var paths []string
	resource.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		paths = append(paths, string(fd.Name()))
		return true
	})
	return paths
}

// Paths returns the mask's paths, or the implied ones when it has none.
func Paths(mask []string, resource proto.Message) []string {
	if len(mask) > 0 {
		return mask
	}
	return Implied(resource)
}

// Expand replaces "*" with every top-level field of resource's type but
// except, so that "*" never touches what an update must leave alone (the
// status of a pledge, output-only fields).
func Expand(paths []string, resource proto.Message, except ...string) []string {
	if len(paths) != 1 || paths[0] != "*" {
		return paths
	}
	var out []string
	fields := resource.ProtoReflect().Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		if name := string(fields.Get(i).Name()); !Under(name, except...) {
			out = append(out, name)
		}
	}
	return out
}

// Without drops the paths that name any of fields or lie under one, such
// as output-only fields, which an update ignores (AIP-203).
func Without(paths []string, fields ...string) []string {
	var out []string
	for _, p := range paths {
		if !Under(p, fields...) {
			out = append(out, p)
		}
	}
	return out
}

// Under reports whether path names one of fields or a field inside one.
func Under(path string, fields ...string) bool {
	for _, f := range fields {
		if path == f || strings.HasPrefix(path, f+".") {
			return true
		}
	}
	return false
}

// Apply copies onto dst the fields of src that paths name; dst and src are
// the same message type. "*" alone copies every field. A path that names no
// field, or goes through a repeated field or a map, is refused naming
// update_mask, and dst is left as it was.
func Apply(dst, src proto.Message, paths []string) error {
	if len(paths) == 1 && paths[0] == "*" {
		proto.Reset(dst)
		proto.Merge(dst, src)
		return nil
	}
	var v apierr.Violations
	desc := dst.ProtoReflect().Descriptor()
	for _, p := range paths {
		if err := check(desc, p); err != "" {
			v.Add("update_mask", "%q %s", p, err)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	for _, p := range paths {
		copyPath(dst.ProtoReflect(), src.ProtoReflect(), strings.Split(p, "."))
	}
	return nil
}

// check says what is wrong with path for messages of desc, or "".
func check(desc protoreflect.MessageDescriptor, path string) string {
	if path == "*" {
		return "cannot be combined with other paths"
	}
	parts := strings.Split(path, ".")
	for i, name := range parts {
		fd := desc.Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			return "names no field of " + string(desc.Name())
		}
		if i == len(parts)-1 {
			return ""
		}
		if fd.IsList() || fd.IsMap() || fd.Message() == nil {
			return "goes into " + name + ", which has no fields of its own to update one by one"
		}
		desc = fd.Message()
	}
	return ""
}

func copyPath(dst, src protoreflect.Message, parts []string) {
	fd := dst.Descriptor().Fields().ByName(protoreflect.Name(parts[0]))
	if len(parts) > 1 {
		// src.Get of an unset message field is an empty message: the rest
		// of the path then clears.
		copyPath(dst.Mutable(fd).Message(), src.Get(fd).Message(), parts[1:])
		return
	}
	if !src.Has(fd) {
		dst.Clear(fd)
		return
	}
	clone := func(v protoreflect.Value, msg bool) protoreflect.Value {
		if msg {
			return protoreflect.ValueOfMessage(proto.Clone(v.Message().Interface()).ProtoReflect())
		}
		return v
	}
	switch {
	case fd.IsList():
		list := dst.NewField(fd).List()
		from := src.Get(fd).List()
		for i := 0; i < from.Len(); i++ {
			list.Append(clone(from.Get(i), fd.Message() != nil))
		}
		dst.Set(fd, protoreflect.ValueOfList(list))
	case fd.IsMap():
		m := dst.NewField(fd).Map()
		src.Get(fd).Map().Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
			m.Set(k, clone(v, fd.MapValue().Message() != nil))
			return true
		})
		dst.Set(fd, protoreflect.ValueOfMap(m))
	default:
		dst.Set(fd, clone(src.Get(fd), fd.Message() != nil))
	}
}
