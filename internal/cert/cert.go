// Package cert is CERT cooperation (action 2.1 of the plan): the directory
// of national and sector CERTs, their vetting, and their contact details.
//
// A team is an organisation of kind national_cert or sector_cert. Its
// public profile (constituency, languages, FIRST membership) lives in
// cert_teams; its contact block (24/7 contacts, PGP key, hours) is a
// shareable record of type "cert.contacts", one per team, marked GREEN with
// the vetted CERTs as its community, so that the kernel's sharing rule, not
// a special case, decides who reads it.
//
// A CERT is vetted when a platform administrator has verified it and two
// vetted CERTs vouch for it; the first ones are marked "founding" by an
// administrator instead. The vetted CERTs are the members of the sharing
// group "vetted-certs", which Reconcile keeps equal to the computed set.
package cert

import (
	"context"
	"embed"
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/clock"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/notify"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates
var templateFS embed.FS

// Migrations create the teams, their contact blocks and the vouches.
var Migrations = db.Embedded("cert", migrationFS, "migrations")

// Module names the CERT programme office ("office-cert").
const Module = "cert"

// GroupSlug is the slug of the vetted CERTs' community.
const GroupSlug = "vetted-certs"

// RoleAnalyst is the organisation role that edits a team's profile besides its admins.
const RoleAnalyst = "cert_analyst"

// ContactsTypeName is the sharing type of a team's contact block.
const ContactsTypeName = "cert.contacts"

// ContactsType is the sharing type the wiring declares.
var ContactsType = sharing.Type{Name: ContactsTypeName, Table: "cert_contacts", Title: "title", EditorRoles: []string{RoleAnalyst},
	Path: func(id string) string { return "/cert/contacts/" + id }}

// VettingKind is the notification of a team's admins when it is vouched
// for, becomes vetted or stops being vetted.
var VettingKind = notify.Kind{Name: "cert.vetting", Default: notify.Now}

// Limits.
const (
	MaxConstituency = 2000 // characters per language
	MaxHours        = 500
	MaxContacts     = 8
	MaxContactName  = 100
	MaxLanguages    = 20
	MaxKeyBytes     = 64 << 10
	FirstYear       = 1990 // FIRST was founded in 1990
)

// Kinds are the organisation kinds that are CERTs.
var Kinds = []org.Kind{org.NationalCERT, org.SectorCERT}

// IsCERT reports whether an organisation kind is a CERT.
func IsCERT(k org.Kind) bool { return slices.Contains(Kinds, k) }

// InTeam reports whether the viewer belongs to a CERT team: the navigation
// shows the case work only to them.
func InTeam(v *web.Viewer) bool {
	return v != nil && slices.ContainsFunc(v.Orgs, func(m web.Membership) bool { return IsCERT(org.Kind(m.Kind)) })
}

// Notifier delivers notifications to an organisation's members.
type Notifier interface {
	SendOrg(ctx context.Context, q db.Querier, orgID string, roles []string, n notify.Note) error
}

// AgreementLister lists the agreements of an organisation a viewer may see
// (the agreements register's ForOrg).
type AgreementLister interface {
	ForOrg(ctx context.Context, v *web.Viewer, orgID string) ([]agreements.Summary, error)
}

// Service is the CERT directory and vetting.
type Service struct {
	DB      *db.DB
	Clock   clock.Clock
	Site    *web.Site
	Sharing *sharing.Service
	Orgs    *org.Service
	Audit   account.Auditor
	Office  *org.Org       // the CERT programme office, owner of the community
	Group   *sharing.Group // the vetted CERTs
	// Notify tells teams of vouches and vetting; nothing is sent while nil.
	Notify Notifier
	// Agreements lists the agreements shown on profiles; none while nil.
	Agreements AgreementLister
}

// Open makes sure the programme office and the vetted CERTs' group exist.
func Open(ctx context.Context, d *db.DB, clk clock.Clock, orgs *org.Service, sh *sharing.Service) (*Service, error) {
	office, err := orgs.CreateOffice(ctx, Module, "CERT Cooperation Programme Office")
	if err != nil {
		return nil, err
	}
	g, err := sh.EnsureGroup(ctx, office.ID, GroupSlug, "Vetted CERTs", Module)
	if err != nil {
		return nil, err
	}
	return &Service{DB: d, Clock: clk, Orgs: orgs, Sharing: sh, Office: office, Group: g}, nil
}

// Contact is one 24/7 contact of a team.
type Contact struct {
	Name           string `json:"name"`
	Phone          string `json:"phone"`
	Email          string `json:"email"`
	EmergencyPhone string `json:"emergency_phone"`
}

// Key is what the directory shows of a team's OpenPGP public key.
type Key struct {
	Fingerprint string     `json:"fingerprint"` // 40 hex digits, upper case
	Algorithm   string     `json:"algorithm"`
	Bits        int        `json:"bits"`
	UserIDs     []string   `json:"user_ids"`
	Created     time.Time  `json:"created"`
	Expires     *time.Time `json:"expires"`
}

// Grouped is the fingerprint in groups of four, as people compare them.
func (k *Key) Grouped() string {
	var parts []string
	for i := 0; i+4 <= len(k.Fingerprint); i += 4 {
		parts = append(parts, k.Fingerprint[i:i+4])
	}
	return strings.Join(parts, " ")
}

// Profile is a team's directory entry.
type Profile struct {
	Org          *org.Org   `json:"-"`
	Constituency text.Text  `json:"constituency"`
	Languages    []string   `json:"languages"`
	FirstMember  bool       `json:"first_member"`
	FirstSince   int        `json:"first_since,omitempty"`
	Founding     bool       `json:"founding"`
	Vetted       bool       `json:"vetted"`
	Vouchers     []string   `json:"vouchers"` // slugs of the vetted CERTs vouching for it
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
}

// Contacts is a team's contact block, for those who may see it.
type Contacts struct {
	ID        string          `json:"id"`
	Marking   sharing.Marking `json:"marking"`
	Contacts  []Contact       `json:"contacts"`
	Hours     string          `json:"hours"`
	Key       *Key            `json:"pgp_key"`
	Armored   string          `json:"pgp_key_armored"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Input is a whole new profile with its contact block; Save replaces the old.
type Input struct {
	Constituency text.Text
	Languages    []string
	FirstMember  bool
	FirstSince   string
	Contacts     []Contact
	Hours        string
	PGPKey       string
}

var phoneRE = regexp.MustCompile(`^\+[0-9][0-9 ()-]{5,24}[0-9]$`)

// check validates the input at now and returns the parsed key (nil when
// none is given), with field errors keyed like the form.
func (in *Input) check(now time.Time) (*Key, error) {
	bad := map[string]string{}
	if err := in.Constituency.Check(text.Limits{Max: MaxConstituency}); err != nil {
		bad["constituency"] = fieldKey(err)
	}
	var langs []string
	for _, l := range in.Languages {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		base, err := language.ParseBase(l)
		if err != nil {
			bad["languages"] = "cert.error.language"
			continue
		}
		if !slices.Contains(langs, base.String()) {
			langs = append(langs, base.String())
		}
	}
	if len(langs) > MaxLanguages {
		bad["languages"] = "cert.error.too_many"
	}
	in.Languages = langs
	in.FirstSince = strings.TrimSpace(in.FirstSince)
	if in.FirstMember {
		y, err := strconv.Atoi(in.FirstSince)
		if err != nil || y < FirstYear || y > now.Year() {
			bad["first_since"] = "cert.error.first_since"
		}
	} else {
		in.FirstSince = ""
	}
	var contacts []Contact
	for i, c := range in.Contacts {
		c = Contact{Name: strings.TrimSpace(c.Name), Phone: strings.TrimSpace(c.Phone), Email: strings.TrimSpace(c.Email),
			EmergencyPhone: strings.TrimSpace(c.EmergencyPhone)}
		if c == (Contact{}) {
			continue
		}
		key := "contacts." + strconv.Itoa(i)
		switch {
		case c.Phone == "" && c.Email == "" && c.EmergencyPhone == "":
			bad[key] = "cert.error.contact_empty"
		case utf8.RuneCountInString(c.Name) > MaxContactName || !web.CleanText(c.Name):
			bad[key] = "cert.error.contact_name"
		case c.Phone != "" && !phoneRE.MatchString(c.Phone), c.EmergencyPhone != "" && !phoneRE.MatchString(c.EmergencyPhone):
			bad[key] = "cert.error.phone"
		case c.Email != "" && !ValidEmail(c.Email):
			bad[key] = "cert.error.email"
		}
		contacts = append(contacts, c)
	}
	if len(contacts) > MaxContacts {
		bad["contacts"] = "cert.error.too_many"
	}
	in.Contacts = contacts
	in.Hours = strings.TrimSpace(in.Hours)
	if utf8.RuneCountInString(in.Hours) > MaxHours || !web.CleanText(in.Hours) {
		bad["hours"] = "cert.error.hours"
	}
	var key *Key
	if strings.TrimSpace(in.PGPKey) != "" {
		k, err := ParseKey(in.PGPKey, now)
		var fe *errs.Error
		if errors.As(err, &fe) && fe.Fields != nil {
			bad["pgp_key"] = fe.Fields["pgp_key"]
		} else if err != nil {
			return nil, err
		}
		key = k
	}
	if len(bad) > 0 {
		return nil, errs.Field("cert.profile", bad)
	}
	return key, nil
}

// ValidEmail reports whether s is one plain e-mail address.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

// fieldKey is the message key of a field error's first field.
func fieldKey(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		for _, k := range e.Fields {
			return k
		}
	}
	return errs.KeyOf(err)
}
