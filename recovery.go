package guestpass

// Recovery codes: ten per guest, made with the first method (or on the
// security page), each used once, stored only as hashes.

import (
	"crypto/sha256"
	"io"
	"strings"
)

// recoveryCodeCount and recoveryCodeBytes: 10 codes of 80 random bits,
// above DESIGN §6's 64-bit floor, shown as 16 base32 characters.
const (
	recoveryCodeCount = 10
	recoveryCodeBytes = 10
)

// newRecoveryCodes makes a guest's ten codes: as shown (dashed groups of
// four) and as stored (hashes of the normalized form).
func (s *Service) newRecoveryCodes() ([]string, [][]byte, error) {
	codes := make([]string, 0, recoveryCodeCount)
	hashes := make([][]byte, 0, recoveryCodeCount)
	for range recoveryCodeCount {
		b := make([]byte, recoveryCodeBytes)
		if _, err := io.ReadFull(s.rand, b); err != nil {
			return nil, nil, internal("recovery code", err)
		}
		c := b32.EncodeToString(b) // 16 characters
		codes = append(codes, c[0:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:16])
		hashes = append(hashes, hashRecoveryCode(c))
	}
	return codes, hashes, nil
}

// hashRecoveryCode: a plain SHA-256 suffices because a code carries 80
// random bits; a slow hash would only add cost to every honest sign-in.
func hashRecoveryCode(normalized string) []byte {
	h := sha256.Sum256([]byte("recovery:" + normalized))
	return h[:]
}

// NormalizeRecoveryCode accepts a code in any case with dashes or spaces.
func NormalizeRecoveryCode(s string) (string, bool) {
	if len(s) > 40 {
		return "", false
	}
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "", "\t", "").Replace(s))
	if len(s) != 16 {
		return "", false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return "", false
		}
	}
	return s, true
}
