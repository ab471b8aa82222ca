// Package browsertest starts the headless Chromium the browser tests drive
// (Debian's, over the DevTools protocol with chromedp). It is imported only by
// tests; it lives in its own package so that every package with browser
// journeys finds and starts the browser the same way.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the browser's path: $MEDCONSEIL_CHROMIUM, then Debian's
// package. Without one, the test is skipped, except in CI (CI set), where a
// missing browser fails: .ci/run installs it.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MEDCONSEIL_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium absent: the browser tests cannot run in CI (.ci/run installs it with apt-get install -y chromium)")
	}
	t.Skip("Chromium absent (apt-get install -y chromium): browser tests skipped outside CI")
	return ""
}

// New starts a fresh headless Chromium (its own profile directory, found by
// Chromium) and returns its first tab's context, bounded to five minutes. The
// browser stops when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}
