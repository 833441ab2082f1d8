package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
	"harambee.africa/harambee/internal/errs"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// fixture is a migrated database with its trail, timed by a manual clock.
type fixture struct {
	db    *db.DB
	trail *audit.Trail
	clock *clock.Manual
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	d := dbtest.Open(t, audit.Migrations)
	c := clock.NewManual(t0)
	return &fixture{db: d, trail: audit.New(d, c), clock: c}
}

// log appends n varied entries, one second apart.
func (f *fixture) log(t testing.TB, n int) {
	t.Helper()
	actions := []string{"auth.signin", "auth.signin_failed", "org.role_changed", "marking.lowered", "share.added", "export", "account.deleted", "token.write"}
	for i := range n {
		f.clock.Advance(time.Second)
		e := audit.Entry{
			Action:  actions[i%len(actions)],
			Actor:   fmt.Sprintf("p%03d", i%7),
			Details: json.RawMessage(fmt.Sprintf(`{"n": %d, "note": "café ☕ 合作"}`, i)),
		}
		if i%3 == 0 {
			e.OrgID = fmt.Sprintf("org-%d", i%2)
			e.TargetType, e.TargetID = "cert.incident", fmt.Sprintf("inc-%d", i)
			e.ClientAddr = "2001:db8::1"
		}
		if err := f.trail.Log(context.Background(), e); err != nil {
			t.Fatalf("log entry %d: %v", i+1, err)
		}
	}
}

// exec runs raw SQL against the database, as someone with direct access would.
func (f *fixture) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := f.db.W.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// entry returns the stored entry with the given seq.
func (f *fixture) entry(t testing.TB, seq int64) audit.Entry {
	t.Helper()
	p, err := f.trail.List(context.Background(), audit.Filter{}, 1, strconv.FormatInt(seq+1, 10))
	if err != nil || len(p.Items) != 1 || p.Items[0].Seq != seq {
		t.Fatalf("entry %d: %+v, %v", seq, p.Items, err)
	}
	return p.Items[0]
}

func TestEntryHashEncoding(t *testing.T) {
	// Pinned: the hash of a stored entry must never change. Recompute by hand:
	// SHA-256 over each field as an 8-byte big-endian length and its bytes.
	e := audit.Entry{
		Seq: 7, ID: "0192f0c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f",
		Time:   time.Date(2026, 11, 27, 8, 15, 0, 123456000, time.UTC),
		Action: "org.role_changed", Actor: "p_3f9a", OrgID: "org-1",
		TargetType: "membership", TargetID: "m-42", ClientAddr: "192.0.2.1",
		Details: json.RawMessage(`{"from":"member","to":"admin"}`), PrevHash: audit.GenesisHash,
	}
	const want = "2d4360ec6a89d986e8986fb19a85ab92e2e5fd5f760c8b00ad1687ca347e5b8e"
	if got := audit.EntryHash(e); got != want {
		t.Fatalf("EntryHash = %s, want %s", got, want)
	}
	// The same time in another zone is the same instant, so the same hash.
	e.Time = e.Time.In(time.FixedZone("EAT", 3*3600))
	if got := audit.EntryHash(e); got != want {
		t.Errorf("EntryHash depends on the time zone")
	}
	// Moving a byte from one field to the next changes the hash.
	e2 := e
	e2.OrgID, e2.TargetType = "org-1m", "embership"
	if audit.EntryHash(e2) == want {
		t.Errorf("field boundaries are ambiguous")
	}
}

func TestAppendAndVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.log(t, 120)

	r, err := f.trail.Verify(ctx, newSigner(t).PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Entries != 120 || r.Head != 120 || r.Signed != 0 {
		t.Fatalf("report = %+v, problem %v", r, r.Problem)
	}

	first := f.entry(t, 1)
	if first.PrevHash != audit.GenesisHash || first.Hash != audit.EntryHash(first) || first.ID == "" {
		t.Errorf("first entry = %+v", first)
	}
	if !first.Time.Equal(t0.Add(time.Second)) || first.Time.Location() != time.UTC {
		t.Errorf("first time = %v, want %v UTC", first.Time, t0.Add(time.Second))
	}
	second := f.entry(t, 2)
	if second.PrevHash != first.Hash {
		t.Errorf("entry 2 does not chain to entry 1")
	}
}

func TestVerifyEmpty(t *testing.T) {
	f := newFixture(t)
	r, err := f.trail.Verify(context.Background(), newSigner(t).PublicKey())
	if err != nil || !r.OK() || r.Entries != 0 {
		t.Fatalf("Verify = %+v, %v", r, err)
	}
	if _, err := f.trail.Verify(context.Background(), nil); !errs.Is(err, errs.Invalid) {
		t.Errorf("Verify without key: %v, want invalid", err)
	}
}

func TestAppendCommitsWithTheAction(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	errAction := errors.New("the action failed")
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := f.trail.Append(ctx, tx, audit.Entry{Action: "org.role_changed", Actor: "p1"}); err != nil {
			return err
		}
		return errAction
	})
	if !errors.Is(err, errAction) {
		t.Fatalf("Tx = %v", err)
	}
	// The rolled-back entry left no hole: the next one is seq 1.
	if err := f.trail.Log(ctx, audit.Entry{Action: "auth.signin", Actor: "p1"}); err != nil {
		t.Fatal(err)
	}
	p, err := f.trail.List(ctx, audit.Filter{}, 10, "")
	if err != nil || len(p.Items) != 1 || p.Items[0].Seq != 1 || p.Items[0].Action != "auth.signin" {
		t.Fatalf("List = %+v, %v", p, err)
	}
}

func TestAppendValidates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry audit.Entry
		field string
	}{
		{"ActionRequired", audit.Entry{}, "action"},
		{"ActionUpperCase", audit.Entry{Action: "Auth.SignIn"}, "action"},
		{"ActionDoubleDot", audit.Entry{Action: "auth..signin"}, "action"},
		{"ActorIsEmail", audit.Entry{Action: "auth.signin", Actor: "amina@example.org"}, "actor"},
		{"ActorControl", audit.Entry{Action: "auth.signin", Actor: "p1\x00"}, "actor"},
		{"ActorNotUTF8", audit.Entry{Action: "auth.signin", Actor: "p\xff"}, "actor"},
		{"TargetTypeWithoutID", audit.Entry{Action: "export", TargetType: "commerce.product"}, "target_type"},
		{"TargetIDWithoutType", audit.Entry{Action: "export", TargetID: "x"}, "target_type"},
		{"DetailsArray", audit.Entry{Action: "export", Details: json.RawMessage(`[1]`)}, "details"},
		{"DetailsInvalid", audit.Entry{Action: "export", Details: json.RawMessage(`{"a":`)}, "details"},
		{"DetailsTooLong", audit.Entry{Action: "export", Details: json.RawMessage(`{"a":"` + string(make([]byte, 17<<10)) + `"}`)}, "details"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			err := f.trail.Log(context.Background(), tc.entry)
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || e.Fields[tc.field] == "" {
				t.Fatalf("Log = %v, want invalid %s", err, tc.field)
			}
			if p, _ := f.trail.List(context.Background(), audit.Filter{}, 1, ""); len(p.Items) != 0 {
				t.Errorf("an invalid entry was stored")
			}
		})
	}
}

func TestAppendNormalises(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, e := range []audit.Entry{
		{Action: "auth.signin", ClientAddr: "[::ffff:192.0.2.7]:443", Details: json.RawMessage(" { \"a\" : [1, 2] } ")},
		{Action: "auth.signin", ClientAddr: "2001:DB8::1"},
		{Action: "auth.signin", ClientAddr: "example.org\n<script>"},
	} {
		if err := f.trail.Log(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if e := f.entry(t, 1); e.ClientAddr != "192.0.2.7" || string(e.Details) != `{"a":[1,2]}` {
		t.Errorf("entry 1 = %q %s", e.ClientAddr, e.Details)
	}
	if e := f.entry(t, 2); e.ClientAddr != "2001:db8::1" || string(e.Details) != `{}` {
		t.Errorf("entry 2 = %q %s", e.ClientAddr, e.Details)
	}
	// Not an address (a forged proxy header, say): dropped, and the action still recorded.
	if e := f.entry(t, 3); e.ClientAddr != "" {
		t.Errorf("entry 3 client address = %q", e.ClientAddr)
	}
}

func TestTimeNeverGoesBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.log(t, 1)
	first := f.entry(t, 1)
	// Another instance whose clock is a minute behind appends next.
	f.clock.Set(first.Time.Add(-time.Minute))
	if err := f.trail.Log(ctx, audit.Entry{Action: "auth.signin"}); err != nil {
		t.Fatal(err)
	}
	if got := f.entry(t, 2).Time; !got.Equal(first.Time) {
		t.Errorf("time of entry 2 = %v, want %v (that of entry 1)", got, first.Time)
	}
}

func TestList(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.log(t, 40) // entry n at t0 + n seconds

	seqs := func(p audit.Page) []int64 {
		var s []int64
		for _, e := range p.Items {
			s = append(s, e.Seq)
		}
		return s
	}

	t.Run("NewestFirstInPages", func(t *testing.T) {
		var got []int64
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			p, err := f.trail.List(ctx, audit.Filter{}, 15, cursor)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, seqs(p)...)
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if len(got) != 40 || got[0] != 40 || got[39] != 1 {
			t.Fatalf("seqs = %v", got)
		}
		for i := 1; i < len(got); i++ {
			if got[i] != got[i-1]-1 {
				t.Fatalf("seqs = %v", got)
			}
		}
	})

	t.Run("Filters", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			filter audit.Filter
			want   []int64
		}{
			// log(): action i%8, actor i%7, org/target every third entry (i = seq-1).
			{"Action", audit.Filter{Action: "export"}, []int64{38, 30, 22, 14, 6}},
			{"Actor", audit.Filter{Actor: "p006"}, []int64{35, 28, 21, 14, 7}},
			{"Org", audit.Filter{OrgID: "org-1"}, []int64{40, 34, 28, 22, 16, 10, 4}},
			{"Target", audit.Filter{TargetType: "cert.incident", TargetID: "inc-9"}, []int64{10}},
			{"ActionAndActor", audit.Filter{Action: "export", Actor: "p000"}, []int64{22}},
			{"Since", audit.Filter{Since: t0.Add(38 * time.Second)}, []int64{40, 39, 38}},
			{"Until", audit.Filter{Until: t0.Add(3 * time.Second)}, []int64{2, 1}},
			{"Range", audit.Filter{Since: t0.Add(10 * time.Second), Until: t0.Add(13 * time.Second)}, []int64{12, 11, 10}},
			{"RangeAndOrg", audit.Filter{OrgID: "org-1", Since: t0.Add(10 * time.Second), Until: t0.Add(30 * time.Second)}, []int64{28, 22, 16, 10}},
			{"RangeInOtherZone", audit.Filter{Since: t0.Add(38 * time.Second).In(time.FixedZone("CST", 8*3600))}, []int64{40, 39, 38}},
			{"RangeEmpty", audit.Filter{Since: t0.Add(time.Hour)}, nil},
			{"NoMatch", audit.Filter{Actor: "nobody"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := f.trail.List(ctx, tc.filter, 50, "")
				if err != nil {
					t.Fatal(err)
				}
				if got := seqs(p); fmt.Sprint(got) != fmt.Sprint(tc.want) || p.Next != "" {
					t.Errorf("seqs = %v next %q, want %v", got, p.Next, tc.want)
				}
			})
		}
	})

	t.Run("FilteredPages", func(t *testing.T) {
		p, err := f.trail.List(ctx, audit.Filter{OrgID: "org-1"}, 3, "")
		if err != nil || fmt.Sprint(seqs(p)) != "[40 34 28]" || p.Next == "" {
			t.Fatalf("page 1 = %v next %q, %v", seqs(p), p.Next, err)
		}
		p, err = f.trail.List(ctx, audit.Filter{OrgID: "org-1"}, 3, p.Next)
		if err != nil || fmt.Sprint(seqs(p)) != "[22 16 10]" || p.Next == "" {
			t.Fatalf("page 2 = %v next %q, %v", seqs(p), p.Next, err)
		}
		p, err = f.trail.List(ctx, audit.Filter{OrgID: "org-1"}, 3, p.Next)
		if err != nil || fmt.Sprint(seqs(p)) != "[4]" || p.Next != "" {
			t.Fatalf("page 3 = %v next %q, %v", seqs(p), p.Next, err)
		}
	})

	t.Run("BadCursor", func(t *testing.T) {
		for _, c := range []string{"x", "-1", "0", "1e3"} {
			if _, err := f.trail.List(ctx, audit.Filter{}, 10, c); !errs.Is(err, errs.Invalid) {
				t.Errorf("cursor %q: %v, want invalid", c, err)
			}
		}
	})

	t.Run("Limit", func(t *testing.T) {
		p, err := f.trail.List(ctx, audit.Filter{}, 0, "")
		if err != nil || len(p.Items) != 40 {
			t.Fatalf("default limit: %d items, %v", len(p.Items), err)
		}
		p, err = f.trail.List(ctx, audit.Filter{}, 10000, "")
		if err != nil || len(p.Items) != 40 {
			t.Fatalf("huge limit: %d items, %v", len(p.Items), err)
		}
	})
}
