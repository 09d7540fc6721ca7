package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key to dir and
// returns their paths and the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kechuang test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// syncBuffer is a bytes.Buffer safe for the server's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startServeInProcess runs `serve args…` until the test ends and returns the base URL
// it printed, its standard output so far and its log.
func startServeInProcess(t *testing.T, args ...string) (base, out string, log *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	log = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, append([]string{"serve"}, args...), strings.NewReader(""), pw, log)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d: %s", code, log.String())
		}
	})
	var b strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
		if m := regexp.MustCompile(`listening on (https?://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		t.Fatalf("serve did not start: %s\n%s", b.String(), log.String())
	}
	return base, b.String(), log
}

// TestServeTLS guards issue #18 §5: serve had no TLS listener.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, dir)
	base, out, _ := startServeInProcess(t, "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--home-region", "320500",
		"--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("serve with a certificate listens on %s, want https://", base)
	}
	if !strings.Contains(out, "created the secret key") {
		t.Errorf("first start did not say it created the secret key: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "secret.key")); err != nil {
		t.Errorf("secret key file: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("GET /login over TLS = %d, HSTS %q; want 200 with HSTS", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	var csrf *http.Cookie
	for _, c := range res.Cookies() {
		if strings.HasSuffix(c.Name, "kc_csrf") {
			csrf = c
		}
	}
	if csrf == nil || csrf.Name != "__Host-kc_csrf" || !csrf.Secure {
		t.Errorf("cookie over TLS = %+v, want __Host-kc_csrf, Secure", csrf)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}}
	if res, err := old.Get(base + "/login"); err == nil {
		res.Body.Close()
		t.Errorf("a TLS 1.1 client was served, want the handshake refused")
	}
}

func TestServeWarnsOfPlainHTTPOffLoopback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, _, log := startServeInProcess(t, "--addr", "0.0.0.0:0", "--data", dir, "--home-region", "320500")
	if !strings.Contains(log.String(), "serving plain HTTP on a non-loopback address") {
		t.Errorf("no warning for plain HTTP on 0.0.0.0: %s", log.String())
	}
	_, _, quiet := startServeInProcess(t, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--home-region", "320500")
	if strings.Contains(quiet.String(), "plain HTTP") {
		t.Errorf("warned for plain HTTP on loopback: %s", quiet.String())
	}
}

func TestServeSecurityFlagErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "cert without key", args: []string{"--tls-cert", "x.pem"}, wantErr: "--tls-cert and --tls-key go together"},
		{name: "unreadable cert", args: []string{"--tls-cert", "x.pem", "--tls-key", "y.pem"}, wantErr: "--tls-cert/--tls-key"},
		{name: "bad proxy", args: []string{"--trusted-proxy", "10.0.0/8"}, wantErr: "is not a CIDR such as 10.0.0.0/8"},
		{name: "unknown mfa role", args: []string{"--mfa-roles", "admin,king"}, wantErr: `unknown role "king"`},
		{name: "bad session limit", args: []string{"--session-limits", "admin=0"}, wantErr: "want ROLE=N"},
		{name: "behind margin out of range", args: []string{"--behind-margin", "120"}, wantErr: "--behind-margin 120: want percentage points from 0 to 100"},
		{name: "sweep interval not positive", args: []string{"--sweep-every", "0s"}, wantErr: "--sweep-every 0s: want a positive duration"},
	}
	for _, tt := range tests {
		args := append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--home-region", "320500"}, tt.args...)
		code, _, errOut := run(t, "", args...)
		if code != exitUsage || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tt.name, code, errOut, tt.wantErr)
		}
	}
}
