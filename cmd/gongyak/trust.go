package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gongyak/gongyak/cmd/devidp"
	"github.com/gongyak/gongyak/cmd/devidp/devlogin"
	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"github.com/gongyak/gongyak/pkg/suite"
	"google.golang.org/grpc/metadata"
)

// The development sign-in of `gongyak run`: the development OpenID
// provider as one more process of the suite, a token of the gongyak-cli
// client for the suite's own setup, and an admin API key for curl.

// idpBinary is `gongyak idp`, the development OpenID provider.
var idpBinary = suite.Binary{Name: "idp"}

// cliToken is a token of the gongyak-cli client (system admin), for the
// suite's own setup: seeding and the first admin key.
func cliToken(ctx context.Context, issuer, dataDir string) (string, error) {
	secrets, err := devidp.ClientSecrets(filepath.Join(dataDir, "idp"))
	if err != nil {
		return "", err
	}
	return devlogin.ClientCredentials(ctx, http.DefaultClient, issuer, devidp.CLIClientID, secrets[devidp.CLIClientID])
}

// withToken is ctx whose calls present token.
func withToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// adminKeyFile is where `gongyak run` keeps the development admin key.
func adminKeyFile(dataDir string) string { return filepath.Join(dataDir, "admin.key") }

// ensureAdminKey makes a cross-district admin key on the first start (or
// whenever its file is gone) and keeps it in dataDir/admin.key, readable
// by its owner alone. It returns the key and whether it was made now.
func ensureAdminKey(ctx context.Context, pledgeAddr, token, dataDir string) (string, bool, error) {
	path := adminKeyFile(dataDir)
	if raw, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(raw)), false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	conn, err := grpcclient.Dial(pledgeAddr)
	if err != nil {
		return "", false, err
	}
	defer conn.Close()
	resp, err := pledgev1.NewApiKeyServiceClient(conn).CreateApiKey(withToken(ctx, token), &pledgev1.CreateApiKeyRequest{
		ApiKey: &pledgev1.ApiKey{DisplayName: "make run development admin (" + time.Now().Format("2006-01-02") + ")", Scopes: []string{"admin"}},
	})
	if err != nil {
		return "", false, fmt.Errorf("creating the development admin key: %w", err)
	}
	if err := os.WriteFile(path, []byte(resp.GetSecret()+"\n"), 0o600); err != nil {
		return "", false, err
	}
	return resp.GetSecret(), true, nil
}

// usersTable lists the development users with their passwords and roles.
func usersTable(dataDir string) (string, error) {
	passwords, err := devidp.DefaultUserPasswords(filepath.Join(dataDir, "idp"))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, u := range devidp.DefaultUsers() {
		fmt.Fprintf(&b, "    %-20s %-18s %s\n", u.Username, passwords[u.Username], strings.Join(u.Roles, ", "))
	}
	return b.String(), nil
}

// startArgs runs the program at path with args as the suite's part b, its
// output going to its log file and, prefixed with its name, to the
// terminal.
func startArgs(b suite.Binary, path string, args []string, logDir string, env []string) (*suite.Process, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s is not built (%v): run make run, which builds it", path, err)
	}
	logFile, err := os.OpenFile(filepath.Join(logDir, b.Name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	out := &teeLines{file: logFile, term: os.Stdout, prefix: fmt.Sprintf("%-8s| ", b.Name)}
	p, err := suite.Start(b.Name, path, args, env, out, false)
	if err != nil {
		logFile.Close()
		return nil, err
	}
	go func() { <-p.Done(); logFile.Close() }()
	return p, nil
}
