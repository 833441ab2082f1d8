package app_test

import (
	"harambee.africa/harambee/internal/agreements"
)

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		for _, k := range agreements.Kinds {
			used["agreements.kind."+k] = "agreements.Kinds"
		}
		for _, k := range agreements.PartyKinds {
			used["agreements.party_kind."+k] = "agreements.PartyKinds"
		}
		for _, s := range agreements.Statuses {
			used["agreements.status."+s] = "agreements.Statuses"
		}
		for _, s := range agreements.StatusFilters {
			used["agreements.filter."+s] = "agreements.StatusFilters"
		}
		used["agreements.expiry.subject"], used["agreements.expiry.body"] = "agreements reminders", "agreements reminders"
		used["agreements.party.government"], used["agreements.party.body_in"] = "agreements party labels", "agreements party labels"
		used[agreements.ExpiryKind.LabelKey()], used[agreements.ExpiryKind.HintKey()] = "agreements.ExpiryKind", "agreements.ExpiryKind"
	})
}
