// Package observable reads, normalises and keys the observables CERTs
// exchange: IP addresses and CIDRs, domains, URLs, e-mail addresses, file
// hashes and file names. It is a pure library: Parse normalises one value,
// ParseBulk reads a pasted or uploaded list (defanged or not), and KeysOf
// gives the keys that let a store find, with ordinary B-tree indexes on
// SQLite and PostgreSQL alike, every stored observable that is the same
// value, a parent or sub-domain, the host of a URL or the domain of an
// e-mail address, an address inside a CIDR or a CIDR around an address.
//
// The store this package is designed for (and that its tests build):
//
//	CREATE TABLE cert_observable (
//	    id      TEXT PRIMARY KEY,   -- UUIDv7
//	    kind    TEXT NOT NULL,      -- Observable.Kind
//	    value   TEXT NOT NULL,      -- Observable.Value
//	    addr_lo TEXT,               -- Keys.Lo, NULL when empty
//	    addr_hi TEXT                -- Keys.Hi, NULL when empty
//	    -- case, markings, timestamps: the CERT module's columns
//	);
//	CREATE INDEX cert_observable_value ON cert_observable (kind, value);
//	CREATE INDEX cert_observable_addr ON cert_observable (addr_lo);
//	CREATE TABLE cert_observable_term (
//	    term          TEXT NOT NULL, -- one row per Keys.Terms entry
//	    observable_id TEXT NOT NULL REFERENCES cert_observable (id) ON DELETE CASCADE,
//	    PRIMARY KEY (term, observable_id)
//	);
//	CREATE INDEX cert_observable_term_observable ON cert_observable_term (observable_id);
//
// Correlating an observable o with k := KeysOf(o) is then one query of
// index look-ups, to be joined with what the viewer may see:
//
//	SELECT observable_id FROM cert_observable_term WHERE term IN ($1, …, $n)  -- k.Probes
//	UNION
//	SELECT id FROM cert_observable WHERE addr_lo >= $lo AND addr_lo <= $hi    -- k.Lo, k.Hi, when set
//
// The containing-CIDR direction is not asked as "addr_lo <= ip AND addr_hi
// >= ip": a B-tree bounds only one side of that, so it would scan every CIDR
// below the address. Since CIDRs are aligned, the only CIDRs that can contain
// an address are its 33 (or 129) prefixes, and KeysOf lists them as exact
// "net:" probes. The range form answers the other direction, the stored
// addresses, URLs on addresses and smaller CIDRs inside a CIDR; callers
// should LIMIT it, since a /8 may hold many. The address keys are lower-case
// hex of fixed width behind a family tag ("4:", "6:"), which sorts the same
// under SQLite's BINARY collation and PostgreSQL's usual ones.
package observable
