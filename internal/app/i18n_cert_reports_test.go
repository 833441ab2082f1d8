package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"harambee.africa/harambee/internal/cert/reports"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		for _, c := range reports.Categories {
			used["cert.reports.category."+c] = "reports.Categories"
		}
		for _, st := range reports.FollowStatuses {
			used["cert.reports.follow.status."+st], used["cert.reports.follow.explain."+st] = "reports.FollowStatuses", "reports.FollowStatuses"
			used["cert.reports.note."+st] = "reports.FollowStatuses"
			if st != reports.FollowReceived {
				used["mail.cert_report_"+st+".body"] = "reports.FollowStatuses"
			}
		}
		for _, st := range []string{reports.Received, reports.Case, reports.Rejected} {
			used["cert.reports.state."+st] = "report statuses"
		}
		for _, f := range []string{"waiting", reports.Case, reports.Rejected, "all"} {
			used["cert.reports.queue.filter."+f] = "queue filters"
		}
		for _, m := range reports.CaseMarkings {
			used["cert.reports.marking."+strings.ReplaceAll(m, "+", "_")] = "reports.CaseMarkings"
		}
		for n := 1; n <= 10; n++ {
			used["cert.reports.number."+strconv.Itoa(n)] = "reports challenge questions"
		}
		used["cert.reports.question"] = "reports challenge questions"
		used["nav.cert_report"], used["nav.cert_reports_queue"] = "wire_cert_reports.go", "wire_cert_reports.go"
		for _, k := range []string{reports.ReportKind.LabelKey(), reports.ReportKind.HintKey(), reports.StatusKind.LabelKey(), reports.StatusKind.HintKey()} {
			used[k] = "reports notification kinds"
		}
		key := regexp.MustCompile(`"(cert\.reports\.(?:error|flash|note)\.[a-z_]+)"`)
		files, _ := filepath.Glob(filepath.Join("..", "cert", "reports", "*.go"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, m := range key.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
		}
	})
}
