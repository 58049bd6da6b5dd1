package ghexpr

import (
	"fmt"
	"strconv"
	"strings"
)

// Node is a parsed expression. Off is the byte offset of the node's first token in the
// parsed source.
type Node interface {
	Offset() int
	node()
}

// LiteralKind distinguishes literal values.
type LiteralKind int

const (
	NullLit LiteralKind = iota
	BoolLit
	NumberLit
	StringLit
)

// Literal is null, true/false, a number or a string.
type Literal struct {
	Kind LiteralKind
	Bool bool
	Num  float64
	Str  string
	Off  int
}

// Ident is a bare context name (github, matrix, secrets, ...).
type Ident struct {
	Name string
	Off  int
}

// Property is Recv.Name; Name "*" is the object filter (a.*.b).
type Property struct {
	Recv Node
	Name string
	Off  int
}

// Index is Recv[Index]; Index is nil for the filter form Recv[*].
type Index struct {
	Recv  Node
	Index Node
	Off   int
}

// Call is a function call: contains(a, b), fromJSON('...'), success(), ...
type Call struct {
	Func string
	Args []Node
	Off  int
}

// Not is !X.
type Not struct {
	X   Node
	Off int
}

// Binary is L Op R with Op one of == != < <= > >= && ||.
type Binary struct {
	Op   string
	L, R Node
	Off  int
}

func (n *Literal) Offset() int  { return n.Off }
func (n *Ident) Offset() int    { return n.Off }
func (n *Property) Offset() int { return n.Off }
func (n *Index) Offset() int    { return n.Off }
func (n *Call) Offset() int     { return n.Off }
func (n *Not) Offset() int      { return n.Off }
func (n *Binary) Offset() int   { return n.Off }

func (*Literal) node()  {}
func (*Ident) node()    {}
func (*Property) node() {}
func (*Index) node()    {}
func (*Call) node()     {}
func (*Not) node()      {}
func (*Binary) node()   {}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 100

// Parse parses one expression (without the `${{ }}` braces).
func Parse(src string) (Node, error) {
	toks, err := Lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.Kind != TokEOF {
		return nil, &SyntaxError{Off: t.Off, Msg: fmt.Sprintf("unexpected %s %q after expression", t.Kind, t.Text)}
	}
	return n, nil
}

// ParseCondition parses an `if:` value. GitHub evaluates a bare `if:` as an expression, and
// one wrapped entirely in `${{ }}` as the inner expression. ok=false means the value mixes
// `${{ }}` with other text: it is then a non-empty string, which is always true.
func ParseCondition(s string) (n Node, ok bool, err error) {
	if sp, single := IsSingle(s); single {
		n, err = Parse(sp.Expr)
		return n, true, err
	}
	if strings.Contains(s, "${{") {
		return nil, false, nil
	}
	n, err = Parse(s)
	return n, true, err
}

type parser struct {
	toks  []Token
	pos   int
	depth int
}

func (p *parser) peek() Token { return p.toks[p.pos] }

func (p *parser) next() Token {
	t := p.toks[p.pos]
	if t.Kind != TokEOF {
		p.pos++
	}
	return t
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.Kind == TokPunct && t.Text == s
}

func (p *parser) expect(s string) error {
	t := p.next()
	if t.Kind != TokPunct || t.Text != s {
		return &SyntaxError{Off: t.Off, Msg: fmt.Sprintf("expected %q, found %s %q", s, t.Kind, t.Text)}
	}
	return nil
}

// binary operator precedence, lowest first (GitHub's documented order).
var precedence = map[string]int{"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4}

func (p *parser) expr(minPrec int) (Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, &SyntaxError{Off: p.peek().Off, Msg: "expression nested too deeply"}
	}
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec, isOp := precedence[t.Text]
		if t.Kind != TokPunct || !isOp || prec <= minPrec {
			return left, nil
		}
		p.next()
		right, err := p.expr(prec)
		if err != nil {
			return nil, err
		}
		left = &Binary{Op: t.Text, L: left, R: right, Off: left.Offset()}
	}
}

func (p *parser) unary() (Node, error) {
	if p.isPunct("!") {
		t := p.next()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, &SyntaxError{Off: t.Off, Msg: "expression nested too deeply"}
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Not{X: x, Off: t.Off}, nil
	}
	return p.postfix()
}

func (p *parser) postfix() (Node, error) {
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			t := p.next()
			switch {
			case t.Kind == TokIdent:
				n = &Property{Recv: n, Name: t.Text, Off: n.Offset()}
			case t.Kind == TokPunct && t.Text == "*":
				n = &Property{Recv: n, Name: "*", Off: n.Offset()}
			default:
				return nil, &SyntaxError{Off: t.Off, Msg: fmt.Sprintf("expected a property name after '.', found %s %q", t.Kind, t.Text)}
			}
		case p.isPunct("["):
			p.next()
			if p.isPunct("*") {
				p.next()
				if err := p.expect("]"); err != nil {
					return nil, err
				}
				n = &Index{Recv: n, Off: n.Offset()}
				continue
			}
			idx, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = &Index{Recv: n, Index: idx, Off: n.Offset()}
		default:
			return n, nil
		}
	}
}

func (p *parser) primary() (Node, error) {
	t := p.next()
	switch t.Kind {
	case TokString:
		return &Literal{Kind: StringLit, Str: t.Value, Off: t.Off}, nil
	case TokNumber:
		f, err := parseNumber(t.Text)
		if err != nil {
			return nil, &SyntaxError{Off: t.Off, Msg: fmt.Sprintf("bad number %q", t.Text)}
		}
		return &Literal{Kind: NumberLit, Num: f, Off: t.Off}, nil
	case TokIdent:
		switch t.Text {
		case "true", "false":
			return &Literal{Kind: BoolLit, Bool: t.Text == "true", Off: t.Off}, nil
		case "null":
			return &Literal{Kind: NullLit, Off: t.Off}, nil
		}
		if !p.isPunct("(") {
			return &Ident{Name: t.Text, Off: t.Off}, nil
		}
		p.next()
		call := &Call{Func: t.Text, Off: t.Off}
		if p.isPunct(")") {
			p.next()
			return call, nil
		}
		for {
			arg, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			call.Args = append(call.Args, arg)
			if p.isPunct(",") {
				p.next()
				continue
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			return call, nil
		}
	case TokPunct:
		if t.Text == "(" {
			n, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	if t.Kind == TokEOF {
		return nil, &SyntaxError{Off: t.Off, Msg: "unexpected end of expression"}
	}
	return nil, &SyntaxError{Off: t.Off, Msg: fmt.Sprintf("unexpected %s %q", t.Kind, t.Text)}
}

func parseNumber(s string) (float64, error) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	if strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X") {
		u, err := strconv.ParseUint(body[2:], 16, 64)
		if err != nil {
			return 0, err
		}
		f := float64(u)
		if neg {
			f = -f
		}
		return f, nil
	}
	return strconv.ParseFloat(s, 64)
}

// Path returns the property path a node denotes, lower-cased (contexts and property names
// are case-insensitive): github.event_name and github['event_name'] both give
// ["github", "event_name"]. ok is false for anything that is not a static path.
func Path(n Node) (path []string, ok bool) {
	switch x := n.(type) {
	case *Ident:
		return []string{strings.ToLower(x.Name)}, true
	case *Property:
		if x.Name == "*" {
			return nil, false
		}
		p, ok := Path(x.Recv)
		if !ok {
			return nil, false
		}
		return append(p, strings.ToLower(x.Name)), true
	case *Index:
		lit, isLit := x.Index.(*Literal)
		if !isLit || lit.Kind != StringLit {
			return nil, false
		}
		p, ok := Path(x.Recv)
		if !ok {
			return nil, false
		}
		return append(p, strings.ToLower(lit.Str)), true
	}
	return nil, false
}

// Format renders a node back to expression syntax (normalised spacing), for messages.
func Format(n Node) string {
	switch x := n.(type) {
	case *Literal:
		switch x.Kind {
		case NullLit:
			return "null"
		case BoolLit:
			return strconv.FormatBool(x.Bool)
		case NumberLit:
			return strconv.FormatFloat(x.Num, 'g', -1, 64)
		default:
			return "'" + strings.ReplaceAll(x.Str, "'", "''") + "'"
		}
	case *Ident:
		return x.Name
	case *Property:
		return Format(x.Recv) + "." + x.Name
	case *Index:
		if x.Index == nil {
			return Format(x.Recv) + "[*]"
		}
		return Format(x.Recv) + "[" + Format(x.Index) + "]"
	case *Call:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = Format(a)
		}
		return x.Func + "(" + strings.Join(args, ", ") + ")"
	case *Not:
		if _, bin := x.X.(*Binary); bin {
			return "!(" + Format(x.X) + ")"
		}
		return "!" + Format(x.X)
	case *Binary:
		return operand(x.L, x.Op, false) + " " + x.Op + " " + operand(x.R, x.Op, true)
	}
	return "?"
}

// operand formats a binary operand, parenthesised when its own operator binds looser (or
// equally, on the right, since all operators are left-associative).
func operand(n Node, parentOp string, right bool) string {
	b, ok := n.(*Binary)
	if !ok {
		return Format(n)
	}
	if precedence[b.Op] < precedence[parentOp] || right && precedence[b.Op] == precedence[parentOp] {
		return "(" + Format(n) + ")"
	}
	return Format(n)
}
