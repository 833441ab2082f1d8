package app_test

import "harambee.africa/harambee/internal/sharing/matrix"

func init() {
	moduleMatrix = append(moduleMatrix,
		matrix.Exempt("a person's own notifications and notification preferences only, by their user id "+
			"(internal/notify tests: two people, each sees and changes only their own); a notification's text is "+
			"written by the sending module for that one recipient",
			"GET /notifications", "POST /notifications/read", "GET /account/notifications", "POST /account/notifications",
			"GET /api/v1/notifications", "POST /api/v1/notifications/read",
			"GET /api/v1/notification-preferences", "PUT /api/v1/notification-preferences"),
		matrix.Exempt("one-click unsubscribe: the signed token names one person and kind; it shows and changes only that preference",
			"GET /unsubscribe/{token}", "POST /unsubscribe/{token}"),
	)
}
