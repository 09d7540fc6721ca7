package apperr

import (
	"unicode/utf8"
)

// CheckText checks that s is text a user could have meant: valid UTF-8
// without NUL or other control characters. Tab and newline (and carriage
// return, which normalizing turns into newlines) are allowed only when
// multiline is true. It returns the field error naming field and the first
// bad character's position, and false, when s is not such text.
//
// Every place that takes text from outside calls it, so that a NUL byte or
// a broken encoding gets the same 422 on SQLite and PostgreSQL (which
// refuses both) instead of being stored on one and failing on the other:
// web for form fields, JSON strings and query parameters, and importers
// for spreadsheet cells (set Row on the returned error).
func CheckText(field, s string, multiline bool) (FieldError, bool) {
	pos := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		pos++
		switch {
		case r == utf8.RuneError && size == 1:
			return Field(field, "error.text_encoding", pos), false
		case r == 0:
			return Field(field, "error.text_nul", pos), false
		case r == '\t' || r == '\n' || r == '\r':
			if !multiline {
				return Field(field, "error.text_newline", pos), false
			}
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return Field(field, "error.text_control", uint32(r), pos), false
		}
		i += size
	}
	return FieldError{}, true
}
