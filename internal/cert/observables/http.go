package observables

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/observable"
	"harambee.africa/harambee/internal/db"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// PageSize is how many observables a page of a case's observables shows.
const PageSize = 100

// matchesShown bounds the correlations shown beside one observable.
const matchesShown = 10

// Mount registers the pages and the API.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/cert-observables/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /cert/cases/{id}/observables", s.casePage)
	site.PageFunc("POST /cert/cases/{id}/observables", signed(s.pastePost))
	site.PageFunc("GET /cert/observables/{id}", s.observablePage)
	site.PageFunc("POST /cert/observables/{id}/sightings", signed(s.sightingPost))
	site.PageFunc("POST /cert/observables/{id}/delete", signed(s.deletePost))
	s.mountAPI(site)
}

// row of a list: an observable with its correlations.
type listed struct {
	*Observable
	Matches []Match
}

// Section is the observables block of a case page: the observables of the
// case and of the cases it was handed over from that the viewer may see,
// each with its correlations, and the paste form when mayEdit.
func (s *Service) Section(r *http.Request, c *cert.CaseRef, mayEdit bool) (template.HTML, error) {
	d, err := s.sectionData(r.Context(), web.ViewerOf(r), c.ID, c.From, 0)
	if err != nil {
		return "", err
	}
	d.MayEdit, d.Marking = mayEdit, c.Marking
	return s.Site.Fragment(r, "cert-observables/section", d)
}

type sectionData struct {
	CaseID   string
	Items    []listed
	MayEdit  bool
	Kinds    []observable.Kind
	Markings []sharing.Marking
	Marking  sharing.Marking // the case's, the default
	Next     string          // the next page, when there is one
	Form     *web.Form       // the form that was sent: the paste, or the indicator when it has a pattern
	Blank    *web.Form       // the other one's
	Result   *PasteResult
}

func (s *Service) sectionData(ctx context.Context, v *web.Viewer, caseID string, from []string, offset int) (*sectionData, error) {
	ids := append([]string{caseID}, from...)
	list, err := s.listPage(ctx, v, ids, offset, PageSize+1)
	if err != nil {
		return nil, err
	}
	d := &sectionData{CaseID: caseID, Kinds: observable.Kinds, Markings: sharing.Markings, Form: &web.Form{}, Blank: &web.Form{}}
	if len(list) > PageSize {
		list = list[:PageSize]
		d.Next = "/cert/cases/" + caseID + "/observables?offset=" + strconv.Itoa(offset+PageSize)
	}
	if err := s.loadRefs(ctx, list); err != nil {
		return nil, err
	}
	matches, err := s.CorrelateMany(ctx, v, groupsOf(list), ids, matchesShown)
	if err != nil {
		return nil, err
	}
	for i, o := range list {
		d.Items = append(d.Items, listed{Observable: o, Matches: matches[i]})
	}
	return d, nil
}

// listPage is ListCase with an offset.
func (s *Service) listPage(ctx context.Context, v *web.Viewer, caseIDs []string, offset, limit int) ([]*Observable, error) {
	list, err := s.ListCase(ctx, v, caseIDs, offset+limit)
	if err != nil {
		return nil, err
	}
	if offset >= len(list) {
		return nil, nil
	}
	return list[offset:], nil
}

// loadRefs reads the pattern refs of the indicators of list in one query.
func (s *Service) loadRefs(ctx context.Context, list []*Observable) error {
	byID := map[string]*Observable{}
	args := &db.Args{}
	var in []string
	for _, o := range list {
		if o.IsIndicator() {
			byID[o.ID] = o
			in = append(in, args.Add(o.ID))
		}
	}
	if len(in) == 0 {
		return nil
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT observable_id, stix_type, path, kind, value FROM cert_observable_refs
		WHERE observable_id IN (`+strings.Join(in, ", ")+`) ORDER BY observable_id, position`, args.List()...)
	if err != nil {
		return errs.Wrap("read pattern refs", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r Ref
		if err := rows.Scan(&id, &r.STIXType, &r.Path, &r.Kind, &r.Value); err != nil {
			return errs.Wrap("read pattern refs", err)
		}
		byID[id].Refs = append(byID[id].Refs, r)
	}
	return errs.Wrap("read pattern refs", rows.Err())
}

// caseOf reads the {id} case for a page: through the cases package when
// wired (for the cases it was handed over from), else from cert_cases.
func (s *Service) caseOf(r *http.Request) (*cert.CaseRef, bool, error) {
	v := web.ViewerOf(r)
	if s.Cases != nil {
		c, err := s.Cases.Case(r.Context(), v, r.PathValue("id"))
		if err != nil {
			return nil, false, err
		}
		return c, v != nil && s.Cases.MayEdit(v, c), nil
	}
	c, err := s.visibleCase(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return nil, false, err
	}
	return &cert.CaseRef{ID: c.ID, OwnerOrg: c.OwnerOrg, Title: c.Title, Marking: c.Marking}, mayEdit(v, c), nil
}

type casePageData struct {
	Case    *cert.CaseRef
	Section template.HTML
}

func (s *Service) casePage(w http.ResponseWriter, r *http.Request) {
	s.renderCasePage(w, r, http.StatusOK, nil, nil)
}

// renderCasePage shows a case's observables with the paste form, after a
// failed paste with the form as typed and its per-line problems.
func (s *Service) renderCasePage(w http.ResponseWriter, r *http.Request, status int, f *web.Form, res *PasteResult) {
	c, editor, err := s.caseOf(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	offset := 0
	if o := r.URL.Query().Get("offset"); o != "" {
		if offset, err = strconv.Atoi(o); err != nil || offset < 0 || offset > 1_000_000 {
			s.Site.Fail(w, r, errs.E("cert.observables", errs.Invalid, "error.cursor"))
			return
		}
	}
	d, err := s.sectionData(r.Context(), web.ViewerOf(r), c.ID, c.From, offset)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d.MayEdit, d.Result, d.Marking = editor, res, c.Marking
	if f != nil {
		d.Form = f
	}
	section, err := s.Site.Fragment(r, "cert-observables/section", d)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "cert-observables/case", &casePageData{Case: c, Section: section}, f)
}

// casePath is where a paste returns to: the case page, which embeds the
// observables, when the cases package is wired; else the observables page.
func (s *Service) casePath(id string) string {
	if s.Cases != nil {
		return "/cert/cases/" + id + "#observables"
	}
	return "/cert/cases/" + id + "/observables"
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' })
}

func (s *Service) pastePost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	id := r.PathValue("id")
	marking := sharing.Marking(f.Value("marking"))
	labels := splitList(f.Value("labels"))
	if strings.TrimSpace(f.Value("pattern")) != "" {
		in := IndicatorInput{Pattern: f.Value("pattern"), Name: f.Value("name"), Marking: marking, Labels: labels, Note: f.Value("note")}
		var ok bool
		if in.ValidFrom, ok = web.ParseFormTime(v, f.Value("valid_from")); !ok {
			f.Set("valid_from", "cert.observables.error.date")
		}
		if in.ValidUntil, ok = web.ParseFormTime(v, f.Value("valid_until")); !ok {
			f.Set("valid_until", "cert.observables.error.date")
		}
		if !f.Has() {
			_, err = s.AddIndicator(r.Context(), v, id, in, web.ClientIP(r))
		}
		if f.Has() || f.Merge(err) {
			s.renderCasePage(w, r, http.StatusUnprocessableEntity, f, nil)
			return
		}
		if err != nil {
			s.Site.Fail(w, r, err)
			return
		}
		s.Site.Redirect(w, r, s.casePath(id), "cert.observables.flash.indicator")
		return
	}
	in := PasteInput{Text: f.Value("text"), Kind: f.Value("kind"), Marking: marking, Labels: labels, Note: f.Value("note"),
		SkipInvalid: f.Value("skip_invalid") == "1"}
	res, err := s.Paste(r.Context(), v, id, in, web.ClientIP(r))
	if err == errLines {
		f.Set("text", "cert.observables.error.lines")
		s.renderCasePage(w, r, http.StatusUnprocessableEntity, f, res)
		return
	}
	if f.Merge(err) {
		s.renderCasePage(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, s.casePath(id), "cert.observables.flash.pasted")
}

type observablePageData struct {
	O         *Observable
	CaseTitle string // "" when the case is hidden from the viewer (a handed observable)
	Matches   []Match
	Intel     []cert.IntelMatch // in the STIX collections the viewer reads
	Sightings *Sightings
	Editor    bool
	Teams     []web.Membership // the viewer's teams that may record a sighting
}

func (s *Service) observableData(ctx context.Context, v *web.Viewer, id string) (*observablePageData, error) {
	o, err := s.Get(ctx, v, id)
	if err != nil {
		return nil, err
	}
	d := &observablePageData{O: o}
	if !o.Handed {
		if c, err := s.visibleCase(ctx, v, o.CaseID); err == nil {
			d.CaseTitle = c.Title
		}
	}
	if d.Matches, err = s.Correlate(ctx, v, keysOf(o), []string{o.CaseID}, MaxMatches); err != nil {
		return nil, err
	}
	if s.Intel != nil {
		var probes []string
		for _, k := range keysOf(o) {
			probes = append(probes, observable.KeysOf(k).Probes...)
		}
		if d.Intel, err = s.Intel.CorrelateIntel(ctx, v, probes, MaxMatches); err != nil {
			return nil, err
		}
	}
	if d.Sightings, err = s.SightingsOf(ctx, v, o); err != nil {
		return nil, err
	}
	if v != nil {
		d.Editor = sharing.OwnerFor(v, o.OwnerOrg, Type.EditorRoles) == nil
		d.Teams = sharing.Owners(v, sharing.Type{EditorRoles: []string{cert.RoleAnalyst}})
	}
	return d, nil
}

func (s *Service) observablePage(w http.ResponseWriter, r *http.Request) {
	s.renderObservable(w, r, http.StatusOK, nil)
}

func (s *Service) renderObservable(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	d, err := s.observableData(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "cert-observables/observable", d, f)
}

func (s *Service) sightingPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	in := SightingInput{Org: f.Value("org"), Source: f.Value("source")}
	if in.Count, err = strconv.Atoi(strings.TrimSpace(f.Value("count"))); err != nil {
		f.Set("count", "cert.observables.error.count")
	}
	if t, ok := web.ParseFormTime(v, f.Value("first_seen")); ok && t != nil {
		in.FirstSeen = *t
	} else {
		f.Set("first_seen", "cert.observables.error.date")
	}
	if t, ok := web.ParseFormTime(v, f.Value("last_seen")); !ok {
		f.Set("last_seen", "cert.observables.error.date")
	} else if t != nil {
		in.LastSeen = *t
	}
	if !f.Has() {
		_, err = s.AddSighting(r.Context(), v, r.PathValue("id"), in, web.ClientIP(r))
	}
	if f.Has() || f.Merge(err) {
		s.renderObservable(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, "/cert/observables/"+r.PathValue("id")+"#sightings", "cert.observables.flash.sighted")
}

func (s *Service) deletePost(w http.ResponseWriter, r *http.Request) {
	v := web.ViewerOf(r)
	o, err := s.Get(r.Context(), v, r.PathValue("id"))
	if err == nil {
		err = s.Delete(r.Context(), v, o.ID, web.ClientIP(r))
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, s.casePath(o.CaseID), "cert.observables.flash.deleted")
}
