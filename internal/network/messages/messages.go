// Package messages carries conversations between two organisations, seen by
// their members only.
package messages

// Service keeps conversations.
type Service struct{}
