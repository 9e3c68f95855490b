package auth

import (
	"maps"
	"slices"
	"strings"
)

// Permission is something a call may need to do in a district.
type Permission int

// The permissions roles and key scopes give.
const (
	// ReadData reads a district's data, unpublished included, with
	// personal data masked.
	ReadData Permission = iota + 1
	// ReadSummaries reads a district's summaries and reports.
	ReadSummaries
	// WriteData writes pledges and what hangs under them (budget,
	// indicators), programs and their records. A department editor has it
	// only for what its department owns.
	WriteData
	// WriteDistrict changes the district itself: its terms (and which are
	// public) and its departments.
	WriteDistrict
	// CreateDistrict adds a district.
	CreateDistrict
	// Participate casts ballots and survey responses and files submissions,
	// as a citizen-facing system does.
	Participate
	// RecordPast records a submission or ballot with the past time it was
	// received, outside the program's windows: the registrar's work.
	RecordPast
	// PersonalData sees citizens' names, phones and e-mails unmasked.
	PersonalData
	// ManageKeys issues and revokes API keys.
	ManageKeys
	// ReadAudit reads the audit log.
	ReadAudit
)

var permissionNames = map[Permission]string{
	ReadData: "read its data", ReadSummaries: "read its summaries", WriteData: "write its data",
	WriteDistrict: "change the district", CreateDistrict: "create districts", Participate: "take part (ballots, responses, submissions)",
	RecordPast: "record past submissions and ballots (registrar)", PersonalData: "see personal data",
	ManageKeys: "manage API keys", ReadAudit: "read the audit log",
}

func (p Permission) String() string { return permissionNames[p] }

// rolePermissions are what each role may do where it is held.
var rolePermissions = map[string][]Permission{
	RoleSystemAdmin:      {ReadData, ReadSummaries, WriteData, WriteDistrict, CreateDistrict, Participate, RecordPast, ManageKeys, ReadAudit},
	RoleMinistryReporter: {ReadSummaries},
	RoleDistrictAdmin:    {ReadData, ReadSummaries, WriteData, WriteDistrict, Participate, RecordPast, ManageKeys, ReadAudit},
	RoleDepartmentEditor: {ReadData, ReadSummaries, WriteData},
	RoleViewer:           {ReadData, ReadSummaries},
	RoleRegistrar:        {ReadData, ReadSummaries, Participate, RecordPast},
	RolePersonalData:     {PersonalData},
}

// Permissions lists every permission, in order.
func Permissions() []Permission { return slices.Sorted(maps.Keys(permissionNames)) }

// Roles lists the roles a grant may hold, sorted: the console describes
// each, and its test checks that none is left undescribed.
func Roles() []string { return slices.Sorted(maps.Keys(rolePermissions)) }

// RolePermissions lists what role gives where it is held, in order; nil
// for a role there is not. A department editor's WriteData is for its
// department's pledges alone.
func RolePermissions(role string) []Permission {
	return slices.Sorted(slices.Values(rolePermissions[role]))
}

// API key scopes (ApiKey.scopes). The integration work reuses them.
const (
	ScopeRead         = "read"
	ScopeWrite        = "write"
	ScopeParticipate  = "participate"
	ScopeRegistrar    = "registrar"
	ScopePersonalData = "personal-data"
	ScopeReports      = "reports"
	ScopeAudit        = "audit"
	ScopeAdmin        = "admin"
)

// scopePermissions are what each scope gives a district's key in its
// district.
var scopePermissions = map[string][]Permission{
	ScopeRead: {ReadData, ReadSummaries},
	// Writing needs what is written read first: its etag, its pledge.
	ScopeWrite:        {ReadData, WriteData},
	ScopeParticipate:  {Participate},
	ScopeRegistrar:    {RecordPast},
	ScopePersonalData: {PersonalData},
	ScopeReports:      {ReadSummaries},
	ScopeAudit:        {ReadAudit},
	ScopeAdmin:        rolePermissions[RoleDistrictAdmin],
}

// globalScopePermissions are what a cross-district key's scopes give, in
// every district: the ministry's reporting, or system administration.
var globalScopePermissions = map[string][]Permission{
	ScopeReports: rolePermissions[RoleMinistryReporter],
	ScopeAdmin:   rolePermissions[RoleSystemAdmin],
}

// ValidScope reports whether scope can be given to a key of a district
// (global false) or a cross-district key (global true).
func ValidScope(scope string, global bool) bool {
	if global {
		_, ok := globalScopePermissions[scope]
		return ok
	}
	_, ok := scopePermissions[scope]
	return ok
}

// Scopes lists the scopes a key may hold, for messages.
func Scopes(global bool) string {
	m := scopePermissions
	if global {
		m = globalScopePermissions
	}
	var names []string
	for s := range m {
		names = append(names, s)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// AllDistricts is the district of a request about every district
// (`districts/-`).
const AllDistricts = "-"

// Target is what a call acts on: a district (AllDistricts for every one)
// and, for writes, the departments that own what is written. A
// department editor may write only a target whose departments are all its
// own.
type Target struct {
	District    string
	Departments []string
}

// In is a target in one district, not tied to departments.
func In(district string) Target { return Target{District: district} }

// Can reports whether p may do perm on t.
func (p *Principal) Can(perm Permission, t Target) bool {
	switch p.Kind {
	case APIKey:
		if p.District == "" {
			return scopesGive(globalScopePermissions, p.Scopes, perm)
		}
		return t.District == p.District && scopesGive(scopePermissions, p.Scopes, perm)
	case User, Service:
		for _, g := range p.Grants {
			if grantGives(g, perm, t) {
				return true
			}
		}
	}
	return false
}

func scopesGive(table map[string][]Permission, scopes []string, perm Permission) bool {
	for _, s := range scopes {
		if slices.Contains(table[s], perm) {
			return true
		}
	}
	return false
}

func grantGives(g Grant, perm Permission, t Target) bool {
	if !slices.Contains(rolePermissions[g.Role], perm) {
		return false
	}
	if g.Resource == "" {
		return true // system-wide roles
	}
	if g.District() != t.District {
		return false
	}
	if g.Role == RoleDepartmentEditor && perm == WriteData {
		if len(t.Departments) == 0 {
			return false
		}
		for _, d := range t.Departments {
			if d != g.Department() {
				return false
			}
		}
	}
	return true
}

// Departments are the departments p edits in district, as a department
// editor; nil when it edits none there.
func (p *Principal) Departments(district string) []string {
	var out []string
	for _, g := range p.Grants {
		if g.Role == RoleDepartmentEditor && g.District() == district {
			out = append(out, g.Department())
		}
	}
	return out
}
