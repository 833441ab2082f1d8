package demo

import (
	"context"
	"fmt"

	"harambee.africa/harambee/internal/agreements"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/sharing"
)

// demoAgreement is an agreement one demo organisation registers. All are
// fictional, and their titles say so.
type demoAgreement struct {
	owner   string // the slug of the registering organisation
	in      agreements.Input
	publish bool
}

var demoAgreements = []demoAgreement{
	{owner: "cert-sn", publish: true, in: agreements.Input{Marking: "clear", Kind: "mou",
		Title: agreements.TextInput{Original: "fr", Texts: map[string]string{
			"fr":      "Protocole d’accord sur la réponse aux incidents transfrontaliers (démo)",
			"zh-Hans": "关于跨境事件响应的谅解备忘录（演示）",
			"en":      "Memorandum of understanding on cross-border incident response (demo)"}},
		Scope: agreements.TextInput{Original: "fr", Texts: map[string]string{
			"fr": "Échange d’indicateurs, transmission des incidents entre les deux équipes, exercices annuels communs.",
			"en": "Exchange of indicators, hand-over of incidents between the two teams, a joint exercise each year."}},
		Parties:  []agreements.PartyInput{{Kind: "org", Org: "cert-sn"}, {Kind: "org", Org: "telecom-cert-cn"}},
		SignedOn: "2026-05-14", ExpiresOn: "2029-05-13", Sectors: []string{"cybersecurity", "telecom_networks"},
		Actions: []string{"2.1"}, Languages: []string{"fr", "zh", "en"},
		Event: agreements.EventInput{Name: "Réunion technique des CERT (démo)", City: "Dakar", Country: "SN", Date: "2026-05-14"}}},
	{owner: "zhongfei-digital-centre", publish: true, in: agreements.Input{Marking: "clear", Kind: "framework",
		Title: agreements.TextInput{Original: "zh-Hans", Texts: map[string]string{
			"zh-Hans": "丝路电商合作框架（演示）",
			"en":      "Silk Road e-commerce cooperation framework (demo)",
			"sw":      "Mfumo wa ushirikiano wa biashara mtandaoni wa Njia ya Hariri (demo)"}},
		Scope: agreements.TextInput{Original: "zh-Hans", Texts: map[string]string{
			"zh-Hans": "建立电子商务合作机制，支持非洲商品通过线上渠道进入中国市场。",
			"en":      "A cooperation mechanism for e-commerce, helping African goods reach Chinese buyers online."}},
		Parties:  []agreements.PartyInput{{Kind: "government", Country: "CN"}, {Kind: "government", Country: "KE"}, {Kind: "org", Org: "zhongfei-digital-centre"}},
		SignedOn: "2026-03-02", EffectiveFrom: "2026-04-01", Sectors: []string{"ecommerce", "logistics", "payments_fintech"},
		Actions: []string{"1.3"}, Languages: []string{"zh", "en", "sw"}}},
	{owner: "arusha-tech", in: agreements.Input{Marking: "amber", Kind: "agreement",
		Title: agreements.TextInput{Original: "sw", Texts: map[string]string{
			"sw": "Makubaliano ya mafunzo ya wahandisi wa mitandao (demo)",
			"en": "Agreement on training network engineers (demo)"}},
		Parties:  []agreements.PartyInput{{Kind: "org", Org: "arusha-tech"}, {Kind: "org", Org: "changjiang-digital"}},
		SignedOn: "2025-12-10", ExpiresOn: "2027-01-31", Sectors: []string{"edtech_training"},
		Actions: []string{"3.1"}, Languages: []string{"sw", "zh"}}},
}

// ensureAgreements registers the demo agreements that are not there yet.
func ensureAgreements(ctx context.Context, a *app.App) error {
	for _, d := range demoAgreements {
		var spec *orgSpec
		for i := range orgs {
			if orgs[i].slug == d.owner {
				spec = &orgs[i]
			}
		}
		if spec == nil {
			return fmt.Errorf("demo agreement: no organisation %s", d.owner)
		}
		u, err := ensureUser(ctx, a, spec.owner)
		if err != nil {
			return err
		}
		v := viewer(u)
		if v.Orgs, err = a.Orgs.Memberships(ctx, u.ID); err != nil {
			return err
		}
		o, err := a.Orgs.BySlug(ctx, d.owner)
		if err != nil {
			return err
		}
		have, err := a.Agreements.ForOrg(ctx, v, o.ID)
		if err != nil {
			return err
		}
		title := d.in.Title.Texts[d.in.Title.Original]
		exists := false
		for _, h := range have {
			exists = exists || h.TitlePlain == title
		}
		if exists {
			continue
		}
		in := d.in
		in.OwnerOrg = o.ID
		ag, err := a.Agreements.Create(ctx, v, in, "")
		if err != nil {
			return fmt.Errorf("demo agreement %q: %w", title, err)
		}
		if d.publish {
			m, err := a.Sharing.Meta(ctx, v, agreements.TypeName, ag.ID)
			if err != nil {
				return err
			}
			if err := a.Sharing.SetState(ctx, v, m, sharing.Published, ""); err != nil {
				return err
			}
		}
	}
	return nil
}
