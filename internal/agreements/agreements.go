// Package agreements is the register of agreements, MoUs and cooperation
// documents between organisations and between governments.
package agreements

// Service keeps the register.
type Service struct{}
