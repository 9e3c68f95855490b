// Package scram computes the SCRAM-SHA-256 verifier PostgreSQL stores for a
// password (RFC 5802, RFC 7677), so that a role's password can be set
// without the password itself ever reaching the server, whose log would
// record the statement if it failed.
package scram

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// iterations is PostgreSQL's default (scram_iterations).
const iterations = 4096

// Verifier returns the verifier of password with a fresh random salt, in
// the form ALTER ROLE … PASSWORD accepts and stores as it is:
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>. The password
// must be printable ASCII without spaces, which SASLprep leaves unchanged
// on both sides.
func Verifier(password string) (string, error) {
	if password == "" {
		return "", errors.New("scram: no password")
	}
	for _, c := range []byte(password) {
		if c < 0x21 || c > 0x7e {
			return "", errors.New("scram: the password must be printable ASCII without spaces")
		}
	}
	salt := make([]byte, 16)
	rand.Read(salt) //nolint:errcheck // never fails
	return verifier(password, salt, iterations)
}

func verifier(password string, salt []byte, iter int) (string, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iter, sha256.Size)
	if err != nil {
		return "", err
	}
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := mac(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iter, b64(salt), b64(storedKey[:]), b64(serverKey)), nil
}

func mac(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
