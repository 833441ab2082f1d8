package observable_test

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"

	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/db/dbtest"
)

// schema is the store the package documentation recommends.
var schema = []string{
	`CREATE TABLE cert_observable (
		id TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		value TEXT NOT NULL,
		addr_lo TEXT,
		addr_hi TEXT
	)`,
	`CREATE INDEX cert_observable_value ON cert_observable (kind, value)`,
	`CREATE INDEX cert_observable_addr ON cert_observable (addr_lo)`,
	`CREATE TABLE cert_observable_term (
		term TEXT NOT NULL,
		observable_id TEXT NOT NULL REFERENCES cert_observable (id) ON DELETE CASCADE,
		PRIMARY KEY (term, observable_id)
	)`,
	`CREATE INDEX cert_observable_term_observable ON cert_observable_term (observable_id)`,
}

type store struct {
	d *db.DB
}

func openStore(t testing.TB) *store {
	t.Helper()
	// A test-only migration: the CERT module will own the real tables.
	up := "-- +goose Up\n" + strings.Join(schema, ";\n") + ";\n"
	d := dbtest.Open(t, db.Migrations{Module: "observabletest", FS: fstest.MapFS{
		"2026112700_observabletest.sql": {Data: []byte(up)},
	}})
	return &store{d: d}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insert stores observables with their keys through two prepared statements.
func (s *store) insert(t testing.TB, obs ...observable.Observable) {
	t.Helper()
	err := s.d.Tx(context.Background(), func(tx *sql.Tx) error {
		ins, err := tx.Prepare(`INSERT INTO cert_observable (id, kind, value, addr_lo, addr_hi) VALUES ($1, $2, $3, $4, $5)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		term, err := tx.Prepare(`INSERT INTO cert_observable_term (term, observable_id) VALUES ($1, $2)`)
		if err != nil {
			return err
		}
		defer term.Close()
		for _, o := range obs {
			k := observable.KeysOf(o)
			id := uuid.Must(uuid.NewV7()).String()
			if _, err := ins.Exec(id, string(o.Kind), o.Value, nullable(k.Lo), nullable(k.Hi)); err != nil {
				return err
			}
			for _, x := range k.Terms {
				if _, err := term.Exec(x, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
}

// correlateQuery is the one query of the package documentation.
func correlateQuery(k observable.Keys) (string, []any) {
	var q strings.Builder
	args := make([]any, 0, len(k.Probes)+2)
	q.WriteString(`SELECT o.kind, o.value FROM cert_observable o WHERE o.id IN (SELECT observable_id FROM cert_observable_term WHERE term IN (`)
	for i, p := range k.Probes {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, p)
		q.WriteString("$" + strconv.Itoa(len(args)))
	}
	q.WriteString(")")
	if k.Lo != "" {
		args = append(args, k.Lo, k.Hi)
		q.WriteString(" UNION SELECT id FROM cert_observable WHERE addr_lo >= $" + strconv.Itoa(len(args)-1) + " AND addr_lo <= $" + strconv.Itoa(len(args)))
	}
	q.WriteString(")")
	return q.String(), args
}

// correlate returns "kind value" of every stored observable linked to o.
func (s *store) correlate(t testing.TB, o observable.Observable) []string {
	t.Helper()
	q, args := correlateQuery(observable.KeysOf(o))
	rows, err := s.d.R.Query(q, args...)
	if err != nil {
		t.Fatalf("correlate: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, k+" "+v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func mustParse(t testing.TB, k observable.Kind, s string) observable.Observable {
	t.Helper()
	o, err := observable.Parse(k, s)
	if err != nil {
		t.Fatalf("Parse(%s, %q): %v", k, s, err)
	}
	return o
}

func TestCorrelate(t *testing.T) {
	s := openStore(t)
	stored := []struct {
		k observable.Kind
		v string
	}{
		{observable.Domain, "example.com"},
		{observable.Domain, "a.b.example.com"},
		{observable.Domain, "example.co.uk"},
		{observable.URL, "http://login.evil.example.net/x"},
		{observable.Email, "boss@mail.corp.example.org"},
		{observable.IPv4, "192.0.2.10"},
		{observable.CIDR4, "198.51.100.0/24"},
		{observable.CIDR4, "10.0.0.0/8"},
		{observable.IPv6, "2001:db8:1::5"},
		{observable.CIDR6, "2001:db8:2::/48"},
		{observable.URL, "http://203.0.113.7:8080/payload"},
		{observable.MD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{observable.Filename, "setup.exe"},
	}
	var obs []observable.Observable
	for _, x := range stored {
		obs = append(obs, mustParse(t, x.k, x.v))
	}
	s.insert(t, obs...)

	tests := []struct {
		name string
		k    observable.Kind
		v    string
		want []string
	}{
		{"SameDomain", observable.Domain, "EXAMPLE.com", []string{"domain a.b.example.com", "domain example.com"}},
		{"SubDomainFindsParent", observable.Domain, "x.example.com", []string{"domain example.com"}},
		{"ParentFindsSubDomain", observable.Domain, "b.example.com", []string{"domain a.b.example.com", "domain example.com"}},
		{"SiblingSubDomain", observable.Domain, "c.b.example.com", []string{"domain example.com"}},
		{"PublicSuffixSibling", observable.Domain, "other.co.uk", nil},
		{"PublicSuffixItself", observable.Domain, "co.uk", nil},
		{"PublicSuffixChild", observable.Domain, "www.example.co.uk", []string{"domain example.co.uk"}},
		{"DomainFindsURL", observable.Domain, "evil.example.net", []string{"url http://login.evil.example.net/x"}},
		{"URLFindsDomain", observable.URL, "https://a.b.example.com/other", []string{"domain a.b.example.com", "domain example.com"}},
		{"SameURL", observable.URL, "HTTP://login.evil.example.net:80/x#f", []string{"url http://login.evil.example.net/x"}},
		{"DomainFindsEmail", observable.Domain, "corp.example.org", []string{"email boss@mail.corp.example.org"}},
		{"EmailFindsDomain", observable.Email, "x@a.b.example.com", []string{"domain a.b.example.com", "domain example.com"}},
		{"EmailsAtOneDomainDoNotMeet", observable.Email, "other@mail.corp.example.org", nil},
		{"SameEmail", observable.Email, "boss@MAIL.corp.example.org", []string{"email boss@mail.corp.example.org"}},
		{"SameIP", observable.IPv4, "192.0.2.10", []string{"ipv4 192.0.2.10"}},
		{"OtherIP", observable.IPv4, "192.0.2.11", nil},
		{"IPInsideCIDR", observable.IPv4, "198.51.100.200", []string{"cidr4 198.51.100.0/24"}},
		{"IPInsideTwoCIDRs", observable.IPv4, "10.1.2.3", []string{"cidr4 10.0.0.0/8"}},
		{"CIDRContainsIP", observable.CIDR4, "192.0.2.0/24", []string{"ipv4 192.0.2.10"}},
		{"CIDRContainsCIDR", observable.CIDR4, "10.0.0.0/7", []string{"cidr4 10.0.0.0/8"}},
		{"CIDRInsideCIDR", observable.CIDR4, "10.20.0.0/16", []string{"cidr4 10.0.0.0/8"}},
		{"CIDRBeside", observable.CIDR4, "198.51.101.0/24", nil},
		{"CIDRContainsURLOnIP", observable.CIDR4, "203.0.113.0/24", []string{"url http://203.0.113.7:8080/payload"}},
		{"URLOnIPFindsCIDR", observable.URL, "http://198.51.100.9/x", []string{"cidr4 198.51.100.0/24"}},
		{"URLOnIPFindsIP", observable.URL, "https://192.0.2.10:8443/", []string{"ipv4 192.0.2.10"}},
		{"URLOnIPv6FindsCIDR", observable.URL, "http://[2001:db8:2::80]/", []string{"cidr6 2001:db8:2::/48"}},
		{"IPFindsURL", observable.IPv4, "203.0.113.7", []string{"url http://203.0.113.7:8080/payload"}},
		{"IPv6InsideCIDR", observable.IPv6, "2001:db8:2:ffff::1", []string{"cidr6 2001:db8:2::/48"}},
		{"CIDR6ContainsIPv6", observable.CIDR6, "2001:db8::/32", []string{"cidr6 2001:db8:2::/48", "ipv6 2001:db8:1::5"}},
		{"IPv6Outside", observable.IPv6, "2001:db9::1", nil},
		{"FamiliesApart", observable.CIDR6, "::/0", []string{"cidr6 2001:db8:2::/48", "ipv6 2001:db8:1::5"}},
		{"MappedIsIPv4", observable.IPv6, "::ffff:192.0.2.10", []string{"ipv4 192.0.2.10"}},
		{"SameHash", observable.MD5, "D41D8CD98F00B204E9800998ECF8427E", []string{"md5 d41d8cd98f00b204e9800998ecf8427e"}},
		{"SameFilename", observable.Filename, "setup.exe", []string{"filename setup.exe"}},
		{"FilenameIsNotDomain", observable.Domain, "setup.exe", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.correlate(t, mustParse(t, tc.k, tc.v))
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("correlate %s %q = %q, want %q", tc.k, tc.v, got, tc.want)
			}
		})
	}

	// The literal range form of "a CIDR containing this address" gives the
	// same answer as the net: probes the documentation recommends.
	ip := observable.KeysOf(mustParse(t, observable.IPv4, "198.51.100.200")).Lo
	var n int
	if err := s.d.R.QueryRow(`SELECT COUNT(*) FROM cert_observable WHERE kind IN ('cidr4', 'cidr6') AND addr_lo <= $1 AND addr_hi >= $1`, ip).Scan(&n); err != nil || n != 1 {
		t.Errorf("range form: %d, %v", n, err)
	}
}

func TestKeysOf(t *testing.T) {
	k := observable.KeysOf(mustParse(t, observable.Domain, "a.b.example.co.uk"))
	want := []string{"domain:a.b.example.co.uk", "host:a.b.example.co.uk", "anc:a.b.example.co.uk", "anc:b.example.co.uk", "anc:example.co.uk"}
	if !slices.Equal(k.Terms, want) || k.Exact != "domain:a.b.example.co.uk" || k.Lo != "" {
		t.Errorf("domain keys %+v", k)
	}
	k = observable.KeysOf(mustParse(t, observable.IPv4, "192.0.2.1"))
	if k.Lo != "4:c0000201" || k.Hi != k.Lo || len(k.Probes) != 1+33 || k.Probes[33] != "net:4:c0000201/32" || k.Probes[1] != "net:4:00000000/0" {
		t.Errorf("ipv4 keys %+v", k)
	}
	k = observable.KeysOf(mustParse(t, observable.CIDR6, "2001:db8::/32"))
	if k.Lo != "6:20010db8000000000000000000000000" || k.Hi != "6:20010db8ffffffffffffffffffffffff" || !slices.Contains(k.Terms, "net:6:20010db8000000000000000000000000/32") {
		t.Errorf("cidr6 keys %+v", k)
	}
	k = observable.KeysOf(mustParse(t, observable.SHA256, strings.Repeat("a", 64)))
	if len(k.Terms) != 1 || len(k.Probes) != 1 || k.Lo != "" {
		t.Errorf("hash keys %+v", k)
	}
}
