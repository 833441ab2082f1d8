package cases_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"harambee.africa/harambee/internal/app/apptest"
	"harambee.africa/harambee/internal/cert/cases"
)

// TestRoutesByRole probes every page and API route of a Kenyan AMBER case
// and of its hand-over to Ghana, before and after acceptance, for each
// role: anonymous, a non-member (verified enterprise), a plain member of
// the team, its analyst, the receiving team's analyst, a third team's
// analyst and a platform administrator (who sees nothing extra).
func TestRoutesByRole(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.open("ke-analyst", "Credential stuffing", "medium")
	h, err := w.s.HandOver(ctx, w.v("ke-analyst"), c.ID, cases.HandOverInput{To: "gh-cert", Summary: "Accounts at a Ghanaian bank."}, "")
	if err != nil {
		t.Fatal(err)
	}
	anon := w.e.Browser()
	roles := map[string]*apptest.Browser{"anonymous": anon, "outsider": w.p["outsider"].B, "ke-member": w.p["ke-member"].B,
		"ke-analyst": w.p["ke-analyst"].B, "gh-analyst": w.p["gh-analyst"].B, "sn-analyst": w.p["sn-analyst"].B, "root": w.p["root"].B}
	type probe struct {
		method, path string
		form         url.Values
		json         any
		want         map[string]int // by role; missing roles: the default
		def          int
	}
	id, hid := c.ID, h.ID
	hidden := map[string]int{"anonymous": 303, "outsider": 404, "gh-analyst": 404, "sn-analyst": 404, "root": 404}
	with := func(base map[string]int, extra map[string]int) map[string]int {
		out := map[string]int{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	apiHidden := with(hidden, map[string]int{"anonymous": 401})
	probes := []probe{
		{method: "GET", path: "/cert/cases/" + id, want: with(hidden, map[string]int{"anonymous": 404}), def: 200},
		{method: "GET", path: "/api/v1/cert/cases/" + id, want: with(hidden, map[string]int{"anonymous": 404}), def: 200},
		{method: "GET", path: "/cert/cases/" + id + "/edit", want: with(hidden, map[string]int{"ke-member": 403}), def: 200},
		{method: "GET", path: "/cert/cases/" + id + "/handover", want: with(hidden, map[string]int{"ke-member": 403}), def: 200},
		{method: "POST", path: "/cert/cases/" + id + "/comments", form: url.Values{"comment": {"note"}},
			want: with(hidden, map[string]int{"ke-member": 403}), def: 303},
		{method: "POST", path: "/cert/cases/" + id + "/assign", form: url.Values{"assignee": {""}},
			want: with(hidden, map[string]int{"ke-member": 403}), def: 303},
		{method: "POST", path: "/api/v1/cert/cases/" + id + "/comments", json: map[string]string{"body": "note"},
			want: with(apiHidden, map[string]int{"ke-member": 403}), def: 201},
		{method: "PATCH", path: "/api/v1/cert/cases/" + id, json: map[string]string{"severity": "high"},
			want: with(apiHidden, map[string]int{"ke-member": 403}), def: 200},
		{method: "GET", path: "/cert/handovers/" + hid, want: map[string]int{"anonymous": 303, "outsider": 404, "sn-analyst": 404, "root": 404}, def: 200},
		{method: "GET", path: "/api/v1/cert/handovers/" + hid, want: map[string]int{"anonymous": 401, "outsider": 404, "sn-analyst": 404, "root": 404}, def: 200},
		{method: "GET", path: "/cert/handovers", want: map[string]int{"anonymous": 303}, def: 200},
		{method: "GET", path: "/cert/cases", want: map[string]int{}, def: 200},
		{method: "GET", path: "/cert/cases/new", want: map[string]int{"anonymous": 303, "outsider": 403, "ke-member": 403, "root": 403}, def: 200},
	}
	for _, p := range probes {
		for role, b := range roles {
			want, ok := p.want[role]
			if !ok {
				want = p.def
			}
			var res *apptest.Response
			switch {
			case p.form != nil:
				res = b.Post(p.path, p.form)
			case p.json != nil || p.method != "GET":
				res = api(b, p.method, p.path, p.json)
			default:
				res = b.Get(p.path)
			}
			if res.StatusCode != want {
				t.Errorf("%s %s as %s: %d, want %d", p.method, p.path, role, res.StatusCode, want)
			}
			if strings.HasPrefix(p.path, "/api/") && res.StatusCode >= 400 {
				var e struct {
					Error struct{ Code, Message string }
				}
				if json.Unmarshal([]byte(res.Body), &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
					t.Errorf("%s %s as %s: not a JSON error: %s", p.method, p.path, role, res.Body)
				}
			}
		}
	}
	// Lists: the case shows to its team only; the pending hand-over in
	// Ghana's inbox only.
	for role, b := range roles {
		inList := strings.Contains(b.Get("/cert/cases").Body, "Credential stuffing")
		if want := role == "ke-member" || role == "ke-analyst"; inList != want {
			t.Errorf("list as %s: present=%v", role, inList)
		}
		if role == "anonymous" {
			continue
		}
		var inbox struct{ Incoming, Outgoing []struct{ ID string } }
		json.Unmarshal([]byte(b.Get("/api/v1/cert/handovers").Body), &inbox)
		in, out := len(inbox.Incoming) > 0, len(inbox.Outgoing) > 0
		if in != (role == "gh-analyst") || out != (role == "ke-member" || role == "ke-analyst") {
			t.Errorf("inbox as %s: incoming %v, outgoing %v", role, in, out)
		}
	}
	// Answers: only Ghana's admins and analysts; then Ghana sees its own case, still not Kenya's.
	for role, want := range map[string]int{"ke-analyst": 403, "sn-analyst": 404, "root": 404, "outsider": 404} {
		if res := api(roles[role], "POST", "/api/v1/cert/handovers/"+hid+"/accept", nil); res.StatusCode != want {
			t.Errorf("accept as %s: %d, want %d", role, res.StatusCode, want)
		}
	}
	res := api(roles["gh-analyst"], "POST", "/api/v1/cert/handovers/"+hid+"/accept", nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("accept: %d %s", res.StatusCode, res.Body)
	}
	var linked struct {
		ID       string
		From     []string
		Marking  string
		Received struct{ Summary string }
	}
	json.Unmarshal([]byte(res.Body), &linked)
	if len(linked.From) != 1 || linked.From[0] != id || linked.Marking != "amber" || linked.Received.Summary != "Accounts at a Ghanaian bank." {
		t.Errorf("linked case: %+v", linked)
	}
	for role, want := range map[string]int{"gh-analyst": 200, "ke-analyst": 404, "sn-analyst": 404, "root": 404, "outsider": 404} {
		if res := roles[role].Get("/cert/cases/" + linked.ID); res.StatusCode != want {
			t.Errorf("linked case as %s: %d, want %d", role, res.StatusCode, want)
		}
	}
	if res := roles["gh-analyst"].Get("/cert/cases/" + id); res.StatusCode != 404 {
		t.Errorf("origin as the receiver after acceptance: %d", res.StatusCode)
	}
	// JSON API errors: unknown fields, bad values, bad filters, bad cursors.
	b := roles["ke-analyst"]
	for _, x := range []struct {
		method, path string
		body         string
		want         int
	}{
		{"POST", "/api/v1/cert/cases", `{"title": "x", "severity": "low", "colour": "red"}`, 422},
		{"POST", "/api/v1/cert/cases", `{"title": "x", "severity": "urgent"}`, 422},
		{"POST", "/api/v1/cert/cases", `{"title": 5}`, 422},
		{"POST", "/api/v1/cert/cases/" + id + "/status", `{"status": "closed"}`, 200},
		{"POST", "/api/v1/cert/cases/" + id + "/status", `{"status": "new"}`, 409},
		{"POST", "/api/v1/cert/cases/" + id + "/handovers", `{"to": "sn-cert", "summary": "x"}`, 409},
		{"GET", "/api/v1/cert/cases?severity=extreme", "", 422},
		{"GET", "/api/v1/cert/cases?cursor=AAAA", "", 422},
		{"GET", "/api/v1/cert/cases/nope", "", 404},
	} {
		res := b.Do(x.method, x.path, strings.NewReader(x.body), "application/json")
		if res.StatusCode != x.want {
			t.Errorf("%s %s %s: %d, want %d: %s", x.method, x.path, x.body, res.StatusCode, x.want, res.Body)
		}
	}
	// GREEN cases are for the vetted CERTs' community, not every verified organisation.
	g, err := w.s.Create(ctx, w.v("ke-analyst"), cases.Input{Title: "Green advisory", Severity: "low", Marking: "green"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for role, want := range map[string]int{"sn-analyst": 200, "gh-analyst": 200, "outsider": 404, "anonymous": 404, "root": 404} {
		if res := roles[role].Get("/api/v1/cert/cases/" + g.ID); res.StatusCode != want {
			t.Errorf("GREEN case as %s: %d, want %d", role, res.StatusCode, want)
		}
	}
	// A CLEAR case handed over under AMBER: everyone sees the case, only
	// the two teams see the hand-over and its summary.
	pub, err := w.s.Create(ctx, w.v("ke-analyst"), cases.Input{Title: "Public advisory", Severity: "low", Marking: "clear"}, "")
	if err != nil {
		t.Fatal(err)
	}
	ph, err := w.s.HandOver(ctx, w.v("ke-analyst"), pub.ID, cases.HandOverInput{To: "sn-cert", Summary: "Victim list attached: AMBER only.",
		Marking: "amber"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for role, want := range map[string]bool{"ke-member": true, "sn-analyst": true, "gh-analyst": false, "outsider": false, "anonymous": false} {
		b := roles[role]
		caseRes := b.Get("/api/v1/cert/cases/" + pub.ID)
		if caseRes.StatusCode != http.StatusOK {
			t.Errorf("CLEAR case as %s: %d", role, caseRes.StatusCode)
		}
		leak := strings.Contains(caseRes.Body, "Victim list") || strings.Contains(b.Get("/cert/cases/"+pub.ID).Body, "/cert/handovers/"+ph.ID)
		if leak && !want {
			t.Errorf("CLEAR case as %s shows its AMBER hand-over", role)
		}
		res := b.Get("/api/v1/cert/handovers/" + ph.ID)
		if got := res.StatusCode == http.StatusOK && strings.Contains(res.Body, "Victim list"); got != want {
			t.Errorf("AMBER hand-over of a CLEAR case as %s: %d", role, res.StatusCode)
		}
	}
}
