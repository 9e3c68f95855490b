package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp"
	"github.com/gongyak/gongyak/pkg/config"
)

// runIDP serves the development OpenID provider until Ctrl-C, printing its
// users and their passwords to out first.
func runIDP(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("idp", flag.ContinueOnError)
	var (
		addr, issuer, dataDir, usersFile string
		lifetime                         time.Duration
		redirects                        = redirectURIs{env: "GONGYAK_IDP_REDIRECT_URIS"}
	)
	config.String(fs, &addr, "addr", "GONGYAK_IDP_ADDR", devidp.DefaultAddr, "host:port the provider listens on")
	config.String(fs, &issuer, "issuer", "GONGYAK_IDP_ISSUER", "", "the provider's URL, the iss of its tokens (default http://<addr>)")
	config.String(fs, &dataDir, "data", "GONGYAK_IDP_DATA", devidp.DefaultDataDir, "folder for the signing key, generated passwords and client secrets; kept between runs")
	config.String(fs, &usersFile, "users", "GONGYAK_IDP_USERS", "", "JSON file of users that replaces the default ones: [{\"username\", \"password\" (generated when empty), \"name\", \"roles\": [...]}]")
	fs.Var(&redirects, "redirect-uri", "a redirect URI of the console client; repeat for more (env GONGYAK_IDP_REDIRECT_URIS, comma-separated; default "+devidp.DefaultRedirectURI+")")
	config.Duration(fs, &lifetime, "token-lifetime", "GONGYAK_IDP_TOKEN_LIFETIME", devidp.DefaultTokenLifetime, "how long access and ID tokens are valid")
	if err := config.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("idp: unexpected arguments %q", fs.Args())
	}

	cfg := devidp.Config{DataDir: dataDir, RedirectURIs: redirects.values(), TokenLifetime: lifetime}
	if usersFile != "" {
		users, err := devidp.ReadUsersFile(usersFile)
		if err != nil {
			return err
		}
		cfg.Users = users
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	cfg.Issuer = issuer
	if cfg.Issuer == "" {
		// From the listener, so that --addr 127.0.0.1:0 names the port
		// actually taken.
		cfg.Issuer = "http://" + ln.Addr().String()
	}
	p, err := devidp.New(cfg)
	if err != nil {
		return err
	}
	p.PrintSummary(out)
	if host, _, _ := net.SplitHostPort(addr); !isLoopback(host) {
		fmt.Fprintf(out, "\nWARNING: listening on %s, reachable from other machines; the development provider is meant for loopback.\n", addr)
	}
	fmt.Fprintf(out, "\nlistening on %s; Ctrl-C stops it\n", ln.Addr())
	if err := p.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(out, "development OpenID provider stopped")
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redirectURIs is the repeatable --redirect-uri flag; given no flag, it
// takes the comma-separated list in its environment variable.
type redirectURIs struct {
	env  string
	list []string
}

func (r *redirectURIs) String() string { return strings.Join(r.list, ",") }

func (r *redirectURIs) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty redirect URI")
	}
	r.list = append(r.list, v)
	return nil
}

func (r *redirectURIs) values() []string {
	if len(r.list) > 0 {
		return r.list
	}
	var fromEnv []string
	for _, v := range strings.Split(os.Getenv(r.env), ",") {
		if v = strings.TrimSpace(v); v != "" {
			fromEnv = append(fromEnv, v)
		}
	}
	return fromEnv
}
