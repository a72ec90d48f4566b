package guestpass

import (
	"testing"
	"time"
)

func TestDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{30 * time.Minute, 24 * time.Hour, 30 * 24 * time.Hour, 90 * time.Minute, 36 * time.Hour, 5*time.Minute + 3*time.Second} {
		s := FormatDuration(d)
		got, err := ParseDuration(s)
		if err != nil || got != d {
			t.Errorf("%v -> %q -> %v, %v", d, s, got, err)
		}
	}
	for in, want := range map[string]time.Duration{"PT30M": 30 * time.Minute, "P1DT12H": 36 * time.Hour, "30m": 30 * time.Minute, "P1W": 7 * 24 * time.Hour} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "P", "PT", "P1H", "PT1D", "30", "-5m", "P99999999999D", "PT1M2", "P1DT"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT30M", "P30D", "24h", "P1DT2H3M4S", "PT", "P1W"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("negative duration %v from %q", d, s)
		}
		if d%time.Second == 0 {
			if back, err := ParseDuration(FormatDuration(d)); err != nil || back != d {
				t.Fatalf("round trip of %v: %v, %v", d, back, err)
			}
		}
	})
}
