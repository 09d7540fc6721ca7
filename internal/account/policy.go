package account

import (
	"bufio"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"kechuang/data"
	"kechuang/internal/apperr"
)

// PasswordPolicy is what a password must satisfy. The two presets differ
// because 等保2.0 (8.1.4.1 a: "复杂度要求并定期更换") and OWASP ASVS 5.0
// (V6.2: length, no composition rules, no periodic rotation) disagree; an
// installation picks one. Both refuse passwords that contain the user name
// or are common.
type PasswordPolicy struct {
	Name       string        // "dengbao" or "asvs"
	MinLength  int           // characters, not bytes
	MinClasses int           // of lower case, upper case, digits, other; 0: no composition rule
	History    int           // a new password may not be any of the last History passwords; 0: not checked
	MaxAge     time.Duration // a password older than this must be changed; 0: passwords do not expire
}

// The presets.
var (
	// PolicyDengbao is the default: ten characters of three classes, no
	// reuse of the last five passwords, a change every 90 days.
	PolicyDengbao = PasswordPolicy{Name: "dengbao", MinLength: 10, MinClasses: 3, History: 5, MaxAge: 90 * 24 * time.Hour}
	// PolicyASVS follows ASVS 5.0 V6.2: twelve characters, nothing else
	// but the common-password and user-name checks.
	PolicyASVS = PasswordPolicy{Name: "asvs", MinLength: 12}
)

// PasswordPolicies lists the presets by name, default first.
var PasswordPolicies = []PasswordPolicy{PolicyDengbao, PolicyASVS}

// PolicyNamed returns the preset called name; "" is the default.
func PolicyNamed(name string) (PasswordPolicy, error) {
	if name == "" {
		return PolicyDengbao, nil
	}
	for _, p := range PasswordPolicies {
		if p.Name == name {
			return p, nil
		}
	}
	return PasswordPolicy{}, fmt.Errorf("password policy %q: want dengbao or asvs", name)
}

// MaxPasswordLen is the longest password accepted, in characters: far
// above what ASVS asks to allow (64), and a bound on what a form may cut
// silently.
const MaxPasswordLen = 128

// ExpiryWarning is how long before expiry the shell starts to remind the
// user to change the password.
const ExpiryWarning = 14 * 24 * time.Hour

// Check returns an Invalid error naming field when password breaks the
// policy: too short, too few character classes, containing the user name
// (case-insensitively) or common (IsCommonPassword). History is checked by
// the Service, which has the old hashes.
func (p PasswordPolicy) Check(field, password, username string) error {
	if utf8.RuneCountInString(password) < p.MinLength {
		return apperr.Fields(apperr.Field(field, "account.password_too_short", p.MinLength))
	}
	if utf8.RuneCountInString(password) > MaxPasswordLen {
		return apperr.Fields(apperr.Field(field, "error.too_long", MaxPasswordLen))
	}
	if p.MinClasses > 0 && charClasses(password) < p.MinClasses {
		return apperr.Fields(apperr.Field(field, "account.password_classes"))
	}
	if username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return apperr.Fields(apperr.Field(field, "account.password_has_username"))
	}
	if IsCommonPassword(password) {
		return apperr.Fields(apperr.Field(field, "account.password_common"))
	}
	return nil
}

// charClasses counts the classes among lower case, upper case, digits and
// other characters (Chinese characters count as other).
func charClasses(password string) int {
	var lower, upper, digit, other int
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

var (
	commonOnce sync.Once
	common     map[string]struct{}
	commonErr  error
)

// commonFiles are the embedded lists; data/passwords/README.md says where
// each comes from.
var commonFiles = []string{"passwords/common.txt", "passwords/zh-habits.txt"}

func loadCommon() (map[string]struct{}, error) {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 50000)
		for _, name := range commonFiles {
			f, err := data.FS.Open(name)
			if err != nil {
				commonErr = err
				return
			}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				w := strings.TrimSpace(sc.Text())
				if w != "" && !strings.HasPrefix(w, "#") {
					common[strings.ToLower(w)] = struct{}{}
				}
			}
			f.Close()
			if err := sc.Err(); err != nil {
				commonErr = fmt.Errorf("%s: %w", name, err)
				return
			}
		}
	})
	return common, commonErr
}

// CommonPasswordCount returns how many entries the common-password list
// holds.
func CommonPasswordCount() int {
	m, _ := loadCommon()
	return len(m)
}

// IsCommonPassword reports whether password is a common password or a
// predictable dressing of one. Crackers try the list first, then each entry
// capitalised, with digits, a year or "!" appended, with l33t spellings
// (P@ssw0rd) and with one trailing letter: so the check folds case, strips
// trailing digits and symbols (also before one last letter: woaini1314A),
// strips leading digits and symbols, and undoes l33t, and refuses the
// password when any of these cores is listed or is a date.
func IsCommonPassword(password string) bool {
	list, err := loadCommon()
	if err != nil {
		// The list is embedded: failing to read it is a build defect,
		// found by the tests.
		panic("account: common passwords: " + err.Error())
	}
	for _, c := range passwordCores(password) {
		if _, ok := list[c]; ok || isDate(c) {
			return true
		}
	}
	return false
}

// passwordCores returns the lower-cased password and the cores a cracker's
// rules would start from.
func passwordCores(password string) []string {
	s := strings.ToLower(password)
	seen := map[string]bool{}
	var out []string
	add := func(c string) {
		if len(c) >= 3 && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	var bases []string
	// Trailing symbols alone ("a123456!"), then digits too ("qwerty123!").
	dress := func(b string) { bases = append(bases, b, trimSymbols(b), trimDressing(b)) }
	dress(s)
	// One trailing letter after digits or symbols: "woaini1314a".
	if r, size := utf8.DecodeLastRuneInString(s); unicode.IsLetter(r) && len(s) > size {
		rest := s[:len(s)-size]
		if p, _ := utf8.DecodeLastRuneInString(rest); !unicode.IsLetter(p) {
			dress(rest)
		}
	}
	// Leading digits or symbols: "2026!qwerty".
	for _, b := range append([]string(nil), bases...) {
		if t := strings.TrimLeftFunc(b, notLetter); t != b {
			bases = append(bases, t)
		}
	}
	for _, b := range bases {
		add(b)
		for _, l := range leet {
			if u := l.Replace(b); u != b {
				add(u)
				add(trimDressing(u))
			}
		}
	}
	return out
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

func trimSymbols(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// trimDressing strips trailing digits and symbols; a core that is nothing
// but digits and symbols stays as it is, so "20080808!" still meets the
// date rule.
func trimDressing(s string) string {
	if t := strings.TrimRightFunc(s, notLetter); t != "" {
		return t
	}
	return trimSymbols(s)
}

// leet undoes the usual substitutions; "1" is tried as both i and l.
var leet = []*strings.Replacer{
	strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t"),
	strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "l", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t"),
}

// isDate reports whether s is a calendar date from 1900 to 2099 written as
// yyyymmdd, or with "-", "." or "/" between the parts.
func isDate(s string) bool {
	for _, layout := range []string{"20060102", "2006-01-02", "2006.01.02", "2006/01/02"} {
		if len(s) != len(layout) {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 && t.Year() < 2100 {
			return true
		}
	}
	return false
}
