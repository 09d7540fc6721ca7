package federation

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HTTP Message Signatures (RFC 9421), the part of it this protocol uses:
// one signature labelled sig1, Ed25519, covering fixed components and the
// parameters created, nonce, keyid and alg. The body is bound through
// Content-Digest (RFC 9530, sha-256).

const sigLabel = "sig1"

// ErrSignature marks a message whose signature is missing, malformed,
// made with an unknown key, or wrong.
var ErrSignature = errors.New("federation: bad signature")

// ErrReplay marks a message whose created time is outside the window or
// whose nonce was seen before.
var ErrReplay = errors.New("federation: replayed or stale message")

type component struct {
	name string
	req  bool // the request's value, in a response's signature
}

func (c component) String() string {
	s := strconv.Quote(c.name)
	if c.req {
		s += ";req"
	}
	return s
}

// requestComponents are what a request's signature covers;
// responseComponents what a response's covers, bound to its request.
var (
	requestComponents  = []component{{name: "@method"}, {name: "@target-uri"}, {name: "content-digest"}}
	responseComponents = []component{{name: "@status"}, {name: "content-digest"}, {name: "@method", req: true}, {name: "@target-uri", req: true}}
)

// message is what a signature is computed over.
type message struct {
	method    string // the request's method
	targetURI string // the request's absolute URI
	status    int    // a response's status; 0 for a request
	digest    string // the Content-Digest header's value
}

func (m message) value(c component) (string, error) {
	switch c.name {
	case "@method":
		return m.method, nil
	case "@target-uri":
		return m.targetURI, nil
	case "@status":
		if m.status == 0 || c.req {
			return "", fmt.Errorf("%w: @status of a request", ErrSignature)
		}
		return strconv.Itoa(m.status), nil
	case "content-digest":
		if c.req {
			return "", fmt.Errorf("%w: content-digest;req is not used", ErrSignature)
		}
		return m.digest, nil
	}
	return "", fmt.Errorf("%w: component %s is not used by this protocol", ErrSignature, c.name)
}

// ContentDigest is the Content-Digest header value (RFC 9530) of body.
func ContentDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

func signatureParams(comps []component, created int64, nonce, keyID string) string {
	parts := make([]string, len(comps))
	for i, c := range comps {
		parts[i] = c.String()
	}
	return "(" + strings.Join(parts, " ") + ");created=" + strconv.FormatInt(created, 10) +
		";nonce=" + strconv.Quote(nonce) + ";keyid=" + strconv.Quote(keyID) + `;alg="ed25519"`
}

func signatureBase(m message, comps []component, params string) (string, error) {
	var b strings.Builder
	for _, c := range comps {
		v, err := m.value(c)
		if err != nil {
			return "", err
		}
		b.WriteString(c.String() + ": " + v + "\n")
	}
	b.WriteString(`"@signature-params": ` + params)
	return b.String(), nil
}

func newNonce() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// sign returns the Signature-Input and Signature header values of m.
func sign(key ed25519.PrivateKey, m message, comps []component, now time.Time) (input, signature string, err error) {
	params := signatureParams(comps, now.Unix(), newNonce(), KeyID(key.Public().(ed25519.PublicKey)))
	base, err := signatureBase(m, comps, params)
	if err != nil {
		return "", "", err
	}
	sig := ed25519.Sign(key, []byte(base))
	return sigLabel + "=" + params, sigLabel + "=:" + base64.StdEncoding.EncodeToString(sig) + ":", nil
}

// signed is a parsed signature.
type signed struct {
	comps   []component
	params  string // the serialized parameters as received, for the base
	created int64
	nonce   string
	keyID   string
	sig     []byte
}

// parseSignature reads the sig1 members of Signature-Input and Signature.
// Only what this protocol writes is accepted.
func parseSignature(input, signature string) (signed, error) {
	var s signed
	bad := func(why string) (signed, error) { return signed{}, fmt.Errorf("%w: %s", ErrSignature, why) }
	input, signature = strings.TrimSpace(input), strings.TrimSpace(signature)
	if input == "" || signature == "" {
		return bad("no Signature-Input or Signature header")
	}
	params, ok := strings.CutPrefix(input, sigLabel+"=")
	if !ok {
		return bad("no " + sigLabel + " in Signature-Input")
	}
	s.params = params
	if !strings.HasPrefix(params, "(") {
		return bad("Signature-Input is not an inner list")
	}
	end := strings.IndexByte(params, ')')
	if end < 0 {
		return bad("Signature-Input is not an inner list")
	}
	for _, item := range strings.Fields(params[1:end]) {
		name, flag, _ := strings.Cut(item, ";")
		unq, err := strconv.Unquote(name)
		if err != nil {
			return bad("a component is not a quoted string")
		}
		c := component{name: unq}
		switch flag {
		case "":
		case "req":
			c.req = true
		default:
			return bad("unknown component parameter " + flag)
		}
		s.comps = append(s.comps, c)
	}
	seen := map[string]bool{}
	for rest := params[end+1:]; rest != ""; {
		if rest[0] != ';' {
			return bad("malformed parameters")
		}
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return bad("malformed parameters")
		}
		key := rest[:eq]
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			q := strings.IndexByte(rest[1:], '"')
			if q < 0 {
				return bad("unterminated string")
			}
			val, rest = rest[1:q+1], rest[q+2:]
		} else {
			n := strings.IndexByte(rest, ';')
			if n < 0 {
				n = len(rest)
			}
			val, rest = rest[:n], rest[n:]
		}
		if seen[key] {
			return bad("parameter " + key + " twice")
		}
		seen[key] = true
		switch key {
		case "created":
			v, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return bad("created is not an integer")
			}
			s.created = v
		case "nonce":
			s.nonce = val
		case "keyid":
			s.keyID = val
		case "alg":
			if val != "ed25519" {
				return bad("alg is not ed25519")
			}
		case "expires", "tag":
		default:
			return bad("unknown parameter " + key)
		}
	}
	if !seen["created"] || s.nonce == "" || s.keyID == "" {
		return bad("created, nonce and keyid are required")
	}
	raw, ok := strings.CutPrefix(signature, sigLabel+"=:")
	if !ok || !strings.HasSuffix(raw, ":") {
		return bad("no " + sigLabel + " byte sequence in Signature")
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(raw, ":"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return bad("the signature is not 64 bytes in base64")
	}
	s.sig = sig
	return s, nil
}

// covers reports whether s covers exactly the wanted components.
func (s signed) covers(want []component) bool {
	if len(s.comps) != len(want) {
		return false
	}
	have := map[component]bool{}
	for _, c := range s.comps {
		have[c] = true
	}
	for _, c := range want {
		if !have[c] {
			return false
		}
	}
	return true
}

// verifySignature checks s over m with pub, the covered components and the
// body digest (body is the received body). The caller looks pub up from
// s.keyID and checks created and nonce against replays.
func verifySignature(s signed, m message, body []byte, want []component, pub ed25519.PublicKey) error {
	if !s.covers(want) {
		return fmt.Errorf("%w: the signature does not cover the required components", ErrSignature)
	}
	if subtle.ConstantTimeCompare([]byte(m.digest), []byte(ContentDigest(body))) != 1 {
		return fmt.Errorf("%w: Content-Digest does not match the body", ErrSignature)
	}
	base, err := signatureBase(m, s.comps, s.params)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, []byte(base), s.sig) {
		return fmt.Errorf("%w: the signature does not verify", ErrSignature)
	}
	return nil
}
