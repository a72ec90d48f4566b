package browsertest_test

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guestpass/guestpass/internal/browsertest"
)

// newGreeter serves a form that POSTs, a redirect to a result page that
// shows what was posted, and a page that echoes the request's cookies: the
// shape of the guest pages (POST, 303, GET) without GuestPass.
func newGreeter(tb testing.TB) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>form</title>
<form id="greet" method="post" action="/hello">
<input name="name" required>
<button name="action" value="wave">Wave</button>
</form>`)
	})
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		q := "name=" + r.PostFormValue("name") + "&action=" + r.PostFormValue("action")
		http.Redirect(w, r, "/result?"+q, http.StatusSeeOther)
	})
	mux.HandleFunc("GET /result", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><p id="greeting">Hello, %s (%s)</p>`,
			html.EscapeString(r.FormValue("name")), html.EscapeString(r.FormValue("action")))
	})
	mux.HandleFunc("GET /cookies", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><p id="cookies">%s</p>`, html.EscapeString(r.Header.Get("Cookie")))
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	srv := newGreeter(t)
	b := browsertest.New(t)

	t.Run("FormPostsAndFollowsRedirect", func(t *testing.T) {
		if got := b.Navigate(t, srv.URL+"/", "form#greet"); got != http.StatusOK {
			t.Fatalf("GET / status = %d, want 200", got)
		}
		b.Fill(t, "form#greet input[name=name]", "Ada <Lovelace>")
		if got := b.Submit(t, "form#greet button"); got != http.StatusOK {
			t.Fatalf("submit status = %d, want 200", got)
		}
		if got, want := b.Text(t, "#greeting"), "Hello, Ada <Lovelace> (wave)"; got != want {
			t.Errorf("greeting = %q, want %q", got, want)
		}
		if got := b.URL(t); !strings.HasPrefix(got, srv.URL+"/result?") {
			t.Errorf("URL = %q, want the result page", got)
		}
	})
	t.Run("FillReplacesValue", func(t *testing.T) {
		b.Navigate(t, srv.URL+"/", "form#greet")
		b.Fill(t, "input[name=name]", "first")
		b.Fill(t, "input[name=name]", "Grace")
		b.Submit(t, "form#greet")
		if got, want := b.Text(t, "#greeting"), "Hello, Grace ()"; got != want {
			t.Errorf("greeting = %q, want %q (a form submit sends no button)", got, want)
		}
	})
	t.Run("CookieAttributesVisible", func(t *testing.T) {
		c := b.Cookie(t, "seen")
		if c == nil {
			t.Fatal("cookie seen not set")
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("cookie = %+v, want HttpOnly, SameSite=Lax, Path=/", c)
		}
		if b.Cookie(t, "absent") != nil {
			t.Error("Cookie(absent) != nil")
		}
	})
	t.Run("PlantedCookieSent", func(t *testing.T) {
		b.SetCookie(t, srv.URL, &http.Cookie{Name: "planted", Value: "x", Path: "/"})
		b.Navigate(t, srv.URL+"/cookies", "#cookies")
		if got := b.Text(t, "#cookies"); !strings.Contains(got, "planted=x") {
			t.Errorf("server saw cookies %q, want planted=x", got)
		}
	})
	t.Run("ScreenshotIsPNG", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "page.png")
		b.Screenshot(t, path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("screenshot is not a PNG: % x", data[:min(8, len(data))])
		}
	})
}
