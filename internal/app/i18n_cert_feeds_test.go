package app_test

import "harambee.africa/harambee/internal/cert/feeds"

func init() {
	moduleKeys = append(moduleKeys, func(used map[string]string) {
		used[feeds.StoppedKind.LabelKey()], used[feeds.StoppedKind.HintKey()] = "feeds.StoppedKind", "feeds.StoppedKind"
		used["cert.feeds.note.stopped"] = "feeds.recordFailure"
		for _, s := range []string{feeds.Active, feeds.Stopped} {
			used["cert.feeds.status."+s] = "feeds statuses"
		}
		for _, k := range []string{"created", "saved", "deleted", "poll"} {
			used["cert.feeds.flash."+k] = "feeds flashes"
		}
		for _, k := range []string{"team", "circle", "circle_fixed", "title", "url_required", "url", "url_userinfo", "https", "private", "collection",
			"types", "user", "password", "interval", "unauthorized", "forbidden", "not_found", "unavailable", "network", "refused", "redirect",
			"malformed", "media_type", "too_large", "not_member", "no_store", "store_refused", "internal", "sealed", "not_21", "cannot_read"} {
			used["cert.feeds.error."+k] = "feeds errors"
		}
	})
}
