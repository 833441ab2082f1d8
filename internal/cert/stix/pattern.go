package stix

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The STIX 2.1 patterning language (specification section 9): a parser into an AST whose String()
// prints a canonical pattern, and Observables to pull the simple equality terms out of it.

// Pattern is a parsed STIX pattern.
type Pattern struct {
	Expr ObservationExpr
}

func (p *Pattern) String() string {
	var b strings.Builder
	writeObs(&b, p.Expr, precFollowedBy)
	return b.String()
}

// ObservationExpr is one of *Observation, *ObservationOp and *Qualified.
type ObservationExpr interface{ observationExpr() }

// Observation is a bracketed comparison expression: [ ... ].
type Observation struct {
	Comparison ComparisonExpr
}

// ObservationOp joins two observation expressions with AND, OR or FOLLOWEDBY.
type ObservationOp struct {
	Op          string
	Left, Right ObservationExpr
}

// Qualified applies a qualifier to an observation expression.
type Qualified struct {
	Expr      ObservationExpr
	Qualifier Qualifier
}

// Qualifier is one of WITHIN n SECONDS, REPEATS n TIMES, START t'…' STOP t'…'.
type Qualifier struct {
	Kind        string   // "WITHIN", "REPEATS" or "START"
	Number      *Literal // WITHIN (int or float), REPEATS (int)
	Start, Stop string   // START/STOP timestamps
}

func (*Observation) observationExpr()   {}
func (*ObservationOp) observationExpr() {}
func (*Qualified) observationExpr()     {}

// ComparisonExpr is one of *Comparison, *ComparisonOp and *Exists.
type ComparisonExpr interface{ comparisonExpr() }

// ComparisonOp joins two comparison expressions with AND or OR.
type ComparisonOp struct {
	Op          string
	Left, Right ComparisonExpr
}

// Comparison tests an object path: path [NOT] op value. For IN, Set holds the values.
type Comparison struct {
	Path    ObjectPath
	Negated bool
	Op      string // = != < > <= >= IN LIKE MATCHES ISSUBSET ISSUPERSET
	Value   Literal
	Set     []Literal
}

// Exists is EXISTS path.
type Exists struct {
	Path ObjectPath
}

func (*ComparisonOp) comparisonExpr() {}
func (*Comparison) comparisonExpr()   {}
func (*Exists) comparisonExpr()       {}

// ObjectPath is type:property followed by .property, [n] and [*] steps.
type ObjectPath struct {
	Type  string
	Steps []PathStep
}

// PathStep is a property name or a list index (Index "*" for any, or an integer).
type PathStep struct {
	Property string
	Index    string
	IsIndex  bool
}

// Property is the path after "type:", written canonically (hashes.'SHA-256', values[*].name).
func (p ObjectPath) Property() string {
	var b strings.Builder
	for i, s := range p.Steps {
		switch {
		case s.IsIndex:
			b.WriteString("[" + s.Index + "]")
		case i == 0:
			b.WriteString(pathName(s.Property))
		default:
			b.WriteString("." + pathName(s.Property))
		}
	}
	return b.String()
}

func (p ObjectPath) String() string { return p.Type + ":" + p.Property() }

// pathName quotes a property name unless it is a plain identifier.
func pathName(s string) string {
	if isPlainIdent(s) && keywords[s] == "" && !isBool(s) {
		return s
	}
	return quoteString(s)
}

func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// LiteralKind tells the types of pattern literals apart.
type LiteralKind int

// The kinds of literal.
const (
	LitString LiteralKind = iota + 1
	LitInt
	LitFloat
	LitBool
	LitTimestamp
	LitBinary
	LitHex
)

// Literal is a constant in a pattern. Text is the string's value (unescaped) for strings, and the
// canonical text for the others (the part inside t'…', b'…', h'…' for those).
type Literal struct {
	Kind  LiteralKind
	Text  string
	Int   int64
	Float float64
	Bool  bool
}

func (l Literal) String() string {
	switch l.Kind {
	case LitString:
		return quoteString(l.Text)
	case LitTimestamp:
		return "t'" + l.Text + "'"
	case LitBinary:
		return "b'" + l.Text + "'"
	case LitHex:
		return "h'" + l.Text + "'"
	}
	return l.Text
}

func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

const (
	precFollowedBy = iota
	precOr
	precAnd
	precPrimary
)

var obsPrec = map[string]int{"FOLLOWEDBY": precFollowedBy, "OR": precOr, "AND": precAnd}

// writeObs prints e, in parentheses when its operator binds less tightly than min.
func writeObs(b *strings.Builder, e ObservationExpr, min int) {
	switch e := e.(type) {
	case *Observation:
		b.WriteByte('[')
		writeCmp(b, e.Comparison, precOr)
		b.WriteByte(']')
	case *Qualified:
		writeObs(b, e.Expr, precPrimary)
		q := e.Qualifier
		switch q.Kind {
		case "WITHIN":
			fmt.Fprintf(b, " WITHIN %s SECONDS", q.Number)
		case "REPEATS":
			fmt.Fprintf(b, " REPEATS %s TIMES", q.Number)
		case "START":
			fmt.Fprintf(b, " START t'%s' STOP t'%s'", q.Start, q.Stop)
		}
	case *ObservationOp:
		p := obsPrec[e.Op]
		if p < min {
			b.WriteByte('(')
		}
		writeObs(b, e.Left, p)
		b.WriteString(" " + e.Op + " ")
		writeObs(b, e.Right, p+1) // left-associative: a right operand of the same operator keeps its parentheses
		if p < min {
			b.WriteByte(')')
		}
	}
}

func writeCmp(b *strings.Builder, e ComparisonExpr, min int) {
	switch e := e.(type) {
	case *Exists:
		b.WriteString("EXISTS " + e.Path.String())
	case *Comparison:
		b.WriteString(e.Path.String())
		if e.Negated {
			b.WriteString(" NOT")
		}
		b.WriteString(" " + e.Op + " ")
		if e.Op == "IN" {
			b.WriteByte('(')
			for i, v := range e.Set {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(v.String())
			}
			b.WriteByte(')')
		} else {
			b.WriteString(e.Value.String())
		}
	case *ComparisonOp:
		p := precOr
		if e.Op == "AND" {
			p = precAnd
		}
		if p < min {
			b.WriteByte('(')
		}
		writeCmp(b, e.Left, p)
		b.WriteString(" " + e.Op + " ")
		writeCmp(b, e.Right, p+1)
		if p < min {
			b.WriteByte(')')
		}
	}
}

// Term is a simple equality test found in a pattern: type:path = value.
type Term struct {
	Type  string // ipv4-addr, domain-name, url, file, email-addr, …
	Path  string // value, hashes.'SHA-256', …
	Value string // the literal's value (unescaped for strings)
}

// Observables gives the equality terms of p (comparisons with =, not negated), in the order they
// appear, without repeats. The CERT module correlates indicators with them.
func Observables(p *Pattern) []Term {
	var terms []Term
	seen := map[Term]bool{}
	var cmp func(ComparisonExpr)
	cmp = func(e ComparisonExpr) {
		switch e := e.(type) {
		case *ComparisonOp:
			cmp(e.Left)
			cmp(e.Right)
		case *Comparison:
			if e.Op == "=" && !e.Negated {
				t := Term{Type: e.Path.Type, Path: e.Path.Property(), Value: e.Value.Text}
				if !seen[t] {
					seen[t] = true
					terms = append(terms, t)
				}
			}
		}
	}
	var obs func(ObservationExpr)
	obs = func(e ObservationExpr) {
		switch e := e.(type) {
		case *Observation:
			cmp(e.Comparison)
		case *ObservationOp:
			obs(e.Left)
			obs(e.Right)
		case *Qualified:
			obs(e.Expr)
		}
	}
	if p != nil {
		obs(p.Expr)
	}
	return terms
}

// PatternError is a syntax error in a pattern, at byte offset Pos.
type PatternError struct {
	Pos int
	Msg string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("stix pattern: %s at offset %d", e.Msg, e.Pos)
}

// maxPatternDepth bounds nesting so that a hostile pattern cannot exhaust the stack.
const maxPatternDepth = 100

// ParsePattern parses a STIX 2.1 pattern.
func ParsePattern(s string) (*Pattern, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.observations(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected %s", t.describe())
	}
	return &Pattern{Expr: e}, nil
}

// ---- lexer

type tokKind int

const (
	tEOF tokKind = iota
	tPunct
	tIdent
	tKeyword
	tString
	tInt
	tFloat
	tBool
	tTimestamp
	tBinary
	tHex
)

type token struct {
	kind tokKind
	text string // punctuation, identifier, keyword; string value; literal's canonical text
	pos  int
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of pattern"
	case tString:
		return "string " + quoteString(t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

var keywords = map[string]string{}

func init() {
	for _, k := range strings.Fields("AND OR NOT FOLLOWEDBY LIKE MATCHES ISSUPERSET ISSUBSET EXISTS IN START STOP SECONDS TIMES WITHIN REPEATS") {
		keywords[k] = k
	}
}

func isBool(s string) bool {
	return strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i >= len(s) {
			return append(toks, token{kind: tEOF, pos: i}), nil
		}
		start := i
		c := s[i]
		switch {
		case (c == 't' || c == 'b' || c == 'h') && i+1 < len(s) && s[i+1] == '\'':
			v, n, err := lexQuoted(s, i+1)
			if err != nil {
				return nil, err
			}
			i = n
			tok := token{text: v, pos: start}
			switch c {
			case 't':
				tok.kind = tTimestamp
				if _, err := ParseTimestamp(v); err != nil {
					return nil, &PatternError{Pos: start, Msg: "bad timestamp literal: " + err.Error()}
				}
			case 'b':
				tok.kind = tBinary
				if _, err := base64.StdEncoding.DecodeString(v); err != nil {
					return nil, &PatternError{Pos: start, Msg: "bad base64 in binary literal"}
				}
			case 'h':
				tok.kind = tHex
				if _, err := hex.DecodeString(v); err != nil {
					return nil, &PatternError{Pos: start, Msg: "bad hexadecimal literal"}
				}
				tok.text = strings.ToLower(v)
			}
			toks = append(toks, tok)
		case c == '\'':
			v, n, err := lexQuoted(s, i)
			if err != nil {
				return nil, err
			}
			i = n
			toks = append(toks, token{kind: tString, text: v, pos: start})
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			for i < len(s) && (s[i] == '_' || s[i] == '-' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
				i++
			}
			w := s[start:i]
			switch {
			case keywords[w] != "":
				toks = append(toks, token{kind: tKeyword, text: w, pos: start})
			case isBool(w):
				toks = append(toks, token{kind: tBool, text: strings.ToLower(w), pos: start})
			default:
				toks = append(toks, token{kind: tIdent, text: w, pos: start})
			}
		case c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-':
			j := i
			if c == '+' || c == '-' {
				j++
			}
			digits := j
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			intEnd := j
			isFloat := false
			if j < len(s) && s[j] == '.' {
				k := j + 1
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				if k > j+1 {
					isFloat, j = true, k
				}
			}
			if !isFloat && intEnd == digits {
				if c == '.' {
					toks = append(toks, token{kind: tPunct, text: ".", pos: start})
					i++
					continue
				}
				return nil, &PatternError{Pos: start, Msg: fmt.Sprintf("unexpected %q", c)}
			}
			i = j
			if isFloat {
				f, err := strconv.ParseFloat(s[start:j], 64)
				if err != nil || math.IsInf(f, 0) {
					return nil, &PatternError{Pos: start, Msg: "number out of range"}
				}
				toks = append(toks, token{kind: tFloat, text: s[start:j], pos: start})
			} else {
				if _, err := strconv.ParseInt(s[start:j], 10, 64); err != nil {
					return nil, &PatternError{Pos: start, Msg: "integer out of range"}
				}
				toks = append(toks, token{kind: tInt, text: s[start:j], pos: start})
			}
		case c == '<' || c == '>' || c == '!':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{kind: tPunct, text: s[i : i+2], pos: start})
				i += 2
			} else if c == '!' {
				return nil, &PatternError{Pos: start, Msg: `"!" must be followed by "="`}
			} else {
				toks = append(toks, token{kind: tPunct, text: string(c), pos: start})
				i++
			}
		case strings.IndexByte("[]():=,*", c) >= 0:
			toks = append(toks, token{kind: tPunct, text: string(c), pos: start})
			i++
		default:
			return nil, &PatternError{Pos: start, Msg: fmt.Sprintf("unexpected character %q", rune(s[i]))}
		}
	}
}

// lexQuoted reads '…' starting at the quote at i, with \' and \\ as the only escapes.
func lexQuoted(s string, i int) (string, int, error) {
	start := i
	var b strings.Builder
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\'':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '\\') {
				b.WriteByte(s[i+1])
				i++
				continue
			}
			return "", 0, &PatternError{Pos: i, Msg: `only \' and \\ may be escaped`}
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, &PatternError{Pos: start, Msg: "unterminated string"}
}

// ---- parser

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) is(kind tokKind, text string) bool {
	t := p.peek()
	return t.kind == kind && t.text == text
}

func (p *parser) errAt(t token, format string, args ...any) *PatternError {
	return &PatternError{Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expect(kind tokKind, text string) error {
	if !p.is(kind, text) {
		t := p.peek()
		return p.errAt(t, "expected %q, found %s", text, t.describe())
	}
	p.next()
	return nil
}

// observations parses FOLLOWEDBY (lowest), then OR, then AND, all left-associative.
func (p *parser) observations(depth int) (ObservationExpr, error) {
	return p.obsLevel(depth, precFollowedBy)
}

var obsOps = []string{"FOLLOWEDBY", "OR", "AND"}

func (p *parser) obsLevel(depth, level int) (ObservationExpr, error) {
	if level == precPrimary {
		return p.obsPrimary(depth)
	}
	left, err := p.obsLevel(depth, level+1)
	if err != nil {
		return nil, err
	}
	for p.is(tKeyword, obsOps[level]) {
		p.next()
		right, err := p.obsLevel(depth, level+1)
		if err != nil {
			return nil, err
		}
		left = &ObservationOp{Op: obsOps[level], Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) obsPrimary(depth int) (ObservationExpr, error) {
	if depth > maxPatternDepth {
		return nil, p.errAt(p.peek(), "pattern nested too deeply")
	}
	var e ObservationExpr
	t := p.next()
	switch {
	case t.kind == tPunct && t.text == "[":
		c, err := p.comparisons(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(tPunct, "]"); err != nil {
			return nil, err
		}
		e = &Observation{Comparison: c}
	case t.kind == tPunct && t.text == "(":
		inner, err := p.observations(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(tPunct, ")"); err != nil {
			return nil, err
		}
		e = inner
	default:
		return nil, p.errAt(t, `expected "[" or "(", found %s`, t.describe())
	}
	for {
		q, ok, err := p.qualifier()
		if err != nil {
			return nil, err
		}
		if !ok {
			return e, nil
		}
		e = &Qualified{Expr: e, Qualifier: q}
	}
}

func (p *parser) qualifier() (Qualifier, bool, error) {
	t := p.peek()
	if t.kind != tKeyword {
		return Qualifier{}, false, nil
	}
	switch t.text {
	case "WITHIN":
		p.next()
		n := p.next()
		if n.kind != tInt && n.kind != tFloat {
			return Qualifier{}, false, p.errAt(n, "WITHIN needs a number of seconds")
		}
		lit := numberLiteral(n)
		if lit.Kind == LitInt && lit.Int <= 0 || lit.Kind == LitFloat && lit.Float <= 0 {
			return Qualifier{}, false, p.errAt(n, "WITHIN needs a positive number")
		}
		if err := p.expect(tKeyword, "SECONDS"); err != nil {
			return Qualifier{}, false, err
		}
		return Qualifier{Kind: "WITHIN", Number: &lit}, true, nil
	case "REPEATS":
		p.next()
		n := p.next()
		if n.kind != tInt {
			return Qualifier{}, false, p.errAt(n, "REPEATS needs an integer")
		}
		lit := numberLiteral(n)
		if lit.Int <= 0 {
			return Qualifier{}, false, p.errAt(n, "REPEATS needs a positive integer")
		}
		if err := p.expect(tKeyword, "TIMES"); err != nil {
			return Qualifier{}, false, err
		}
		return Qualifier{Kind: "REPEATS", Number: &lit}, true, nil
	case "START":
		p.next()
		a := p.next()
		if a.kind != tTimestamp {
			return Qualifier{}, false, p.errAt(a, "START needs a timestamp t'…'")
		}
		if err := p.expect(tKeyword, "STOP"); err != nil {
			return Qualifier{}, false, err
		}
		b := p.next()
		if b.kind != tTimestamp {
			return Qualifier{}, false, p.errAt(b, "STOP needs a timestamp t'…'")
		}
		ta, _ := ParseTimestamp(a.text)
		tb, _ := ParseTimestamp(b.text)
		if !tb.After(ta) {
			return Qualifier{}, false, p.errAt(b, "STOP must be later than START")
		}
		return Qualifier{Kind: "START", Start: a.text, Stop: b.text}, true, nil
	}
	return Qualifier{}, false, nil
}

func numberLiteral(t token) Literal {
	if t.kind == tFloat {
		f, _ := strconv.ParseFloat(t.text, 64)
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return Literal{Kind: LitFloat, Float: f, Text: s}
	}
	n, _ := strconv.ParseInt(t.text, 10, 64)
	return Literal{Kind: LitInt, Int: n, Text: strconv.FormatInt(n, 10)}
}

var cmpOps = []string{"OR", "AND"}

func (p *parser) comparisons(depth int) (ComparisonExpr, error) { return p.cmpLevel(depth, 0) }

func (p *parser) cmpLevel(depth, level int) (ComparisonExpr, error) {
	if level == len(cmpOps) {
		return p.propTest(depth)
	}
	left, err := p.cmpLevel(depth, level+1)
	if err != nil {
		return nil, err
	}
	for p.is(tKeyword, cmpOps[level]) {
		p.next()
		right, err := p.cmpLevel(depth, level+1)
		if err != nil {
			return nil, err
		}
		left = &ComparisonOp{Op: cmpOps[level], Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) propTest(depth int) (ComparisonExpr, error) {
	if depth > maxPatternDepth {
		return nil, p.errAt(p.peek(), "pattern nested too deeply")
	}
	if p.is(tPunct, "(") {
		p.next()
		e, err := p.comparisons(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(tPunct, ")"); err != nil {
			return nil, err
		}
		return e, nil
	}
	if p.is(tKeyword, "EXISTS") {
		p.next()
		path, err := p.objectPath()
		if err != nil {
			return nil, err
		}
		return &Exists{Path: path}, nil
	}
	path, err := p.objectPath()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Path: path}
	if p.is(tKeyword, "NOT") {
		p.next()
		c.Negated = true
	}
	op := p.next()
	switch {
	case op.kind == tPunct && (op.text == "=" || op.text == "!="):
		c.Op = op.text
		c.Value, err = p.literal(false)
	case op.kind == tPunct && (op.text == "<" || op.text == ">" || op.text == "<=" || op.text == ">="):
		c.Op = op.text
		c.Value, err = p.literal(true)
	case op.kind == tKeyword && (op.text == "LIKE" || op.text == "MATCHES" || op.text == "ISSUBSET" || op.text == "ISSUPERSET"):
		c.Op = op.text
		t := p.next()
		if t.kind != tString {
			return nil, p.errAt(t, "%s needs a string, found %s", op.text, t.describe())
		}
		c.Value = Literal{Kind: LitString, Text: t.text}
	case op.kind == tKeyword && op.text == "IN":
		c.Op = "IN"
		if err := p.expect(tPunct, "("); err != nil {
			return nil, err
		}
		c.Set = []Literal{}
		for !p.is(tPunct, ")") {
			if len(c.Set) > 0 {
				if err := p.expect(tPunct, ","); err != nil {
					return nil, err
				}
			}
			v, err := p.literal(false)
			if err != nil {
				return nil, err
			}
			c.Set = append(c.Set, v)
		}
		p.next()
	default:
		return nil, p.errAt(op, "expected a comparison operator, found %s", op.describe())
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (p *parser) literal(orderable bool) (Literal, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return Literal{Kind: LitString, Text: t.text}, nil
	case tInt, tFloat:
		return numberLiteral(t), nil
	case tBool:
		if orderable {
			return Literal{}, p.errAt(t, "a boolean cannot be compared with < or >")
		}
		return Literal{Kind: LitBool, Bool: t.text == "true", Text: t.text}, nil
	case tTimestamp:
		return Literal{Kind: LitTimestamp, Text: t.text}, nil
	case tBinary:
		return Literal{Kind: LitBinary, Text: t.text}, nil
	case tHex:
		return Literal{Kind: LitHex, Text: t.text}, nil
	}
	return Literal{}, p.errAt(t, "expected a value, found %s", t.describe())
}

func (p *parser) objectPath() (ObjectPath, error) {
	t := p.next()
	if t.kind != tIdent {
		return ObjectPath{}, p.errAt(t, "expected an object type, found %s", t.describe())
	}
	path := ObjectPath{Type: t.text}
	if err := p.expect(tPunct, ":"); err != nil {
		return ObjectPath{}, err
	}
	first := p.next()
	switch {
	case first.kind == tString || first.kind == tIdent && isPlainIdent(first.text):
		path.Steps = append(path.Steps, PathStep{Property: first.text})
	default:
		return ObjectPath{}, p.errAt(first, "expected a property name, found %s", first.describe())
	}
	for {
		switch {
		case p.is(tPunct, "."):
			p.next()
			n := p.next()
			if n.kind != tString && !(n.kind == tIdent && isPlainIdent(n.text)) {
				return ObjectPath{}, p.errAt(n, "expected a property name, found %s", n.describe())
			}
			path.Steps = append(path.Steps, PathStep{Property: n.text})
		case p.is(tPunct, "["):
			p.next()
			n := p.next()
			switch {
			case n.kind == tPunct && n.text == "*":
				path.Steps = append(path.Steps, PathStep{Index: "*", IsIndex: true})
			case n.kind == tInt:
				path.Steps = append(path.Steps, PathStep{Index: numberLiteral(n).Text, IsIndex: true})
			default:
				return ObjectPath{}, p.errAt(n, "expected a list index or *, found %s", n.describe())
			}
			if err := p.expect(tPunct, "]"); err != nil {
				return ObjectPath{}, err
			}
		default:
			return path, nil
		}
	}
}
