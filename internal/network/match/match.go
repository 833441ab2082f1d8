// Package match suggests partners: organisations whose offers meet an
// organisation's needs and whose needs its offers meet, with the reason.
package match

// Service computes suggestions.
type Service struct{}
