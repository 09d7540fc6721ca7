package federation

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Keys are an instance's signing keys: Current signs, Next is published in
// the instance document so that peers already know it when a rotation
// promotes it (Rotate).
type Keys struct {
	Current ed25519.PrivateKey
	Next    ed25519.PrivateKey
}

// NewKeys returns two fresh random keys.
func NewKeys() *Keys {
	return &Keys{Current: newKey(), Next: newKey()}
}

func newKey() ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return k
}

// KeyID is the key identifier of a public key as it appears in keyid: the
// first 16 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:16])
}

// Fingerprint is what an administrator compares out of band before
// approving a peer: the SHA-256 of the public key in groups of four hex
// digits.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i : i+4])
	}
	return b.String()
}

func encodePublic(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

func decodePublic(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not an Ed25519 public key in base64")
	}
	return ed25519.PublicKey(b), nil
}

// CurrentPublic and NextPublic are the public halves.
func (k *Keys) CurrentPublic() ed25519.PublicKey { return k.Current.Public().(ed25519.PublicKey) }

// NextPublic is the public half of the next key.
func (k *Keys) NextPublic() ed25519.PublicKey { return k.Next.Public().(ed25519.PublicKey) }

// Rotate promotes the next key to current and makes a new next key. Peers
// accept the promoted key at once, since they knew it as next.
func (k *Keys) Rotate() { k.Current, k.Next = k.Next, newKey() }

// String is the key file's text: two lines, "current SEED" and "next SEED",
// seeds in standard base64.
func (k *Keys) String() string {
	return "current " + base64.StdEncoding.EncodeToString(k.Current.Seed()) + "\nnext " +
		base64.StdEncoding.EncodeToString(k.Next.Seed()) + "\n"
}

// ParseKeys reads what String wrote.
func ParseKeys(s string) (*Keys, error) {
	k := &Keys{}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		name, val, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			return nil, errors.New("federation key file: a line is \"current SEED\" or \"next SEED\"")
		}
		seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("federation key file: %s is not a %d-byte seed in base64", name, ed25519.SeedSize)
		}
		switch name {
		case "current":
			k.Current = ed25519.NewKeyFromSeed(seed)
		case "next":
			k.Next = ed25519.NewKeyFromSeed(seed)
		default:
			return nil, fmt.Errorf("federation key file: unknown line %q", name)
		}
	}
	if k.Current == nil || k.Next == nil {
		return nil, errors.New("federation key file: needs both a current and a next key")
	}
	return k, nil
}

// LoadOrCreateKeys reads the key file at path, writing new keys there (mode
// 0600) when it does not exist, as secret.LoadOrCreate does for the
// second-factor key; the file belongs with the instance's other secrets.
func LoadOrCreateKeys(path string) (k *Keys, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err = ParseKeys(string(b))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	k = NewKeys()
	// O_EXCL: of two nodes starting at once, the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKeys(path)
	}
	if err != nil {
		return nil, false, err
	}
	if _, err := f.WriteString(k.String()); err != nil {
		f.Close()
		return nil, false, err
	}
	return k, true, f.Close()
}

// SaveKeys writes k to path (after Rotate), replacing the file atomically.
func SaveKeys(path string, k *Keys) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(k.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
