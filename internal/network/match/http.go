package match

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/i18n"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/web"
)

// PageSize is how many suggestions a page shows.
const PageSize = 20

// Mount registers the pages and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/network_match/*.html")
	site.PageFunc("GET /network/matches", account.RequireSignIn(site, s.listPage))
	for _, a := range []string{ActionSave, ActionDismiss, ActionRestore} {
		site.PageFunc("POST /network/matches/{org}/"+a, account.RequireSignIn(site, s.choosePost(a)))
	}
	site.API("GET /api/v1/network/matches", web.Operation{ID: "listNetworkMatches", Tag: "network", Auth: true, List: true,
		Summary: "Partners suggested to one of the caller's organisations, ranked (two-way matches, matching sectors, shared countries, " +
			"verified, network member, name), with the reasons in the caller's language",
		Query: []web.Param{{Name: "org", Type: "string", Description: "slug of the caller's organisation (default: the first)"},
			{Name: "status", Type: "string", Description: "suggested (default), saved or dismissed"}},
		Response: suggestionSchema}, account.RequireSignIn(site, s.apiList))
	site.API("POST /api/v1/network/matches/{org}", web.Operation{ID: "chooseNetworkMatch", Tag: "network", Auth: true, Scope: account.ScopeWrite,
		Summary: "Save, dismiss or restore a suggested partner of one of the caller's organisations",
		Body: web.Obj(map[string]any{"action": map[string]any{"type": "string", "enum": []string{ActionSave, ActionDismiss, ActionRestore}},
			"partner": web.Str}, "action", "partner"),
		Response: suggestionSchema}, account.RequireSignIn(site, s.apiChoose))
}

var suggestionSchema = web.Obj(map[string]any{
	"partner": web.Obj(map[string]any{"id": web.Str, "slug": web.Str, "name": web.Str, "kind": web.Str, "country": web.Str,
		"verified": web.Bool, "network_member": web.Bool}, "id", "slug", "name"),
	"two_way": web.Bool, "sectors": web.Int, "shared_countries": web.Arr(web.Str),
	"reasons": web.Arr(web.Obj(map[string]any{"direction": web.Str, "sector": web.Str, "countries": web.Arr(web.Str),
		"text": web.Str, "detail": web.Str}, "direction", "sector", "countries", "text")),
	"choice": web.Str, "decided_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
}, "partner", "two_way", "sectors", "reasons", "choice")

// orgOf picks the viewer's organisation named by slug, or their first
// (programme offices aside) when slug is empty. Someone who is not a
// member gets 404, as if the organisation had no suggestions page.
func orgOf(v *web.Viewer, slug string) (web.Membership, []web.Membership, error) {
	var mine []web.Membership
	for _, m := range v.Orgs {
		if m.Kind != string(org.ProgrammeOffice) {
			mine = append(mine, m)
		}
	}
	for _, m := range mine {
		if m.Slug == slug || slug == "" {
			return m, mine, nil
		}
	}
	if slug == "" {
		return web.Membership{}, mine, nil
	}
	return web.Membership{}, mine, errs.E("match", errs.NotFound, "error.not_found")
}

type query struct {
	status string
	offset int
	limit  int
}

func parseQuery(r *http.Request, api bool) (query, error) {
	q := query{status: r.URL.Query().Get("status"), limit: PageSize}
	if q.status == "" {
		q.status = "suggested"
	}
	if !slices.Contains(Statuses, q.status) {
		return q, errs.E("match", errs.Invalid, "network.match.error.status")
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n > 1_000_000 {
			return q, errs.E("match", errs.Invalid, "error.cursor")
		}
		q.offset = n
	}
	if api {
		n, err := web.Limit(r.URL.Query().Get("limit"))
		if err != nil {
			return q, err
		}
		q.limit = n
	}
	return q, nil
}

// page returns the suggestions of the query, and the next cursor.
func (s *Service) page(r *http.Request, orgID string, q query) ([]Suggestion, []Suggestion, string, error) {
	all, err := s.Suggest(r.Context(), orgID)
	if err != nil {
		return nil, nil, "", err
	}
	list := Filter(all, q.status)
	items := list[min(q.offset, len(list)):min(q.offset+q.limit, len(list))]
	next := ""
	if q.offset+q.limit < len(list) {
		next = strconv.Itoa(q.offset + q.limit)
	}
	return all, items, next, nil
}

type reasonView struct {
	Text, Detail, DetailLang, DetailDir string
}

type itemView struct {
	Slug, Name, Kind, Country, Choice string
	Verified, Member, TwoWay          bool
	Reasons                           []reasonView
}

func views(list []Suggestion, p *i18n.Printer) []itemView {
	out := make([]itemView, len(list))
	for i, sg := range list {
		c := sg.Partner.Country
		if g, ok := geo.Lookup(c); ok {
			c = g.Name(p.Lang)
		}
		it := itemView{Slug: sg.Partner.Slug, Name: sg.Partner.NameIn(p.Lang), Kind: sg.Partner.Kind, Country: c, Choice: sg.Choice,
			Verified: sg.Partner.Verified, Member: sg.Partner.Member, TwoWay: sg.TwoWay}
		for _, r := range sg.Reasons {
			d, l := r.Detail(p.Lang)
			it.Reasons = append(it.Reasons, reasonView{Text: r.Text(p), Detail: d, DetailLang: l, DetailDir: i18n.Dir(l)})
		}
		out[i] = it
	}
	return out
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	m, mine, err := orgOf(v, r.URL.Query().Get("org"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	q, err := parseQuery(r, false)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	data := map[string]any{"Orgs": mine, "Org": m, "Status": q.status, "Statuses": Statuses}
	if m.OrgID != "" {
		all, items, next, err := s.page(r, m.OrgID, q)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		counts := map[string]int{}
		for _, st := range Statuses {
			counts[st] = len(Filter(all, st))
		}
		profile, err := s.Core.Profile(r.Context(), m.OrgID)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		data["Items"], data["Counts"], data["Start"] = views(items, web.PrinterOf(r)), counts, q.offset+1
		data["NoNeeds"] = len(profile.Offers)+len(profile.Seeks) == 0
		if next != "" {
			data["Next"] = "/network/matches?org=" + m.Slug + "&status=" + q.status + "&cursor=" + next
		}
	}
	s.Site.Render(w, r, http.StatusOK, "network_match/matches", data)
}

func (s *Service) choosePost(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := web.ViewerOf(r)
		m, _, err := orgOf(v, r.PathValue("org"))
		if err == nil && m.OrgID == "" {
			err = errs.E("match", errs.NotFound, "error.not_found")
		}
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		f, err := web.ParseForm(r)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		if _, err := s.Choose(r.Context(), v, m.OrgID, f.Value("partner"), action); err != nil {
			if errs.CodeOf(err) == errs.Invalid {
				// The list the button was on is the form: show it again with the error.
				s.Site.Fail(w, r, errs.E("match", errs.Invalid, "network.match.error.partner"))
				return
			}
			s.Site.Fail(w, r, err)
			return
		}
		back := f.Value("status")
		if !slices.Contains(Statuses, back) {
			back = "suggested"
		}
		s.Site.Redirect(w, r, "/network/matches?org="+m.Slug+"&status="+back, "network.match.flash."+action)
	}
}

type apiPartner struct {
	ID       string `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Country  string `json:"country"`
	Verified bool   `json:"verified"`
	Member   bool   `json:"network_member"`
}

type apiReason struct {
	Direction string   `json:"direction"`
	Sector    string   `json:"sector"`
	Countries []string `json:"countries"`
	Text      string   `json:"text"`
	Detail    string   `json:"detail,omitempty"`
}

type apiSuggestion struct {
	Partner   apiPartner  `json:"partner"`
	TwoWay    bool        `json:"two_way"`
	Sectors   int         `json:"sectors"`
	Shared    []string    `json:"shared_countries"`
	Reasons   []apiReason `json:"reasons"`
	Choice    string      `json:"choice"`
	DecidedAt *time.Time  `json:"decided_at"`
}

func toAPI(sg Suggestion, p *i18n.Printer) apiSuggestion {
	out := apiSuggestion{Partner: apiPartner{ID: sg.Partner.ID, Slug: sg.Partner.Slug, Name: sg.Partner.NameIn(p.Lang), Kind: sg.Partner.Kind,
		Country: sg.Partner.Country, Verified: sg.Partner.Verified, Member: sg.Partner.Member},
		TwoWay: sg.TwoWay, Sectors: sg.Sectors, Shared: sg.Shared, Reasons: []apiReason{}, Choice: sg.Choice}
	if out.Shared == nil {
		out.Shared = []string{}
	}
	if !sg.DecidedAt.IsZero() {
		t := sg.DecidedAt.UTC()
		out.DecidedAt = &t
	}
	for _, r := range sg.Reasons {
		d, _ := r.Detail(p.Lang)
		out.Reasons = append(out.Reasons, apiReason{Direction: r.Direction, Sector: r.Sector, Countries: r.Countries, Text: r.Text(p), Detail: d})
	}
	return out
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	m, _, err := orgOf(web.ViewerOf(r), r.URL.Query().Get("org"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	q, err := parseQuery(r, true)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := []apiSuggestion{}
	next := ""
	if m.OrgID != "" {
		_, list, n, err := s.page(r, m.OrgID, q)
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		for _, sg := range list {
			items = append(items, toAPI(sg, web.PrinterOf(r)))
		}
		next = n
	}
	web.JSON(w, http.StatusOK, web.NewList(items, next))
}

func (s *Service) apiChoose(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	m, _, err := orgOf(v, r.PathValue("org"))
	if err == nil && m.OrgID == "" {
		err = errs.E("match", errs.NotFound, "error.not_found")
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var in struct {
		Action  string `json:"action"`
		Partner string `json:"partner"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	sg, err := s.Choose(r.Context(), v, m.OrgID, in.Partner, in.Action)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, toAPI(*sg, web.PrinterOf(r)))
}
