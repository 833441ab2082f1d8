// Package notify tells people what happened: in-site notifications and
// e-mail, at once or in daily and weekly digests, by each person's
// preferences, in their language, with one-click unsubscribe (RFC 8058).
package notify

// Service sends notifications.
type Service struct{}
