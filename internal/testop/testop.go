package testop

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zop "github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is an account at the provider; Username is also its password's
// owner name on the login form.
type User struct {
	Username      string
	Password      string
	Email         string
	EmailVerified bool
}

// OP is a running provider with one confidential web client.
type OP struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	srv          *http.Server
}

// users implements the example storage's UserStore.
type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }
func (u users) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u users) ExampleClientID() string { return storage.ServiceUserID }

// Start runs the provider until tb ends. redirectURI is the client's only
// registered redirect URI (matched exactly by the provider).
func Start(tb testing.TB, redirectURI string, accounts ...User) *OP {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	op := &OP{Issuer: "http://" + ln.Addr().String(), ClientID: "guestpass", ClientSecret: "upstream-secret-1"}
	us := users{}
	for i, a := range accounts {
		id := fmt.Sprintf("user%d", i+1)
		us[id] = &storage.User{ID: id, Username: a.Username, Password: a.Password, FirstName: a.Username,
			LastName: "Test", Email: a.Email, EmailVerified: a.EmailVerified, PreferredLanguage: language.English}
	}
	clients := map[string]*storage.Client{op.ClientID: storage.WebClient(op.ClientID, op.ClientSecret, redirectURI)}
	// The example logs every request through the default logger; a test
	// binary has no use for it.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	router := exampleop.SetupServer(op.Issuer, storage.NewStorageWithClients(us, clients), nil, false,
		zop.WithLogger(slog.New(slog.DiscardHandler)))
	op.srv = &http.Server{Handler: router}
	go func() { _ = op.srv.Serve(ln) }()
	tb.Cleanup(func() { _ = op.srv.Close() })
	return op
}

// Login plays the user at the provider: it opens authURL, fills in the
// login form and returns the redirect back to the client (with code and
// state), without following it.
func (op *OP) Login(tb testing.TB, authURL, username, password string) *url.URL {
	tb.Helper()
	hc := &http.Client{CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), op.Issuer) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := hc.Get(authURL)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if resp.StatusCode != http.StatusOK || id == "" {
		tb.Fatalf("authorization request: %s at %s, no login page", resp.Status, resp.Request.URL)
	}
	resp, err = hc.PostForm(op.Issuer+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {password}})
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		tb.Fatalf("login as %s: %s, no redirect back: %s", username, resp.Status, body)
	}
	return loc
}
