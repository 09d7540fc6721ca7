package federation

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrAddress marks a dial refused because the address is private,
// loopback, link-local or otherwise not on the public Internet, and the
// peer is not marked internal.
var ErrAddress = errors.New("federation: refusing to dial a non-public address")

// ErrRedirect marks a peer answer that tried to redirect: the client
// follows none, so a peer cannot point it at an internal address.
var ErrRedirect = errors.New("federation: peers may not redirect")

// publicAddr reports whether a is an address a public peer may have.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid(), a.IsLoopback(), a.IsPrivate(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(),
		a.IsInterfaceLocalMulticast(), a.IsMulticast(), a.IsUnspecified():
		return false
	}
	// 100.64.0.0/10 (shared address space) and 0.0.0.0/8 are not public either.
	if a.Is4() {
		b := a.As4()
		if b[0] == 0 || (b[0] == 100 && b[1]&0xc0 == 64) {
			return false
		}
	}
	return true
}

// dialControl checks the address actually dialled, after name
// resolution, so that a name resolving to 127.0.0.1 is caught too.
func dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrAddress, address)
	}
	if !publicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrAddress, ap.Addr())
	}
	return nil
}

// newClient returns the HTTP client for one peer: timeouts on dial, TLS,
// headers and the whole exchange; no redirects; and, unless internal, a
// dialer that refuses non-public addresses.
func newClient(internal bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !internal {
		d.Control = dialControl
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the address check
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return ErrRedirect }}
}

// isAddressError reports whether err is a refused dial or redirect.
func isAddressError(err error) bool { return errors.Is(err, ErrAddress) || errors.Is(err, ErrRedirect) }
