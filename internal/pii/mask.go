package pii

import (
	"strings"
	"unicode/utf8"
)

// MaskPhone hides the middle of a phone number, keeping the first three and
// the last four digits: 13812341234 → 138****1234, 0512-65880000 →
// 051*-****0000. Separators are kept where they are; a number of fewer than
// eight digits keeps only its last two. The empty string stays empty.
func MaskPhone(s string) string {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits == 0 {
		return strings.Repeat("*", utf8.RuneCountInString(s))
	}
	head, tail := 3, 4
	if digits < 8 {
		head, tail = 0, 2
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			if r == '+' || r == '-' || r == ' ' || r == '(' || r == ')' {
				b.WriteRune(r)
			} else {
				b.WriteByte('*')
			}
			continue
		}
		if i < head || i >= digits-tail {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// MaskEmail keeps the first character of the local part and the domain:
// zhang.wei@example.com → z***@example.com. A value without @ is masked
// whole but for its first character. The empty string stays empty.
func MaskEmail(s string) string {
	if s == "" {
		return ""
	}
	local, domain, ok := strings.Cut(s, "@")
	first, _ := utf8.DecodeRuneInString(local)
	if local == "" {
		return "***@" + domain
	}
	if !ok {
		return string(first) + "***"
	}
	return string(first) + "***@" + domain
}

// IsMasked reports whether s looks like a value MaskPhone or MaskEmail
// made (it holds "***"): a client that read a list and writes the record
// back must not store the masked contact over the real one.
func IsMasked(s string) bool { return strings.Contains(s, "***") }
