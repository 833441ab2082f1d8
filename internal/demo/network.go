package demo

import (
	"context"
	"database/sql"
	"fmt"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/app"
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/network/posts"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/text"
	"harambee.africa/harambee/internal/web"
)

// The cooperation network in the demo: three Chinese enterprises are
// members; several organisations say where they work and what they offer
// and seek (so partner suggestions have something to suggest); a few
// posts, in their authors' languages.

var networkMembers = []string{"silkroad-cloud", "xinghe-devices", "silkroad-select"}

type demoProfile struct {
	slug      string
	countries []string
	languages []string
	offers    map[string]string // sector → what, in English
	seeks     map[string]string
}

var networkProfiles = []demoProfile{
	{"silkroad-cloud", []string{"KE", "NG", "ET"}, []string{"zh", "en", "fr"},
		map[string]string{"cloud_datacentres": "Cloud hosting from data centres in Nairobi and Lagos"},
		map[string]string{"software_services": "Local integrators and software partners"}},
	{"xinghe-devices", []string{"KE", "TZ", "UG"}, []string{"zh", "en", "sw"},
		map[string]string{"devices_hardware": "Affordable smartphones and point-of-sale terminals"},
		map[string]string{"logistics": "Distribution across East Africa"}},
	{"silkroad-select", []string{"KE", "AO", "SN"}, []string{"zh", "en", "fr", "pt"},
		map[string]string{"ecommerce": "A storefront for African goods on Chinese marketplaces"},
		map[string]string{"logistics": "Export logistics from Mombasa and Luanda"}},
	{"eko-payments", []string{"NG", "GH"}, []string{"en"},
		map[string]string{"payments_fintech": "Mobile payments and merchant settlement"},
		map[string]string{"cloud_datacentres": "Hosting close to Lagos"}},
	{"imena-software", []string{"RW", "KE"}, []string{"en", "fr", "rw"},
		map[string]string{"software_services": "Custom software and systems integration"},
		map[string]string{"cloud_datacentres": "A cloud partner in the region"}},
	{"kwanza-logistica", []string{"AO", "MZ"}, []string{"pt", "en"},
		map[string]string{"logistics": "Warehousing and last-mile delivery in Luanda"},
		map[string]string{"ecommerce": "Online sellers to deliver for"}},
}

type demoPost struct {
	owner string
	in    posts.Input
}

var networkPosts = []demoPost{
	{"silkroad-cloud", posts.Input{Audience: "public", Kind: "opportunity_partnership", Country: "KE", Sectors: []string{"cloud_datacentres", "software_services"},
		Title: posts.TextInput{Original: "zh-Hans", Texts: map[string]string{"zh-Hans": "寻找肯尼亚本地软件集成合作伙伴（演示）",
			"en": "Looking for software integration partners in Kenya (demo)"}},
		Body: posts.TextInput{Original: "zh-Hans", Texts: map[string]string{"zh-Hans": "我们在内罗毕的数据中心已经投入运营，希望与本地软件企业合作，为中小企业提供云服务。",
			"en": "Our Nairobi data centre is running; we want to work with local software companies to bring cloud services to small businesses."}}}},
	{"imena-software", posts.Input{Audience: "public", Kind: "partner_request", Country: "RW", Sectors: []string{"software_services"},
		Title: posts.TextInput{Original: "fr", Texts: map[string]string{"fr": "Recherche d’un hébergeur en nuage pour des services publics en ligne (démo)"}},
		Body:  posts.TextInput{Original: "fr", Texts: map[string]string{"fr": "Nous développons des services en ligne pour des districts et cherchons un partenaire d’hébergement dans la région des Grands Lacs."}}}},
	{"kwanza-logistica", posts.Input{Audience: "public", Kind: "market_update", Country: "AO", Sectors: []string{"logistics", "ecommerce"},
		Title: posts.TextInput{Original: "pt", Texts: map[string]string{"pt": "Novas rotas de entrega entre Luanda e Benguela (demo)"}},
		Body:  posts.TextInput{Original: "pt", Texts: map[string]string{"pt": "A partir deste mês entregamos em 48 horas entre Luanda e Benguela para vendedores online."}}}},
	{"silkroad-select", posts.Input{Audience: "network", Kind: "announcement", Country: "africa", Sectors: []string{"ecommerce"},
		Title: posts.TextInput{Original: "zh-Hans", Texts: map[string]string{"zh-Hans": "网络成员：双十一非洲好物专场报名开始（演示）",
			"en": "Network members: registration opens for the African goods showcase (demo)"}},
		Body: posts.TextInput{Original: "zh-Hans", Texts: map[string]string{"zh-Hans": "仅限网络成员：请在本月底前提交参展商品清单。"}}}},
}

// ensureNetwork loads the network's demo content; what exists is kept.
func ensureNetwork(ctx context.Context, a *app.App, adm *account.User) error {
	core := a.Network.Core
	office := &web.Viewer{ID: adm.ID, Pseudonym: adm.Pseudonym, Roles: adm.Roles,
		Orgs: []web.Membership{{OrgID: core.Office.ID, Roles: []string{org.RoleAdmin}}}}
	for _, slug := range networkMembers {
		o, err := a.Orgs.BySlug(ctx, slug)
		if err != nil {
			return err
		}
		if !o.Verified {
			if err := a.Orgs.SetVerified(ctx, viewer(adm), o, true, ""); err != nil {
				return fmt.Errorf("verify %s: %w", slug, err)
			}
		}
		if member, err := core.IsMember(ctx, o.ID); err != nil {
			return err
		} else if !member {
			if err := a.Sharing.SetGroupMember(ctx, office, core.Group, o.ID, true); err != nil {
				return fmt.Errorf("network member %s: %w", slug, err)
			}
		}
	}
	now := a.Clock.Now()
	for _, p := range networkProfiles {
		o, err := a.Orgs.BySlug(ctx, p.slug)
		if err != nil {
			return err
		}
		have, err := core.Profile(ctx, o.ID)
		if err != nil {
			return err
		}
		if len(have.Countries) > 0 {
			continue
		}
		in := network.ProfileInput{Countries: p.countries, Languages: p.languages}
		for sector, what := range p.offers {
			in.Needs = append(in.Needs, network.Need{Direction: network.Offer, Sector: sector, Detail: text.New("en", what, "", now)})
		}
		for sector, what := range p.seeks {
			in.Needs = append(in.Needs, network.Need{Direction: network.Seek, Sector: sector, Detail: text.New("en", what, "", now)})
		}
		if err := a.DB.Tx(ctx, func(tx *sql.Tx) error { return core.Save(ctx, tx, o.ID, in) }); err != nil {
			return fmt.Errorf("network profile %s: %w", p.slug, err)
		}
	}
	for _, d := range networkPosts {
		spec := specOf(d.owner)
		if spec == nil {
			return fmt.Errorf("demo post: no organisation %s", d.owner)
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
		mine, err := a.Network.Posts.ByOrg(ctx, v, o.ID, 50)
		if err != nil {
			return err
		}
		title := d.in.Title.Texts[d.in.Title.Original]
		exists := false
		for _, p := range mine {
			exists = exists || p.Title == title
		}
		if exists {
			continue
		}
		in := d.in
		in.OwnerOrg = o.ID
		if _, err := a.Network.Posts.Create(ctx, v, in, ""); err != nil {
			return fmt.Errorf("demo post %q: %w", title, err)
		}
	}
	return nil
}

func specOf(slug string) *orgSpec {
	for i := range orgs {
		if orgs[i].slug == slug {
			return &orgs[i]
		}
	}
	return nil
}
