package demo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
	"harambee.africa/harambee/internal/cert/lessons"
	"harambee.africa/harambee/internal/cert/observables"
	"harambee.africa/harambee/internal/cert/reports"
	"harambee.africa/harambee/internal/cert/taxii"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// CERT cooperation in the demo: the Senegalese and Tanzanian CERTs are the
// founding vetted teams and vouch for the Chinese telecom and Algerian ones;
// Senegal keeps a trust circle with the other two; Senegal works a
// phishing case and hands it over to the Chinese team, which accepted; a
// member enterprise has reported an incident to Tanzania; Tanzania shares a
// lesson learned with the vetted CERTs; Senegal publishes the phishing
// case's indicators in the public TAXII collection.

var (
	foundingCERTs = []string{"cert-sn", "cert-tz"}
	vouchedCERTs  = map[string][]string{"telecom-cert-cn": {"cert-sn", "cert-tz"}, "cert-dz": {"cert-sn", "cert-tz"}}
)

const (
	demoCircle    = "sn-tz-cn"
	demoCaseTitle = "Campagne d’hameçonnage imitant un service de mobile money (démo)"
	demoLesson    = "Somo: shambulio la DDoS dhidi ya tovuti ya huduma za serikali (demo)"
	demoReport    = "Unusual logins to our student portal from abroad (demo)"
)

// ensureCERT loads the CERT cooperation content; what exists is kept.
func ensureCERT(ctx context.Context, a *app.App, adm *account.User) error {
	admin := viewer(adm)
	c := a.Cert
	teams := map[string]*web.Viewer{} // team slug → its owner, with memberships
	for _, slug := range []string{"cert-sn", "cert-tz", "telecom-cert-cn", "cert-dz"} {
		v, err := ownerOf(ctx, a, slug)
		if err != nil {
			return err
		}
		teams[slug] = v
	}
	for _, slug := range foundingCERTs {
		o, err := a.Orgs.BySlug(ctx, slug)
		if err != nil {
			return err
		}
		if vetted, err := c.IsVetted(ctx, o.ID); err != nil {
			return err
		} else if !vetted {
			if err := c.SetFounding(ctx, admin, o, true, ""); err != nil {
				return fmt.Errorf("founding %s: %w", slug, err)
			}
		}
	}
	for slug, by := range vouchedCERTs {
		o, err := a.Orgs.BySlug(ctx, slug)
		if err != nil {
			return err
		}
		for _, voucher := range by {
			vo, err := a.Orgs.BySlug(ctx, voucher)
			if err != nil {
				return err
			}
			if err := c.Vouch(ctx, teams[voucher], o, vo.ID, true, ""); err != nil && !errs.Is(err, errs.Conflict) {
				return fmt.Errorf("vouch %s for %s: %w", voucher, slug, err)
			}
		}
	}
	sn := teams["cert-sn"]
	if _, err := c.CircleBySlug(ctx, sn, demoCircle); errs.Is(err, errs.NotFound) {
		snOrg, err := a.Orgs.BySlug(ctx, "cert-sn")
		if err != nil {
			return err
		}
		circle, err := c.CreateCircle(ctx, sn, snOrg.ID, demoCircle, "Dakar – Dar es Salaam – Beijing")
		if err != nil {
			return fmt.Errorf("demo circle: %w", err)
		}
		for _, member := range []string{"cert-tz", "telecom-cert-cn"} {
			if err := c.SetCircleMember(ctx, sn, circle, member, true); err != nil {
				return fmt.Errorf("demo circle member %s: %w", member, err)
			}
		}
	} else if err != nil {
		return err
	}
	if err := ensureCERTCase(ctx, a, teams); err != nil {
		return err
	}
	if err := ensureCERTLesson(ctx, a, teams["cert-tz"]); err != nil {
		return err
	}
	if err := ensureCERTReport(ctx, a); err != nil {
		return err
	}
	return ensureCERTFeed(ctx, a)
}

// demoIndicators are what the Senegalese CERT publishes, TLP:CLEAR, in the
// public TAXII collection: the phishing case's domains, which it wants
// every network to block. The addresses and names are documentation ones.
var demoIndicators = []string{
	`{"type":"identity","spec_version":"2.1","id":"identity--5b1c3d0e-2f4a-4c83-9d6e-1a7b8c9d0e01","created":"2026-11-20T08:00:00.000Z","modified":"2026-11-20T08:00:00.000Z","name":"CERT national du Sénégal (démo)","identity_class":"organization","object_marking_refs":["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]}`,
	`{"type":"indicator","spec_version":"2.1","id":"indicator--5b1c3d0e-2f4a-4c83-9d6e-1a7b8c9d0e02","created":"2026-11-20T08:00:00.000Z","modified":"2026-11-20T08:00:00.000Z","created_by_ref":"identity--5b1c3d0e-2f4a-4c83-9d6e-1a7b8c9d0e01","name":"Faux site de mobile money (démo)","indicator_types":["malicious-activity"],"pattern":"[domain-name:value = 'mobile-money-verification.example']","pattern_type":"stix","valid_from":"2026-11-20T08:00:00Z","object_marking_refs":["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]}`,
	`{"type":"indicator","spec_version":"2.1","id":"indicator--5b1c3d0e-2f4a-4c83-9d6e-1a7b8c9d0e03","created":"2026-11-20T08:00:00.000Z","modified":"2026-11-20T08:00:00.000Z","created_by_ref":"identity--5b1c3d0e-2f4a-4c83-9d6e-1a7b8c9d0e01","name":"Hébergement des pages d’hameçonnage (démo)","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.23']","pattern_type":"stix","valid_from":"2026-11-20T08:00:00Z","object_marking_refs":["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]}`,
}

func ensureCERTFeed(ctx context.Context, a *app.App) error {
	sn, err := a.Orgs.BySlug(ctx, "cert-sn")
	if err != nil {
		return err
	}
	objects := make([]json.RawMessage, len(demoIndicators))
	for i, o := range demoIndicators {
		objects[i] = json.RawMessage(o)
	}
	// The same versions again are skipped: a second load adds nothing.
	res, err := a.CertParts.TAXII.ImportObjects(ctx, taxii.PublicID, objects, sn.ID)
	if err != nil {
		return fmt.Errorf("demo indicators: %w", err)
	}
	if len(res.Failed) > 0 {
		return fmt.Errorf("demo indicators refused: %+v", res.Failed)
	}
	return nil
}

// ownerOf is the viewer of the person who created a demo organisation.
func ownerOf(ctx context.Context, a *app.App, slug string) (*web.Viewer, error) {
	spec := specOf(slug)
	if spec == nil {
		return nil, fmt.Errorf("demo: no organisation %s", slug)
	}
	u, err := ensureUser(ctx, a, spec.owner)
	if err != nil {
		return nil, err
	}
	v := viewer(u)
	if v.Orgs, err = a.Orgs.Memberships(ctx, u.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// demoExists reports whether a row with the title is in a table.
func demoExists(ctx context.Context, a *app.App, table, column, title string) (bool, error) {
	var one int
	err := a.DB.R.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE `+column+` = $1`, title).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func ensureCERTCase(ctx context.Context, a *app.App, teams map[string]*web.Viewer) error {
	if ok, err := demoExists(ctx, a, "cert_cases", "title", demoCaseTitle); ok || err != nil {
		return err
	}
	s := a.CertParts.Cases
	sn, cn := teams["cert-sn"], teams["telecom-cert-cn"]
	k, err := s.Create(ctx, sn, cases.Input{OwnerOrg: "cert-sn", Title: demoCaseTitle,
		Summary: "Des SMS invitent les abonnés à « confirmer leur compte » sur un faux site de mobile money. " +
			"Les pages sont hébergées hors du pays ; plusieurs victimes au Sénégal et en Côte d’Ivoire.",
		Category: "phishing", Severity: "high", Marking: "amber", Countries: []string{"SN", "CI"}, Sectors: []string{"banking", "digital_infrastructure"}}, "")
	if err != nil {
		return fmt.Errorf("demo case: %w", err)
	}
	if _, err := s.SetStatus(ctx, sn, k.ID, cert.StatusInProgress, ""); err != nil {
		return fmt.Errorf("demo case status: %w", err)
	}
	if _, err := s.AddTask(ctx, sn, k.ID, cases.TaskInput{Title: ptr("Demander le retrait des pages auprès de l’hébergeur")}, ""); err != nil {
		return fmt.Errorf("demo case task: %w", err)
	}
	if _, err := s.Comment(ctx, sn, k.ID, "Trois nouveaux domaines signalés par l’opérateur ce matin.", ""); err != nil {
		return fmt.Errorf("demo case note: %w", err)
	}
	// The phishing pages' domain and address, pasted as an analyst would (defanged),
	// and handed over with the case.
	pasted, err := a.CertParts.Observables.Paste(ctx, sn, k.ID, observables.PasteInput{
		Text: "hxxps://mobile-money-verification[.]example/login\n198.51.100[.]23", Labels: []string{"phishing"}}, "")
	if err != nil {
		return fmt.Errorf("demo observables: %w", err)
	}
	h, err := s.HandOver(ctx, sn, k.ID, cases.HandOverInput{To: "telecom-cert-cn", Observables: pasted.IDs,
		Summary: "The phishing pages are hosted on a cloud provider in China; please ask for their removal and share what the " +
			"provider's logs show."}, "")
	if err != nil {
		return fmt.Errorf("demo hand-over: %w", err)
	}
	if _, err := s.Accept(ctx, cn, h.ID, ""); err != nil {
		return fmt.Errorf("demo hand-over accepted: %w", err)
	}
	return nil
}

func ensureCERTLesson(ctx context.Context, a *app.App, tz *web.Viewer) error {
	if ok, err := demoExists(ctx, a, "cert_lessons", "title_plain", demoLesson); ok || err != nil {
		return err
	}
	sw := func(sw, en string) text.Input {
		return text.Input{Original: "sw", Texts: map[string]string{"sw": sw, "en": en}}
	}
	_, err := a.CertParts.Lessons.Create(ctx, tz, lessons.Input{OwnerOrg: "cert-tz", Marking: "green",
		Title: sw(demoLesson, "Lesson: a DDoS attack on a government services portal (demo)"),
		Happened: sw("Tovuti ya huduma za serikali ilishambuliwa kwa saa sita na trafiki kutoka vifaa vya IoT vilivyoambukizwa.",
			"The government services portal was flooded for six hours by traffic from infected IoT devices."),
		Worked: sw("Kuhamisha tovuti nyuma ya huduma ya kuchuja trafiki ndani ya saa mbili.",
			"Moving the portal behind a traffic-scrubbing service within two hours."),
		Change: sw("Kuandaa mkataba wa kuchuja trafiki kabla ya tukio, si wakati wa tukio.",
			"Having the scrubbing contract in place before an incident, not during one."),
		Category: "availability", Sectors: []string{"public_administration"}, Countries: []string{"TZ"}}, "")
	if err != nil {
		return fmt.Errorf("demo lesson: %w", err)
	}
	return nil
}

func ensureCERTReport(ctx context.Context, a *app.App) error {
	if ok, err := demoExists(ctx, a, "cert_reports", "title", demoReport); ok || err != nil {
		return err
	}
	v, err := ownerOf(ctx, a, "arusha-tech")
	if err != nil {
		return err
	}
	_, err = a.CertParts.Reports.Submit(ctx, v, reports.Input{Country: "TZ", Title: demoReport,
		Description: "Since Monday our student portal shows successful logins at night from addresses abroad, for accounts whose " +
			"owners were asleep. We reset the passwords; the logins continue.",
		Category: "intrusion", ReporterOrg: "arusha-tech", Consent: true, Lang: "en"}, reports.Proof{}, "")
	if err != nil {
		return fmt.Errorf("demo report: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
