package oathtool

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TOTP returns oathtool's code for the base32 secret at the given time; the
// test skips when oathtool is not installed (.ci/run installs it).
func TOTP(tb testing.TB, secret string, at time.Time) string {
	tb.Helper()
	path, err := exec.LookPath("oathtool")
	if err != nil {
		tb.Skip("oathtool not installed")
	}
	out, err := exec.Command(path, "--totp", "-b", "--now", at.UTC().Format("2006-01-02 15:04:05 UTC"), secret).Output()
	if err != nil {
		tb.Fatalf("oathtool: %v", err)
	}
	return strings.TrimSpace(string(out))
}
