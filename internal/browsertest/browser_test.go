// Package browsertest drives the whole platform through a real, headless
// Chromium: the pages, forms, redirects, cookies and layout that the HTTP
// tests cannot see. The tests skip when no Chromium is installed.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"harambee.africa/harambee/internal/app/apptest"
)

// chromium returns the path of an installed Chromium or Chrome, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium, chromium-browser or google-chrome on PATH; install one to run the browser tests (see internal/browsertest/README.md)")
	return ""
}

// page is one browser (its own profile, so its own cookies) with one tab,
// pointed at the test server.
type page struct {
	t    *testing.T
	ctx  context.Context
	env  *apptest.Env
	name string // for screenshots and messages
	axe  *axeRun
}

// newPage starts a fresh browser with an empty profile. It ends with ctx
// or at the end of the test.
func newPage(t *testing.T, ctx context.Context, env *apptest.Env, exe, name string, axe *axeRun) *page {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	// Cleanups run last-in first-out: the tab, then the browser process,
	// then the profile directory and the server registered before.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("%s: start %s: %v", name, exe, err)
	}
	return &page{t: t, ctx: bctx, env: env, name: name, axe: axe}
}

func (p *page) url(path string) string { return p.env.Server.URL + path }

// open loads a path (or an absolute URL) and fails on an HTTP error.
func (p *page) open(path string) *network.Response {
	p.t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = p.url(path)
	}
	res, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(target))
	if err != nil {
		p.t.Fatalf("%s: open %s: %v", p.name, path, err)
	}
	if res == nil || res.Status >= 400 {
		p.fatalPage("open %s: status %d", path, status(res))
	}
	p.check()
	return res
}

// submit clicks a button that submits a form, waits for the page that
// comes back, and fails when it is an HTTP error.
func (p *page) submit(button string) *network.Response {
	p.t.Helper()
	res, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		p.t.Fatalf("%s: click %s on %s: %v", p.name, button, p.path(), err)
	}
	if res == nil || res.Status >= 400 {
		p.fatalPage("click %s: status %d", button, status(res))
	}
	p.check()
	return res
}

// click follows a link and waits for the page.
func (p *page) click(link string) {
	p.t.Helper()
	p.submit(link)
}

func status(res *network.Response) int64 {
	if res == nil {
		return 0
	}
	return res.Status
}

// fill types a value into a field, as a person would.
func (p *page) fill(sel, value string) {
	p.t.Helper()
	if p.value(sel) != "" { // an empty textarea has nothing to clear, and Clear fails on it
		if err := chromedp.Do(p.ctx, chromedp.Clear(chromedp.CSS(sel))); err != nil {
			p.t.Fatalf("%s: clear %s on %s: %v", p.name, sel, p.path(), err)
		}
	}
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		p.t.Fatalf("%s: fill %s on %s: %v", p.name, sel, p.path(), err)
	}
	if got := p.value(sel); got != value {
		p.t.Fatalf("%s: %s holds %q after typing %q", p.name, sel, got, value)
	}
}

// choose picks an option of a select element by its value.
func (p *page) choose(sel, value string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		p.t.Fatalf("%s: choose %s in %s: %v", p.name, value, sel, err)
	}
	if got := p.value(sel); got != value {
		p.t.Fatalf("%s: %s has no option %q (value is %q)", p.name, sel, value, got)
	}
}

func (p *page) value(sel string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("%s: value of %s: %v", p.name, sel, err)
	}
	return v
}

// text returns the visible text of the first element that matches.
func (p *page) text(sel string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.fatalPage("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(v)
}

// texts returns the text of every element that matches, or none.
func (p *page) texts(sel string) []string {
	p.t.Helper()
	return eval[[]string](p, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent.trim())`, sel))
}

func eval[T any](p *page, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("%s: evaluate %s: %v", p.name, js, err)
	}
	return v
}

// path returns the path and query of the page in the tab.
func (p *page) path() string {
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return u.RequestURI()
}

// at fails unless the tab shows the path (without its query).
func (p *page) at(want string) {
	p.t.Helper()
	got := p.path()
	if i := strings.IndexByte(got, '?'); i >= 0 {
		got = got[:i]
	}
	if got != want {
		p.fatalPage("at %s, want %s", p.path(), want)
	}
}

// fatalPage fails with the page's main text, to show what went wrong.
func (p *page) fatalPage(format string, args ...any) {
	p.t.Helper()
	body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(document.querySelector("main") || document.body).innerText`))
	p.shot("failure")
	p.t.Fatalf("%s: %s\n(page %s)\n%s", p.name, fmt.Sprintf(format, args...), p.path(), body)
}

// shot saves a full-page screenshot when HARAMBEE_SCREENSHOTS names a
// directory.
func (p *page) shot(label string) {
	dir := os.Getenv("HARAMBEE_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", label, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Logf("screenshot %s: %v", label, err)
		return
	}
	file := filepath.Join(dir, p.name+"-"+label+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", label, err)
	}
}

// check runs the accessibility check on the page, when it is on.
func (p *page) check() {
	p.t.Helper()
	if p.axe != nil {
		p.axe.check(p)
	}
}

// mail returns the link of the newest message to an address.
func mailLink(t *testing.T, env *apptest.Env, to, subject string) string {
	t.Helper()
	m, ok := env.Mail.Last(to, subject)
	if !ok {
		t.Fatalf("no %s mail to %s", subject, to)
	}
	link := m.Arg("link")
	if !strings.HasPrefix(link, env.Server.URL+"/") {
		t.Fatalf("%s mail to %s: link %q is not on the test server %s", subject, to, link, env.Server.URL)
	}
	return link
}

// signUp signs a person up through the form and confirms the address with
// the link of the mail. It ends on /account.
func (p *page) signUp(name, email, password string) {
	p.t.Helper()
	p.open("/signup")
	p.fill("#f-name", name)
	p.fill("#f-email", email)
	p.fill("#f-password", password)
	p.fill("#f-password2", password)
	p.submit(`main form[action="/signup"] button`)
	p.at("/signup")
	p.open(mailLink(p.t, p.env, email, "mail.confirm.subject"))
	p.submit(`main form button`)
	p.at("/account")
}

// The axe-core check: HARAMBEE_AXE names axe.min.js.

type axeRun struct {
	script string
	seen   map[string]bool
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func newAxe(t *testing.T) *axeRun {
	file := os.Getenv("HARAMBEE_AXE")
	if file == "" {
		t.Log("accessibility check skipped: set HARAMBEE_AXE to the path of axe.min.js (npm install axe-core) to run it")
		return nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("HARAMBEE_AXE: %v", err)
	}
	return &axeRun{script: string(b), seen: map[string]bool{}}
}

const axeCall = `(async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))};
})()`

// check runs axe once per path and language, and fails on serious and
// critical violations; it logs the rest.
func (a *axeRun) check(p *page) {
	p.t.Helper()
	lang := eval[string](p, `document.documentElement.lang`)
	width := eval[int](p, `window.innerWidth`)
	key := fmt.Sprintf("%s %s %d", p.path(), lang, width)
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	if !eval[bool](p, `typeof axe === "object"`) {
		if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[chromedp.Void](a.script)); err != nil {
			p.t.Fatalf("inject axe: %v", err)
		}
	}
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](axeCall, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("axe on %s: %v", key, err)
	}
	var res struct {
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		p.t.Fatalf("axe result on %s: %v", key, err)
	}
	p.t.Logf("axe %s: %d rules pass, %d fail", key, res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		msg := fmt.Sprintf("axe %s [%s] %s: %s %v", key, v.Impact, v.ID, v.Help, v.Nodes)
		if v.Impact == "serious" || v.Impact == "critical" {
			p.t.Error(msg)
		} else {
			p.t.Log(msg)
		}
	}
}
