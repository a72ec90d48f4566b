package guestpass

import (
	"crypto/hmac"
	"crypto/sha1" // RFC 6238's default and what every authenticator app implements
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters (RFC 6238): SHA-1, 30 s steps, 6 digits. They are fixed,
// not configurable, because authenticator apps silently ignore other values.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
	totpSkew   = 1 // steps accepted either side of now, for clock drift
)

// totpSecretLen is 160 bits, RFC 4226's recommended key size for SHA-1.
const totpSecretLen = 20

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random secret and its base32 text form.
func NewTOTPSecret(r io.Reader) ([]byte, string, error) {
	key := make([]byte, totpSecretLen)
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, "", internal("totp secret", err)
	}
	return key, b32.EncodeToString(key), nil
}

// totpStepAt is the RFC 6238 time counter T for t.
func totpStepAt(t time.Time) int64 { return t.Unix() / int64(totpStep/time.Second) }

// totpCode is HOTP(key, counter) truncated to 6 digits (RFC 4226 §5.3).
func totpCode(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// NormalizeTOTP accepts six digits, with the spaces people type.
func NormalizeTOTP(s string) (string, bool) {
	if len(s) > 16 {
		return "", false
	}
	s = strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s)
	if len(s) != totpDigits {
		return "", false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return s, true
}

// matchTOTP returns the time step code matches within ±totpSkew of now, and
// whether it matched at all. Each candidate is compared in constant time.
// The caller must still refuse a step already used (replay).
func matchTOTP(key []byte, code string, now time.Time) (int64, bool) {
	cur := totpStepAt(now)
	var step int64
	found := false
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		if hmac.Equal([]byte(totpCode(key, cur+d)), []byte(code)) && !found {
			step, found = cur+d, true
		}
	}
	return step, found
}

// TOTPURI is the otpauth:// URI authenticator apps scan (the Google
// Authenticator key-URI format), labelled with tenant and address.
func TOTPURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	v := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + v.Encode()
}
