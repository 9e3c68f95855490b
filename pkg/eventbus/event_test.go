package eventbus

import "testing"

func TestTypeAndSubject(t *testing.T) {
	for _, tc := range []struct {
		service, resource, action, district string
		typ, subject                        string
	}{
		{"pledge", "pledge", "update", "gwangsan", "kr.gongyak.pledge.v1.pledge.updated", "gongyak.gwangsan.pledge.pledge.updated"},
		{"pledge", "pledge", "change_status", "gwangsan", "kr.gongyak.pledge.v1.pledge.status_changed", "gongyak.gwangsan.pledge.pledge.status_changed"},
		{"budget", "budget", "create", "seo-gu", "kr.gongyak.budget.v1.budget.created", "gongyak.seo-gu.budget.budget.created"},
		{"budget", "district", "import_data", "gwangsan", "kr.gongyak.budget.v1.district.imported", "gongyak.gwangsan.budget.district.imported"},
		{"pledge", "apiKey", "revoke", AllDistricts, "kr.gongyak.pledge.v1.apiKey.revoked", "gongyak.all.pledge.apiKey.revoked"},
	} {
		typ, err := Type(tc.service, tc.resource, tc.action)
		if err != nil || typ != tc.typ {
			t.Errorf("Type(%q, %q, %q) = %q, %v; want %q", tc.service, tc.resource, tc.action, typ, err, tc.typ)
			continue
		}
		subject, err := Subject(tc.district, typ)
		if err != nil || subject != tc.subject {
			t.Errorf("Subject(%q, %q) = %q, %v; want %q", tc.district, typ, subject, err, tc.subject)
		}
	}
}

func TestTypeRefusesAReadAndSubjectABadDistrict(t *testing.T) {
	if typ, err := Type("participation", "member", "read_personal_data"); err == nil {
		t.Errorf("a read of personal data got event type %q; a read changes nothing", typ)
	}
	for _, d := range []string{"", "a.b", "*", ">"} {
		if s, err := Subject(d, "kr.gongyak.pledge.v1.pledge.updated"); err == nil {
			t.Errorf("district %q got subject %q", d, s)
		}
	}
	if s, err := Subject("gwangsan", "pledge.updated"); err == nil {
		t.Errorf("a type without kr.gongyak got subject %q", s)
	}
}

func TestResourceType(t *testing.T) {
	for name, want := range map[string]string{
		"districts/gwangsan":                         "district",
		"districts/gwangsan/pledges/p1":              "pledge",
		"districts/gwangsan/pledges/p1/budget":       "budget",
		"districts/gwangsan/pledges/p1/indicators/3": "indicator",
		"districts/gwangsan/programs/x/members/4":    "member",
		"districts/gwangsan/programs/x/entries/4":    "entry",
		"districts/gwangsan/apiKeys/k1":              "apiKey",
		"apiKeys/k1":                                 "apiKey",
	} {
		if got := ResourceType(name); got != want {
			t.Errorf("ResourceType(%q) = %q, want %q", name, got, want)
		}
	}
}
