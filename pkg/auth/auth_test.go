package auth_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gongyak/gongyak/pkg/auth"
	"github.com/gongyak/gongyak/pkg/auth/authtest"
)

func TestGrantsReadAsTheClaimWritesThem(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want auth.Grant
		bad  bool
	}{
		{in: "system-admin", want: auth.Grant{Role: "system-admin"}},
		{in: "district-admin@districts/gwangsan", want: auth.Grant{Role: "district-admin", Resource: "districts/gwangsan"}},
		{in: "department-editor@districts/gwangsan/departments/legal-support", want: auth.Grant{Role: "department-editor", Resource: "districts/gwangsan/departments/legal-support"}},
		{in: "system-admin@districts/gwangsan", bad: true},
		{in: "viewer", bad: true},
		{in: "viewer@districts/Gwangsan", bad: true},
		{in: "department-editor@districts/gwangsan", bad: true},
		{in: "district-admin@districts/gwangsan/departments/x", bad: true},
		{in: "superuser", bad: true},
	} {
		g, err := auth.ParseGrant(tt.in)
		if (err != nil) != tt.bad || !tt.bad && g != tt.want {
			t.Errorf("ParseGrant(%q) = %v, %v", tt.in, g, err)
		}
	}
}

// TestRolesAllowWhatTheyShould checks each role against each permission in
// its own district, another district and every district.
func TestRolesAllowWhatTheyShould(t *testing.T) {
	user := func(grants ...string) *auth.Principal {
		p := &auth.Principal{Kind: auth.User, Subject: "u"}
		for _, s := range grants {
			g, err := auth.ParseGrant(s)
			if err != nil {
				t.Fatal(err)
			}
			p.Grants = append(p.Grants, g)
		}
		return p
	}
	key := func(district string, scopes ...string) *auth.Principal {
		return &auth.Principal{Kind: auth.APIKey, Subject: "k", District: district, Scopes: scopes}
	}
	home, away, all := auth.In("gwangsan"), auth.In("seogu"), auth.In(auth.AllDistricts)
	own := auth.Target{District: "gwangsan", Departments: []string{"legal-support"}}
	other := auth.Target{District: "gwangsan", Departments: []string{"welfare"}}
	type check struct {
		perm auth.Permission
		t    auth.Target
		want bool
	}
	for _, tt := range []struct {
		name   string
		p      *auth.Principal
		checks []check
	}{
		{"anonymous", &auth.Principal{}, []check{{auth.ReadData, home, false}, {auth.ReadSummaries, all, false}}},
		{"system admin", user("system-admin"), []check{
			{auth.ReadData, away, true}, {auth.WriteData, other, true}, {auth.CreateDistrict, home, true}, {auth.ReadSummaries, all, true},
			{auth.PersonalData, home, false}, {auth.RecordPast, home, true}}},
		{"ministry reporter", user("ministry-reporter"), []check{
			{auth.ReadSummaries, all, true}, {auth.ReadSummaries, away, true}, {auth.ReadData, home, false}, {auth.PersonalData, home, false}, {auth.WriteData, home, false}}},
		{"district admin", user("district-admin@districts/gwangsan"), []check{
			{auth.WriteData, other, true}, {auth.WriteDistrict, home, true}, {auth.ManageKeys, home, true}, {auth.ReadAudit, home, true},
			{auth.ReadData, away, false}, {auth.ReadSummaries, all, false}, {auth.CreateDistrict, home, false}, {auth.PersonalData, home, false}}},
		{"department editor", user("department-editor@districts/gwangsan/departments/legal-support"), []check{
			{auth.WriteData, own, true}, {auth.WriteData, other, false}, {auth.WriteData, home, false},
			{auth.WriteData, auth.Target{District: "gwangsan", Departments: []string{"legal-support", "welfare"}}, false},
			{auth.ReadData, home, true}, {auth.WriteDistrict, home, false}, {auth.ReadData, away, false}}},
		{"viewer", user("viewer@districts/gwangsan"), []check{{auth.ReadData, home, true}, {auth.WriteData, own, false}, {auth.PersonalData, home, false}}},
		{"viewer with personal data", user("viewer@districts/gwangsan", "personal-data@districts/gwangsan"), []check{
			{auth.PersonalData, home, true}, {auth.PersonalData, away, false}}},
		{"registrar", user("registrar@districts/gwangsan"), []check{{auth.RecordPast, home, true}, {auth.Participate, home, true}, {auth.WriteData, own, false}}},
		{"a district's key", key("gwangsan", "read", "participate"), []check{
			{auth.ReadData, home, true}, {auth.Participate, home, true}, {auth.WriteData, own, false}, {auth.ReadData, away, false}, {auth.ReadSummaries, all, false}}},
		{"a district's admin key", key("gwangsan", "admin"), []check{{auth.ManageKeys, home, true}, {auth.ManageKeys, away, false}, {auth.PersonalData, home, false}}},
		{"the ministry's key", key("", "reports"), []check{{auth.ReadSummaries, all, true}, {auth.ReadSummaries, away, true}, {auth.ReadData, home, false}}},
		{"a system admin key", key("", "admin"), []check{{auth.CreateDistrict, home, true}, {auth.ReadData, away, true}, {auth.PersonalData, home, false}}},
		{"a cross-district key with a district scope", key("", "read"), []check{{auth.ReadData, home, false}}},
	} {
		for _, c := range tt.checks {
			if got := tt.p.Can(c.perm, c.t); got != c.want {
				t.Errorf("%s: Can(%s, %v) = %v, want %v", tt.name, c.perm, c.t, got, c.want)
			}
		}
	}
}

// TestADistrictsIssuerGrantsOnlyWithinItsDistrict trusts one issuer as the
// system's and another for gwangsan only: the second's tokens keep the
// gwangsan roles they carry and lose the rest.
func TestADistrictsIssuerGrantsOnlyWithinItsDistrict(t *testing.T) {
	system, gwangsan := authtest.NewIssuer(t), authtest.NewIssuer(t)
	a := authtest.Authenticator(nil, auth.Issuers{system.URL: auth.SystemIssuer, gwangsan.URL: "gwangsan"})
	p, err := a.Authenticate(context.Background(), gwangsan.Token(t, "kim", "district-admin@districts/gwangsan", "system-admin",
		"district-admin@districts/seogu", "ministry-reporter"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Grants) != 1 || p.Grants[0].String() != "district-admin@districts/gwangsan" {
		t.Errorf("grants from the district's issuer: %v", p.Grants)
	}
	if p.Actor() != "user:kim@"+gwangsan.URL[len("http://"):] || p.Credential() == "" {
		t.Errorf("actor %q", p.Actor())
	}
	p, err = a.Authenticate(context.Background(), system.Token(t, "service:gongyak-pledge", "system-admin"))
	if err != nil || p.Kind != auth.Service || len(p.Grants) != 1 || p.Actor() != "service:gongyak-pledge" {
		t.Errorf("a service's token: %v %v", p, err)
	}
}

func TestIssuersConfiguration(t *testing.T) {
	got, err := auth.ParseIssuers(" http://127.0.0.1:9100=* , https://id.gwangsan.go.kr=gwangsan")
	if err != nil || got["http://127.0.0.1:9100"] != "*" || got["https://id.gwangsan.go.kr"] != "gwangsan" {
		t.Errorf("ParseIssuers: %v %v", got, err)
	}
	for _, bad := range []string{"http://a=*,http://b=*", "http://a", "ftp://a=*", "http://a=Gwangsan", "http://a=x,http://a=y"} {
		if _, err := auth.ParseIssuers(bad); err == nil {
			t.Errorf("ParseIssuers(%q) took it", bad)
		}
	}
}

func TestKeysSplitIntoIdAndSecret(t *testing.T) {
	secret := auth.NewKeySecret()
	id, got, ok := auth.SplitKey(auth.FormatKey("portal-1", secret))
	if !ok || id != "portal-1" || got != secret || !auth.SameHash(auth.HashSecret(secret), got) || auth.SameHash(auth.HashSecret(secret), got+"x") {
		t.Errorf("SplitKey: %q %q %v", id, got, ok)
	}
	for _, bad := range []string{"gyk_portal-1", "gyk__" + secret, "gyk_Portal_" + secret, "abc_portal_" + secret, "gyk_portal_short"} {
		if _, _, ok := auth.SplitKey(bad); ok {
			t.Errorf("SplitKey(%q) took it", bad)
		}
	}
}

// countingKeys answers from a map and counts the questions.
type countingKeys struct {
	keys  map[string]*auth.Principal
	asked int
	down  bool
}

func (c *countingKeys) VerifyKey(_ context.Context, key string) (*auth.Principal, error) {
	c.asked++
	if c.down {
		return nil, errors.New("pledge service down")
	}
	if p, ok := c.keys[key]; ok {
		return p, nil
	}
	return nil, auth.ErrBadKey
}

// TestAKeysCheckIsRememberedForAtMostItsTTL shows a revoked key refused as
// soon as the remembered answer runs out, and a cache longer than 30 s
// refused outright.
func TestAKeysCheckIsRememberedForAtMostItsTTL(t *testing.T) {
	if _, err := auth.NewKeyCache(&countingKeys{}, 31*time.Second); err == nil {
		t.Error("a 31 s key cache was accepted")
	}
	src := &countingKeys{keys: map[string]*auth.Principal{"k": {Kind: auth.APIKey, Subject: "districts/gwangsan/apiKeys/k"}}}
	cache, err := auth.NewKeyCache(src, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		if _, err := cache.VerifyKey(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if src.asked != 1 {
		t.Errorf("asked %d times for three checks within the TTL", src.asked)
	}
	delete(src.keys, "k") // revoked
	if _, err := cache.VerifyKey(ctx, "k"); err != nil {
		t.Error("the remembered answer was not used within the TTL")
	}
	time.Sleep(250 * time.Millisecond)
	if _, err := cache.VerifyKey(ctx, "k"); !errors.Is(err, auth.ErrBadKey) {
		t.Errorf("a revoked key after the TTL: %v", err)
	}
	src.down = true
	time.Sleep(250 * time.Millisecond)
	if _, err := cache.VerifyKey(ctx, "k"); err == nil || errors.Is(err, auth.ErrBadKey) {
		t.Errorf("with the pledge service down: %v", err)
	}
	src.down = false
	if _, err := cache.VerifyKey(ctx, "k"); !errors.Is(err, auth.ErrBadKey) {
		t.Errorf("an outage was remembered as an answer: %v", err)
	}
}

// The lists the console's role descriptions are checked against: every
// role, what each gives (what Can answers for a grant of it), every
// permission named.
func TestRolesAndPermissionsAreListed(t *testing.T) {
	roles := auth.Roles()
	if !slices.IsSorted(roles) || !slices.Contains(roles, auth.RoleViewer) || !slices.Contains(roles, auth.RolePersonalData) {
		t.Errorf("Roles() = %v, want them sorted, viewer and personal-data among them", roles)
	}
	for _, role := range roles {
		g, err := auth.ParseGrant(role + "@districts/gwangsan")
		if role == auth.RoleSystemAdmin || role == auth.RoleMinistryReporter {
			g, err = auth.ParseGrant(role)
		}
		if role == auth.RoleDepartmentEditor {
			g, err = auth.ParseGrant(role + "@districts/gwangsan/departments/legal")
		}
		if err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		p := &auth.Principal{Kind: auth.User, Grants: []auth.Grant{g}}
		target := auth.Target{District: "gwangsan", Departments: []string{"legal"}}
		var can []auth.Permission
		for _, perm := range auth.Permissions() {
			if perm.String() == "" {
				t.Errorf("permission %d has no name", perm)
			}
			if p.Can(perm, target) {
				can = append(can, perm)
			}
		}
		if got := auth.RolePermissions(role); !slices.Equal(got, can) {
			t.Errorf("RolePermissions(%s) = %v, but a grant of it can %v", role, got, can)
		}
	}
	if got := auth.RolePermissions("no-such-role"); got != nil {
		t.Errorf("RolePermissions of an unknown role = %v, want nil", got)
	}
}
