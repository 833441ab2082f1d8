package observable

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Keys are what a store indexes to correlate observables; see the package
// documentation for the tables and the query.
type Keys struct {
	// Exact is "kind:value".
	Exact string
	// Terms are stored, one row each, for the observable; Exact comes first.
	Terms []string
	// Probes are the terms to look up when correlating this observable with
	// stored ones; Exact comes first.
	Probes []string
	// Lo and Hi are fixed-width, sortable address keys: equal for an IP or a
	// URL on an IP, the first and last address of a CIDR, empty otherwise.
	// They are stored, and a probe with them is the range Lo <= lo <= Hi.
	Lo, Hi string
}

// KeysOf returns the correlation keys of a normalised observable (one that
// Parse returned).
//
// Domains: a domain, a URL's host and an e-mail's domain each have the chain
// of the host and its parents up to the registered domain (the public suffix
// list's eTLD+1). A host stores "host:h" and "anc:a" for each a in its
// chain; it probes "host:a" for each a in its chain (finding its parents and
// itself) and "anc:h" (finding its sub-domains). So a sub-domain correlates
// with its parent in both directions, siblings do not, and nothing crosses a
// public suffix (example.co.uk and other.co.uk share no key). An e-mail
// stores only its "anc:" terms and probes only "host:" terms, so it meets
// its domain and the domain's parents, but two addresses at one provider do
// not correlate with each other.
//
// Addresses: an address key is "4:" and 8 hex digits or "6:" and 32, so the
// families never meet in a range. A CIDR stores "net:lo/bits"; an IP or CIDR
// probes "net:" for each of its own prefixes (the CIDRs that can contain it
// are exactly these, since prefixes are aligned), and the range Lo..Hi for
// the stored addresses (and URLs on them) and smaller CIDRs inside it.
func KeysOf(o Observable) Keys {
	k := Keys{Exact: string(o.Kind) + ":" + o.Value}
	k.Terms = []string{k.Exact}
	k.Probes = []string{k.Exact}
	switch o.Kind {
	case IPv4, IPv6:
		if a, err := netip.ParseAddr(o.Value); err == nil {
			k.addr(a)
		}
	case CIDR4, CIDR6:
		if p, err := netip.ParsePrefix(o.Value); err == nil {
			p = p.Masked()
			k.Lo, k.Hi = addrKey(p.Addr()), addrKey(lastAddr(p))
			k.Terms = append(k.Terms, netTerm(p))
			k.Probes = append(k.Probes, netProbes(p.Addr(), p.Bits())...)
		}
	case Domain:
		k.host(o.Value, true)
	case URL:
		h := urlHost(o.Value)
		if strings.HasPrefix(h, "[") {
			h = strings.Trim(h, "[]")
		}
		if a, err := netip.ParseAddr(h); err == nil {
			k.addr(a)
			// A URL is not itself an address, so it probes for the CIDRs
			// around its host but stores no term of its own beyond Lo/Hi.
		} else if h != "" {
			k.host(h, true)
		}
	case Email:
		if i := strings.LastIndexByte(o.Value, '@'); i >= 0 {
			k.host(o.Value[i+1:], false)
		}
	}
	return k
}

func (k *Keys) addr(a netip.Addr) {
	k.Lo = addrKey(a)
	k.Hi = k.Lo
	k.Probes = append(k.Probes, netProbes(a, a.BitLen())...)
}

func (k *Keys) host(h string, isHost bool) {
	chain := domainChain(h)
	if isHost {
		k.Terms = append(k.Terms, "host:"+h)
	}
	for _, a := range chain {
		k.Terms = append(k.Terms, "anc:"+a)
		k.Probes = append(k.Probes, "host:"+a)
	}
	if isHost {
		k.Probes = append(k.Probes, "anc:"+h)
	}
}

// domainChain returns h and each parent of h down to its registered domain;
// a name that is itself a public suffix is its own chain.
func domainChain(h string) []string {
	reg, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil || !strings.HasSuffix(h, reg) {
		return []string{h}
	}
	chain := []string{h}
	for len(h) > len(reg) {
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
		chain = append(chain, h)
	}
	return chain
}

// urlHost returns the host of a normalised URL.
func urlHost(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return ""
	}
	rest := u[i+3:]
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.LastIndexByte(rest, '@'); j >= 0 {
		rest = rest[j+1:]
	}
	if strings.HasPrefix(rest, "[") {
		if j := strings.IndexByte(rest, ']'); j >= 0 {
			return rest[:j+1]
		}
		return ""
	}
	if j := strings.LastIndexByte(rest, ':'); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// addrKey is the address's family and its bytes in hex: fixed width within
// a family, so string order is address order.
func addrKey(a netip.Addr) string {
	if a.Is4() {
		b := a.As4()
		return "4:" + hex.EncodeToString(b[:])
	}
	b := a.As16()
	return "6:" + hex.EncodeToString(b[:])
}

func netTerm(p netip.Prefix) string {
	return "net:" + addrKey(p.Addr()) + "/" + strconv.Itoa(p.Bits())
}

// netProbes are the net terms of every prefix of a, from /0 to /maxBits.
func netProbes(a netip.Addr, maxBits int) []string {
	out := make([]string, 0, maxBits+1)
	for bits := 0; bits <= maxBits; bits++ {
		p, _ := a.Prefix(bits)
		out = append(out, netTerm(p))
	}
	return out
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		for i := p.Bits(); i < 32; i++ {
			b[i/8] |= 0x80 >> (i % 8)
		}
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	for i := p.Bits(); i < 128; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom16(b)
}
