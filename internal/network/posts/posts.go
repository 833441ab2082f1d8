// Package posts is the network's information platform: cooperation posts
// (announcements, opportunities, requests for partners, market and policy
// updates), replies, feeds and subscriptions.
package posts

// Service keeps the posts.
type Service struct{}
