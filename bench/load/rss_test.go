package load

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestRSSOfSelf(t *testing.T) {
	n, err := RSS(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if n <= 0 {
		t.Errorf("RSS = %d, want > 0", n)
	}
}

func TestRSSOfMissingProcess(t *testing.T) {
	if _, err := RSS(-1); err == nil {
		t.Error("RSS(-1) succeeded")
	}
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr string
	}{
		{"Linux", "Name:\tgo\nVmPeak:\t  9000 kB\nVmRSS:\t    1234 kB\nThreads:\t8\n", 1234 << 10, ""},
		{"KernelThreadHasNone", "Name:\tkthreadd\nThreads:\t1\n", 0, "no VmRSS"},
		{"UnitMissing", "VmRSS:\t1234\n", 0, "kB"},
		{"NotANumber", "VmRSS:\tlots kB\n", 0, "not a size"},
		{"Negative", "VmRSS:\t-5 kB\n", 0, "not a size"},
		{"Huge", "VmRSS:\t99999999999999 kB\n", 0, "not a size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS(strings.NewReader(tt.status))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseVmRSS = %d, %v; want error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseVmRSS = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestParseVmRSSLineTooLong(t *testing.T) {
	if _, err := parseVmRSS(strings.NewReader(strings.Repeat("x", 1<<17))); err == nil {
		t.Error("an over-long line was accepted")
	}
}

func FuzzParseVmRSS(f *testing.F) {
	f.Add("VmRSS:\t    1234 kB\n")
	f.Add("Name:\tx\nVmRSS:\t0 kB")
	f.Add("VmRSS: kB")
	f.Add("")
	f.Fuzz(func(t *testing.T, status string) {
		n, err := parseVmRSS(strings.NewReader(status))
		if err == nil && (n < 0 || n%1024 != 0) {
			t.Errorf("parseVmRSS(%q) = %d, want a non-negative multiple of 1024", status, n)
		}
	})
}

func TestWatchRSS(t *testing.T) {
	t.Run("PeakOfSelf", func(t *testing.T) {
		if _, err := RSS(os.Getpid()); err != nil {
			t.Skipf("no /proc here: %v", err)
		}
		stop := WatchRSS(os.Getpid(), time.Millisecond)
		peak, err := stop()
		if err != nil || peak <= 0 {
			t.Errorf("stop() = %d, %v; want a peak", peak, err)
		}
	})
	t.Run("MissingProcessReported", func(t *testing.T) {
		if _, err := WatchRSS(-1, time.Millisecond)(); err == nil {
			t.Error("watching pid -1 reported no error")
		}
	})
}
