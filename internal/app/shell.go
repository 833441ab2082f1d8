package app

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"harambee.africa/harambee/internal/account"
	"harambee.africa/harambee/internal/audit"
	"harambee.africa/harambee/internal/geo"
	"harambee.africa/harambee/internal/jobs"
	"harambee.africa/harambee/internal/web"
)

// mountShell registers the pages and endpoints that belong to no module.
func (a *App) mountShell() {
	s := a.Site
	s.PageFunc("GET /{$}", a.home)
	s.PageFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.PageFunc("GET /readyz", a.ready)
	s.Page("GET /metrics", a.Metrics.Handler())
	s.API("GET /api/v1/openapi.json", web.Operation{ID: "getOpenAPI", Tag: "meta", Summary: "This document"}, s.ServeOpenAPI)
	s.API("GET /api/v1/countries", web.Operation{ID: "listCountries", Tag: "reference",
		Summary: "ISO 3166-1 countries: names in six languages, African Union region, ISO 4217 currency with minor units, official languages",
		List:    true,
		Query:   []web.Param{{Name: "african", Type: "boolean", Description: "only the 54 African UN member states (true) or the others (false)"}, {Name: "region", Description: "African Union region: central, eastern, northern, southern, western"}},
		Response: web.Obj(map[string]any{"code": web.Str, "alpha3": web.Str, "numeric": web.Str, "names": map[string]any{"type": "object"},
			"au_region": map[string]any{"type": []string{"string", "null"}}, "currency": map[string]any{"type": []string{"object", "null"}},
			"languages": web.Arr(web.Str), "part_of": map[string]any{"type": []string{"string", "null"}}, "african": web.Bool}, "code", "names"),
	}, geo.CountriesHandler().ServeHTTP)
	s.PageFunc("GET /admin", account.RequireAdmin(s, a.adminHome))
	s.PageFunc("GET /admin/jobs", account.RequireAdmin(s, a.jobsPage))
	s.PageFunc("POST /admin/jobs/{id}/retry", account.RequireAdmin(s, a.retryJob))
	s.PageFunc("GET /admin/audit", account.RequireAdmin(s, a.auditPage))
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	a.Site.Render(w, r, http.StatusOK, "app/home", nil)
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.DB.Ping(ctx); err != nil {
		a.Log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

func (a *App) adminHome(w http.ResponseWriter, r *http.Request) {
	counts, err := a.Queue.Counts(r.Context())
	if err != nil {
		a.Site.Fail(w, r, err)
		return
	}
	a.Site.Render(w, r, http.StatusOK, "app/admin", map[string]any{"Counts": counts})
}

func (a *App) jobsPage(w http.ResponseWriter, r *http.Request) {
	failed, next, err := a.Queue.Failed(r.Context(), 50, r.URL.Query().Get("cursor"))
	if err != nil {
		a.Site.Fail(w, r, err)
		return
	}
	counts, err := a.Queue.Counts(r.Context())
	if err != nil {
		a.Site.Fail(w, r, err)
		return
	}
	a.Site.Render(w, r, http.StatusOK, "app/jobs", map[string]any{"Failed": failed, "Next": next, "Counts": counts, "States": jobs.States})
}

func (a *App) retryJob(w http.ResponseWriter, r *http.Request) {
	if err := a.Queue.Retry(r.Context(), r.PathValue("id")); err != nil {
		a.Site.Fail(w, r, err)
		return
	}
	a.Site.Redirect(w, r, "/admin/jobs", "admin.jobs.retried")
}

func (a *App) auditPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := a.Trail.List(r.Context(), audit.Filter{Action: q.Get("action")}, 50, q.Get("cursor"))
	if err != nil {
		a.Site.Fail(w, r, err)
		return
	}
	a.Site.Render(w, r, http.StatusOK, "app/audit", map[string]any{"Page": page, "Action": q.Get("action")})
}

// registerMetrics exports the job queue's depth and failures.
func (a *App) registerMetrics() {
	a.Metrics.Registry.MustRegister(queueCollector{a})
}

type queueCollector struct{ a *App }

var (
	jobsDesc = prometheus.NewDesc("harambee_jobs", "Jobs by kind and state.", []string{"kind", "state"}, nil)
	dueDesc  = prometheus.NewDesc("harambee_jobs_due", "Jobs whose time has come and that wait for a worker.", nil, nil)
	ageDesc  = prometheus.NewDesc("harambee_jobs_oldest_due_seconds", "How long the oldest due job has waited.", nil, nil)
)

func (c queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- dueDesc
	ch <- ageDesc
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.a.Queue.Counts(ctx)
	if err != nil {
		c.a.Log.Warn("metrics: job counts", "err", err)
		return
	}
	for _, k := range counts.ByKind {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(k.N), k.Kind, string(k.State))
	}
	ch <- prometheus.MustNewConstMetric(dueDesc, prometheus.GaugeValue, float64(counts.Due))
	ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, counts.OldestDue.Seconds())
}
