package cases

import (
	"net/http"
	"time"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/org"

	"harambee.africa/harambee/internal/web"
)

var (
	orgRef = web.Obj(map[string]any{"id": web.Str, "slug": web.Str,
		"name":      map[string]any{"type": "string", "description": "in the reader's language (?lang), else English, else the original"},
		"name_lang": web.Str, "country": web.Str}, "id", "slug", "name", "name_lang")
	personRef  = map[string]any{"type": []string{"object", "null"}, "properties": map[string]any{"id": web.Str, "name": web.Str}}
	nullTime   = map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
	clockShape = web.Obj(map[string]any{"target_minutes": web.Int, "met": web.Bool, "breached": web.Bool, "minutes": web.Int,
		"minutes_left": web.Int}, "target_minutes", "met", "breached", "minutes", "minutes_left")
	handOverSchema = web.Obj(map[string]any{"id": web.Str, "url": web.Str, "case": web.Str, "from": orgRef, "to": orgRef, "title": web.Str,
		"summary": web.Str, "summary_edited_at": nullTime, "marking": web.Str, "observables": web.Arr(web.Str),
		"status": map[string]any{"type": "string", "enum": []string{Pending, Accepted, Declined, Withdrawn}}, "reason": web.Str,
		"linked_case": web.Str, "created_at": web.Time, "responded_at": nullTime},
		"id", "url", "case", "from", "to", "title", "summary", "marking", "status", "created_at")
	eventSchema = web.Obj(map[string]any{"id": web.Str, "kind": web.Str, "actor": personRef, "body": web.Str, "text": web.Str,
		"data": map[string]any{"type": "object", "additionalProperties": web.Str}, "at": web.Time}, "id", "kind", "text", "at")
	taskSchema = web.Obj(map[string]any{"id": web.Str, "title": web.Str, "done": web.Bool, "assignee": personRef,
		"due": map[string]any{"type": []string{"string", "null"}, "format": "date"}, "created_at": web.Time, "done_at": nullTime},
		"id", "title", "done", "created_at")
	caseSchema = web.Obj(map[string]any{
		"id": web.Str, "url": web.Str, "title": web.Str, "summary": web.Str,
		"category": map[string]any{"type": "string", "description": "an ENISA RSIT incident type, or empty"}, "class": web.Str,
		"severity": map[string]any{"type": "string", "enum": Severities}, "status": map[string]any{"type": "string", "enum": Statuses},
		"marking": web.Str, "marking_floor": web.Str, "countries": web.Arr(web.Str), "sectors": web.Arr(web.Str),
		"assignee": personRef, "owner_org": orgRef, "report_id": web.Str, "created_at": web.Time, "updated_at": web.Time,
		"acknowledged_at": nullTime, "resolved_at": nullTime, "closed_at": nullTime,
		"sla":      web.Obj(map[string]any{"paused": web.Bool, "acknowledge": clockShape, "resolve": clockShape}, "paused", "acknowledge", "resolve"),
		"from":     web.Arr(web.Str),
		"received": handOverSchema, "timeline": web.Arr(eventSchema), "tasks": web.Arr(taskSchema), "handovers": web.Arr(handOverSchema)},
		"id", "url", "title", "severity", "status", "marking", "countries", "sectors", "owner_org", "sla")
	caseFields = map[string]any{"title": web.Str, "summary": web.Str, "category": web.Str,
		"severity": map[string]any{"type": "string", "enum": Severities}, "marking": web.Str,
		"countries": web.Arr(web.Str), "sectors": web.Arr(map[string]any{"type": "string", "enum": cert.Sectors})}
)

func (s *Service) mountAPI(site *web.Site) {
	signed := func(h http.HandlerFunc) http.HandlerFunc { return account.RequireSignIn(site, h) }
	write := func(id, summary string, body map[string]any, status int, resp map[string]any) web.Operation {
		return web.Operation{ID: id, Tag: "cert", Auth: true, Scope: account.ScopeWrite, Summary: summary, Body: body, Status: status, Response: resp}
	}
	site.API("GET /api/v1/cert/cases", web.Operation{ID: "listCertCases", Tag: "cert", List: true, Response: caseSchema,
		Summary: "Incident cases the caller may see, most recently changed first (by relevance with q)",
		Query: []web.Param{{Name: "status", Description: "a status, or open"}, {Name: "severity", Description: "low, medium, high or critical"},
			{Name: "country", Description: "ISO 3166-1 alpha-2 of an affected country"}, {Name: "mine", Description: "1: assigned to the caller"}}},
		s.apiList)
	create := map[string]any{"owner_org": web.Str, "assignee": web.Str}
	for k, v := range caseFields {
		create[k] = v
	}
	site.API("POST /api/v1/cert/cases", write("createCertCase", "Open a case for a CERT team the caller is an admin or analyst of "+
		"(owner_org: slug or id); marking AMBER unless given", web.Obj(create, "title", "severity"), http.StatusCreated, caseSchema), signed(s.apiCreate))
	site.API("GET /api/v1/cert/cases/{id}", web.Operation{ID: "getCertCase", Tag: "cert", Response: caseSchema,
		Summary: "One case with its timeline, tasks and hand-overs"}, s.apiGet)
	site.API("PATCH /api/v1/cert/cases/{id}", write("updateCertCase", "Change a case (its team's admins and analysts): the fields given "+
		"replace the case's; a received case's marking never goes below its hand-over's", web.Obj(caseFields), 0, caseSchema), signed(s.apiPatch))
	site.API("POST /api/v1/cert/cases/{id}/status", write("setCertCaseStatus", "Move a case along its workflow",
		web.Obj(map[string]any{"status": map[string]any{"type": "string", "enum": Statuses}}, "status"), 0, caseSchema), signed(s.apiStatus))
	site.API("POST /api/v1/cert/cases/{id}/assign", write("assignCertCase", "Assign a case to a member of its team (empty: nobody)",
		web.Obj(map[string]any{"assignee": web.Str}, "assignee"), 0, caseSchema), signed(s.apiAssign))
	site.API("POST /api/v1/cert/cases/{id}/comments", write("commentCertCase", "Add a note to a case's timeline",
		web.Obj(map[string]any{"body": web.Str}, "body"), http.StatusCreated, eventSchema), signed(s.apiComment))
	taskIn := map[string]any{"title": web.Str, "assignee": web.Str, "due": web.Str, "done": web.Bool}
	site.API("POST /api/v1/cert/cases/{id}/tasks", write("addCertCaseTask", "Add a task to a case", web.Obj(taskIn, "title"),
		http.StatusCreated, taskSchema), signed(s.apiAddTask))
	site.API("PATCH /api/v1/cert/cases/{id}/tasks/{task}", write("updateCertCaseTask", "Change a task of a case", web.Obj(taskIn), 0, taskSchema),
		signed(s.apiPatchTask))
	site.API("POST /api/v1/cert/cases/{id}/handovers", write("handOverCertCase", "Hand a case (or, with observables, part of it) "+
		"to another vetted CERT (to: its slug, or a country code with one vetted national CERT); the marking may not be lower than the case's",
		web.Obj(map[string]any{"to": web.Str, "title": web.Str, "summary": web.Str, "marking": web.Str, "observables": web.Arr(web.Str)},
			"to", "summary"), http.StatusCreated, handOverSchema), signed(s.apiHandOver))
	site.API("GET /api/v1/cert/handovers", web.Operation{ID: "listCertHandOvers", Tag: "cert", Auth: true,
		Summary:  "Hand-overs to the caller's teams (pending first) and from cases the caller sees",
		Response: web.Obj(map[string]any{"incoming": web.Arr(handOverSchema), "outgoing": web.Arr(handOverSchema)}, "incoming", "outgoing")},
		signed(s.apiInbox))
	site.API("GET /api/v1/cert/handovers/{id}", web.Operation{ID: "getCertHandOver", Tag: "cert", Auth: true, Response: handOverSchema,
		Summary: "One hand-over, for either team"}, signed(s.apiHandOverGet))
	site.API("POST /api/v1/cert/handovers/{id}/accept", write("acceptCertHandOver", "Accept a hand-over for the receiving team: "+
		"returns the team's new linked case", nil, http.StatusCreated, caseSchema), signed(s.apiAccept))
	site.API("POST /api/v1/cert/handovers/{id}/decline", write("declineCertHandOver", "Decline a hand-over, with a reason",
		web.Obj(map[string]any{"reason": web.Str}, "reason"), 0, handOverSchema), signed(s.apiDecline))
	site.API("POST /api/v1/cert/handovers/{id}/withdraw", write("withdrawCertHandOver", "Withdraw a pending hand-over (the sending team)",
		nil, 0, handOverSchema), signed(s.apiWithdraw))
	site.API("PATCH /api/v1/cert/handovers/{id}", write("editCertHandOver", "Change a hand-over's summary (the sending team); "+
		"both teams read the change", web.Obj(map[string]any{"summary": web.Str}, "summary"), 0, handOverSchema), signed(s.apiEditHandOver))
	if s.Observables != nil {
		site.API("GET /api/v1/cert/cases/{id}/stix", web.Operation{ID: "exportCertCase", Tag: "cert",
			Summary:  "A STIX 2.1 bundle of the case and of its observables the caller may see (id=… selects some), as " + STIXType,
			Query:    []web.Param{{Name: "id", Description: "an observable to export; repeat for more"}},
			Response: web.Obj(map[string]any{"type": web.Str, "id": web.Str, "objects": web.Arr(map[string]any{"type": "object"})}, "type", "id")},
			s.stix)
	}
}

// apiOrg is a team as the API names it: in the reader's language, as the
// directory's API does, with the language the name is in.
type apiOrg struct {
	ID       string `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	NameLang string `json:"name_lang"`
	Country  string `json:"country,omitempty"`
}

func orgOfAPI(id, slug, country string, names org.Names) apiOrg {
	n := names[id]
	return apiOrg{ID: id, Slug: slug, Name: n.Text, NameLang: n.Lang, Country: country}
}

type apiPerson struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type apiClock struct {
	Target   int64 `json:"target_minutes"`
	Met      bool  `json:"met"`
	Breached bool  `json:"breached"`
	Minutes  int64 `json:"minutes"`
	Left     int64 `json:"minutes_left"`
}

type apiSLA struct {
	Paused  bool     `json:"paused"`
	Ack     apiClock `json:"acknowledge"`
	Resolve apiClock `json:"resolve"`
}

type apiHandOver struct {
	ID          string     `json:"id"`
	URL         string     `json:"url"`
	Case        string     `json:"case"`
	From        apiOrg     `json:"from"`
	To          apiOrg     `json:"to"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	Edited      *time.Time `json:"summary_edited_at"`
	Marking     string     `json:"marking"`
	Observables []string   `json:"observables"`
	Status      string     `json:"status"`
	Reason      string     `json:"reason"`
	LinkedCase  string     `json:"linked_case"`
	CreatedAt   time.Time  `json:"created_at"`
	RespondedAt *time.Time `json:"responded_at"`
}

type apiEvent struct {
	ID    string            `json:"id"`
	Kind  string            `json:"kind"`
	Actor *apiPerson        `json:"actor"`
	Body  string            `json:"body,omitempty"`
	Text  string            `json:"text"`
	Data  map[string]string `json:"data,omitempty"`
	At    time.Time         `json:"at"`
}

type apiTask struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Done      bool       `json:"done"`
	Assignee  *apiPerson `json:"assignee"`
	Due       *string    `json:"due"`
	CreatedAt time.Time  `json:"created_at"`
	DoneAt    *time.Time `json:"done_at"`
}

type apiCase struct {
	ID             string         `json:"id"`
	URL            string         `json:"url"`
	Title          string         `json:"title"`
	Summary        string         `json:"summary"`
	Category       string         `json:"category"`
	Class          string         `json:"class"`
	Severity       string         `json:"severity"`
	Status         string         `json:"status"`
	Marking        string         `json:"marking"`
	Floor          string         `json:"marking_floor"`
	Countries      []string       `json:"countries"`
	Sectors        []string       `json:"sectors"`
	Assignee       *apiPerson     `json:"assignee"`
	OwnerOrg       apiOrg         `json:"owner_org"`
	ReportID       string         `json:"report_id"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at"`
	ResolvedAt     *time.Time     `json:"resolved_at"`
	ClosedAt       *time.Time     `json:"closed_at"`
	SLA            apiSLA         `json:"sla"`
	From           []string       `json:"from"`
	Received       *apiHandOver   `json:"received,omitempty"`
	Timeline       *[]apiEvent    `json:"timeline,omitempty"`
	Tasks          *[]apiTask     `json:"tasks,omitempty"`
	HandOvers      *[]apiHandOver `json:"handovers,omitempty"`
}

func clockOfAPI(k Clock) apiClock {
	return apiClock{Target: int64(k.Target / time.Minute), Met: k.Met, Breached: k.Breached, Minutes: int64(k.Took / time.Minute),
		Left: int64(k.Left / time.Minute)}
}

func (s *Service) apiOf(c *Case, names org.Names) apiCase {
	sla := c.SLAAt(s.Clock.Now())
	out := apiCase{ID: c.ID, URL: s.Site.BaseURL + c.Path(), Title: c.Title, Summary: c.Summary, Category: c.Category, Class: c.Class(),
		Severity: c.Severity, Status: c.Status, Marking: string(c.Marking), Floor: string(c.Floor), Countries: c.Countries,
		Sectors: c.Sectors, OwnerOrg: orgOfAPI(c.OwnerOrg, c.OwnerSlug, c.OwnerCountry, names),
		ReportID: c.ReportID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, AcknowledgedAt: c.AcknowledgedAt, ResolvedAt: c.ResolvedAt,
		ClosedAt: c.ClosedAt, SLA: apiSLA{Paused: sla.Paused, Ack: clockOfAPI(sla.Ack), Resolve: clockOfAPI(sla.Resolve)}, From: []string{}}
	if out.Countries == nil {
		out.Countries = []string{}
	}
	if out.Sectors == nil {
		out.Sectors = []string{}
	}
	if c.Assignee != "" {
		out.Assignee = &apiPerson{ID: c.Assignee, Name: c.AssigneeName}
	}
	return out
}

func (s *Service) handOverOf(h *HandOver, names org.Names) apiHandOver {
	out := apiHandOver{ID: h.ID, URL: s.Site.BaseURL + h.Path(), Case: h.CaseID,
		From: orgOfAPI(h.FromOrg, h.FromSlug, h.FromCountry, names), To: orgOfAPI(h.ToOrg, h.ToSlug, h.ToCountry, names),
		Title: h.Title, Summary: h.Summary,
		Edited: h.SummaryEdited, Marking: string(h.Marking), Observables: h.Observables, Status: h.Status, Reason: h.Reason,
		LinkedCase: h.LinkedCase, CreatedAt: h.CreatedAt, RespondedAt: h.RespondedAt}
	if out.Observables == nil {
		out.Observables = []string{}
	}
	return out
}

// answerHandOver writes one hand-over, its teams named in the reader's language.
func (s *Service) answerHandOver(w http.ResponseWriter, r *http.Request, status int, h *HandOver) {
	names, err := s.Orgs.NamesIn(r.Context(), web.PrinterOf(r).Lang, h.FromOrg, h.ToOrg)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, status, s.handOverOf(h, names))
}

func taskOf(t Task) apiTask {
	out := apiTask{ID: t.ID, Title: t.Title, Done: t.Done, CreatedAt: t.CreatedAt, DoneAt: t.DoneAt}
	if t.Assignee != "" {
		out.Assignee = &apiPerson{ID: t.Assignee, Name: t.AssigneeName}
	}
	if t.Due != nil {
		d := t.Due.Format(time.DateOnly)
		out.Due = &d
	}
	return out
}

func (s *Service) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := filterOf(q)
	limit, err := web.Limit(q.Get("limit"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	f.Limit = limit
	page, err := s.List(r.Context(), web.ViewerOf(r), f)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	ids := make([]string, len(page.Items))
	for i, c := range page.Items {
		ids[i] = c.OwnerOrg
	}
	names, err := s.Orgs.NamesIn(r.Context(), web.PrinterOf(r).Lang, ids...)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	items := make([]apiCase, 0, len(page.Items))
	for _, c := range page.Items {
		items = append(items, s.apiOf(c, names))
	}
	web.JSON(w, http.StatusOK, web.NewList(items, page.Next))
}

// full is a case with everything the viewer may see of it.
func (s *Service) full(r *http.Request, id string) (apiCase, error) {
	ctx := r.Context()
	v := web.ViewerOf(r)
	c, err := s.Get(ctx, v, id)
	if err != nil {
		return apiCase{}, err
	}
	ref, err := s.ref(ctx, c)
	if err != nil {
		return apiCase{}, err
	}
	events, err := s.Timeline(ctx, v, c.ID)
	if err != nil {
		return apiCase{}, err
	}
	members, err := s.Members(ctx, c.OwnerOrg)
	if err != nil {
		return apiCase{}, err
	}
	hos, err := s.HandOversOf(ctx, v, c.ID)
	if err != nil {
		return apiCase{}, err
	}
	var received *HandOver
	if c.OriginHandOver != "" {
		if h, err := s.GetHandOver(ctx, v, c.OriginHandOver); err == nil {
			received = h
		}
	}
	ids := append(eventTeams(events), c.OwnerOrg)
	for _, h := range hos {
		ids = append(ids, h.FromOrg, h.ToOrg)
	}
	if received != nil {
		ids = append(ids, received.FromOrg, received.ToOrg)
	}
	p := web.PrinterOf(r)
	names, err := s.Orgs.NamesIn(ctx, p.Lang, ids...)
	if err != nil {
		return apiCase{}, err
	}
	out := s.apiOf(c, names)
	out.From = append(out.From, ref.From...)
	people := map[string]string{}
	for _, m := range members {
		people[m.ID] = m.Name
	}
	tl := []apiEvent{}
	for _, ev := range events {
		e := apiEvent{ID: ev.ID, Kind: ev.Kind, Body: ev.Body, Text: eventText(p, ev, people, names), Data: ev.Data, At: ev.At}
		if ev.Actor != "" {
			e.Actor = &apiPerson{ID: ev.Actor, Name: ev.ActorName}
		}
		tl = append(tl, e)
	}
	out.Timeline = &tl
	tasks, err := s.Tasks(ctx, v, c.ID)
	if err != nil {
		return out, err
	}
	tk := []apiTask{}
	for _, t := range tasks {
		tk = append(tk, taskOf(t))
	}
	out.Tasks = &tk
	hl := []apiHandOver{}
	for _, h := range hos {
		hl = append(hl, s.handOverOf(h, names))
	}
	out.HandOvers = &hl
	if received != nil {
		x := s.handOverOf(received, names)
		out.Received = &x
	}
	return out, nil
}

func (s *Service) answerCase(w http.ResponseWriter, r *http.Request, status int, id string) {
	out, err := s.full(r, id)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, status, out)
}

func (s *Service) apiGet(w http.ResponseWriter, r *http.Request) {
	s.answerCase(w, r, http.StatusOK, r.PathValue("id"))
}

// apiFields are the case fields the API takes, absent ones left as they are.
type apiFields struct {
	Title     *string   `json:"title"`
	Summary   *string   `json:"summary"`
	Category  *string   `json:"category"`
	Severity  *string   `json:"severity"`
	Marking   *string   `json:"marking"`
	Countries *[]string `json:"countries"`
	Sectors   *[]string `json:"sectors"`
}

func (f apiFields) onto(in *Input) {
	for _, p := range []struct{ dst, src *string }{{&in.Title, f.Title}, {&in.Summary, f.Summary}, {&in.Category, f.Category},
		{&in.Severity, f.Severity}, {&in.Marking, f.Marking}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if f.Countries != nil {
		in.Countries = *f.Countries
	}
	if f.Sectors != nil {
		in.Sectors = *f.Sectors
	}
}

func (s *Service) apiCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		apiFields
		OwnerOrg string `json:"owner_org"`
		Assignee string `json:"assignee"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := Input{OwnerOrg: body.OwnerOrg, Assignee: body.Assignee}
	body.onto(&in)
	c, err := s.Create(r.Context(), web.ViewerOf(r), in, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerCase(w, r, http.StatusCreated, c.ID)
}

func (s *Service) apiPatch(w http.ResponseWriter, r *http.Request) {
	var body apiFields
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	c, err := s.editable(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	in := InputOf(c)
	body.onto(&in)
	if _, err := s.Update(r.Context(), v, c.ID, in, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerCase(w, r, http.StatusOK, c.ID)
}

func (s *Service) apiStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if _, err := s.SetStatus(r.Context(), web.ViewerOf(r), r.PathValue("id"), body.Status, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerCase(w, r, http.StatusOK, r.PathValue("id"))
}

func (s *Service) apiAssign(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Assignee string `json:"assignee"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	if _, err := s.Assign(r.Context(), web.ViewerOf(r), r.PathValue("id"), body.Assignee, web.ClientIP(r)); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerCase(w, r, http.StatusOK, r.PathValue("id"))
}

func (s *Service) apiComment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Body string `json:"body"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	v := web.ViewerOf(r)
	ev, err := s.Comment(r.Context(), v, r.PathValue("id"), body.Body, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, apiEvent{ID: ev.ID, Kind: ev.Kind, Actor: &apiPerson{ID: v.ID, Name: v.Name}, Body: ev.Body,
		Text: ev.Body, At: ev.At})
}

type apiTaskIn struct {
	Title    *string `json:"title"`
	Assignee *string `json:"assignee"`
	Due      *string `json:"due"`
	Done     *bool   `json:"done"`
}

func (s *Service) apiAddTask(w http.ResponseWriter, r *http.Request) {
	var body apiTaskIn
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	t, err := s.AddTask(r.Context(), web.ViewerOf(r), r.PathValue("id"), TaskInput(body), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, taskOf(*t))
}

func (s *Service) apiPatchTask(w http.ResponseWriter, r *http.Request) {
	var body apiTaskIn
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	t, err := s.UpdateTask(r.Context(), web.ViewerOf(r), r.PathValue("id"), r.PathValue("task"), TaskInput(body), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, taskOf(*t))
}

func (s *Service) apiHandOver(w http.ResponseWriter, r *http.Request) {
	var body struct {
		To          string   `json:"to"`
		Title       string   `json:"title"`
		Summary     string   `json:"summary"`
		Marking     string   `json:"marking"`
		Observables []string `json:"observables"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	h, err := s.HandOver(r.Context(), web.ViewerOf(r), r.PathValue("id"), HandOverInput(body), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerHandOver(w, r, http.StatusCreated, h)
}

func (s *Service) apiInbox(w http.ResponseWriter, r *http.Request) {
	in, out, err := s.Inbox(r.Context(), web.ViewerOf(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	var ids []string
	for _, h := range append(in, out...) {
		ids = append(ids, h.FromOrg, h.ToOrg)
	}
	names, err := s.Orgs.NamesIn(r.Context(), web.PrinterOf(r).Lang, ids...)
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	res := struct {
		Incoming []apiHandOver `json:"incoming"`
		Outgoing []apiHandOver `json:"outgoing"`
	}{Incoming: []apiHandOver{}, Outgoing: []apiHandOver{}}
	for _, h := range in {
		res.Incoming = append(res.Incoming, s.handOverOf(h, names))
	}
	for _, h := range out {
		res.Outgoing = append(res.Outgoing, s.handOverOf(h, names))
	}
	web.JSON(w, http.StatusOK, res)
}

func (s *Service) apiHandOverGet(w http.ResponseWriter, r *http.Request) {
	h, err := s.GetHandOver(r.Context(), web.ViewerOf(r), r.PathValue("id"))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerHandOver(w, r, http.StatusOK, h)
}

func (s *Service) apiAccept(w http.ResponseWriter, r *http.Request) {
	c, err := s.Accept(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerCase(w, r, http.StatusCreated, c.ID)
}

func (s *Service) apiDecline(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	h, err := s.Decline(r.Context(), web.ViewerOf(r), r.PathValue("id"), body.Reason, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerHandOver(w, r, http.StatusOK, h)
}

func (s *Service) apiWithdraw(w http.ResponseWriter, r *http.Request) {
	h, err := s.Withdraw(r.Context(), web.ViewerOf(r), r.PathValue("id"), web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerHandOver(w, r, http.StatusOK, h)
}

func (s *Service) apiEditHandOver(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Summary string `json:"summary"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	h, err := s.EditSummary(r.Context(), web.ViewerOf(r), r.PathValue("id"), body.Summary, web.ClientIP(r))
	if err != nil {
		s.Site.Fail(w, r, err)
		return
	}
	s.answerHandOver(w, r, http.StatusOK, h)
}
