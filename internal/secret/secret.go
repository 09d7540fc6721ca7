package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Size is the length of a key in bytes (AES-256).
const Size = 32

// Key is an AES-256 key. The zero Key is no key: Seal and Open refuse it.
type Key [Size]byte

// ErrNoKey is returned by Seal and Open on the zero Key.
var ErrNoKey = errors.New("secret: no key configured")

// NewKey returns a random key.
func NewKey() Key {
	var k Key
	_, _ = rand.Read(k[:])
	return k
}

// IsZero reports whether k is the zero Key.
func (k Key) IsZero() bool { return k == Key{} }

// String returns the key as standard base64, the form key files hold.
func (k Key) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// ParseKey reads a key written as standard base64 (44 characters) or hex
// (64 characters); surrounding white space is ignored.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	var k Key
	var b []byte
	var err error
	switch len(s) {
	case 64:
		b, err = hex.DecodeString(s)
	default:
		b, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil || len(b) != Size {
		return Key{}, fmt.Errorf("secret: a key is %d bytes in base64 (44 characters) or hex (64 characters)", Size)
	}
	copy(k[:], b)
	if k.IsZero() {
		return Key{}, errors.New("secret: the key is all zero bytes")
	}
	return k, nil
}

// LoadOrCreate reads the key in the file at path. When the file does not
// exist it writes a new random key there (mode 0600, its directory created)
// and reports created, so the caller can say so; the file must then be kept
// with the database's backups, or the second factors stored with it are lost.
func LoadOrCreate(path string) (k Key, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err = ParseKey(string(b))
		if err != nil {
			return Key{}, false, fmt.Errorf("%s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Key{}, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Key{}, false, err
	}
	k = NewKey()
	// O_EXCL: two nodes starting at once on one shared directory must not
	// each write a different key; the loser reads the winner's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreate(path)
	}
	if err != nil {
		return Key{}, false, err
	}
	if _, err := f.WriteString(k.String() + "\n"); err != nil {
		f.Close()
		return Key{}, false, err
	}
	if err := f.Close(); err != nil {
		return Key{}, false, err
	}
	return k, true, nil
}

func (k Key) aead() (cipher.AEAD, error) {
	if k.IsZero() {
		return nil, ErrNoKey
	}
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plaintext bound to ad (who owns the value, e.g.
// "user_mfa:42") and returns base64url(nonce ‖ ciphertext ‖ tag).
func (k Key) Seal(plaintext []byte, ad string) (string, error) {
	g, err := k.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plaintext)+g.Overhead())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(g.Seal(nonce, nonce, plaintext, []byte(ad))), nil
}

// Open decrypts what Seal returned for the same ad. A changed value, another
// ad or another key is an error.
func (k Key) Open(sealed, ad string) ([]byte, error) {
	g, err := k.aead()
	if err != nil {
		return nil, err
	}
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < g.NonceSize()+g.Overhead() {
		return nil, errors.New("secret: not a sealed value")
	}
	out, err := g.Open(nil, b[:g.NonceSize()], b[g.NonceSize():], []byte(ad))
	if err != nil {
		return nil, errors.New("secret: the value does not open with this key (changed, moved, or another key)")
	}
	return out, nil
}
