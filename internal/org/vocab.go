package org

// Kind is what an organisation is. Kinds that carry authority count only
// once a platform administrator has verified the organisation.
type Kind string

// The kinds of organisation.
const (
	Enterprise        Kind = "enterprise"
	EcommercePlatform Kind = "ecommerce_platform"
	NationalCERT      Kind = "national_cert"
	SectorCERT        Kind = "sector_cert"
	GovernmentAgency  Kind = "government_agency"
	Regulator         Kind = "regulator"
	MediaOutlet       Kind = "media_outlet"
	ThinkTank         Kind = "think_tank"
	University        Kind = "university"
	TelecomOperator   Kind = "telecom_operator"
	Other             Kind = "other"
	// ProgrammeOffice is created by the platform, one per module; its
	// members are that module's programme officers.
	ProgrammeOffice Kind = "programme_office"
)

// Kinds are the kinds people may choose, in menu order.
var Kinds = []Kind{Enterprise, EcommercePlatform, NationalCERT, SectorCERT, GovernmentAgency, Regulator,
	MediaOutlet, ThinkTank, University, TelecomOperator, Other}

// CarriesAuthority reports whether the kind counts only after verification.
func (k Kind) CarriesAuthority() bool {
	switch k {
	case NationalCERT, SectorCERT, GovernmentAgency, Regulator:
		return true
	}
	return false
}

// Valid reports whether people may choose the kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Sectors is the one vocabulary of digital-economy sectors every module
// uses (organisations, posts, offers and needs, cases).
var Sectors = []string{
	"ecommerce", "payments_fintech", "telecom_networks", "cloud_datacentres", "cybersecurity",
	"ai_data", "software_services", "devices_hardware", "logistics", "agritech",
	"healthtech", "edtech_training", "media_content", "smart_cities", "energy_tech",
	"tourism_travel", "digital_government", "satellite_space", "standards_research", "digital_manufacturing",
}

// ValidSector reports whether s is in the vocabulary.
func ValidSector(s string) bool {
	for _, x := range Sectors {
		if x == s {
			return true
		}
	}
	return false
}

// Organisation roles: admin and member, and the module roles.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// Roles are the roles an organisation admin can give.
var Roles = []string{RoleAdmin, RoleMember, "cert_analyst", "merchant", "trainer", "editor"}

// ValidRole reports whether r is an organisation role.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}
