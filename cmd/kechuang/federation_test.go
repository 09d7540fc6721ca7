package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kechuang/internal/federation"
)

func TestFederationRotateKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := Main(context.Background(), []string{"federation", "rotate-key", "--data", dir}, nil, &out, &errOut); code == 0 {
		t.Fatal("rotate-key without a key file succeeded")
	}
	keys, _, err := federation.LoadOrCreateKeys(filepath.Join(dir, "federation.key"))
	if err != nil {
		t.Fatal(err)
	}
	next := federation.Fingerprint(keys.NextPublic())
	out.Reset()
	if code := Main(context.Background(), []string{"federation", "rotate-key", "--data", dir}, nil, &out, &errOut); code != 0 {
		t.Fatalf("rotate-key = %d: %s", code, errOut.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "federation.key"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := federation.ParseKeys(string(b))
	if err != nil || federation.Fingerprint(got.CurrentPublic()) != next || !strings.Contains(out.String(), next) {
		t.Errorf("after rotate-key current = %v (%v), want %s; output %s", federation.Fingerprint(got.CurrentPublic()), err, next, out.String())
	}
}
