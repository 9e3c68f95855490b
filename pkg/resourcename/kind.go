package resourcename

import "strings"

// DistrictOf is the id of the district a name lies under, the segment
// after districts/ — districts/gwangsan/pledges/p1 → gwangsan,
// districts/- → - (Wildcard) — or "" for a name outside any district
// (apiKeys/k1). The id is read, not checked: a policy places a call by it
// before the call's handler checks the whole name.
func DistrictOf(name string) string {
	rest, ok := strings.CutPrefix(name, District.segments[0]+"/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// TypeOf is the type of the resource name names (Pattern.Type): that of
// the API's pattern of name's shape, its collections and singletons in
// their places, whatever its ids; false when no pattern has that shape.
func TypeOf(name string) (string, bool) {
	parts := strings.Split(name, "/")
	for _, p := range all {
		if p.hasShape(parts) {
			return p.typ, true
		}
	}
	return "", false
}

// hasShape reports whether a name split into parts has the pattern's
// literal segments in their places, whatever stands for its variables.
func (p Pattern) hasShape(parts []string) bool {
	if len(parts) != len(p.segments) {
		return false
	}
	for i, s := range p.segments {
		if s != "" && parts[i] != s {
			return false
		}
	}
	return true
}

// Parent is the name of the resource name is a member of a collection of
// (districts/d/pledges/p/indicators/i → districts/d/pledges/p), "" for a
// top-level resource; ID is its id in that collection (i). Both read the
// name's shape only, as callers that handle names of many patterns do.
func Parent(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ""
	}
	j := strings.LastIndexByte(name[:i], '/')
	if j < 0 {
		return ""
	}
	return name[:j]
}

// ID is the last segment of name: the id a collection member has in it.
func ID(name string) string { return name[strings.LastIndexByte(name, '/')+1:] }
