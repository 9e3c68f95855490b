package config

import (
	"flag"
	"strings"
	"testing"
)

func TestServiceDatabaseURLPrecedence(t *testing.T) {
	const (
		flagURL   = "postgres://flag@db/gongyak"
		ownURL    = "postgres://gongyak_budget:pw@db/gongyak"
		sharedURL = "postgres://shared@db/gongyak"
	)
	for _, tc := range []struct {
		name     string
		args     []string
		own      string // GONGYAK_BUDGET_DATABASE_URL
		shared   string // DATABASE_URL
		otherOwn string // GONGYAK_PLEDGE_DATABASE_URL
		want     string
	}{
		{name: "nothing set", want: DefaultDatabaseURL},
		{name: "DATABASE_URL", shared: sharedURL, want: sharedURL},
		{name: "the service's own over DATABASE_URL", own: ownURL, shared: sharedURL, want: ownURL},
		{name: "the service's own alone", own: ownURL, want: ownURL},
		{name: "another service's is not this one's", otherOwn: ownURL, shared: sharedURL, want: sharedURL},
		{name: "the flag over both", args: []string{"--database-url", flagURL}, own: ownURL, shared: sharedURL, want: flagURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GONGYAK_BUDGET_DATABASE_URL", tc.own)
			t.Setenv("DATABASE_URL", tc.shared)
			t.Setenv("GONGYAK_PLEDGE_DATABASE_URL", tc.otherOwn)
			fs := flag.NewFlagSet("budget", flag.ContinueOnError)
			var c Common
			Service(fs, &c, "budget")
			if err := Parse(fs, tc.args); err != nil {
				t.Fatal(err)
			}
			if c.DatabaseURL != tc.want {
				t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, tc.want)
			}
		})
	}
}

func TestServiceHelpShowsNoPassword(t *testing.T) {
	t.Setenv("GONGYAK_BUDGET_DATABASE_URL", "postgres://gongyak_budget:s3cret@db/gongyak")
	fs := flag.NewFlagSet("budget", flag.ContinueOnError)
	var help strings.Builder
	fs.SetOutput(&help)
	var c Common
	Service(fs, &c, "budget")
	fs.PrintDefaults()
	if strings.Contains(help.String(), "s3cret") {
		t.Errorf("the help shows the password:\n%s", help.String())
	}
	if !strings.Contains(help.String(), "GONGYAK_BUDGET_DATABASE_URL") {
		t.Errorf("the help does not name GONGYAK_BUDGET_DATABASE_URL:\n%s", help.String())
	}
}

func TestDatabasePoolSizeFromFlagOrEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name, env string
		args      []string
		want      int
		bad       bool
	}{
		{name: "nothing set: the default", want: 0},
		{name: "the variable", env: "24", want: 24},
		{name: "the flag over the variable", env: "24", args: []string{"--db-pool-size", "12"}, want: 12},
		{name: "not a number", env: "many", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GONGYAK_DB_POOL_SIZE", tc.env)
			t.Cleanup(func() { badEnv = nil })
			fs := flag.NewFlagSet("participation", flag.ContinueOnError)
			var c Common
			Service(fs, &c, "participation")
			err := Parse(fs, tc.args)
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "GONGYAK_DB_POOL_SIZE") {
					t.Errorf("Parse = %v, want an error naming GONGYAK_DB_POOL_SIZE", err)
				}
				return
			}
			if err != nil || c.DBPoolSize != tc.want {
				t.Errorf("DBPoolSize = %d, %v; want %d", c.DBPoolSize, err, tc.want)
			}
		})
	}
}
