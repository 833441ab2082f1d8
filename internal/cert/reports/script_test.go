package reports_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"testing"

	"harambee.africa/harambee/internal/cert/reports"
)

// TestScriptSolves runs the page's proof-of-work script under Node (when
// installed): what it finds must be the first counter the server accepts,
// for tokens whose tail falls in one or two SHA-256 blocks, with and
// without WebCrypto.
func TestScriptSolves(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH: the script is not run")
	}
	run := func(token string, bits int, mode string) (string, float64) {
		t.Helper()
		out, err := exec.Command(node, "testdata/pow_harness.js", "static/pow.js", token, strconv.Itoa(bits), mode).Output()
		if err != nil {
			t.Fatalf("node: %v", err)
		}
		var res struct {
			Work   string  `json:"work"`
			Hidden bool    `json:"question_hidden"`
			MS     float64 `json:"ms"`
		}
		if err := json.Unmarshal(out, &res); err != nil || !res.Hidden {
			t.Fatalf("script output %q: %v", out, err)
		}
		return res.Work, res.MS
	}
	for i, n := range []int{10, 55, 63, 64, 79, 120} {
		token := fmt.Sprintf("%0*d", n, i)
		mode := ""
		if i%2 == 1 {
			mode = "nosubtle"
		}
		work, _ := run(token, 12, mode)
		if want := reports.Solve(token, 12); work != want {
			t.Errorf("token of %d bytes: the script found %s, the first solution is %s", n, work, want)
		}
	}
	token := "v1.AAAAAAAAAAAAAAAAAAAAAA.1790000000.18.tagtagtagtagtagt.macmacmacmacmacmacmacm"
	work, ms := run(token, reports.DefaultBits, "")
	if reports.LeadingZeros(token, work) < reports.DefaultBits {
		t.Errorf("the script's answer %s does not meet the difficulty", work)
	}
	t.Logf("%d bits: counter %s in %.0f ms under Node", reports.DefaultBits, work, ms)
}
