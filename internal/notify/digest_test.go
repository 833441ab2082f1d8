package notify_test

import (
	"bytes"
	"context"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/notify"
)

// nextSaturday returns the first Saturday 00:00 UTC after t: digests are
// tested over a weekend and the Monday after, near the real time (cookies
// and sessions are judged by it).
func nextSaturday(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func runDigests(t *testing.T, e *apptest.Env) {
	t.Helper()
	if err := e.App.Notify.RunDigests(context.Background()); err != nil {
		t.Fatalf("digests: %v", err)
	}
}

func setFrequency(t *testing.T, e *apptest.Env, p person, kind notify.Kind, f notify.Frequency) {
	t.Helper()
	if err := e.App.Notify.SetPreferences(context.Background(), p.ID, map[string]string{kind.Name: string(f)}); err != nil {
		t.Fatal(err)
	}
}

func TestDigestsByTimeZone(t *testing.T) {
	e := start(t)
	sat := nextSaturday(e.Clock.Now())
	e.Clock.Set(sat) // Saturday 00:00 UTC
	// Shanghai is UTC+8: 08:00 on Saturday. Lagos is UTC+1: 01:00.
	daily := newPerson(t, e, "mei@example.cn", "ar", "Asia/Shanghai")
	weekly := newPerson(t, e, "tunde@example.ng", "pt", "Africa/Lagos")
	never := newPerson(t, e, "kwame@example.gh", "en", "Africa/Accra")
	setFrequency(t, e, weekly, report, notify.Weekly)
	setFrequency(t, e, never, report, notify.Never)
	send(t, e, note(report, daily, "Shenzhen"))
	send(t, e, note(report, weekly, "Ibadan"))
	send(t, e, note(report, never, "Kumasi"))

	// Mei's day started at 07:00 local, before the notification: it waits
	// for tomorrow's digest.
	runDigests(t, e)
	if n := len(mailsTo(t, e, daily.Email)); n != 0 {
		t.Fatalf("a digest before the day's 07:00 passed: %d", n)
	}

	e.Clock.Set(sat.Add(23*time.Hour + 30*time.Minute)) // Sunday 07:30 in Shanghai
	runDigests(t, e)
	ms := mailsTo(t, e, daily.Email)
	if len(ms) != 1 {
		t.Fatalf("%d daily digests, want 1", len(ms))
	}
	ar := e.App.Catalog.Printer("ar")
	if want := ar.N("notify.digest.subject", 1); ms[0].Subject != want {
		t.Errorf("subject %q, want %q", ms[0].Subject, want)
	}
	if !strings.Contains(ms[0].Text, ar.T("mail.invitation.subject", "org", "Shenzhen")) || !strings.Contains(ms[0].Text, e.Server.URL+"/orgs/shenzhen") ||
		!strings.Contains(ms[0].Text, ar.T("notify.digest.daily")) {
		t.Errorf("digest text:\n%s", ms[0].Text)
	}
	unsubscribeLink(t, ms[0])

	// Nothing twice: another run, an hour later, the same day.
	runDigests(t, e)
	e.Clock.Advance(time.Hour)
	runDigests(t, e)
	if n := len(mailsTo(t, e, daily.Email)); n != 1 {
		t.Fatalf("%d daily digests after more runs, want 1", n)
	}

	// Two more during Sunday: one digest on Monday morning, counting both.
	send(t, e, note(report, daily, "Wuhan"))
	send(t, e, note(report, daily, "Xiamen"))
	e.Clock.Set(sat.Add(47 * time.Hour)) // Monday 07:00 in Shanghai exactly
	runDigests(t, e)
	ms = mailsTo(t, e, daily.Email)
	if len(ms) != 2 || ms[1].Subject != ar.N("notify.digest.subject", 2) {
		t.Fatalf("Monday's daily digest: %d mails %+v", len(ms), ms)
	}
	if strings.Contains(ms[1].Text, "Shenzhen") || !strings.Contains(ms[1].Text, "Wuhan") || !strings.Contains(ms[1].Text, "Xiamen") {
		t.Errorf("Monday's digest repeats or misses notifications:\n%s", ms[1].Text)
	}

	// Tunde's week starts on Monday 07:00 in Lagos, 06:00 UTC.
	if n := len(mailsTo(t, e, weekly.Email)); n != 0 {
		t.Fatalf("a weekly digest before Monday: %d", n)
	}
	e.Clock.Set(sat.Add(48*time.Hour + 5*time.Hour + 59*time.Minute)) // Monday 06:59 in Lagos
	runDigests(t, e)
	if n := len(mailsTo(t, e, weekly.Email)); n != 0 {
		t.Fatalf("a weekly digest before 07:00: %d", n)
	}
	e.Clock.Advance(2 * time.Minute) // 07:01
	runDigests(t, e)
	runDigests(t, e)
	ws := mailsTo(t, e, weekly.Email)
	if len(ws) != 1 || ws[0].Subject != e.App.Catalog.Printer("pt").N("notify.digest.subject", 1) ||
		!strings.Contains(ws[0].Text, e.App.Catalog.Printer("pt").T("notify.digest.weekly")) {
		t.Fatalf("weekly digest: %+v", ws)
	}

	// Never: no e-mail ever, but the notification is in the site.
	if n := len(mailsTo(t, e, never.Email)); n != 0 || unread(t, e, never) != 1 {
		t.Errorf("never: %d mails, %d unread", n, unread(t, e, never))
	}

	// A digest's unsubscribe link stops every kind.
	if res := oneClick(t, unsubscribeLink(t, ws[0]), nil); res.StatusCode != http.StatusOK {
		t.Fatalf("one-click from a digest: %d", res.StatusCode)
	}
	for k, f := range prefs(t, e, weekly) {
		if f != notify.Never {
			t.Errorf("after the digest's unsubscribe, %s is %s", k, f)
		}
	}
	send(t, e, note(ping, weekly, "Ibadan"))
	e.Clock.Advance(8 * 24 * time.Hour)
	runDigests(t, e)
	if n := len(mailsTo(t, e, weekly.Email)); n != 1 {
		t.Errorf("mail after unsubscribing from everything: %d", n)
	}
}

// TestChangingFrequencyWhilePending: the preference at digest time decides.
func TestChangingFrequencyWhilePending(t *testing.T) {
	e := start(t)
	e.Clock.Set(nextSaturday(e.Clock.Now()).Add(12 * time.Hour)) // Saturday noon UTC
	p := newPerson(t, e, "lerato@example.ls", "en", "UTC")
	send(t, e, note(report, p, "Maseru"))
	setFrequency(t, e, p, report, notify.Never)
	e.Clock.Advance(24 * time.Hour)
	runDigests(t, e)
	setFrequency(t, e, p, report, notify.Daily)
	e.Clock.Advance(24 * time.Hour)
	runDigests(t, e)
	if n := len(mailsTo(t, e, p.Email)); n != 0 {
		t.Errorf("a notification pending when the person chose never was mailed later: %d", n)
	}
	// Switching to "at once" while a note waits puts it in the next daily digest.
	send(t, e, note(report, p, "Mafeteng"))
	setFrequency(t, e, p, report, notify.Now)
	e.Clock.Advance(24 * time.Hour)
	runDigests(t, e)
	if ms := mailsTo(t, e, p.Email); len(ms) != 1 || !strings.Contains(ms[0].Text, "Mafeteng") {
		t.Errorf("pending note after switching to at once: %+v", ms)
	}
}

// TestDigestJobRunsOnTheQueue runs the real job queue: the hourly job
// sends the digest, and the mail sender writes it with the RFC 8058 headers.
func TestDigestJobRunsOnTheQueue(t *testing.T) {
	e := start(t)
	e.Clock.Set(nextSaturday(e.Clock.Now()).Add(-12 * time.Hour)) // Friday noon UTC
	p := newPerson(t, e, "abebe@example.et", "en", "Africa/Addis_Ababa")
	send(t, e, note(report, p, "Adama"))
	e.Clock.Advance(24 * time.Hour) // Saturday 15:00 in Addis Ababa

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.App.Queue.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	// A sent job's arguments are dropped: the message is read where the
	// sender wrote it.
	var m *mail.Message
	deadline := time.Now().Add(30 * time.Second)
	for m == nil {
		if time.Now().After(deadline) {
			t.Fatal("no digest was written by the queue")
		}
		m = written(t, filepath.Join(e.App.Config.DataDir, "mail"), p.Email)
		time.Sleep(20 * time.Millisecond)
	}
	if want := e.App.Catalog.Printer("en").N("notify.digest.subject", 1); m.Header.Get("Subject") != want {
		t.Errorf("subject %q, want %q", m.Header.Get("Subject"), want)
	}
	if u := m.Header.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<"+e.Server.URL+"/unsubscribe/") {
		t.Errorf("List-Unsubscribe %q", u)
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", m.Header.Get("List-Unsubscribe-Post"))
	}
}

// written returns the message the mail sender wrote to addr, or nil.
func written(t *testing.T, dir, addr string) *mail.Message {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if strings.Contains(m.Header.Get("To"), addr) {
			return m
		}
	}
	return nil
}
