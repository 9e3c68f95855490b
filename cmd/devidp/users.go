package devidp

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
)

// User is a development account that can sign in on the login page. Its
// username is also its subject (sub) in every token.
type User struct {
	Username string `json:"username"`
	// Password is generated on first start (and kept in the data folder)
	// when empty.
	Password string `json:"password,omitempty"`
	// Name is the display name; the username when empty.
	Name string `json:"name,omitempty"`
	// Roles become the gongyak_roles claim, e.g.
	// "district-admin@districts/gwangsan".
	Roles []string `json:"roles"`
}

// DefaultUsers are the development accounts when no users file is given:
// one per role the services know, so each can be tried by signing in.
func DefaultUsers() []User {
	return []User{
		{Username: "admin", Name: "시스템 관리자", Roles: []string{"system-admin"}},
		{Username: "gwangsan-admin", Name: "광산구 관리자", Roles: []string{"district-admin@districts/gwangsan"}},
		{Username: "gwangsan-editor", Name: "광산구 법무지원과 담당자", Roles: []string{"department-editor@districts/gwangsan/departments/legal-support"}},
		{Username: "gwangsan-viewer", Name: "광산구 열람자", Roles: []string{"viewer@districts/gwangsan"}},
		{Username: "gwangsan-registrar", Name: "광산구 등록 담당자", Roles: []string{"registrar@districts/gwangsan"}},
		{Username: "gwangsan-privacy", Name: "광산구 개인정보 취급자", Roles: []string{"viewer@districts/gwangsan", "personal-data@districts/gwangsan"}},
		{Username: "ministry", Name: "행정안전부 보고 담당자", Roles: []string{"ministry-reporter"}},
	}
}

// ReadUsersFile reads a JSON list of users that replaces DefaultUsers, e.g.
//
//	[{"username": "viewer", "roles": ["viewer@districts/gwangsan"]}]
func ReadUsersFile(path string) ([]User, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var users []User
	if err := json.Unmarshal(raw, &users); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if err := validateUsers(users); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return users, nil
}

// A username becomes a token's sub and appears in URLs and logs, so it is
// kept to plain ASCII; "service:" subjects are the clients'.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

func validateUsers(users []User) error {
	if len(users) == 0 {
		return fmt.Errorf("no users")
	}
	var seen []string
	for i, u := range users {
		if !usernamePattern.MatchString(u.Username) {
			return fmt.Errorf("users[%d].username %q: want 1-63 of a-z, 0-9, '.', '_', '-', starting with a letter or digit", i, u.Username)
		}
		if slices.Contains(seen, u.Username) {
			return fmt.Errorf("users[%d].username %q: appears twice", i, u.Username)
		}
		seen = append(seen, u.Username)
		if len(u.Roles) == 0 {
			return fmt.Errorf("users[%d].roles: empty; give the user at least one role", i)
		}
		for j, r := range u.Roles {
			if r == "" {
				return fmt.Errorf("users[%d].roles[%d]: empty", i, j)
			}
		}
	}
	return nil
}

func (u User) displayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}
