package app_test

import "harambee.africa/harambee/internal/network/membership"

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		const where = "internal/network/membership"
		for _, s := range membership.Statuses {
			used["network.membership.status."+s] = "membership.Statuses"
			used["network.membership.note."+s] = where + " notifications" // note.submitted goes to officers, the others to applicants
		}
		for _, d := range membership.Decisions {
			used["network.membership.decision."+d] = "membership.Decisions"
		}
		for _, s := range membership.Steps {
			used["network.membership.step."+s] = "membership.Steps"
		}
		for _, k := range []string{"network.membership.note.submitted", "network.membership.note.replied", "network.membership.note.reason",
			"network.membership.ineligible.country", "network.membership.ineligible.kind", "network.membership.nav.queue",
			"network.membership.flash.submitted", "network.membership.flash.reviewed", "network.membership.flash.replied",
			"network.membership.flash.removed"} {
			used[k] = where
		}
		for _, k := range []string{"country_unknown", "country_not_african", "countries_required", "year", "website", "contact_name",
			"contact_email", "statement", "reason_required", "too_long", "member_already", "open_already", "decision", "closed",
			"unverified", "no_question", "not_member", "status"} {
			used["network.membership.error."+k] = where
		}
		used[membership.Kind.LabelKey()], used[membership.Kind.HintKey()] = "membership.Kind", "membership.Kind"
	})
}
