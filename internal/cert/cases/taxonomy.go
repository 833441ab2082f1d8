package cases

import (
	"slices"
	"strings"
)

// Class is a class of the ENISA Reference Security Incident Taxonomy with
// its incident types, by their machine names.
type Class struct {
	Name  string
	Types []string
}

// Taxonomy is the ENISA Reference Security Incident Taxonomy (RSIT), as the
// "Reference Security Incident Taxonomy Working Group – RSIT WG" publishes it
// in github.com/enisaeu/Reference-Security-Incident-Taxonomy-Task-Force,
// file working_copy/machinev1 (namespace "rsit", version 1003): the eleven
// classes and their types, machine names as published. A case's category is
// a type; type names are unique across classes, so the class follows from it.
// Labels are the catalogue keys cert.rsit.CLASS and cert.rsit.CLASS.TYPE
// (hyphens written as underscores).
var Taxonomy = []Class{
	{"abusive-content", []string{"spam", "harmful-speech", "violence"}},
	{"malicious-code", []string{"infected-system", "c2-server", "malware-distribution", "malware-configuration"}},
	{"information-gathering", []string{"scanner", "sniffing", "social-engineering"}},
	{"intrusion-attempts", []string{"ids-alert", "brute-force", "exploit"}},
	{"intrusions", []string{"privileged-account-compromise", "unprivileged-account-compromise", "application-compromise",
		"system-compromise", "burglary"}},
	{"availability", []string{"dos", "ddos", "misconfiguration", "sabotage", "outage"}},
	{"information-content-security", []string{"unauthorised-information-access", "unauthorised-information-modification",
		"data-loss", "data-leak"}},
	{"fraud", []string{"unauthorised-use-of-resources", "copyright", "masquerade", "phishing"}},
	{"vulnerable", []string{"weak-crypto", "ddos-amplifier", "potentially-unwanted-accessible", "information-disclosure",
		"vulnerable-system"}},
	{"other", []string{"other", "undetermined"}},
	{"test", []string{"test"}},
}

// ClassOf returns the class of an incident type, false when t is none.
func ClassOf(t string) (string, bool) {
	for _, c := range Taxonomy {
		if slices.Contains(c.Types, t) {
			return c.Name, true
		}
	}
	return "", false
}

// ClassKey and TypeKey are the catalogue keys of a class and a type.
func ClassKey(class string) string { return "cert.rsit." + keyPart(class) }

// TypeKey is the catalogue key of an incident type ("" for an unknown one).
func TypeKey(t string) string {
	c, ok := ClassOf(t)
	if !ok {
		return ""
	}
	return "cert.rsit." + keyPart(c) + "." + keyPart(t)
}

// keyPart writes a machine name as a catalogue key segment.
func keyPart(name string) string { return strings.ReplaceAll(name, "-", "_") }

// Severities are the severities of a case, from the lowest.
var Severities = []string{"low", "medium", "high", "critical"}
