package load

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RSS returns the resident set size of process pid in bytes, from Linux's
// /proc/PID/status.
func RSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("rss: %w", err)
	}
	defer f.Close()
	n, err := parseVmRSS(f)
	if err != nil {
		return 0, fmt.Errorf("rss of %d: %w", pid, err)
	}
	return n, nil
}

// parseVmRSS finds the "VmRSS:   1234 kB" line of a /proc status file.
func parseVmRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		num, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB")
		if !ok {
			return 0, fmt.Errorf("VmRSS %q: want a size in kB", strings.TrimSpace(rest))
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
		if err != nil || kb < 0 || kb > 1<<40 {
			return 0, fmt.Errorf("VmRSS %q: not a size", num)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS line (a kernel thread, or not Linux)")
}

// WatchRSS samples pid's RSS every interval until the returned stop is
// called (once), and stop returns the peak seen, sampling once more itself
// so a short run has a value, or the first error.
func WatchRSS(pid int, interval time.Duration) (stop func() (int64, error)) {
	done := make(chan struct{})
	var (
		wg   sync.WaitGroup
		peak int64
		err  error
	)
	sample := func() {
		n, e := RSS(pid)
		if e != nil && err == nil {
			err = e
		}
		peak = max(peak, n)
	}
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				sample()
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() (int64, error) {
		close(done)
		wg.Wait()
		return peak, err
	}
}
