package guestpass

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// Keys derives every server secret from one root key that lives outside the
// database (a file or env), so a stolen database alone cannot brute-force the
// 10^8 code space offline or read queued mail.
type Keys struct {
	codeMAC []byte      // HMAC key for codes
	seal    cipher.AEAD // AES-256-GCM for queued mail and stored server keys
	// oidcToken encrypts the OpenID provider's opaque tokens and codes.
	oidcToken [32]byte
}

// ParseKeyFile reads the key file format: one line, base64 of >= 32 bytes.
func ParseKeyFile(data []byte) (*Keys, error) {
	line := strings.TrimSpace(string(data))
	raw, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		return nil, fmt.Errorf("secret key: not base64: %w", err)
	}
	return NewKeys(raw)
}

// NewKeys derives the subkeys from root (>= 32 bytes).
func NewKeys(root []byte) (*Keys, error) {
	if len(root) < 32 {
		return nil, errors.New("secret key: need at least 32 bytes")
	}
	block, err := aes.NewCipher(derive(root, "seal"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &Keys{codeMAC: derive(root, "code-mac"), seal: aead}
	copy(k.oidcToken[:], derive(root, "oidc-token"))
	return k, nil
}

// NewKeyFile returns the content of a fresh key file.
func NewKeyFile(r io.Reader) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return []byte(base64.StdEncoding.EncodeToString(b) + "\n"), nil
}

func derive(root []byte, purpose string) []byte {
	m := hmac.New(sha256.New, root)
	m.Write([]byte("guestpass/v1/" + purpose))
	return m.Sum(nil)
}

// CodeMAC binds a code to its tenant, flow and address: a code is worth
// nothing in another flow, tenant or for another address.
func (k *Keys) CodeMAC(tenantID string, flowHash []byte, mail, code string) []byte {
	m := hmac.New(sha256.New, k.codeMAC)
	for _, part := range [][]byte{[]byte(tenantID), flowHash, []byte(mail), []byte(code)} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(part)))
		m.Write(n[:])
		m.Write(part)
	}
	return m.Sum(nil)
}

// Seal encrypts plaintext; associated binds it to a context (e.g. the job id).
func (k *Keys) Seal(plaintext, associated []byte) ([]byte, error) {
	nonce := make([]byte, k.seal.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return k.seal.Seal(nonce, nonce, plaintext, associated), nil
}

// Open decrypts what Seal produced with the same associated data.
func (k *Keys) Open(sealed, associated []byte) ([]byte, error) {
	n := k.seal.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed data too short")
	}
	return k.seal.Open(nil, sealed[:n], sealed[n:], associated)
}

// HashToken is how tickets, session tokens, flow ids and admin tokens are
// stored: 256-bit random secrets need no slow hash, only one-wayness.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewToken returns a 256-bit random secret, URL-safe.
func NewToken(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewCode returns 8 uniform decimal digits: rand.Int rejects samples above the
// largest multiple of 10^8, so there is no modulo bias.
func NewCode(r io.Reader) (string, error) {
	n, err := rand.Int(r, big.NewInt(100_000_000))
	if err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return fmt.Sprintf("%08d", n.Int64()), nil
}

// NewID returns a random UUID (version 4) for public identifiers.
func NewID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
