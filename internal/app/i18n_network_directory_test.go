package app_test

import "harambee.africa/harambee/internal/network/directory"

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		used[directory.FigureOrgs], used[directory.FigureMembers] = "directory.OrgFigures", "directory.OrgFigures"
		for _, k := range []string{"network.directory.flash.saved", "network.directory.flash.logo", "network.directory.error.html",
			"network.directory.error.title_long", "network.directory.error.title_line", "network.directory.error.contact"} {
			used[k] = "network/directory"
		}
	})
}
