package browsertest

import (
	"context"
	"math"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Cookies returns the cookies the browser would send to the current page,
// with the attributes (Secure, HttpOnly, SameSite, Path, Expires) that
// cookie-policy tests assert.
func (b *Browser) Cookies(tb testing.TB) []*http.Cookie {
	tb.Helper()
	res, err := run(b, getCookies)
	check(tb, err, "get cookies")
	out := make([]*http.Cookie, 0, len(res.Cookies))
	for _, c := range res.Cookies {
		out = append(out, fromCDP(c))
	}
	return out
}

// Cookie returns the cookie called name that the current page would get,
// or nil.
func (b *Browser) Cookie(tb testing.TB, name string) *http.Cookie {
	tb.Helper()
	for _, c := range b.Cookies(tb) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func getCookies(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
	return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{})
}

// sameSites pairs the protocol's SameSite names with net/http's.
func sameSites() map[network.CookieSameSite]http.SameSite {
	return map[network.CookieSameSite]http.SameSite{
		network.CookieSameSiteStrict: http.SameSiteStrictMode,
		network.CookieSameSiteLax:    http.SameSiteLaxMode,
		network.CookieSameSiteNone:   http.SameSiteNoneMode,
	}
}

func fromCDP(c *network.Cookie) *http.Cookie {
	hc := &http.Cookie{
		Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
		Secure: c.Secure, HttpOnly: c.HTTPOnly, SameSite: sameSites()[c.SameSite],
	}
	if !c.Session && c.Expires > 0 && !math.IsInf(c.Expires, 0) {
		sec, frac := math.Modf(c.Expires)
		hc.Expires = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	return hc
}

// SetCookie stores c in the browser as if url had set it: a test plants a
// stolen, expired or forged cookie this way.
func (b *Browser) SetCookie(tb testing.TB, url string, c *http.Cookie) {
	tb.Helper()
	check(tb, b.setCookie(url, c), "set cookie %q for %s", c.Name, url)
}

func (b *Browser) setCookie(url string, c *http.Cookie) error {
	p := network.SetCookieParams{
		Name: c.Name, Value: c.Value, URL: url, Domain: c.Domain, Path: c.Path,
		Secure: &c.Secure, HTTPOnly: &c.HttpOnly,
	}
	if !c.Expires.IsZero() {
		p.Expires = cdp.TimeSinceEpoch(float64(c.Expires.UnixNano()) / 1e9)
	}
	for cdpMode, mode := range sameSites() {
		if c.SameSite == mode {
			p.SameSite = cdpMode
		}
	}
	return b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCookie, p)
		return err
	}))
}

// Screenshot writes a PNG of the viewport to path, to look at what a page
// showed (t.TempDir, or an artifacts folder when debugging).
func (b *Browser) Screenshot(tb testing.TB, path string) {
	tb.Helper()
	check(tb, b.screenshot(path), "screenshot to %s", path)
}

func (b *Browser) screenshot(path string) error {
	png, err := run(b, chromedp.CaptureScreenshot())
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
