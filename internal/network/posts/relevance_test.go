package posts_test

import (
	"net/url"
	"testing"
	"time"

	"harambee.africa/harambee/internal/network/posts"
)

// TestRelevance searches posts in Chinese, French and Arabic with known
// best answers, on both engines. Countries and kinds are indexed in the six
// languages, so a Chinese reader finds a French tender about Kenya.
func TestRelevance(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	amina := w.viewer(t, "amina@kenya-cloud.example")
	ids := map[string]string{}
	for _, p := range []struct {
		key, lang, title, body, country, kind, sector string
	}{
		{"tender", "fr", "Appel d’offres : hébergement en nuage pour la douane kényane",
			"La douane du Kenya cherche un hébergeur en nuage pour ses services en ligne.", "KE", "opportunity_tender", "cloud_datacentres"},
		{"crossborder", "zh-Hans", "尼日利亚跨境电商合作伙伴招募", "寻找尼日利亚本地物流和支付合作伙伴，共同发展跨境电商业务。", "NG", "partner_request", "ecommerce"},
		{"datacentre", "zh-Hans", "肯尼亚数据中心投资机会", "内罗毕新建数据中心寻求投资，提供云计算和托管服务。", "KE", "opportunity_investment", "cloud_datacentres"},
		{"mobilepay", "fr", "Partenariat pour le paiement mobile au Sénégal",
			"Nous cherchons un partenaire de paiement mobile. Le paiement mobile progresse vite à Dakar.", "SN", "opportunity_partnership", "payments_fintech"},
		{"ecommerceci", "fr", "Le commerce en ligne en Côte d’Ivoire", "Le marché grandit ; le paiement mobile y joue un rôle parmi d’autres moyens.", "CI", "market_update", "ecommerce"},
		{"cyber", "ar", "تحديث سياسة الأمن السيبراني في مصر", "أصدرت مصر قواعد جديدة للأمن السيبراني وحماية البيانات، والأمن السيبراني أولوية وطنية.", "EG", "policy_update", "cybersecurity"},
		{"morocco", "ar", "سوق التجارة الإلكترونية في المغرب", "نمو سريع في التجارة الإلكترونية والدفع عبر الهاتف في المغرب.", "MA", "market_update", "ecommerce"},
		{"filler", "en", "Security workshop in Cairo", "A workshop on data protection and security.", "EG", "announcement", "cybersecurity"},
	} {
		in := posts.Input{Audience: posts.Public, Kind: p.kind, Country: p.country, Sectors: []string{p.sector},
			Title: posts.TextInput{Original: p.lang, Texts: map[string]string{p.lang: p.title}},
			Body:  posts.TextInput{Original: p.lang, Texts: map[string]string{p.lang: p.body}}}
		created, err := w.svc.Create(ctx, amina, in, "")
		if err != nil {
			t.Fatal(err)
		}
		ids[created.ID] = p.key
		w.e.Clock.Advance(time.Minute)
	}
	for _, c := range []struct{ lang, q, want string }{
		{"zh", "跨境电商", "crossborder"},
		{"zh", "数据中心", "datacentre"},
		{"zh", "肯尼亚 招标", "tender"},  // Kenya + tender, in Chinese: the French post
		{"zh", "雲計算", "datacentre"}, // Traditional characters find Simplified text
		{"fr", "paiement mobile", "mobilepay"},
		{"fr", "hébergement nuage", "tender"},
		{"fr", "hebergement", "tender"}, // without the accent
		{"ar", "الأمن السيبراني", "cyber"},
		{"ar", "التجارة الإلكترونية", "morocco"},
		{"ar", "حماية البيانات", "cyber"},
	} {
		page, err := w.svc.List(ctx, nil, posts.Filter{Q: c.q, Limit: 5})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if len(page.Items) == 0 || ids[page.Items[0].ID] != c.want {
			var got []string
			for _, p := range page.Items {
				got = append(got, ids[p.ID])
			}
			t.Errorf("%s (%s): got %v, want %s first", c.q, c.lang, got, c.want)
		}
	}
	// The same through the page, for a reader in Chinese.
	if res := w.e.Browser().Get("/network/posts?lang=zh-Hans&q=" + url.QueryEscape("肯尼亚 招标")); res.StatusCode != 200 {
		t.Errorf("search page: %d", res.StatusCode)
	}
}
