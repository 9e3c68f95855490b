package devidp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongyak/gongyak/cmd/devidp"
)

func TestReadUsersFile(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		wantErr    string // "" when the file is good
	}{
		{"good", `[{"username": "a", "roles": ["viewer@districts/gwangsan"]}, {"username": "b.c-d_e", "password": "pw", "name": "비", "roles": ["system-admin"]}]`, ""},
		{"not json", `[{"username": "a",}]`, "invalid character"},
		{"empty list", `[]`, "no users"},
		{"no username", `[{"roles": ["system-admin"]}]`, "users[0].username"},
		{"upper case", `[{"username": "Admin", "roles": ["system-admin"]}]`, "users[0].username"},
		{"service subject", `[{"username": "service:gongyak-cli", "roles": ["system-admin"]}]`, "users[0].username"},
		{"twice", `[{"username": "a", "roles": ["x"]}, {"username": "a", "roles": ["y"]}]`, "users[1].username \"a\": appears twice"},
		{"no roles", `[{"username": "a"}]`, "users[0].roles"},
		{"empty role", `[{"username": "a", "roles": ["x", ""]}]`, "users[0].roles[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.json")
			if err := os.WriteFile(path, []byte(tc.json), 0o600); err != nil {
				t.Fatal(err)
			}
			users, err := devidp.ReadUsersFile(path)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want an error naming %q", err, tc.wantErr)
			case tc.wantErr == "" && (len(users) != 2 || users[1].Password != "pw" || users[1].Name != "비"):
				t.Fatalf("got %+v", users)
			}
		})
	}
}

func TestDefaultUsersHaveTheirRoles(t *testing.T) {
	want := map[string][]string{
		"admin":              {"system-admin"},
		"gwangsan-admin":     {"district-admin@districts/gwangsan"},
		"gwangsan-editor":    {"department-editor@districts/gwangsan/departments/legal-support"},
		"gwangsan-viewer":    {"viewer@districts/gwangsan"},
		"gwangsan-registrar": {"registrar@districts/gwangsan"},
		"gwangsan-privacy":   {"viewer@districts/gwangsan", "personal-data@districts/gwangsan"},
		"ministry":           {"ministry-reporter"},
	}
	p, err := devidp.New(devidp.Config{Issuer: "http://127.0.0.1:9100", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	users := p.Users()
	if len(users) != len(want) {
		t.Errorf("%d users, want %d", len(users), len(want))
	}
	passwords := map[string]bool{}
	for _, u := range users {
		if strings.Join(u.Roles, " ") != strings.Join(want[u.Username], " ") {
			t.Errorf("%s has roles %v, want %v", u.Username, u.Roles, want[u.Username])
		}
		if len(u.Password) < 16 || passwords[u.Password] {
			t.Errorf("%s's password %q: want 16+ characters, each user's own", u.Username, u.Password)
		}
		passwords[u.Password] = true
	}
}
