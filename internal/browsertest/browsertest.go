package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// EnvChromium names the variable that overrides where chromium is looked for.
const EnvChromium = "GUESTPASS_CHROMIUM"

const (
	defaultChromium = "/usr/bin/chromium"
	// A whole browser test (start, many pages, close) must end well inside
	// go test's own -timeout, so that a hung browser names its test.
	overallTimeout = 5 * time.Minute
	// One step is a page load or a query; waiting longer only delays the
	// failure message of a missing selector.
	defaultStepTimeout = 30 * time.Second
	closeTimeout       = 10 * time.Second
)

// Browser is one headless chromium with one tab, owned by one test. Its
// methods take the calling (sub)test's tb and fail it with the step that
// went wrong, so page tests read as a script. Use it from one goroutine.
type Browser struct {
	ctx         context.Context // chromedp context of the tab
	stepTimeout time.Duration
}

// New starts chromium with a fresh profile under tb.TempDir and closes it on
// tb.Cleanup. It skips the test when chromium is not installed.
func New(tb testing.TB) *Browser {
	tb.Helper()
	path, err := chromiumPath(os.Getenv(EnvChromium))
	if err != nil {
		tb.Skipf("chromium not installed: apt-get install chromium (CI installs it): %v", err)
	}
	profile := tb.TempDir()
	base, cancelBase := context.WithTimeout(context.Background(), overallTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, allocatorOptions(path, profile)...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	// Registered after TempDir, so it runs first: chromium is gone before
	// its profile is removed.
	tb.Cleanup(func() {
		closeBrowser(ctx)
		cancelTab()
		cancelAlloc()
		cancelBase()
	})
	// Start the browser now, on the long-lived context, so that a step's
	// timeout never becomes the browser's lifetime.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start chromium %s: %v", path, err)
	}
	return &Browser{ctx: ctx, stepTimeout: defaultStepTimeout}
}

// chromiumPath returns override, or the Debian path when override is empty,
// if it names an existing file.
func chromiumPath(override string) (string, error) {
	path := override
	if path == "" {
		path = defaultChromium
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		return "", fmt.Errorf("%s is a directory", path)
	}
	return path, nil
}

func allocatorOptions(path, profile string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		// No traffic but the test's own: nothing leaves loopback.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
	)
}

// closeBrowser asks chromium to quit, so that its helper processes stop
// writing into the profile before tb.TempDir removes it.
func closeBrowser(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, closeTimeout)
	defer cancel()
	_ = chromedp.Cancel(cctx) // the cancel funcs that follow kill it anyway
}

// Context is the chromedp context of the tab, for steps these helpers lack.
func (b *Browser) Context() context.Context { return b.ctx }

func (b *Browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.stepTimeout)
}

// do runs steps under one step timeout.
func (b *Browser) do(steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := b.step()
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// run runs one action that returns a value under the step timeout.
func run[T any](b *Browser, a chromedp.Action[T]) (T, error) {
	ctx, cancel := b.step()
	defer cancel()
	return chromedp.Run(ctx, a)
}

func check(tb testing.TB, err error, format string, args ...any) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("browser: %s: %v", fmt.Sprintf(format, args...), err)
	}
}

// onElement makes a JavaScript statement that runs body with el bound to
// the first element sel matches; it throws when none does.
func onElement(sel, body string) string {
	quoted, _ := json.Marshal(sel) // a string always marshals
	return fmt.Sprintf(`(() => {
	const el = document.querySelector(%s);
	if (!el) throw new Error("no element matches");
	%s
})()`, quoted, body)
}

func statusOf(resp *network.Response) int {
	if resp == nil { // a same-document navigation has none
		return 0
	}
	return int(resp.Status)
}
