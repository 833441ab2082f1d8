package feeds

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"harambee.africa/harambee/internal/errs"
)

// A subscription makes the server fetch URLs its users choose: the guard
// keeps those fetches away from the platform's own network. Unless the
// operator allows private addresses, a URL must be https with a public
// host, and every connection (the first and any redirect's) is checked
// after name resolution, so that a name that resolves, or later
// re-resolves, to 127.0.0.1 or 169.254.169.254 is refused all the same.

var errAddress = errors.New("feeds: address not allowed")

// publicAddr reports whether ip is a public unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast(), ip.IsUnspecified():
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// reserved are further ranges no TAXII server of another team lives in.
var reserved = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "240.0.0.0/4", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fec0::/10"} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// checkURL validates an API root URL as a subscription's: absolute, https
// (http only where private addresses are allowed), no user information, no
// query or fragment, and a host that is not a private address literal or
// a local name. It returns the URL with a trailing slash, as TAXII writes
// API roots.
func (s *Service) checkURL(raw string) (string, error) {
	bad := func(key string) (string, error) {
		return "", errs.Field("cert.feeds", map[string]string{"api_root": key})
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return bad("cert.feeds.error.url_required")
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > MaxURL || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return bad("cert.feeds.error.url")
	}
	if u.User != nil {
		return bad("cert.feeds.error.url_userinfo")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return bad("cert.feeds.error.url")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !s.AllowPrivate {
			return bad("cert.feeds.error.https")
		}
	default:
		return bad("cert.feeds.error.url")
	}
	host := strings.ToLower(u.Hostname())
	if !s.AllowPrivate {
		if ip, err := netip.ParseAddr(host); err == nil {
			if !publicAddr(ip) {
				return bad("cert.feeds.error.private")
			}
		} else if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") ||
			strings.HasSuffix(host, ".internal") || !strings.Contains(host, ".") {
			return bad("cert.feeds.error.private")
		}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u.String(), nil
}

// client is the HTTP client of polls: bounded in time, with the address
// guard on every connection and at most three redirects.
func (s *Service) client() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			if s.AllowPrivate {
				return nil
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !publicAddr(ap.Addr()) {
				return errAddress
			}
			return nil
		}}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would connect for us, past the guard
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: transport, Timeout: 3 * time.Minute,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("feeds: too many redirects")
			}
			if req.URL.Scheme != "https" && !s.AllowPrivate {
				return errAddress
			}
			return nil
		}}
}

// refusedAddress reports whether err is the guard's refusal.
func refusedAddress(err error) bool { return errors.Is(err, errAddress) }
