package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/secret"
)

// securityFlags are serve's flags for TLS, proxies, metrics, the secret
// key, second factors and session limits (issue #18 §3, §5, §9).
type securityFlags struct {
	publicURL       string // the instance's public base URL, for federation
	tlsCert, tlsKey string
	proxies         proxyList
	metricsToken    string
	keyFile         string
	mfaRoles        string
	sessionLimits   string
	lockAfter       int

	keyCreated bool // set by config when it wrote a new key file
}

// proxyList is the repeatable --trusted-proxy flag.
type proxyList []netip.Prefix

func (p *proxyList) String() string {
	var s []string
	for _, x := range *p {
		s = append(s, x.String())
	}
	return strings.Join(s, ",")
}

// Set takes a CIDR (10.0.0.0/8) or a single address (127.0.0.1).
func (p *proxyList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			ip, err := netip.ParseAddr(part)
			if err != nil {
				return fmt.Errorf("%q is not an address or CIDR", part)
			}
			*p = append(*p, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		pre, err := netip.ParsePrefix(part)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", part)
		}
		*p = append(*p, pre.Masked())
	}
	return nil
}

func (f *securityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.tlsCert, "tls-cert", os.Getenv("KECHUANG_TLS_CERT"), "serve HTTPS (TLS 1.2+) with this certificate file (PEM, chain included)")
	fs.StringVar(&f.tlsKey, "tls-key", os.Getenv("KECHUANG_TLS_KEY"), "the private key file (PEM) of --tls-cert")
	if v := os.Getenv("KECHUANG_TRUSTED_PROXIES"); v != "" {
		_ = f.proxies.Set(v) // checked again in config, where an error can be reported
	}
	fs.Var(&f.proxies, "trusted-proxy", "CIDR or address of a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed (repeatable)")
	fs.StringVar(&f.metricsToken, "metrics-token", os.Getenv("KECHUANG_METRICS_TOKEN"), "bearer token that opens /metrics to other hosts (default: /metrics answers loopback only)")
	fs.StringVar(&f.publicURL, "public-url", os.Getenv("KECHUANG_PUBLIC_URL"), "the instance's public base URL (https://kc.example.gov.cn) in its federation document (default: the scheme and host of each request)")
	fs.StringVar(&f.keyFile, "secret-key-file", os.Getenv("KECHUANG_SECRET_KEY_FILE"), "file with the key that seals second-factor secrets (default DATA/secret.key, created when absent)")
	fs.StringVar(&f.mfaRoles, "mfa-roles", envOr("KECHUANG_MFA_ROLES", "admin,security,auditor,staff,county"), "roles that must log in with a second factor (comma-separated, or none)")
	fs.StringVar(&f.sessionLimits, "session-limits", envOr("KECHUANG_SESSION_LIMITS", "admin=1,security=1,auditor=1"), "most concurrent sessions per role, ROLE=N,… (a new login ends the oldest; none for no limits)")
	lock, _ := strconv.Atoi(os.Getenv("KECHUANG_LOCK_ACCOUNT_AFTER"))
	fs.IntVar(&f.lockAfter, "lock-account-after", lock, "failed logins from any addresses within 15 minutes that lock an account for everyone (default 20)")
}

// config turns the flags into the app's configuration, reading (or
// creating) the secret key. KECHUANG_SECRET_KEY, when set, is the key
// itself and no file is read.
func (f *securityFlags) config(db dbFlags) (app.Config, error) {
	var cfg app.Config
	if v := os.Getenv("KECHUANG_TRUSTED_PROXIES"); v != "" {
		var check proxyList
		if err := check.Set(v); err != nil {
			return cfg, usageError("serve: KECHUANG_TRUSTED_PROXIES: %v", err)
		}
	}
	cfg.TrustedProxies, cfg.MetricsToken = f.proxies, f.metricsToken
	if f.publicURL != "" {
		u, err := url.Parse(f.publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			return cfg, usageError("serve: --public-url %q: want a base URL such as https://kc.example.gov.cn", f.publicURL)
		}
		cfg.PublicURL = strings.TrimRight(f.publicURL, "/")
	}
	if f.lockAfter < 0 {
		return cfg, usageError("serve: --lock-account-after %d: want a positive number", f.lockAfter)
	}
	cfg.AccountLockAfter = f.lockAfter
	roles, err := parseRoles(f.mfaRoles)
	if err != nil {
		return cfg, usageError("serve: --mfa-roles: %v", err)
	}
	cfg.MFARoles = roles
	if cfg.MaxSessions, err = parseSessionLimits(f.sessionLimits); err != nil {
		return cfg, usageError("serve: --session-limits: %v", err)
	}
	if v := os.Getenv("KECHUANG_SECRET_KEY"); v != "" {
		if cfg.SecretKey, err = secret.ParseKey(v); err != nil {
			return cfg, usageError("serve: KECHUANG_SECRET_KEY: %v", err)
		}
		return cfg, nil
	}
	if f.keyFile == "" {
		f.keyFile = filepath.Join(db.data, "secret.key")
	}
	if cfg.SecretKey, f.keyCreated, err = secret.LoadOrCreate(f.keyFile); err != nil {
		return cfg, usageError("serve: --secret-key-file %s: %v", f.keyFile, err)
	}
	return cfg, nil
}

// parseRoles reads a comma-separated role list; "none" (or "") is no role.
func parseRoles(v string) ([]account.Role, error) {
	out := []account.Role{}
	if strings.TrimSpace(v) == "none" {
		return out, nil
	}
	for _, r := range strings.Split(v, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if !account.Role(r).Valid() {
			return nil, fmt.Errorf("unknown role %q (roles: %s)", r, roleNames())
		}
		out = append(out, account.Role(r))
	}
	return out, nil
}

// parseSessionLimits reads ROLE=N,…; "none" (or "") is no limit.
func parseSessionLimits(v string) (map[account.Role]int, error) {
	out := map[account.Role]int{}
	if strings.TrimSpace(v) == "none" {
		return out, nil
	}
	for _, kv := range strings.Split(v, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		r, n, ok := strings.Cut(kv, "=")
		limit, err := strconv.Atoi(n)
		if !ok || err != nil || limit < 1 {
			return nil, fmt.Errorf("%q: want ROLE=N with N ≥ 1, e.g. admin=1", kv)
		}
		if !account.Role(r).Valid() {
			return nil, fmt.Errorf("unknown role %q (roles: %s)", r, roleNames())
		}
		out[account.Role(r)] = limit
	}
	return out, nil
}

func roleNames() string {
	var s []string
	for _, r := range account.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// tlsConfig loads --tls-cert and --tls-key; nil when neither is given.
func (f *securityFlags) tlsConfig() (*tls.Config, error) {
	if f.tlsCert == "" && f.tlsKey == "" {
		return nil, nil
	}
	if f.tlsCert == "" || f.tlsKey == "" {
		return nil, usageError("serve: --tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
	if err != nil {
		return nil, usageError("serve: --tls-cert/--tls-key: %v", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// isLoopback reports whether a listener's address is on the loopback
// interface only.
func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
