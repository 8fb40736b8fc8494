package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// blocked are the networks an endpoint may not reach unless AllowPrivate:
// a webhook URL must not become a way into Verity's own network.
var blocked = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",      // "this network"
		"127.0.0.0/8",    // loopback
		"10.0.0.0/8",     // private
		"172.16.0.0/12",  // private
		"192.168.0.0/16", // private
		"100.64.0.0/10",  // carrier-grade NAT
		"169.254.0.0/16", // link-local, 169.254.169.254 the cloud metadata service among them
		"192.0.0.0/24",   // IETF protocol assignments
		"198.18.0.0/15",  // benchmarking
		"224.0.0.0/4",    // multicast
		"240.0.0.0/4",    // reserved, broadcast
		"::/128",         // unspecified
		"::1/128",        // loopback
		"fe80::/10",      // link-local
		"fc00::/7",       // unique local, fd00:ec2::254 (AWS metadata) among them
		"ff00::/8",       // multicast
		"64:ff9b::/96",   // NAT64 could reach any IPv4 address above
		"2001:db8::/32",  // documentation
		"::ffff:0:0/96",  // IPv4-mapped (unmapped and checked above first)
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Forbidden tells whether ip is an address endpoints may not reach.
func Forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// errForbiddenAddress is what the dialer answers for a refused address.
var errForbiddenAddress = errors.New("the endpoint resolves to a loopback, private, link-local or metadata address")

// CheckURL is the registration check of an endpoint URL: absolute https (http
// too when AllowPrivate), no user info, and — unless AllowPrivate — a host
// whose every address is public. Delivery checks again after DNS.
func (s *Service) CheckURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", errors.New("must be an absolute URL such as https://hooks.example.com/verity")
	}
	if len(raw) > 2000 {
		return "", errors.New("must be at most 2000 characters")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.opts.AllowPrivate:
	default:
		return "", errors.New("must use https")
	}
	if u.User != nil {
		return "", errors.New("must not carry a user name or password")
	}
	if u.Fragment != "" {
		return "", errors.New("must not have a #fragment")
	}
	if s.opts.AllowPrivate {
		return u.String(), nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if Forbidden(ip) {
			return "", errForbiddenAddress
		}
		return u.String(), nil
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(rctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return "", fmt.Errorf("the host %q does not resolve", host)
	}
	for _, ip := range addrs {
		if Forbidden(ip) {
			return "", errForbiddenAddress
		}
	}
	return u.String(), nil
}
