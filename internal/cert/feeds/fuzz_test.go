package feeds

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzCheckPage feeds what a remote TAXII server may answer (the envelope's
// JSON and the X-TAXII-Date-Added-Last header) to the page check: it never
// panics, and a page it accepts holds only objects with a type and a
// matching id, a timestamp header when there are objects, and no "more"
// without objects.
func FuzzCheckPage(f *testing.F) {
	f.Add(`{"more":true,"next":"abc","objects":[{"type":"indicator","id":"indicator--1"}]}`, "2026-11-27T06:00:00.123456Z")
	f.Add(`{"objects":[]}`, "")
	f.Add(`{"more":true,"objects":[]}`, "2026-11-27T06:00:00Z")
	f.Add(`{"objects":[{"type":"x","id":"y--1"},{}]}`, "not a time")
	f.Add(`{"next":null,"objects":null}`, "")
	f.Fuzz(func(t *testing.T, body, header string) {
		var env envelope
		if json.Unmarshal([]byte(body), &env) != nil {
			return
		}
		p, fail := checkPage(&env, header)
		if fail != nil {
			if p != nil {
				t.Fatal("a page and a failure")
			}
			return
		}
		if p.more && len(p.objects) == 0 {
			t.Fatal("more without objects accepted")
		}
		if len(p.objects) > 0 && p.addedLast == "" {
			t.Fatal("objects without a date accepted")
		}
		for _, raw := range p.objects {
			var head struct{ ID, Type string }
			if json.Unmarshal(raw, &head) != nil || head.Type == "" || !strings.HasPrefix(head.ID, head.Type+"--") {
				t.Fatalf("object %s accepted", raw)
			}
		}
	})
}
