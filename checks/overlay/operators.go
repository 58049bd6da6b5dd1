package overlay

import "fmt"

// Operator chains are bounded before the HCL and Starlark parsers see a file, as bracket
// nesting is (checkNesting). hclsyntax builds and evaluates `!!!…!true`, `---…-1` and
// `1+1+…` recursively, one stack frame per operator, so a few hundred kilobytes of them
// exhaust the goroutine stack, which Go cannot recover from; buildtools recomputes the span
// of a left-nested expression each time it extends it, which makes a long chain
// (`x = 1+1+…`, `a.b.b…`) quadratic. Real configuration writes a handful of operators per
// value, literals in a .tfvars file.
const (
	// maxOperators bounds the operators (unary, binary, comparison, logical, conditional,
	// attribute and index or call suffixes) chained in one expression, counting those of
	// every enclosing bracket level.
	maxOperators = 256
	// maxFileOperators bounds the operators of a whole Starlark file: each chain is
	// quadratic in its length, so many chains just under maxOperators must be bounded too.
	maxFileOperators = 20000
)

// opScanner counts operators per expression over a file's tokens. It knows just enough of
// the language to skip strings (with HCL template interpolations, whose expressions it
// scans), heredocs and comments; anywhere else it may count too many operators, never too
// few, so it can only reject more than the parser would have to handle.
type opScanner struct {
	src    *source
	text   []byte
	hcl    bool // HCL (// and /* */ comments, heredocs, ${ } in strings); else Starlark
	levels []opLevel
	total  int
	err    *InputError
	// operand: the previous token ends an operand, so in Starlark a following ( or [ is a
	// call or index suffix that extends the chain. afterOp: the previous token is an
	// operator, so the expression goes on past a line break.
	operand, afterOp bool
}

// opLevel is one bracket level: base counts the operators of the enclosing levels' chains,
// count those of the current expression at this level. lines: a line break ends an
// expression here (unless the line ends with an operator), as at the top level and in an
// HCL object.
type opLevel struct {
	base, count int
	lines       bool
}

// checkOperators scans src as HCL (hcl) or Starlark. The scan is linear in the file size.
func (s *source) checkOperators(hcl bool) *InputError {
	sc := &opScanner{src: s, text: s.text, hcl: hcl, levels: []opLevel{{lines: true}}}
	sc.code(0, false)
	return sc.err
}

func (sc *opScanner) cur() *opLevel { return &sc.levels[len(sc.levels)-1] }

// op counts one operator at byte i.
func (sc *opScanner) op(i int) {
	l := sc.cur()
	l.count++
	sc.total++
	switch {
	case l.base+l.count > maxOperators:
		sc.fail(i, fmt.Sprintf("expression chains more than %d operators; write the value as a literal", maxOperators))
	case !sc.hcl && sc.total > maxFileOperators:
		sc.fail(i, fmt.Sprintf("file has more than %d operators; MODULE.bazel declares modules with literal arguments", maxFileOperators))
	}
	sc.operand, sc.afterOp = false, true
}

func (sc *opScanner) fail(i int, msg string) {
	if sc.err == nil {
		sc.err = &InputError{Pos: sc.src.atOffset(i), Kind: KindSyntax, Msg: msg}
	}
}

func (sc *opScanner) push(lines bool) {
	l := sc.cur()
	sc.levels = append(sc.levels, opLevel{base: l.base + l.count, lines: lines})
	sc.afterOp = false
}

func (sc *opScanner) pop() {
	if len(sc.levels) > 1 {
		sc.levels = sc.levels[:len(sc.levels)-1]
	}
}

// code scans expressions from i. Inside an interpolation (interp) it returns the index
// after the '}' that closes it; otherwise it runs to the end of the text.
func (sc *opScanner) code(i int, interp bool) int {
	text := sc.text
	braces := 0 // open '{' within this interpolation
	for i < len(text) && sc.err == nil {
		c := text[i]
		next := byte(0)
		if i+1 < len(text) {
			next = text[i+1]
		}
		switch {
		case c == '#' || (sc.hcl && c == '/' && next == '/'):
			for i < len(text) && text[i] != '\n' {
				i++
			}
			continue
		case sc.hcl && c == '/' && next == '*':
			i += 2
			for i < len(text) && !(text[i] == '*' && i+1 < len(text) && text[i+1] == '/') {
				i++
			}
			i += 2
			continue
		case c == '\\' && (next == '\n' || next == '\r'):
			i += 2 // a Starlark line continuation: the expression goes on
			if next == '\r' && i < len(text) && text[i] == '\n' {
				i++
			}
			continue
		case c == '"' || (!sc.hcl && c == '\''):
			i = sc.str(i)
			sc.operand, sc.afterOp = true, false
			continue
		case sc.hcl && c == '<' && next == '<' && heredocStart(text, i) > 0:
			i = sc.heredoc(i)
			sc.operand, sc.afterOp = true, false
			continue
		case isIdentStart(c):
			j := i
			for j < len(text) && (isIdentStart(text[j]) || text[j] >= '0' && text[j] <= '9' || text[j] == '-' && sc.hcl) {
				j++
			}
			if !sc.hcl && starlarkOperatorWords[string(text[i:j])] {
				sc.op(i)
			} else {
				sc.operand, sc.afterOp = true, false
			}
			i = j
			continue
		case c >= '0' && c <= '9':
			for i < len(text) && (isIdentStart(text[i]) || text[i] >= '0' && text[i] <= '9' || text[i] == '.') {
				i++
			}
			sc.operand, sc.afterOp = true, false
			continue
		case c == '(' || c == '[' || c == '{':
			if !sc.hcl && c != '{' && sc.operand {
				sc.op(i) // a call or index suffix
			}
			if c == '{' {
				braces++
			}
			sc.push(sc.hcl && c == '{')
			sc.operand = false
		case c == ')' || c == ']' || c == '}':
			if c == '}' && interp {
				if braces == 0 {
					sc.pop()
					return i + 1
				}
				braces--
			}
			sc.pop()
			sc.operand, sc.afterOp = true, false
		case c == ':' && sc.hcl:
			sc.op(i) // a conditional's else branch, or an object key's value
		case c == ',' || c == ';' || c == ':':
			sc.cur().count = 0
			sc.operand, sc.afterOp = false, false
		case c == '\n':
			if l := sc.cur(); l.lines && !sc.afterOp {
				l.count = 0
			}
		case c == '=':
			if next == '=' || next == '>' {
				sc.op(i)
				i += 2
				continue
			}
			sc.cur().count = 0 // assignment or keyword argument
			sc.operand, sc.afterOp = false, false
		case c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '!' || c == '&' ||
			c == '|' || c == '^' || c == '~' || c == '<' || c == '>' || c == '?' || c == '.':
			sc.op(i)
			if next == '=' { // <=, >=, !=, +=: one operator
				i++
			}
		}
		i++
	}
	return i
}

var starlarkOperatorWords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "is": true, "if": true, "else": true, "lambda": true,
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// str skips the string starting at i and returns the index after it. HCL strings are
// templates: the expressions of ${ } and %{ } are scanned like code.
func (sc *opScanner) str(i int) int {
	text := sc.text
	q := text[i]
	triple := !sc.hcl && i+2 < len(text) && text[i+1] == q && text[i+2] == q
	if triple {
		i += 3
	} else {
		i++
	}
	for i < len(text) && sc.err == nil {
		c := text[i]
		switch {
		case c == '\\':
			i += 2
			continue
		case c == q && !triple:
			return i + 1
		case c == q && i+2 < len(text) && text[i+1] == q && text[i+2] == q:
			return i + 3
		case c == '\n' && !triple:
			return i // unterminated: the parser reports it
		case sc.hcl && (c == '$' || c == '%') && i+1 < len(text) && text[i+1] == '{':
			if i > 0 && text[i-1] == c { // $${ and %%{ are literal
				i += 2
				continue
			}
			sc.push(false)
			i = sc.code(i+2, true)
			continue
		}
		i++
	}
	return i
}

// heredocStart returns the length of the marker (<<EOF or <<-EOF, through its newline)
// starting at i, or 0 when none starts there.
func heredocStart(text []byte, i int) int {
	j := i + 2
	if j < len(text) && text[j] == '-' {
		j++
	}
	k := j
	for k < len(text) && (isIdentStart(text[k]) || text[k] >= '0' && text[k] <= '9' || text[k] == '-') {
		k++
	}
	if k == j {
		return 0
	}
	if k < len(text) && text[k] == '\r' {
		k++
	}
	if k >= len(text) || text[k] != '\n' {
		return 0
	}
	return k + 1 - i
}

// heredoc skips a heredoc template starting at i (scanning its interpolations) through the
// line that ends it.
func (sc *opScanner) heredoc(i int) int {
	text := sc.text
	n := heredocStart(text, i)
	name := text[i+2 : i+n-1]
	if len(name) > 0 && name[0] == '-' {
		name = name[1:]
	}
	if len(name) > 0 && name[len(name)-1] == '\r' {
		name = name[:len(name)-1]
	}
	i += n
	for i < len(text) && sc.err == nil {
		// i is at the start of a line: is it the closing marker?
		end := i
		for end < len(text) && text[end] != '\n' {
			end++
		}
		if string(trimBlank(text[i:end])) == string(name) {
			return end
		}
		for i < end && sc.err == nil {
			c := text[i]
			if (c == '$' || c == '%') && i+1 < len(text) && text[i+1] == '{' && !(i > 0 && text[i-1] == c) {
				sc.push(false)
				i = sc.code(i+2, true)
				for end = max(end, i); end < len(text) && text[end] != '\n'; end++ { // the interpolation may span lines
				}
				continue
			}
			i++
		}
		i = end + 1
	}
	return i
}

func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
