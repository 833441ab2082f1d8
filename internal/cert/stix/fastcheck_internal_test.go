package stix

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestObjectMatchersAgree: the matchers of object.go judge every sample as
// the regular expressions they replace.
func TestObjectMatchersAgree(t *testing.T) {
	typeRE := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*-?$`)
	uuidRE := regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
	timestampRE := regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$`)
	millisRE := regexp.MustCompile(`\.[0-9]{3,}Z$`)
	samples := append(patternSamples(t), "2016-04-06T20:03:48.Z", ".123Z", "a.123Z", "123Z", "x.12Z", "2016-04-06T20:03:48.1", "9999-99-99T99:99:99Z",
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f", "8E2E2D2B-17D4-4CBF-B38F-98EE46B3CD3F", "8e2e2d2b17d44cbf938f98ee46b3cd3f")
	for _, s := range samples {
		if got, want := matchTypeName(s), typeRE.MatchString(s); got != want {
			t.Errorf("type name %q: %v, regexp %v", s, got, want)
		}
		if got, want := isUUID(s), uuidRE.MatchString(s); got != want {
			t.Errorf("uuid %q: %v, regexp %v", s, got, want)
		}
		if got, want := timestampShape(s), timestampRE.MatchString(s); got != want {
			t.Errorf("timestamp %q: %v, regexp %v", s, got, want)
		}
		if got, want := hasMillis(s), millisRE.MatchString(s); got != want {
			t.Errorf("millis %q: %v, regexp %v", s, got, want)
		}
	}
}

// specExamples are objects written after the examples of the STIX 2.1
// specification, one or more per type with a hand check.
var specExamples = []string{
	`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","indicator_types":["malicious-activity"],"name":"Poison Ivy Malware","description":"This file is part of Poison Ivy","pattern":"[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}`,
	`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"alert tcp any any -> any any","pattern_type":"snort","valid_from":"2016-01-01T00:00:00Z","valid_until":"2017-01-01T00:00:00Z","kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"delivery"}],"confidence":85,"labels":["x"],"lang":"en","revoked":false}`,
	`{"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"Cryptolocker","description":"...","malware_types":["ransomware"],"is_family":false}`,
	`{"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"Cryptolocker","is_family":true,"aliases":["CL"],"first_seen":"2016-01-01T00:00:00Z","operating_system_refs":["software--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"],"capabilities":["evades-av"],"implementation_languages":["c"],"architecture_execution_envs":["x86"],"sample_refs":["file--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"]}`,
	`{"type":"relationship","spec_version":"2.1","id":"relationship--57b56a43-b8b0-4cba-9deb-34e3e1faed9e","created":"2016-04-06T20:06:37.000Z","modified":"2016-04-06T20:06:37.000Z","relationship_type":"indicates","source_ref":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","target_ref":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b","start_time":"2016-04-06T20:06:37Z","stop_time":"2016-04-07T20:06:37.1Z"}`,
	`{"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"Spear Phishing","description":"...","aliases":["phish"],"external_references":[{"source_name":"capec","external_id":"CAPEC-163"}]}`,
	`{"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"CVE use","external_references":[{"source_name":"cve","external_id":"CVE-2016-1234"},{"source_name":"mitre","url":"https://example.com"},{"source_name":"x","description":"d"}]}`,
	`{"type":"tool","spec_version":"2.1","id":"tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","tool_types":["remote-access"],"name":"VNC","tool_version":"1.0","aliases":["vnc"]}`,
	`{"type":"intrusion-set","spec_version":"2.1","id":"intrusion-set--4e78f46f-a023-4e5f-bc24-71b3ca22ec29","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","name":"Bobcat Breakin","description":"...","aliases":["Zookeeper"],"goals":["acquisition-theft"],"resource_level":"team","primary_motivation":"personal-gain","secondary_motivations":["revenge"],"first_seen":"2016-01-01T00:00:00Z"}`,
	`{"type":"course-of-action","spec_version":"2.1","id":"course-of-action--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","name":"Add TCP port 80 Filter Rule","description":"..."}`,
	`{"type":"identity","spec_version":"2.1","id":"identity--e5f1b90a-d9b6-40ab-81a9-8a29df4b6b65","created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z","name":"ACME Widget, Inc.","identity_class":"organization","sectors":["technology"],"roles":["owner"],"contact_information":"x"}`,
	`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","created":"2017-01-20T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright 2016, Example Corp"},"name":"copyright"}`,
	`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`,
	`{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`,
	`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.0/24","resolves_to_refs":["mac-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"],"defanged":true,"object_marking_refs":["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]}`,
	`{"type":"domain-name","spec_version":"2.1","id":"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5","value":"example.com","resolves_to_refs":["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"]}`,
	`{"type":"url","spec_version":"2.1","id":"url--c1477287-23ac-5971-a010-5c287877fa60","value":"https://example.com/research/index.html"}`,
	`{"type":"file","spec_version":"2.1","id":"file--5a27d487-c542-5f97-a131-a8866b477b46","hashes":{"SHA-256":"ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285a","MD5":"1717b7fff97d37a1e1a0029d83492de1"},"size":25536,"name":"foo.dll","mime_type":"application/x-dosexec","mtime":"2016-04-06T20:03:48Z","contains_refs":["file--5a27d487-c542-5f97-a131-a8866b477b46"]}`,
	`{"type":"file","id":"file--5a27d487-c542-5f97-a131-a8866b477b46","name":"qwerty.dll","hashes":{"x_custom-hash":"abc","SSDEEP":"3:a+JraNvsgzsVqSwHq9:tJuOgzsko"},"name_enc":"UTF-8","magic_number_hex":"4D5A"}`,
	`{"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2016-05-12T08:17:27.000Z","modified":"2016-05-12T08:17:27.000Z","name":"with extension","extensions":{"x-acme-ext":{"a":1}}}`,
	`{"type":"tool","spec_version":"2.1","id":"tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","name":"VNC","granular_markings":[{"marking_ref":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","selectors":["name"]}],"x_data_bin":"aGVsbG8=","x_data_hex":"00ff"}`,
}

// mutations of one decoded object: every property dropped, every
// property given values of every JSON type and broken forms of its own,
// and properties added that the schemas refuse or leave to the schema.
func mutations(doc map[string]any) []map[string]any {
	clone := func() map[string]any {
		b, _ := json.Marshal(doc)
		v, _ := decodeValue(b, 0)
		return v.(map[string]any)
	}
	var out []map[string]any
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	values := []any{nil, true, false, json.Number("0"), json.Number("-1"), json.Number("1.5"), json.Number("101"), json.Number("2.0"), "", "x",
		"2016-04-06T20:03:48Z", "2016-04-06T20:03:48.000Z", "2016-13-06T20:03:48.000Z", "2016-04-06 20:03:48.000Z",
		"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "software--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f", "10.0.0.256", "10.0.0.1/33", "010.0.0.1", "1.2.3.4/0",
		"2.2", "2.0", "Indicates", "indicates", "CVE-2016-1234",
		[]any{}, []any{"x"}, []any{json.Number("1")}, []any{nil}, []any{"2016-04-06T20:03:48.000Z"},
		[]any{"marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}, []any{"indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f"},
		[]any{"software--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"},
		[]any{map[string]any{"kill_chain_name": "k", "phase_name": "p"}}, []any{map[string]any{"kill_chain_name": "k"}},
		[]any{map[string]any{"source_name": "cve", "external_id": "CVE-2016-1234"}}, []any{map[string]any{"source_name": "cve", "external_id": "CVE-2016-123"}},
		[]any{map[string]any{"source_name": "capec", "external_id": "CAPEC-1"}}, []any{map[string]any{"source_name": "capec", "external_id": "CVE-2016-1234"}},
		[]any{map[string]any{"source_name": "mitre", "external_id": "CAPEC-1"}}, []any{map[string]any{"source_name": "mitre"}},
		[]any{map[string]any{"source_name": "mitre", "url": json.Number("1")}}, []any{map[string]any{"source_name": json.Number("1"), "url": "u"}},
		[]any{map[string]any{"source_name": "mitre", "description": "d", "hashes": map[string]any{"SHA-256": "00"}}},
		map[string]any{}, map[string]any{"statement": "s"}, map[string]any{"tlp": "white"},
		map[string]any{"MD5": "1717b7fff97d37a1e1a0029d83492de1"}, map[string]any{"MD5": "1717b7fff97d37a1e1a0029d83492de"}, map[string]any{"MD5": json.Number("1")},
		map[string]any{"SHA-256": "ceafbfd424be2ca4a5f0402cae090dda2fb0526cf521b60b60077c0f622b285g"}, map[string]any{"ab": "x"}, map[string]any{"a b c": "x"},
		map[string]any{"sha-256": "x"}, map[string]any{"TLSH": "x"}, json.Number("1e3"), json.Number("-0"),
	}
	for _, k := range keys {
		m := clone()
		delete(m, k)
		out = append(out, m)
		for _, v := range values {
			m := clone()
			m[k] = v
			out = append(out, m)
		}
	}
	for _, k := range []string{"severity", "action", "username", "phone_numbers", "Name", "ab", "a-b", "x_ok", "x_null", "x_empty", "extensions",
		"granular_markings", "x_data_bin", "x_data_hex", "is_family", "definition_type", "definition", "resolves_to_refs"} {
		for _, v := range []any{"x", nil, []any{}, map[string]any{}, true, map[string]any{"x-acme-ext": map[string]any{"a": json.Number("1")}}} {
			m := clone()
			m[k] = v
			out = append(out, m)
		}
	}
	return out
}

// rareShape: what the hand checks leave to the schema on purpose.
func rareShape(doc map[string]any) bool {
	if has(doc, "extensions") || has(doc, "granular_markings") {
		return true
	}
	if doc["type"] == "marking-definition" && doc["definition_type"] != "statement" {
		return true
	}
	for k := range doc {
		if strings.HasSuffix(k, "_bin") || strings.HasSuffix(k, "_hex") {
			return true
		}
	}
	for _, k := range []string{"name_enc"} {
		if has(doc, k) {
			return true
		}
	}
	if h, ok := doc["hashes"].(map[string]any); ok && (has(h, "SSDEEP") || has(h, "TLSH")) {
		return true
	}
	if l, ok := doc["external_references"].([]any); ok {
		for _, r := range l {
			if m, ok := r.(map[string]any); ok && has(m, "hashes") {
				return true
			}
		}
	}
	return false
}

// TestFastChecksAgree runs the hand checks and the OASIS schemas over every
// object of both ATT&CK bundles, the specification's examples and their
// mutations: a hand check never accepts what the schema refuses, and,
// outside the shapes it leaves to the schema, refuses only what the schema
// refuses.
func TestFastChecksAgree(t *testing.T) {
	var docs []map[string]any
	add := func(raw []byte) {
		v, _ := decodeValue(raw, 0)
		if m, ok := v.(map[string]any); ok {
			docs = append(docs, m)
		}
	}
	for _, e := range specExamples {
		add([]byte(e))
	}
	bases := len(docs)
	perType := map[string]int{}
	for _, f := range []string{"attack/ics-attack-18.1.json", "attack/ics-attack-18.0.json", "tlp2/marking-definitions.json"} {
		b, err := os.ReadFile(filepath.Join("../../../../shared/data", f))
		if err != nil {
			t.Logf("%s not present", f)
			continue
		}
		top := splitTop(b)
		for _, o := range top.Objects {
			add(o)
			typ, _ := docs[len(docs)-1]["type"].(string)
			// The first objects of each type are mutated too.
			if perType[typ] < 3 && fastChecks[typ] != nil {
				perType[typ]++
				docs = append(docs[:bases], append([]map[string]any{docs[len(docs)-1]}, docs[bases:]...)...)
				bases++
			}
		}
	}
	for _, d := range docs[:bases] {
		docs = append(docs, mutations(d)...)
	}
	counts := map[string][4]int{} // by type: fast accepts, schema accepts, both refuse, left to the schema
	for _, doc := range docs {
		typ, ok := doc["type"].(string)
		if !ok || fastChecks[typ] == nil {
			continue
		}
		fast := fastValid(typ, doc)
		schema := validateSchema(typ, doc) == nil
		c := counts[typ]
		switch {
		case fast && !schema:
			b, _ := json.Marshal(doc)
			t.Errorf("hand check accepts what the schema refuses: %s", b)
		case !fast && schema && !rareShape(doc):
			b, _ := json.Marshal(doc)
			t.Errorf("hand check refuses what the schema accepts: %s", b)
		case fast:
			c[0]++
		case schema:
			c[3]++
		default:
			c[2]++
		}
		if schema {
			c[1]++
		}
		counts[typ] = c
	}
	total := 0
	for typ, c := range counts {
		t.Logf("%-20s hand accepts %5d, schema accepts %5d, both refuse %5d, left to the schema %4d", typ, c[0], c[1], c[2], c[3])
		total += c[0] + c[2] + c[3]
		if c[0] == 0 || c[2] == 0 {
			t.Errorf("%s: the hand check was not exercised both ways (%v)", typ, c)
		}
	}
	if total < 5000 {
		t.Errorf("only %d objects compared", total)
	}
	fmt.Fprintf(os.Stderr, "")
}
