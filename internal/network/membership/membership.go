// Package membership is how Chinese internet enterprises working in Africa
// join the cooperation network: applications, the programme office's review,
// and the members' badge.
package membership

// Service handles applications.
type Service struct{}
