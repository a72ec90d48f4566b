package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
)

func TestChromiumPath(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "chromium")
	if err := os.WriteFile(exe, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Run("OverrideUsed", func(t *testing.T) {
		if got, err := chromiumPath(exe); err != nil || got != exe {
			t.Errorf("chromiumPath(%q) = %q, %v", exe, got, err)
		}
	})
	t.Run("MissingRefused", func(t *testing.T) {
		if _, err := chromiumPath(filepath.Join(dir, "nope")); err == nil {
			t.Error("missing file accepted")
		}
	})
	t.Run("DirectoryRefused", func(t *testing.T) {
		if _, err := chromiumPath(dir); err == nil {
			t.Error("directory accepted")
		}
	})
	t.Run("EmptyMeansDebianPath", func(t *testing.T) {
		got, err := chromiumPath("")
		if err == nil && got != defaultChromium {
			t.Errorf("chromiumPath(\"\") = %q, want %q", got, defaultChromium)
		}
	})
}

func TestStatusOfNoResponse(t *testing.T) {
	if got := statusOf(nil); got != 0 {
		t.Errorf("statusOf(nil) = %d, want 0", got)
	}
}

func TestFromCDP(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		in   network.Cookie
		want http.Cookie
	}{
		{"SessionHasNoExpiry",
			network.Cookie{Name: "a", Session: true, Expires: -1, SameSite: network.CookieSameSiteStrict},
			http.Cookie{Name: "a", SameSite: http.SameSiteStrictMode}},
		{"ExpiryKept",
			network.Cookie{Name: "b", Expires: float64(exp.Unix()), Secure: true, HTTPOnly: true},
			http.Cookie{Name: "b", Expires: exp, Secure: true, HttpOnly: true}},
		{"SameSiteNone",
			network.Cookie{Name: "c", Session: true, SameSite: network.CookieSameSiteNone},
			http.Cookie{Name: "c", SameSite: http.SameSiteNoneMode}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromCDP(&tt.in)
			if got.String() != tt.want.String() || got.HttpOnly != tt.want.HttpOnly || !got.Expires.Equal(tt.want.Expires) {
				t.Errorf("fromCDP = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// fatalRecorder keeps what Fatalf was told instead of stopping the test, so
// the failure path of each helper can be observed.
type fatalRecorder struct {
	testing.TB
	msgs []string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func TestCheckFailsWithStep(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	check(rec, nil, "nothing")
	check(rec, errors.New("boom"), "fill %q", "#x")
	if want := []string{`browser: fill "#x": boom`}; fmt.Sprint(rec.msgs) != fmt.Sprint(want) {
		t.Errorf("Fatalf calls = %q, want %q", rec.msgs, want)
	}
}

// newFailing returns a browser and a func that puts it back on a page with
// a paragraph and no form.
func newFailing(t *testing.T) (*Browser, func(testing.TB)) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><p id="lonely">alone</p>`)
	}))
	t.Cleanup(srv.Close)
	b := New(t)
	return b, func(tb testing.TB) {
		tb.Helper()
		b.Navigate(tb, srv.URL, "#lonely")
	}
}

// briefly runs f with steps that give up soon, for steps bound to wait for
// an element that never comes.
func briefly(b *Browser, f func()) {
	defer func(d time.Duration) { b.stepTimeout = d }(b.stepTimeout)
	b.stepTimeout = 300 * time.Millisecond
	f()
}

func TestStepErrors(t *testing.T) {
	b, home := newFailing(t)
	t.Run("NavigateRefusedConnection", func(t *testing.T) {
		if _, err := b.navigate(closedURL(t), ""); err == nil {
			t.Error("navigate to a closed port succeeded")
		}
	})
	t.Run("SubmitOutsideForm", func(t *testing.T) {
		home(t)
		_, err := b.submit("#lonely")
		if err == nil || !strings.Contains(err.Error(), "not in a form") {
			t.Errorf("submit(#lonely) = %v, want a not-in-a-form error", err)
		}
	})
	t.Run("SubmitMissingTimesOut", func(t *testing.T) {
		home(t)
		var err error
		briefly(b, func() { _, err = b.submit("#absent") })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("submit(#absent) = %v, want deadline exceeded", err)
		}
	})
	t.Run("FillMissingTimesOut", func(t *testing.T) {
		home(t)
		var err error
		briefly(b, func() { err = b.fill("#absent", "x") })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("fill(#absent) = %v, want deadline exceeded", err)
		}
	})
	t.Run("ScreenshotUnwritablePath", func(t *testing.T) {
		home(t)
		if err := b.screenshot(filepath.Join(t.TempDir(), "no", "dir.png")); err == nil {
			t.Error("screenshot into a missing folder succeeded")
		}
	})
}

// closedURL returns an http URL on loopback where nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/"
}

func TestHelpersFailTheirTest(t *testing.T) {
	b, home := newFailing(t)
	missing := func(step func(testing.TB)) func(testing.TB) {
		return func(tb testing.TB) { briefly(b, func() { step(tb) }) }
	}
	steps := map[string]func(tb testing.TB){
		"navigate to": func(tb testing.TB) { b.Navigate(tb, closedURL(t), "") },
		"wait for":    missing(func(tb testing.TB) { b.WaitVisible(tb, "#absent") }),
		"fill":        missing(func(tb testing.TB) { b.Fill(tb, "#absent", "x") }),
		"submit":      func(tb testing.TB) { b.Submit(tb, "#lonely") },
		"click":       missing(func(tb testing.TB) { b.Click(tb, "#absent") }),
		"text of":     missing(func(tb testing.TB) { b.Text(tb, "#absent") }),
		"set cookie":  func(tb testing.TB) { b.SetCookie(tb, "not a url", &http.Cookie{Name: "n", Value: "v"}) },
		"screenshot":  func(tb testing.TB) { b.Screenshot(tb, t.TempDir()) },
	}
	for step, call := range steps {
		t.Run(step, func(t *testing.T) {
			home(t)
			rec := &fatalRecorder{TB: t}
			call(rec)
			if len(rec.msgs) != 1 || !strings.HasPrefix(rec.msgs[0], "browser: "+step) {
				t.Errorf("Fatalf calls = %q, want one starting %q", rec.msgs, "browser: "+step)
			}
		})
	}
}

func TestNewSkipsWithoutChromium(t *testing.T) {
	var sub *testing.T
	t.Run("MissingBinary", func(t *testing.T) {
		sub = t
		t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-chromium"))
		New(t)
		t.Error("New returned without chromium")
	})
	if !sub.Skipped() {
		t.Error("New did not skip the test")
	}
}
