package tlsconfig

import (
	"crypto/x509"
	"os"
	"os/exec"
	"testing"
)

// TestFallbackRoots runs this test binary again as on an empty image — no
// system roots anywhere — and checks it still trusts the public roots an
// OpenID provider or a webhook receiver on HTTPS is certified by.
func TestFallbackRoots(t *testing.T) {
	if os.Getenv("TLSCONFIG_CHILD") == "1" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			t.Fatal(err)
		}
		if pool.Equal(x509.NewCertPool()) {
			t.Fatal("no trusted roots without the machine's: the fallback bundle is not linked in")
		}
		return
	}
	empty := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFallbackRoots$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TLSCONFIG_CHILD=1", "SSL_CERT_FILE="+empty+"/none.pem", "SSL_CERT_DIR="+empty)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("without system roots: %v\n%s", err, out)
	}
}
