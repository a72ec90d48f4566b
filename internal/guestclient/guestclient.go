package guestclient

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Client is one browser.
type Client struct {
	Base   string // e.g. http://127.0.0.1:8080
	HTTP   *http.Client
	Header http.Header // sent with every request (Accept-Language, X-Forwarded-For)

	mu      sync.Mutex
	cookies map[string]*http.Cookie
}

// New returns a client with its own cookies that does not follow redirects,
// so callers see every 303.
func New(base string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{Base: strings.TrimSuffix(base, "/"), HTTP: &c, Header: http.Header{}, cookies: map[string]*http.Cookie{}}
}

// Response is a read response.
type Response struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

// Get fetches path (or an absolute URL).
func (c *Client) Get(path string) (*Response, error) {
	req, err := http.NewRequest(http.MethodGet, c.url(path), nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// PostForm submits a form to path.
func (c *Client) PostForm(path string, form url.Values) (*Response, error) {
	req, err := http.NewRequest(http.MethodPost, c.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

func (c *Client) url(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return c.Base + path
}

// Do sends req with the client's cookies and headers and records the
// cookies it gets back.
func (c *Client) Do(req *http.Request) (*Response, error) {
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	c.mu.Lock()
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	c.mu.Unlock()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	c.mu.Unlock()
	return &Response{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(body), Header: resp.Header}, nil
}

// Cookie returns the cookie last set under name, or nil.
func (c *Client) Cookie(name string) *http.Cookie {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cookies[name]
}

// CookieWithPrefix returns the first cookie whose name starts with prefix.
func (c *Client) CookieWithPrefix(prefix string) *http.Cookie {
	c.mu.Lock()
	defer c.mu.Unlock()
	for n, ck := range c.cookies {
		if strings.HasPrefix(n, prefix) {
			return ck
		}
	}
	return nil
}

// ClearCookies forgets every cookie (a new browser).
func (c *Client) ClearCookies() {
	c.mu.Lock()
	c.cookies = map[string]*http.Cookie{}
	c.mu.Unlock()
}

// Expect checks a response's status and, for redirects, the location's
// path prefix.
func Expect(r *Response, status int, locationPrefix string) error {
	if r.Status != status {
		return fmt.Errorf("status %d, want %d; body: %.300s", r.Status, status, r.Body)
	}
	if locationPrefix != "" {
		u, err := url.Parse(r.Location)
		if err != nil || !strings.HasPrefix(u.Path, locationPrefix) && !strings.HasPrefix(r.Location, locationPrefix) {
			return fmt.Errorf("redirect to %q, want %q", r.Location, locationPrefix)
		}
	}
	return nil
}

var (
	// codeRe: 8 digits standing alone. Digits inside a word or a link are
	// no code: a tenant id in a notice's link may begin with 8 digits.
	codeRe  = regexp.MustCompile(`(?:^|[^\w/.-])(\d{8})(?:$|[^\w/.-])`)
	alertRe = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</`)
	formRe  = regexp.MustCompile(`(?s)<form id="([^"]*)"[^>]*? action="([^"]*)"[^>]*>(.*?)</form>`)
	inputRe = regexp.MustCompile(`<input [^>]*?name="([^"]*)"[^>]*?>`)
	valueRe = regexp.MustCompile(` value="([^"]*)"`)
)

// Form returns the action of the page's form#id and the fields it sends
// as the page has them (its inputs' names and values), as a browser
// would submit it untouched; ok is false when the page has no such form.
func Form(body, id string) (action string, fields url.Values, ok bool) {
	for _, m := range formRe.FindAllStringSubmatch(body, -1) {
		if m[1] != id {
			continue
		}
		fields = url.Values{}
		for _, in := range inputRe.FindAllStringSubmatch(m[3], -1) {
			v := ""
			if vm := valueRe.FindStringSubmatch(in[0]); vm != nil {
				v = html.UnescapeString(vm[1])
			}
			fields.Add(html.UnescapeString(in[1]), v)
		}
		return html.UnescapeString(m[2]), fields, true
	}
	return "", nil, false
}

// CodeIn returns the first 8-digit code in an email body, or "".
func CodeIn(text string) string {
	if m := codeRe.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

// Alert returns the text of the page's [role=alert], or "".
func Alert(body string) string {
	m := alertRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1])
}
