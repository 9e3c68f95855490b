package devidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/go-jose/go-jose/v4"
)

// The files the provider keeps in its data folder, each readable by the
// owner only: they hold what lets anyone sign in or mint tokens.
const (
	signingKeyFile    = "signing-key.pem"     // RSA 2048, PKCS #8
	passwordsFile     = "passwords.json"      // {"username": "password"} for users given none
	clientSecretsFile = "client-secrets.json" // {"client id": "secret"}
	lockFile          = "idp.lock"
)

// ClientSecrets returns the secrets of the confidential clients (gongyak-cli
// and each service's), kept in dataDir and made there on the first call,
// whether by the provider or by whoever starts it: gongyak run reads them to
// hand each service its own credentials.
func ClientSecrets(dataDir string) (map[string]string, error) {
	var secrets map[string]string
	err := withDataDir(dataDir, func() error {
		var err error
		secrets, err = loadOrMakeSecrets(filepath.Join(dataDir, clientSecretsFile), ConfidentialClientIDs(), rand.Text)
		return err
	})
	return secrets, err
}

// DefaultUserPasswords returns the passwords of the default users, kept in
// dataDir and made there on the first call, whether by the provider or by
// whoever starts it: gongyak run prints them beside the users.
func DefaultUserPasswords(dataDir string) (map[string]string, error) {
	var names []string
	for _, u := range DefaultUsers() {
		names = append(names, u.Username)
	}
	var passwords map[string]string
	err := withDataDir(dataDir, func() error {
		var err error
		passwords, err = loadOrMakeSecrets(filepath.Join(dataDir, passwordsFile), names, newPassword)
		return err
	})
	return passwords, err
}

// withDataDir creates dataDir and runs fn holding the folder's lock, so a
// provider and a gongyak run starting together agree on what is made first.
func withDataDir(dataDir string, fn func() error) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dataDir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", dataDir, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing unlocks too
	return fn()
}

// loadOrMakeSecrets reads the JSON map at path and adds a fresh value for
// each of names it lacks, saving the map when it grew. Values already there
// are never changed: tokens and the terminal output of earlier runs still
// hold.
func loadOrMakeSecrets(path string, names []string, fresh func() string) (map[string]string, error) {
	secrets := map[string]string{}
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &secrets); err != nil {
			return nil, fmt.Errorf("%s: %w (delete it to make new ones)", path, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	grew := false
	for _, name := range names {
		if secrets[name] == "" {
			secrets[name] = fresh()
			grew = true
		}
	}
	if grew {
		raw, err := json.MarshalIndent(secrets, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := writePrivate(path, append(raw, '\n')); err != nil {
			return nil, err
		}
	}
	return secrets, nil
}

// signingKey is the provider's RSA key; its id is the key's RFC 7638
// thumbprint, so the same key always has the same kid.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func loadOrMakeSigningKey(path string) (*signingKey, error) {
	raw, err := os.ReadFile(path)
	var key *rsa.PrivateKey
	switch {
	case err == nil:
		block, _ := pem.Decode(raw)
		if block == nil || block.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("%s: not a PEM private key (delete it to make a new one)", path)
		}
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var ok bool
		if key, ok = parsed.(*rsa.PrivateKey); !ok {
			return nil, fmt.Errorf("%s: not an RSA key", path)
		}
	case errors.Is(err, fs.ErrNotExist):
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := writePrivate(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	thumb, err := (&jose.JSONWebKey{Key: &key.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return &signingKey{id: base64.RawURLEncoding.EncodeToString(thumb), key: key}, nil
}

// writePrivate replaces path with data, readable by the owner only, in one
// step: a reader never sees half a file.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// newPassword makes a password that is easy to type from a terminal: 16 of
// 31 letters and digits that cannot be mistaken for one another (~79 bits).
func newPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 16)
	for i := range b {
		// Bytes past the last whole multiple of the alphabet's length are
		// drawn again: they would make the first letters likelier.
		for {
			var c [1]byte
			rand.Read(c[:]) //nolint:errcheck // crypto/rand.Read never fails
			if int(c[0]) < 256-256%len(alphabet) {
				b[i] = alphabet[int(c[0])%len(alphabet)]
				break
			}
		}
	}
	return string(b)
}
