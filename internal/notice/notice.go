package notice

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"kechuang/internal/i18n"
	"kechuang/internal/sqldb"
)

// Arg is one argument of a notice's text: plain text shown as written (a
// listing's title, a user's note, a date), or a code — a catalog key with
// its own arguments — rendered in the reader's language (a listing kind,
// a deal action, "退回理由：%s"). The zero Arg is empty text.
type Arg struct {
	Text string `json:"text,omitempty"`
	Key  string `json:"key,omitempty"`
	Args []Arg  `json:"args,omitempty"`
}

// Text returns an argument shown as written, in every language.
func Text(s string) Arg { return Arg{Text: s} }

// Code returns an argument rendered from the catalog message key with
// args. Every verb of the message must be %s (or %v): arguments are text.
func Code(key string, args ...Arg) Arg { return Arg{Key: key, Args: args} }

// IsZero reports whether the argument is empty: no code and no text.
func (a Arg) IsZero() bool { return a.Key == "" && a.Text == "" }

// render returns the argument in lang; ok is false when a key is not (or
// no longer) in the catalogs, so that a caller shows no raw key.
func (a Arg) render(lang string) (string, bool) {
	if a.Key == "" {
		return a.Text, true
	}
	if !i18n.Has(a.Key) {
		return "", false
	}
	args := make([]any, len(a.Args))
	for i, sub := range a.Args {
		s, ok := sub.render(lang)
		if !ok {
			return "", false
		}
		args[i] = s
	}
	return i18n.T(lang, a.Key, args...), true
}

// check returns an error when a key of the argument is not in the
// catalogs or a catalog message takes other arguments than it gets, so a
// programming mistake fails the sending write instead of showing a raw key
// or "%!s(MISSING)" to the reader later.
func (a Arg) check() error {
	if a.Key == "" {
		return nil
	}
	if !i18n.Has(a.Key) {
		return fmt.Errorf("unknown message key %q", a.Key)
	}
	for _, lang := range i18n.Languages {
		n, err := arity(i18n.T(lang, a.Key))
		if err != nil {
			return fmt.Errorf("message %q in %s: %w", a.Key, lang, err)
		}
		if n != len(a.Args) {
			return fmt.Errorf("message %q in %s takes %d arguments, got %d", a.Key, lang, n, len(a.Args))
		}
	}
	for _, sub := range a.Args {
		if err := sub.check(); err != nil {
			return err
		}
	}
	return nil
}

// verb matches a format verb as the catalogs write them: %s, %[2]s, %%.
var verb = regexp.MustCompile(`%(?:\[(\d+)\])?([a-zA-Z%])`)

// arity returns how many arguments msg formats, following fmt's rules for
// explicit indexes; a verb other than %s or %v is an error, since notice
// arguments are text.
func arity(msg string) (int, error) {
	next, most := 1, 0
	for _, m := range verb.FindAllStringSubmatch(msg, -1) {
		if m[2] == "%" {
			continue
		}
		if m[2] != "s" && m[2] != "v" {
			return 0, fmt.Errorf("verb %%%s: notice arguments are text, use %%s", m[2])
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(m[1])
		}
		most = max(most, next)
		next++
	}
	return most, nil
}

// Message is a notice to send: to whom, what happened, the text as a
// catalog key and arguments, an optional body and a link.
type Message struct {
	// To is the receiving user's id.
	To int64
	// Kind names what happened, dotted ("listing.approve", "match.new");
	// it is not shown to readers but lets senders count what they sent
	// (Sent) and API clients filter.
	Kind string
	// Key is the catalog key of the notice's one-line text; Args are its
	// arguments.
	Key  string
	Args []Arg
	// Body is an optional second line: a reviewer's reason, a user's
	// message. The zero Arg means none.
	Body Arg
	// Link is the page the notice is about, a path on this site.
	Link string
	// At is when the notice is sent; zero means now. Callers with an
	// injected clock pass it, so that Sent counts in the same time.
	At time.Time
}

// Send writes the notice inside tx, so that it commits or rolls back with
// the write it reports, as audit.Record does. It returns an error for a
// message without a receiver or kind, or whose keys are not in the
// catalogs or take other arguments than given: a programming mistake that
// must fail the write rather than reach a reader.
func Send(ctx context.Context, tx *sqldb.Tx, m Message) error {
	if m.To == 0 || m.Kind == "" || m.Key == "" {
		return fmt.Errorf("notice %q to user %d: receiver, kind and key are required", m.Kind, m.To)
	}
	if err := Code(m.Key, m.Args...).check(); err != nil {
		return fmt.Errorf("notice %s: %w", m.Kind, err)
	}
	if err := m.Body.check(); err != nil {
		return fmt.Errorf("notice %s body: %w", m.Kind, err)
	}
	args, err := json.Marshal(orEmpty(m.Args))
	if err != nil {
		return fmt.Errorf("notice %s: %w", m.Kind, err)
	}
	body := ""
	if !m.Body.IsZero() {
		b, err := json.Marshal(m.Body)
		if err != nil {
			return fmt.Errorf("notice %s: %w", m.Kind, err)
		}
		body = string(b)
	}
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	// title and body hold finished text only for notices written before
	// migration 0013; new rows carry the key and arguments instead.
	_, err = tx.ExecContext(ctx, `INSERT INTO notices (user_id, kind, title, body, message_key, message_args, message_body, link, created_at)
		VALUES (?, ?, '', '', ?, ?, ?, ?, ?)`, m.To, m.Kind, m.Key, string(args), body, m.Link, sqldb.At(at))
	if err != nil {
		return fmt.Errorf("insert notice %s: %w", m.Kind, err)
	}
	return nil
}

func orEmpty(args []Arg) []Arg {
	if args == nil {
		return []Arg{}
	}
	return args
}

// Sent returns how many notices of kind user received after since. A
// sender uses it inside its transaction to limit how often it notifies
// (market sends at most MatchNoticesPerDay match notices a day).
func Sent(ctx context.Context, q sqldb.Querier, user int64, kind string, since time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ? AND kind = ? AND created_at > ?",
		user, kind, sqldb.FormatTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count sent notices: %w", err)
	}
	return n, nil
}
