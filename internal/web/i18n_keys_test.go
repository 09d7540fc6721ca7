package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/i18n"
)

// TestMessageKeysExist fails when a template or an error names a message key
// that the catalogs lack, which a user would see as a raw key.
func TestMessageKeysExist(t *testing.T) {
	t.Parallel()
	templateKey := regexp.MustCompile(`\bt \$?\.Lang "([^"]+)"`)
	errorKey := regexp.MustCompile(`apperr\.(?:New|Wrap)\([^"]*"([a-z]+\.[a-z_]+)"`)
	fieldKey := regexp.MustCompile(`apperr\.Field\("([a-z_]+)", "([a-z]+\.[a-z_]+)"`)
	var missing []string
	checked := 0
	need := func(where, key string) {
		checked++
		if !i18n.Has(key) {
			missing = append(missing, where+": "+key)
		}
	}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		for _, m := range templateKey.FindAllStringSubmatch(src, -1) {
			need(path, m[1])
		}
		for _, m := range errorKey.FindAllStringSubmatch(src, -1) {
			need(path, m[1])
		}
		for _, m := range fieldKey.FindAllStringSubmatch(src, -1) {
			need(path, "field."+m[1])
			need(path, m[2])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys built with printf in templates.
	for _, k := range []string{"market", "cultivation", "projects", "chains", "directory", "dashboard", "users", "audit"} {
		need("nav", "nav."+k)
	}
	for _, k := range []string{"market", "cultivation", "projects", "chains", "directory", "dashboard"} {
		need("module", "module."+k+".summary")
	}
	for _, k := range []string{"updated", "disable", "enable", "unlock", "reset"} {
		need("users.done", "users.done."+k)
	}
	for _, p := range account.PasswordPolicies {
		need("policy", "login.policy."+p.Name)
	}
	for _, k := range []string{"invalid", "not-found", "conflict", "forbidden", "unauthenticated", "locked", "internal", "method-not-allowed"} {
		need("problem", "problem."+k)
	}
	for _, m := range missing {
		t.Errorf("missing message key %s", m)
	}
	if checked < 150 {
		t.Errorf("checked only %d key uses; the patterns no longer match the code", checked)
	}
}
