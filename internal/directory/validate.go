package directory

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/pii"
)

// dateLayout is how the directory writes calendar days.
const dateLayout = "2006-01-02"

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneRE = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)
	// creditCodeRE is the shape of a 统一社会信用代码 (GB 32100-2015): 18
	// characters of its alphabet (no I, O, S, V, Z). The check digit is
	// the registry's to verify (Registry.LookupEnterprise).
	creditCodeRE = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{18}$`)
	urlRE        = regexp.MustCompile(`^https?://[^\s]+$`)
)

// Length limits, in characters.
const (
	maxName    = 100
	maxShort   = 64
	maxSummary = 4000
	maxItem    = 200 // one entry of a free-text list
	maxItems   = 30  // entries of a list
)

// checker gathers field errors so that one call reports every bad field.
type checker struct{ fields []apperr.FieldError }

func (c *checker) add(field, key string, args ...any) {
	c.fields = append(c.fields, apperr.Field(field, key, args...))
}

// err returns the gathered errors as one Invalid error, or nil.
func (c *checker) err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return apperr.Fields(c.fields...)
}

// text trims *v and checks that it is present (when required) and at most
// max characters long.
func (c *checker) text(field string, v *string, max int, required bool) {
	*v = strings.TrimSpace(*v)
	switch {
	case *v == "" && required:
		c.add(field, "error.required")
	case utf8.RuneCountInString(*v) > max:
		c.add(field, "error.too_long", max)
	}
}

// choice trims *v and checks that it is one of cs (or empty, unless
// required).
func (c *checker) choice(field string, v *string, cs Choices, required bool) {
	*v = strings.TrimSpace(*v)
	switch {
	case *v == "" && required:
		c.add(field, "error.required")
	case *v != "" && !cs.Has(*v):
		c.add(field, "directory.choice_unknown", *v)
	}
}

// codes trims the entries of *vs, drops empty and repeated ones, and checks
// each with valid; unknown entries are named in the error.
func (c *checker) codes(field string, vs *[]string, valid func(string) bool) {
	*vs = cleanList(*vs)
	if len(*vs) > maxItems {
		c.add(field, "directory.too_many", maxItems)
		return
	}
	for _, v := range *vs {
		if !valid(v) {
			c.add(field, "directory.choice_unknown", v)
			return
		}
	}
}

// list trims the entries of a free-text list, drops empty and repeated
// ones, and checks their number and length.
func (c *checker) list(field string, vs *[]string) {
	*vs = cleanList(*vs)
	if len(*vs) > maxItems {
		c.add(field, "directory.too_many", maxItems)
	}
	for _, v := range *vs {
		if utf8.RuneCountInString(v) > maxItem {
			c.add(field, "error.too_long", maxItem)
			return
		}
	}
}

// contact checks a phone number and an e-mail address, both optional.
func (c *checker) contact(phoneField string, phone *string, emailField string, email *string) {
	*phone, *email = strings.TrimSpace(*phone), strings.TrimSpace(*email)
	if *phone != "" && !phoneRE.MatchString(*phone) {
		c.add(phoneField, "directory.phone_bad")
	}
	if *email != "" && (!emailRE.MatchString(*email) || len(*email) > 100) {
		c.add(emailField, "directory.email_bad")
	} else if pii.IsMasked(*email) {
		c.add(emailField, "error.contact_masked")
	}
}

// creditCode upper-cases *v and checks its shape; empty is allowed.
func (c *checker) creditCode(field string, v *string) {
	*v = strings.ToUpper(strings.TrimSpace(*v))
	if *v != "" && !creditCodeRE.MatchString(*v) {
		c.add(field, "directory.credit_code_format")
	}
}

// website checks an optional http(s) address.
func (c *checker) website(field string, v *string) {
	*v = strings.TrimSpace(*v)
	if *v != "" && (!urlRE.MatchString(*v) || len(*v) > 300) {
		c.add(field, "directory.url_bad")
	}
}

// date trims *v and parses it as YYYY-MM-DD, not after latest (when latest
// is not zero). An empty date is the zero time (an error when required).
func (c *checker) date(field string, v *string, required bool, latest time.Time) time.Time {
	*v = strings.TrimSpace(*v)
	if *v == "" {
		if required {
			c.add(field, "error.required")
		}
		return time.Time{}
	}
	d, err := time.Parse(dateLayout, *v)
	if err != nil {
		c.add(field, "error.date_format")
		return time.Time{}
	}
	if !latest.IsZero() && d.After(latest) {
		c.add(field, "directory.date_future")
	}
	return d
}

// amount checks a non-negative finite number below max; positive demands
// more than zero.
func (c *checker) amount(field string, v float64, positive bool, max float64) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (positive && v == 0):
		c.add(field, "directory.amount_positive")
	case v > max:
		c.add(field, "directory.amount_too_large", max)
	}
}

// count checks a non-negative whole number up to max.
func (c *checker) count(field string, v, max int) {
	if v < 0 || v > max {
		c.add(field, "directory.count_range", max)
	}
}

// visibility defaults an empty visibility to dflt and checks it.
func (c *checker) visibility(v *Visibility, dflt Visibility) {
	*v = Visibility(strings.TrimSpace(string(*v)))
	if *v == "" {
		*v = dflt
	}
	if !v.Valid() {
		c.add("visibility", "directory.choice_unknown", string(*v))
	}
}

// cleanList trims entries and drops empty and repeated ones, keeping the
// first occurrence's order. It never returns nil, so JSON shows [].
func cleanList(vs []string) []string {
	out := []string{}
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// SplitKeywords splits typed keywords on commas, semicolons, 、 and line
// breaks (not spaces: "machine vision" is one keyword), for forms and
// imports.
func SplitKeywords(s string) []string {
	return cleanList(strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == ';' || r == '；' || r == '、' || r == '\n' || r == '\r'
	}))
}

// joinCodes stores a list as ",a,b," so that LIKE '%,a,%' finds it.
func joinCodes(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return "," + strings.Join(vs, ",") + ","
}

// splitCodes reads a list stored by joinCodes.
func splitCodes(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// joinJSON stores a free-text list as a JSON array.
func joinJSON(vs []string) string {
	if len(vs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(vs) // a []string always marshals
	return string(b)
}

// splitJSON reads a list stored by joinJSON.
func splitJSON(s string) ([]string, error) {
	out := []string{}
	if s == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// nullID stores 0 as NULL for an optional foreign key.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
