package app_test

import (
	"os"
	"path/filepath"
	"regexp"

	"harambee.africa/harambee/internal/cert"
	"harambee.africa/harambee/internal/cert/cases"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		for _, s := range cases.Statuses {
			used["cert.cases.status."+s] = "cases.Statuses"
		}
		for _, s := range cases.Severities {
			used["cert.cases.severity."+s] = "cases.Severities"
		}
		for _, s := range cert.Sectors {
			used["cert.sector."+s] = "cert.Sectors"
		}
		for _, c := range cases.Taxonomy {
			used[cases.ClassKey(c.Name)] = "cases.Taxonomy"
			for _, t := range c.Types {
				used[cases.TypeKey(t)] = "cases.Taxonomy"
			}
		}
		for _, s := range []string{cases.Pending, cases.Accepted, cases.Declined, cases.Withdrawn} {
			used["cert.cases.handover.status."+s] = "hand-over statuses"
		}
		for _, f := range []string{"title", "summary", "category", "severity", "countries", "sectors"} {
			used["cert.cases.field."+f] = "cases edited fields"
		}
		for _, e := range []string{"created", "status", "assigned", "unassigned", "marking", "marking_restored", "peer_marking", "edited",
			"task_added", "task_done", "task_reopened", "task_edited", "handover_sent", "handover_received", "handover_accepted",
			"handover_declined", "handover_withdrawn", "handover_edited", "sla_breach_ack", "sla_breach_resolve"} {
			used["cert.cases.event."+e] = "cases timeline events"
		}
		for _, w := range []string{"ack", "resolve"} {
			for _, s := range []string{"left", "met", "late", "breached"} {
				used["cert.cases.sla."+w+"_"+s] = "cases SLA lines"
			}
			used["cert.cases.note.sla_"+w] = "cases SLA notes"
		}
		used["cert.cases.sla.duration"] = "cases SLA lines"
		used["nav.cert_cases"] = "wire_cert_cases.go"
		for _, k := range []string{cases.SLAKind.LabelKey(), cases.SLAKind.HintKey(), cases.HandOverKind.LabelKey(), cases.HandOverKind.HintKey()} {
			used[k] = "cases notification kinds"
		}
		// Error, flash and notification keys of the package's Go code.
		key := regexp.MustCompile(`"(cert\.cases\.(?:error|flash|note)\.[a-z_]*[a-z])"`)
		files, _ := filepath.Glob(filepath.Join("..", "cert", "cases", "*.go"))
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
