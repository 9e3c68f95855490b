package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Targets decides which URLs may receive deliveries. A webhook could
// otherwise make the suite call what only it can reach (its database, a
// cloud's metadata address), so targets on loopback, private or
// link-local addresses are refused — when a webhook is made, and again at
// each delivery, on the address actually dialled after DNS, since a name
// may resolve elsewhere later.
type Targets struct {
	// AllowPrivate lets every address through: for tests, whose receivers
	// listen on loopback (GONGYAK_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
}

// ErrPrivateTarget is a target on an address deliveries may not go to.
var ErrPrivateTarget = errors.New("the address is loopback, private or link-local: webhooks go to public addresses only")

// Check checks a webhook's URL: http or https with a host and no
// credentials, whose every address is public. The error says what is
// wrong, for the caller to name the field.
func (t Targets) Check(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an http or https URL")
	case u.Hostname() == "":
		return errors.New("must name a host")
	case u.User != nil:
		return errors.New("must not carry a user or password: the signature authenticates deliveries")
	case u.Fragment != "":
		return errors.New("must not have a fragment")
	}
	if t.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if Refused(ip) {
			return ErrPrivateTarget
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("host %s does not resolve", host)
	}
	for _, ip := range addrs {
		if Refused(ip) {
			return ErrPrivateTarget
		}
	}
	return nil
}

// Refused reports whether deliveries may not go to ip: loopback, private
// (RFC 1918, fc00::/7), link-local, or unspecified.
func Refused(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsUnspecified()
}

// Client is the HTTP client deliveries go out with: each attempt within
// timeout, no proxy from the environment (it would dial for us), no
// redirects followed (a redirect is a failed attempt), and every
// connection's address checked after DNS.
func (t Targets) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: t.control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         dialer.DialContext,
			TLSHandshakeTimeout: timeout,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// control refuses a connection about to be made to a refused address.
func (t Targets) control(_, address string, _ syscall.RawConn) error {
	if t.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook target %q: %w", address, err)
	}
	if Refused(ap.Addr()) {
		return ErrPrivateTarget
	}
	return nil
}
