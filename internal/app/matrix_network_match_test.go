package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("partner suggestions are built from public organisation profiles (the directory's offers, seeks and countries); "+
			"only members of the organisation see or change its suggestions and choices, others get 404 "+
			"(internal/network/match tests: MembersOnly, BadInput)",
			"GET /network/matches", "POST /network/matches/{org}/save", "POST /network/matches/{org}/dismiss", "POST /network/matches/{org}/restore",
			"GET /api/v1/network/matches", "POST /api/v1/network/matches/{org}"),
		matrix.Exempt("conversations are no shareable record: they are visible to the members of their two organisations only, "+
			"never to platform administrators, moderators, programme officers or anyone else; every route of one conversation answers 404 "+
			"to a third organisation's member, an administrator, a moderator, an officer and anonymous, and lists and unread counts "+
			"show them nothing (internal/network/messages TestConversationBetweenTwoOrganisations/OutsidersSeeNothing)",
			"GET /network/messages", "GET /network/messages/new", "POST /network/messages", "GET /network/messages/{id}", "POST /network/messages/{id}",
			"GET /api/v1/network/conversations", "POST /api/v1/network/conversations", "GET /api/v1/network/conversations/{id}",
			"POST /api/v1/network/conversations/{id}/messages"),
	)
}
