package agreements_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/sharing"
)

func TestReminders(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	fake := &notes{}
	svc := w.e.App.Agreements
	svc.Notify = fake
	const amina = "amina@ke-cert.example"
	parties := []agreements.PartyInput{gov("KE"), gov("CN")}
	x := w.create(t, amina, w.input("Cable landing MoU", parties, -10, nil, days(100)), sharing.Published, sharing.Amber)
	w.create(t, amina, w.input("Draft expiring soon", parties, -10, nil, days(5)), sharing.Draft, sharing.Clear)
	w.create(t, amina, w.input("Hidden expiring soon", parties, -10, nil, days(5)), sharing.Hidden, sharing.Clear)
	w.create(t, amina, w.input("Without expiry", parties, -10, nil, nil), sharing.Published, sharing.Clear)
	expiry := w.date(100)

	// run sends the reminders due and checks one was sent for each of
	// want, the days left before expiry.
	run := func(want ...int) {
		t.Helper()
		n, err := svc.SendReminders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent := fake.take()
		if n != len(sent) || len(sent) != len(want) {
			t.Fatalf("%s: sent %d (%d noted), want %v", w.e.Clock.Now().Format(time.DateOnly), len(sent), n, want)
		}
		for i, s := range sent {
			args := map[any]any{}
			for j := 0; j+1 < len(s.Note.Args); j += 2 {
				args[s.Note.Args[j]] = s.Note.Args[j+1]
			}
			if s.Org != w.keCERT.ID || !slices.Equal(s.Roles, []string{"admin", "editor"}) || s.Note.Kind != "agreements.expiry" ||
				s.Note.Subject != "agreements.expiry.subject" || s.Note.Body != "agreements.expiry.body" ||
				args["title"] == nil || args["date"] == nil || args["days"] != want[i] || s.Note.Path == "" {
				t.Fatalf("note %+v", s)
			}
		}
	}
	advanceTo := func(daysLeft int, expiresOn string) {
		t.Helper()
		exp, _ := time.Parse(time.DateOnly, expiresOn)
		now := w.e.Clock.Now()
		w.e.Clock.Set(exp.AddDate(0, 0, -daysLeft).Add(time.Duration(now.Hour())*time.Hour + 7*time.Minute))
	}

	run() // 100 days before: nothing yet
	advanceTo(91, expiry)
	run()
	advanceTo(90, expiry)
	run(90)
	run() // the same day again: nothing
	advanceTo(60, expiry)
	run()
	advanceTo(30, expiry)
	run(30)
	advanceTo(29, expiry)
	run()
	advanceTo(7, expiry)
	run(7)
	advanceTo(1, expiry)
	run()
	if s := fake.take(); len(s) != 0 {
		t.Fatal(s)
	}

	t.Run("ANewExpiryDateReArms", func(t *testing.T) {
		in := agreements.InputOf(x)
		in.ExpiresOn = w.date(200)
		if _, err := svc.Update(ctx, w.viewer(t, amina), x.ID, in, ""); err != nil {
			t.Fatal(err)
		}
		advanceTo(90, in.ExpiresOn)
		run(90)
		advanceTo(7, in.ExpiresOn)
		run(7) // the 30-day reminder was missed (no run that day): only the nearest is sent
	})
	t.Run("FoundLate", func(t *testing.T) {
		late := w.create(t, amina, w.input("Registered late", parties, -10, nil, days(20)), sharing.Published, sharing.Clear)
		run(20) // the 30-day reminder, 20 days before; not the 90-day one as well
		advanceTo(7, late.ExpiresOn.Format(time.DateOnly))
		run(7)
	})
	t.Run("AFailureSendsAgainLater", func(t *testing.T) {
		w.create(t, amina, w.input("Delivery failing", parties, -10, nil, days(6)), sharing.Published, sharing.Clear)
		fake.fail = errors.New("mail server down")
		if _, err := svc.SendReminders(ctx); err == nil {
			t.Fatal("the failure was swallowed")
		}
		fake.fail = nil
		run(6)
	})
	t.Run("TwoInstancesSendOnce", func(t *testing.T) {
		w.create(t, amina, w.input("Raced", parties, -10, nil, days(3)), sharing.Published, sharing.Clear)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.SendReminders(ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if sent := fake.take(); len(sent) != 1 {
			t.Fatalf("%d reminders for one agreement", len(sent))
		}
	})
	t.Run("NothingWithoutANotifier", func(t *testing.T) {
		w.create(t, amina, w.input("Unnotified", parties, -10, nil, days(2)), sharing.Published, sharing.Clear)
		svc.Notify = nil
		if n, err := svc.SendReminders(ctx); n != 0 || err != nil {
			t.Fatal(n, err)
		}
		svc.Notify = fake
		run(2) // not marked sent while nobody could send it
	})
}

// TestRemindersThroughNotify sends a reminder through the platform's
// notification service: the owner's admins and editors get it in their
// language; plain members do not.
func TestRemindersThroughNotify(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if w.e.App.Agreements.Notify == nil {
		t.Fatal("the agreements service has no notifier")
	}
	a := w.create(t, "amina@ke-cert.example", w.input("Payments interoperability MoU", []agreements.PartyInput{gov("KE"), gov("CN")}, -10, nil, days(7)),
		sharing.Published, sharing.Clear)
	if n, err := w.e.App.Agreements.SendReminders(ctx); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	for email, want := range map[string]int{"amina@ke-cert.example": 1, "otieno@ke-cert.example": 1, "baraka@ke-cert.example": 0, "li@cncert.example": 0} {
		list, _, err := w.e.App.Notify.List(ctx, w.viewer(t, email).ID, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != want {
			t.Errorf("%s: %d notifications, want %d", email, len(list), want)
			continue
		}
		if want == 1 {
			n := list[0]
			if n.Kind != "agreements.expiry" || n.Path != "/agreements/"+a.ID ||
				n.Text(w.e.App.Catalog.Printer("fr")) != "Accord arrivant à échéance le "+w.date(7)+" : Payments interoperability MoU" {
				t.Errorf("%s: %+v", email, n)
			}
		}
	}
}
