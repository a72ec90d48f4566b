// Package browsertest drives a headless Debian chromium through chromedp for
// tests of the guest pages: one fresh browser and profile per test, helpers
// that fail the test with the selector or URL that went wrong, and a skip
// (not a failure) on machines without chromium.
//
// It is imported only by _test.go files. It may import the standard library
// and github.com/chromedp/chromedp with its cdproto packages; it knows nothing
// of GuestPass itself, so any page test can use it.
package browsertest
