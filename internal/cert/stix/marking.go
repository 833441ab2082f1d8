package stix

import "encoding/json"

// TLP is a Traffic Light Protocol 2.0 level. Its values are the platform's sharing markings.
type TLP string

// The TLP 2.0 levels, from least to most restrictive.
const (
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// The TLP 2.0 marking-definition objects published by OASIS (cti-stix-common-objects).
const (
	TLP2Clear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLP2Green       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLP2Amber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLP2AmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLP2Red         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

	// TLP2Extension is the extension-definition the TLP 2.0 marking definitions use.
	TLP2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
)

// The TLP 1.0 marking definitions fixed by the STIX 2.1 specification (section 7.2.1.4).
const (
	TLP1White = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	TLP1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	TLP1Amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	TLP1Red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
)

var tlpRank = map[TLP]int{TLPClear: 1, TLPGreen: 2, TLPAmber: 3, TLPAmberStrict: 4, TLPRed: 5}

var tlpByMarking = map[string]TLP{
	TLP2Clear: TLPClear, TLP2Green: TLPGreen, TLP2Amber: TLPAmber, TLP2AmberStrict: TLPAmberStrict, TLP2Red: TLPRed,
	// TLP 1.0 read as TLP 2.0: WHITE became CLEAR, the others kept their names.
	TLP1White: TLPClear, TLP1Green: TLPGreen, TLP1Amber: TLPAmber, TLP1Red: TLPRed,
}

var markingByTLP = map[TLP]string{
	TLPClear: TLP2Clear, TLPGreen: TLP2Green, TLPAmber: TLP2Amber, TLPAmberStrict: TLP2AmberStrict, TLPRed: TLP2Red,
}

// Valid reports whether t is one of the five TLP 2.0 levels.
func (t TLP) Valid() bool { return tlpRank[t] > 0 }

// MoreRestrictive reports whether t restricts sharing more than u.
func (t TLP) MoreRestrictive(u TLP) bool { return tlpRank[t] > tlpRank[u] }

// Marking is the TLP 2.0 marking-definition id for t ("" if t is not valid).
func (t TLP) Marking() string { return markingByTLP[t] }

// SharingMarking is the platform's sharing marking for t: the same words ("clear", "green",
// "amber", "amber+strict", "red").
func (t TLP) SharingMarking() string { return string(t) }

// TLPOfMarking tells which TLP level a marking-definition id stands for: TLP 2.0 ids as they are,
// TLP 1.0 ids mapped to TLP 2.0. Other markings (statements such as copyright) have none.
func TLPOfMarking(id string) (TLP, bool) {
	t, ok := tlpByMarking[id]
	return t, ok
}

// EffectiveTLP is the most restrictive TLP level among refs (an object's object_marking_refs).
// ok is false when none of them is a TLP marking; the other markings are not touched.
func EffectiveTLP(refs []string) (tlp TLP, ok bool) {
	for _, r := range refs {
		if t, is := TLPOfMarking(r); is && (!ok || t.MoreRestrictive(tlp)) {
			tlp, ok = t, true
		}
	}
	return tlp, ok
}

// TLP is the object's effective TLP level from its object_marking_refs.
func (o *Object) TLP() (TLP, bool) { return EffectiveTLP(o.ObjectMarkingRefs) }

// DefinedTLP reads the TLP level a marking-definition object declares, whether through the TLP 2.0
// extension or as a TLP 1.0 definition ({"definition_type": "tlp", "definition": {"tlp": ...}}).
// Well-known ids are recognised without reading the object.
func DefinedTLP(def *Object) (TLP, bool) {
	if def.Type != "marking-definition" {
		return "", false
	}
	if t, ok := TLPOfMarking(def.ID); ok {
		return t, true
	}
	if ext, ok := def.Extensions[TLP2Extension]; ok {
		var e struct {
			TLP TLP `json:"tlp_2_0"`
		}
		if json.Unmarshal(ext, &e) == nil && e.TLP.Valid() {
			return e.TLP, true
		}
		return "", false
	}
	var v1 struct {
		DefinitionType string `json:"definition_type"`
		Definition     struct {
			TLP string `json:"tlp"`
		} `json:"definition"`
	}
	if json.Unmarshal(def.Raw, &v1) != nil || v1.DefinitionType != "tlp" {
		return "", false
	}
	switch v1.Definition.TLP {
	case "white":
		return TLPClear, true
	case "green":
		return TLPGreen, true
	case "amber":
		return TLPAmber, true
	case "red":
		return TLPRed, true
	}
	return "", false
}
