package app_test

import (
	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/network/match"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		for _, d := range []string{network.Offer, network.Seek} {
			used["network.match.reason."+d] = "match.Reason.Text"
		}
		for _, st := range match.Statuses {
			used["network.match.tab."+st] = "network_match/matches.html"
			used["network.match.empty."+st] = "network_match/matches.html"
		}
		for _, a := range []string{match.ActionSave, match.ActionDismiss, match.ActionRestore} {
			used["network.match.flash."+a] = "match.choosePost"
		}
		for _, k := range []string{"network.match.separator", "network.match.error.status", "network.match.error.action",
			"network.match.error.partner", "network.messages.error.from", "network.messages.error.to", "network.messages.error.self",
			"network.messages.error.subject", "network.messages.error.subject_long", "network.messages.error.body",
			"network.messages.error.body_long", "network.messages.flash.started", "network.messages.flash.sent",
			"network.messages.note.subject", "nav.messages"} {
			used[k] = "internal/network/match and messages"
		}
	})
}
