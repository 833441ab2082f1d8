package cases

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/errs"
	"harambee.africa/harambee/internal/org"
	"harambee.africa/harambee/internal/sharing"
	"harambee.africa/harambee/internal/web"
)

// STIXType is the media type of a STIX 2.1 bundle.
const STIXType = "application/stix+json;version=2.1"

// Mount registers the pages and the API. The STIX export exists only
// when the observables part is connected.
func (s *Service) Mount(site *web.Site) {
	site.AddPages(templateFS, "templates/cert-cases/*.html")
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	site.PageFunc("GET /cert/cases", s.listPage)
	site.PageFunc("GET /cert/cases/new", signed(s.newPage))
	site.PageFunc("POST /cert/cases", signed(s.createPost))
	site.PageFunc("GET /cert/cases/{id}", s.showPage)
	site.PageFunc("GET /cert/cases/{id}/edit", signed(s.editPage))
	site.PageFunc("POST /cert/cases/{id}/edit", signed(s.editPost))
	site.PageFunc("POST /cert/cases/{id}/status", signed(s.statusPost))
	site.PageFunc("POST /cert/cases/{id}/assign", signed(s.assignPost))
	site.PageFunc("POST /cert/cases/{id}/marking", signed(s.markingPost))
	site.PageFunc("POST /cert/cases/{id}/comments", signed(s.commentPost))
	site.PageFunc("POST /cert/cases/{id}/tasks", signed(s.taskPost))
	site.PageFunc("POST /cert/cases/{id}/tasks/{task}", signed(s.taskEditPost))
	site.PageFunc("GET /cert/cases/{id}/handover", signed(s.handOverPage))
	site.PageFunc("POST /cert/cases/{id}/handover", signed(s.handOverPost))
	site.PageFunc("GET /cert/handovers", signed(s.inboxPage))
	site.PageFunc("GET /cert/handovers/{id}", signed(s.handOverShow))
	site.PageFunc("POST /cert/handovers/{id}/accept", signed(s.acceptPost))
	site.PageFunc("POST /cert/handovers/{id}/decline", signed(s.declinePost))
	site.PageFunc("POST /cert/handovers/{id}/withdraw", signed(s.withdrawPost))
	site.PageFunc("POST /cert/handovers/{id}/summary", signed(s.summaryPost))
	if s.Observables != nil {
		site.PageFunc("GET /cert/cases/{id}/stix", s.stix)
	}
	s.mountAPI(site)
}

// row is one case in a list.
type row struct {
	C        *Case
	Team     org.Shown
	Severity string
	SLA      slaView
	Country  []string
}

func (s *Service) rows(r *http.Request, items []*Case) ([]row, error) {
	p := web.PrinterOf(r)
	ids := make([]string, len(items))
	for i, c := range items {
		ids[i] = c.OwnerOrg
	}
	teams, err := s.Orgs.NamesIn(r.Context(), p.Lang, ids...)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := make([]row, 0, len(items))
	for _, c := range items {
		rw := row{C: c, Team: teams[c.OwnerOrg], SLA: viewSLA(p, c, now)}
		for _, cc := range c.Countries {
			rw.Country = append(rw.Country, countryName(p, cc))
		}
		out = append(out, rw)
	}
	return out, nil
}

func filterOf(q url.Values) Filter {
	return Filter{Q: q.Get("q"), Status: q.Get("status"), Severity: q.Get("severity"), Country: q.Get("country"),
		Mine: q.Get("mine") != "", Cursor: q.Get("cursor")}
}

func (s *Service) listPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(q)
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f.Limit = limit
	v := web.ViewerOf(r)
	data := map[string]any{"Filter": f, "Statuses": Statuses, "Severities": Severities, "Countries": countryOptions(web.PrinterOf(r)),
		"CanCreate": len(Teams(v)) > 0, "Pending": s.PendingFor(r.Context(), v), "Searching": strings.TrimSpace(f.Q) != ""}
	form := web.NewForm(q)
	page, err := s.List(r.Context(), v, f)
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			form.Set("q", errs.KeyOf(err))
			s.Site.RenderForm(w, r, http.StatusUnprocessableEntity, "cert-cases/list", data, form)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	if data["Rows"], err = s.rows(r, page.Items); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	data["Total"] = page.Total
	if page.Next != "" {
		next := url.Values{}
		for k, vs := range q {
			if k != "lang" {
				next[k] = vs
			}
		}
		next.Set("cursor", page.Next)
		data["Next"] = "/cert/cases?" + next.Encode()
	}
	s.Site.RenderForm(w, r, http.StatusOK, "cert-cases/list", data, form)
}

// showData is what the case page shows.
type showData struct {
	C            *Case
	Team         org.Shown // the case's team
	Names        org.Names // the teams of its hand-overs
	Editor       bool
	SLA          slaView
	Countries    []string
	Timeline     []eventView
	Tasks        []Task
	HandOvers    []*HandOver
	Received     *HandOver
	ReceivedFrom template.HTML // the heading of the hand-over it was opened from
	OriginSeen   bool
	Members      []Member
	Next         []string
	Markings     []sharing.Marking
	SharePath    string
	Attachments  template.HTML
	Observables  template.HTML
	STIX         bool
}

// eventView is a timeline entry written for the reader.
type eventView struct {
	Event
	Text    template.HTML
	Comment []string
}

func (s *Service) showPage(w http.ResponseWriter, r *http.Request) {
	s.renderShow(w, r, http.StatusOK, nil)
}

func (s *Service) renderShow(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	ctx := r.Context()
	v := web.ViewerOf(r)
	p := web.PrinterOf(r)
	c, err := s.Get(ctx, v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := showData{C: c, Editor: s.isEditor(v, c), SLA: viewSLA(p, c, s.Clock.Now()), Next: NextStatuses(c.Status),
		Markings: markingsFrom(c.Floor), SharePath: "/share/" + cert.CaseTypeName + "/" + c.ID, STIX: s.Observables != nil}
	for _, cc := range c.Countries {
		d.Countries = append(d.Countries, countryName(p, cc))
	}
	events, err := s.Timeline(ctx, v, c.ID)
	if err == nil {
		d.Tasks, err = s.Tasks(ctx, v, c.ID)
	}
	if err == nil {
		d.HandOvers, err = s.HandOversOf(ctx, v, c.ID)
	}
	if err == nil {
		d.Members, err = s.Members(ctx, c.OwnerOrg)
	}
	if err == nil && c.OriginHandOver != "" {
		d.Received, err = s.GetHandOver(ctx, v, c.OriginHandOver)
		if err == nil {
			_, oerr := s.Get(ctx, v, d.Received.CaseID)
			d.OriginSeen = oerr == nil
		}
	}
	if err == nil && s.Files != nil {
		d.Attachments, err = s.Files(r, cert.CaseTypeName, c.ID)
	}
	if err == nil && s.Observables != nil {
		var ref *cert.CaseRef
		if ref, err = s.ref(ctx, c); err == nil {
			d.Observables, err = s.Observables.Section(r, ref, d.Editor)
		}
	}
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	ids := append(eventTeams(events), c.OwnerOrg)
	for _, h := range d.HandOvers {
		ids = append(ids, h.ToOrg)
	}
	if d.Received != nil {
		ids = append(ids, d.Received.FromOrg)
	}
	if d.Names, err = s.Orgs.NamesIn(ctx, p.Lang, ids...); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d.Team = d.Names[c.OwnerOrg]
	if d.Received != nil {
		d.ReceivedFrom = sentence(p, "cert.cases.received", "team", d.Names[d.Received.FromOrg])
	}
	people := map[string]string{}
	for _, m := range d.Members {
		people[m.ID] = m.Name
	}
	for _, ev := range events {
		ew := eventView{Event: ev, Text: eventHTML(p, ev, people, d.Names)}
		if ev.Body != "" {
			ew.Comment = strings.Split(ev.Body, "\n")
		}
		d.Timeline = append(d.Timeline, ew)
	}
	if f == nil {
		f = web.NewForm(url.Values{"assignee": {c.Assignee}, "marking": {string(c.Marking)}})
	}
	s.Site.RenderForm(w, r, status, "cert-cases/show", d, f)
}

// act runs one of the case page's forms and returns to the page, or shows
// it again with the errors beside the fields.
func (s *Service) act(w http.ResponseWriter, r *http.Request, names map[string]string, do func(f *web.Form) error, flash, anchor string) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if err := do(f); err != nil {
		err = renamed(err, names)
		if f.Merge(err) || errs.Is(err, errs.Conflict) {
			if !f.Has() {
				f.Set("form", errs.KeyOf(err))
			}
			s.renderShow(w, r, errs.Status(err), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, cert.CaseType.Path(r.PathValue("id"))+anchor, flash)
}

func (s *Service) statusPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, nil, func(f *web.Form) error {
		_, err := s.SetStatus(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("status"), web.ClientIP(r))
		return err
	}, "cert.cases.flash.status", "")
}

func (s *Service) assignPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, nil, func(f *web.Form) error {
		_, err := s.Assign(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("assignee"), web.ClientIP(r))
		return err
	}, "cert.cases.flash.assigned", "")
}

func (s *Service) markingPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, nil, func(f *web.Form) error {
		return s.SetMarking(r.Context(), web.ViewerOf(r), r.PathValue("id"), sharing.Marking(f.Trimmed("marking")), web.ClientIP(r))
	}, "cert.cases.flash.marking", "")
}

func (s *Service) commentPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, map[string]string{"body": "comment"}, func(f *web.Form) error {
		_, err := s.Comment(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("comment"), web.ClientIP(r))
		return err
	}, "cert.cases.flash.commented", "#timeline")
}

var taskFields = map[string]string{"title": "task_title", "assignee": "task_assignee", "due": "task_due"}

func (s *Service) taskPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, taskFields, func(f *web.Form) error {
		title, assignee, due := f.Value("task_title"), f.Value("task_assignee"), f.Value("task_due")
		_, err := s.AddTask(r.Context(), web.ViewerOf(r), r.PathValue("id"), TaskInput{Title: &title, Assignee: &assignee, Due: &due},
			web.ClientIP(r))
		return err
	}, "cert.cases.flash.task", "#tasks")
}

func (s *Service) taskEditPost(w http.ResponseWriter, r *http.Request) {
	s.act(w, r, taskFields, func(f *web.Form) error {
		done := f.Value("done") == "1"
		_, err := s.UpdateTask(r.Context(), web.ViewerOf(r), r.PathValue("id"), r.PathValue("task"), TaskInput{Done: &done}, web.ClientIP(r))
		return err
	}, "cert.cases.flash.task", "#tasks")
}

// formData is what the case form needs.
type formData struct {
	C          *Case // nil when opening a case
	Teams      []org.Choice
	Taxonomy   []classView
	Severities []string
	Markings   []sharing.Marking
	Sectors    []string
	Chosen     map[string]bool
}

func (s *Service) formData(r *http.Request, c *Case, f *web.Form) (formData, error) {
	p := web.PrinterOf(r)
	d := formData{C: c, Taxonomy: taxonomyIn(p), Severities: Severities, Markings: sharing.Markings, Sectors: cert.Sectors,
		Chosen: map[string]bool{}}
	if c != nil {
		d.Markings = markingsFrom(c.Floor)
	} else {
		var err error
		if d.Teams, err = s.Orgs.MenuOf(r.Context(), Teams(web.ViewerOf(r)), p.Lang); err != nil {
			return d, err
		}
	}
	for _, x := range f.Values["sectors"] {
		d.Chosen[x] = true
	}
	return d, nil
}

// renderForm shows the case form (c nil: for a new case).
func (s *Service) renderForm(w http.ResponseWriter, r *http.Request, status int, c *Case, f *web.Form) {
	d, err := s.formData(r, c, f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.RenderForm(w, r, status, "cert-cases/form", d, f)
}

func inputOf(f *web.Form) Input {
	return Input{OwnerOrg: f.Value("owner_org"), Title: f.Value("title"), Summary: f.Value("summary"), Category: f.Value("category"),
		Severity: f.Value("severity"), Marking: f.Value("marking"), Countries: []string{f.Value("countries")}, Sectors: f.Values["sectors"]}
}

func valuesOf(c *Case) url.Values {
	return url.Values{"title": {c.Title}, "summary": {c.Summary}, "category": {c.Category}, "severity": {c.Severity},
		"marking": {string(c.Marking)}, "countries": {strings.Join(c.Countries, ", ")}, "sectors": c.Sectors}
}

func (s *Service) newPage(w http.ResponseWriter, r *http.Request) {
	if len(Teams(web.ViewerOf(r))) == 0 {
		s.Site.Fail(w, r, errNoTeam)
		return
	}
	s.renderForm(w, r, http.StatusOK, nil, web.NewForm(url.Values{"marking": {string(sharing.Amber)}, "severity": {"medium"}}))
}

func (s *Service) createPost(w http.ResponseWriter, r *http.Request) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	c, err := s.Create(r.Context(), web.ViewerOf(r), inputOf(f), web.ClientIP(r))
	if err != nil {
		if f.Merge(err) {
			s.renderForm(w, r, http.StatusUnprocessableEntity, nil, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, c.Path(), "cert.cases.flash.created")
}

// editableFor loads the request's case for its editors, or answers the
// error (404 unseen, 403 seen but not edited) and reports false.
func (s *Service) editableFor(w http.ResponseWriter, r *http.Request) (*Case, bool) {
	c, err := s.editable(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return nil, false
	}
	return c, true
}

func (s *Service) editPage(w http.ResponseWriter, r *http.Request) {
	c, ok := s.editableFor(w, r)
	if !ok {
		return
	}
	s.renderForm(w, r, http.StatusOK, c, web.NewForm(valuesOf(c)))
}

func (s *Service) editPost(w http.ResponseWriter, r *http.Request) {
	c, ok := s.editableFor(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if _, err := s.Update(r.Context(), web.ViewerOf(r), c.ID, inputOf(f), web.ClientIP(r)); err != nil {
		if f.Merge(err) {
			s.renderForm(w, r, http.StatusUnprocessableEntity, c, f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, c.Path(), "cert.cases.flash.saved")
}

// handOverData is what the hand-over form needs.
type handOverData struct {
	C           *Case
	Teams       []teamOption
	Markings    []sharing.Marking
	Observables []cert.ObservableItem
	Chosen      map[string]bool
}

func (s *Service) renderHandOver(w http.ResponseWriter, r *http.Request, c *Case, status int, f *web.Form) {
	ctx := r.Context()
	teams, err := s.receivers(ctx, web.PrinterOf(r), c.OwnerOrg)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := handOverData{C: c, Teams: teams, Markings: markingsFrom(c.Marking), Chosen: map[string]bool{}}
	if s.Observables != nil {
		if d.Observables, err = s.Observables.Handable(ctx, web.ViewerOf(r), c.ID); err != nil {
			s.Site.Fail(w, r, err)
			return
		}
	}
	for _, id := range f.Values["observables"] {
		d.Chosen[id] = true
	}
	s.Site.RenderForm(w, r, status, "cert-cases/handover", d, f)
}

func (s *Service) handOverPage(w http.ResponseWriter, r *http.Request) {
	c, ok := s.editableFor(w, r)
	if !ok {
		return
	}
	if !open(c.Status) {
		s.Site.Fail(w, r, errCaseClosed)
		return
	}
	s.renderHandOver(w, r, c, http.StatusOK, web.NewForm(url.Values{"title": {c.Title}, "marking": {string(c.Marking)}}))
}

func (s *Service) handOverPost(w http.ResponseWriter, r *http.Request) {
	c, ok := s.editableFor(w, r)
	if !ok {
		return
	}
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	h, err := s.HandOver(r.Context(), web.ViewerOf(r), c.ID, HandOverInput{To: f.Value("to"), Title: f.Value("title"),
		Summary: f.Value("summary"), Marking: f.Value("marking"), Observables: f.Values["observables"]}, web.ClientIP(r))
	if err != nil {
		if f.Merge(err) || errs.Is(err, errs.Conflict) {
			if !f.Has() {
				f.Set("to", errs.KeyOf(err))
			}
			s.renderHandOver(w, r, c, errs.Status(err), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, h.Path(), "cert.cases.flash.handed_over")
}

func (s *Service) inboxPage(w http.ResponseWriter, r *http.Request) {
	in, out, err := s.Inbox(r.Context(), web.ViewerOf(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var ids []string
	for _, h := range in {
		ids = append(ids, h.FromOrg)
	}
	for _, h := range out {
		ids = append(ids, h.ToOrg)
	}
	names, err := s.Orgs.NamesIn(r.Context(), web.PrinterOf(r).Lang, ids...)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Render(w, r, http.StatusOK, "cert-cases/inbox", map[string]any{"In": in, "Out": out, "Names": names})
}

// handOverView is what a hand-over's page shows.
type handOverView struct {
	H          *HandOver
	FromTo     template.HTML // which team handed it to which
	Receiver   bool          // an admin or analyst of the receiving team
	Sender     bool          // an editor of the sending case
	CaseSeen   bool
	LinkedSeen bool
	Summary    []string
}

func (s *Service) handOverShow(w http.ResponseWriter, r *http.Request) {
	s.renderHandOverShow(w, r, http.StatusOK, nil)
}

func (s *Service) renderHandOverShow(w http.ResponseWriter, r *http.Request, status int, f *web.Form) {
	ctx := r.Context()
	v := web.ViewerOf(r)
	h, err := s.GetHandOver(ctx, v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	p := web.PrinterOf(r)
	names, err := s.Orgs.NamesIn(ctx, p.Lang, h.FromOrg, h.ToOrg)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	d := handOverView{H: h, Receiver: sharing.IsEditor(v, &sharing.Meta{Type: cert.CaseType, OwnerOrg: h.ToOrg}),
		FromTo: sentence(p, "cert.cases.handover.from_to", "from", names[h.FromOrg], "to", names[h.ToOrg]), Summary: strings.Split(h.Summary, "\n")}
	if c, err := s.Get(ctx, v, h.CaseID); err == nil {
		d.CaseSeen, d.Sender = true, s.isEditor(v, c)
	}
	if h.LinkedCase != "" {
		_, err := s.Get(ctx, v, h.LinkedCase)
		d.LinkedSeen = err == nil
	}
	if f == nil {
		f = web.NewForm(url.Values{"summary": {h.Summary}})
	}
	s.Site.RenderForm(w, r, status, "cert-cases/handover_show", d, f)
}

// hop runs one of the hand-over page's forms.
func (s *Service) hop(w http.ResponseWriter, r *http.Request, do func(f *web.Form) (string, error), flash string) {
	f, err := web.ParseForm(r)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	next, err := do(f)
	if err != nil {
		if f.Merge(err) || errs.Is(err, errs.Conflict) {
			if !f.Has() {
				f.Set("form", errs.KeyOf(err))
			}
			s.renderHandOverShow(w, r, errs.Status(err), f)
			return
		}
		s.Site.Fail(w, r, err)
		return
	}
	s.Site.Redirect(w, r, next, flash)
}

func (s *Service) acceptPost(w http.ResponseWriter, r *http.Request) {
	s.hop(w, r, func(*web.Form) (string, error) {
		c, err := s.Accept(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r))
		if err != nil {
			return "", err
		}
		return c.Path(), nil
	}, "cert.cases.flash.accepted")
}

func (s *Service) declinePost(w http.ResponseWriter, r *http.Request) {
	s.hop(w, r, func(f *web.Form) (string, error) {
		if _, err := s.Decline(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("reason"), web.ClientIP(r)); err != nil {
			return "", err
		}
		return "/cert/handovers", nil
	}, "cert.cases.flash.declined")
}

func (s *Service) withdrawPost(w http.ResponseWriter, r *http.Request) {
	s.hop(w, r, func(*web.Form) (string, error) {
		h, err := s.Withdraw(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r))
		if err != nil {
			return "", err
		}
		return cert.CaseType.Path(h.CaseID), nil
	}, "cert.cases.flash.withdrawn")
}

func (s *Service) summaryPost(w http.ResponseWriter, r *http.Request) {
	s.hop(w, r, func(f *web.Form) (string, error) {
		h, err := s.EditSummary(r.Context(), web.ViewerOf(r), r.PathValue("id"), f.Value("summary"), web.ClientIP(r))
		if err != nil {
			return "", err
		}
		return h.Path(), nil
	}, "cert.cases.flash.saved")
}

// stix writes a STIX 2.1 bundle of the case and of the observables the
// viewer may see (those named by ?id=, or all).
func (s *Service) stix(w http.ResponseWriter, r *http.Request) {
	c, err := s.Get(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var ids []string
	for _, id := range r.URL.Query()["id"] {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	ref, err := s.ref(r.Context(), c)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	export := caseExport(c)
	export.From = ref.From
	body, err := s.Observables.ExportCase(r.Context(), web.ViewerOf(r), export, ids)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", STIXType)
	w.Header().Set("Content-Disposition", `attachment; filename="case-`+c.ID+`.stix.json"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Last-Modified", c.UpdatedAt.UTC().Format(time.RFC1123))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
