package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MediaType is the TAXII 2.1 media type sent in Accept and expected back.
const MediaType = "application/taxii+json;version=2.1"

// failure is why a request to a TAXII server did not give a usable answer.
// Its kind decides what the poll does next.
type failure struct {
	kind failKind
	key  string // message key shown on the subscription page
	// detailKey is a message key saying what exactly was wrong, filled
	// with detailArgs, when our own words say it; "" when detail says all.
	detailKey  string
	detailArgs map[string]string
	// detail is technical and shown untranslated, safe to show the team:
	// an HTTP status and the server's error title, a Content-Type, a JSON
	// parser error.
	detail string
	retry  time.Duration
	err    error // the cause, for the log
}

// malformed is an answer that is not TAXII, for the reason detailKey says.
func malformed(detailKey string, args map[string]string) *failure {
	return &failure{kind: failMalformed, key: "cert.feeds.error.malformed", detailKey: detailKey, detailArgs: args}
}

type failKind int

const (
	failRetry     failKind = iota // network, 429, 5xx: back off and try again
	failMalformed                 // an answer that is not TAXII: record, do not move the cursor, back off
	failStop                      // 401, 403, 404: wait for the team
	failRequest                   // 400, 406, 416, 422: the server refused the query: back off
)

func (f *failure) Error() string {
	msg := f.key
	if f.detailKey != "" {
		msg += " " + f.detailKey
	}
	if f.detail != "" {
		msg += " (" + f.detail + ")"
	}
	if f.err != nil {
		msg += ": " + f.err.Error()
	}
	return msg
}

func (f *failure) Unwrap() error { return f.err }

// errorResource is TAXII 2.1's error message (§3.6.1).
type errorResource struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	ErrorCode   string `json:"error_code"`
	HTTPStatus  any    `json:"http_status"`
}

// remote is one subscription's view of its server.
type remote struct {
	http       *http.Client
	root       *url.URL
	user, pass string
	useAuth    bool
	now        func() time.Time
}

// get fetches path under the API root with query and decodes the JSON
// body into out; it returns the response headers.
func (c *remote) get(ctx context.Context, path string, query url.Values, out any) (http.Header, *failure) {
	u := *c.root
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	u.RawPath = ""
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return c.fetch(ctx, u.String(), out)
}

func (c *remote) fetch(ctx context.Context, target string, out any) (http.Header, *failure) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, &failure{kind: failMalformed, key: "cert.feeds.error.url", err: err}
	}
	req.Header.Set("Accept", MediaType)
	req.Header.Set("User-Agent", "Harambee-TAXII-client/1")
	if c.useAuth {
		req.SetBasicAuth(c.user, c.pass)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if refusedAddress(err) {
			return nil, &failure{kind: failStop, key: "cert.feeds.error.private", err: err}
		}
		if ctx.Err() != nil {
			return nil, &failure{kind: failRetry, key: "cert.feeds.error.network", err: ctx.Err()}
		}
		return nil, networkFailure(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxPageBytes+1))
	if err != nil {
		return nil, networkFailure(err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, statusFailure(res, body, c.now())
	}
	if len(body) > MaxPageBytes {
		return nil, &failure{kind: failMalformed, key: "cert.feeds.error.too_large", detailKey: "cert.feeds.error.page_size",
			detailArgs: map[string]string{"mb": strconv.Itoa(MaxPageBytes >> 20)}}
	}
	if !taxiiJSON(res.Header.Get("Content-Type")) {
		return nil, &failure{kind: failMalformed, key: "cert.feeds.error.media_type", detail: clip(res.Header.Get("Content-Type"), 100)}
	}
	if !utf8.Valid(body) {
		return nil, malformed("cert.feeds.error.not_utf8", nil)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, &failure{kind: failMalformed, key: "cert.feeds.error.malformed", detail: jsonDetail(err), err: err}
	}
	return res.Header, nil
}

// statusFailure classifies an answer other than 200 OK.
func statusFailure(res *http.Response, body []byte, now time.Time) *failure {
	f := &failure{detail: "HTTP " + strconv.Itoa(res.StatusCode)}
	var e errorResource
	if json.Unmarshal(body, &e) == nil && e.Title != "" && utf8.ValidString(e.Title) {
		f.detail += ": " + clip(printable(e.Title), 200)
	}
	switch code := res.StatusCode; {
	case code == http.StatusUnauthorized:
		f.kind, f.key = failStop, "cert.feeds.error.unauthorized"
	case code == http.StatusForbidden:
		f.kind, f.key = failStop, "cert.feeds.error.forbidden"
	case code == http.StatusNotFound:
		f.kind, f.key = failStop, "cert.feeds.error.not_found"
	case code == http.StatusTooManyRequests, code == http.StatusRequestTimeout, code >= 500:
		f.kind, f.key = failRetry, "cert.feeds.error.unavailable"
		f.retry = retryAfter(res.Header.Get("Retry-After"), now)
	case code >= 300 && code < 400:
		f.kind, f.key = failMalformed, "cert.feeds.error.redirect"
	default:
		f.kind, f.key = failRequest, "cert.feeds.error.refused"
	}
	return f
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); zero when
// absent or unreadable. The date form is read against now.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// taxiiJSON accepts the TAXII 2.1 media type, with or without its version,
// and plain JSON, which some servers send; not HTML or anything else (a
// proxy's sign-in page, say).
func taxiiJSON(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/taxii+json":
		v, ok := params["version"]
		return !ok || v == "2.1"
	case "application/json":
		return true
	}
	return false
}

// networkFailure is a request that got no answer: a timeout said in words,
// anything else in the network library's.
func networkFailure(err error) *failure {
	f := &failure{kind: failRetry, key: "cert.feeds.error.network", err: err}
	cause := err
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = ue.Err
	}
	if errors.Is(cause, context.DeadlineExceeded) {
		f.detailKey = "cert.feeds.error.timeout"
	} else {
		f.detail = clip(printable(cause.Error()), 200)
	}
	return f
}

func jsonDetail(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s: %s where %s is expected", te.Field, te.Value, te.Type)
	}
	return "malformed JSON"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// printable drops control characters from what a server says.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// apiRoot is TAXII 2.1's API root resource (§4.2).
type apiRoot struct {
	Title            string   `json:"title"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// collectionInfo is TAXII 2.1's collection resource (§5.2).
type collectionInfo struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	CanRead  bool     `json:"can_read"`
	CanWrite bool     `json:"can_write"`
	Media    []string `json:"media_types"`
}

// discovery is TAXII 2.1's discovery resource (§4.1).
type discovery struct {
	Title    string   `json:"title"`
	Default  string   `json:"default"`
	APIRoots []string `json:"api_roots"`
}

// envelope is TAXII 2.1's envelope (§3.7): objects are kept raw for the store.
type envelope struct {
	More    *bool             `json:"more"`
	Next    *string           `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// page is one checked page of objects.
type page struct {
	objects   []json.RawMessage
	more      bool
	next      string
	addedLast string // X-TAXII-Date-Added-Last, as the server wrote it
}

// objects fetches one page of the collection's objects.
func (c *remote) objects(ctx context.Context, collection string, q url.Values) (*page, *failure) {
	var env envelope
	h, f := c.get(ctx, "collections/"+url.PathEscape(collection)+"/objects/", q, &env)
	if f != nil {
		return nil, f
	}
	return checkPage(&env, h.Get("X-TAXII-Date-Added-Last"))
}

// checkPage checks a decoded envelope and its X-TAXII-Date-Added-Last
// header: every object has a type and a matching id, the header is a
// timestamp when there are objects, next is short, more comes with objects.
func checkPage(env *envelope, addedLast string) (*page, *failure) {
	p := &page{objects: env.Objects, addedLast: strings.TrimSpace(addedLast)}
	if env.More != nil {
		p.more = *env.More
	}
	if env.Next != nil {
		p.next = *env.Next
	}
	for i, raw := range p.objects {
		var head struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &head) != nil || head.ID == "" || head.Type == "" || !strings.HasPrefix(head.ID, head.Type+"--") {
			// Counted from 1, as people count.
			return nil, malformed("cert.feeds.error.object_id", map[string]string{"n": strconv.Itoa(i + 1)})
		}
	}
	if p.addedLast != "" {
		if _, err := time.Parse(time.RFC3339Nano, p.addedLast); err != nil || len(p.addedLast) > 64 {
			return nil, malformed("cert.feeds.error.added_last_invalid", nil)
		}
	}
	if len(p.objects) > 0 && p.addedLast == "" {
		return nil, malformed("cert.feeds.error.no_added_last", nil)
	}
	if len(p.next) > 1000 || !utf8.ValidString(p.next) {
		return nil, malformed("cert.feeds.error.next_too_long", nil)
	}
	if p.more && len(p.objects) == 0 {
		return nil, malformed("cert.feeds.error.more_empty", nil)
	}
	return p, nil
}
