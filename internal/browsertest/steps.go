package browsertest

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// Navigate loads url, waits until waitFor (a CSS selector; "" for none) is
// visible, and returns the HTTP status of the document.
func (b *Browser) Navigate(tb testing.TB, url, waitFor string) int {
	tb.Helper()
	status, err := b.navigate(url, waitFor)
	check(tb, err, "navigate to %s", url)
	return status
}

func (b *Browser) navigate(url, waitFor string) (int, error) {
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		return 0, err
	}
	if waitFor != "" {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(waitFor))); err != nil {
			return 0, fmt.Errorf("wait for %q: %w", waitFor, err)
		}
	}
	return statusOf(resp), nil
}

// WaitVisible waits until the CSS selector sel matches a visible element.
func (b *Browser) WaitVisible(tb testing.TB, sel string) {
	tb.Helper()
	check(tb, b.do(chromedp.WaitVisible(chromedp.CSS(sel))), "wait for %q", sel)
}

// Fill replaces the value of the input sel by typing value into it, so the
// page sees key events as from a person.
func (b *Browser) Fill(tb testing.TB, sel, value string) {
	tb.Helper()
	check(tb, b.fill(sel, value), "fill %q", sel)
}

func (b *Browser) fill(sel, value string) error {
	// chromedp.Clear resets only the value attribute and SetValue refuses
	// "", so neither empties what was typed before.
	clear := onElement(sel, `el.value = "";`)
	return b.do(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](clear),
		chromedp.SendKeys(chromedp.CSS(sel), value),
	)
}

// Submit submits the form that sel names (the form itself, one of its
// fields, or the submit button whose name and value should be sent), waits
// for the next page to load, and returns its HTTP status.
func (b *Browser) Submit(tb testing.TB, sel string) int {
	tb.Helper()
	status, err := b.submit(sel)
	check(tb, err, "submit %q", sel)
	return status
}

// submitJS uses requestSubmit, unlike chromedp.Submit's form.submit, so that
// the browser validates fields and sends the button's name=value, as a
// person's click would.
const submitJS = `const form = el.form || el;
	if (!(form instanceof HTMLFormElement)) throw new Error("not in a form");
	form.requestSubmit(el.type === "submit" ? el : null);`

func (b *Browser) submit(sel string) (int, error) {
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(sel))); err != nil {
		return 0, fmt.Errorf("wait for %q: %w", sel, err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Evaluate[chromedp.Void](onElement(sel, submitJS)))
	return statusOf(resp), err
}

// Click clicks the element sel. It does not wait for a navigation: follow it
// with WaitVisible, or use Submit for forms.
func (b *Browser) Click(tb testing.TB, sel string) {
	tb.Helper()
	check(tb, b.do(chromedp.Click(chromedp.CSS(sel))), "click %q", sel)
}

// Text returns the visible text of the first element that sel matches.
func (b *Browser) Text(tb testing.TB, sel string) string {
	tb.Helper()
	s, err := run(b, chromedp.Text(chromedp.CSS(sel)))
	check(tb, err, "text of %q", sel)
	return s
}

// URL returns the address of the current document.
func (b *Browser) URL(tb testing.TB) string {
	tb.Helper()
	u, err := run(b, chromedp.Location())
	check(tb, err, "read location")
	return u
}
