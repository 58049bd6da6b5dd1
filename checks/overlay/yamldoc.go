package overlay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlDoc is one parsed YAML document plus what typed extraction needs: positions in the
// original file and the errors collected so far. Extraction never stops at the first
// problem; every getter records its error and returns an unset value.
type yamlDoc struct {
	src  *source
	root *yaml.Node // the top-level node (document content), never an alias
	errs InputErrors
}

// readYAML prepares one YAML file's text (see newSource) and parses it. The document is nil
// when nothing could be read; the errors then say why.
func readYAML(rel string, data []byte) (*yamlDoc, InputErrors) {
	src, ie := newSource(rel, data)
	if ie != nil {
		return nil, InputErrors{ie}
	}
	return parseYAML(src)
}

// parseYAML parses the first document of src and checks what yaml.v3 leaves to callers:
// duplicate mapping keys anywhere in the document and a second document. The returned
// document is nil when the text is not usable YAML.
func parseYAML(src *source) (doc *yamlDoc, errs InputErrors) {
	defer func() {
		// yaml.v3 converts its own failures into errors; anything else is a bug in it that
		// must not take the loader down.
		if r := recover(); r != nil {
			doc = nil
			errs = append(errs, &InputError{Pos: src.filePos(), Kind: KindSyntax,
				Msg: fmt.Sprintf("YAML parser failed on this file (%v)", r)})
		}
	}()
	var top yaml.Node
	if !mayHoldSeveralDocuments(src.text) {
		// The common case, and about a third cheaper than a Decoder reading from a buffer.
		if err := yaml.Unmarshal(src.text, &top); err != nil {
			return nil, InputErrors{yamlSyntaxError(src, err)}
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(src.text))
		if err := dec.Decode(&top); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, InputErrors{{Pos: src.filePos(), Kind: KindEmpty, Msg: "file holds no YAML document (only comments or blank lines)"}}
			}
			return nil, InputErrors{yamlSyntaxError(src, err)}
		}
		var extra yaml.Node
		switch err := dec.Decode(&extra); {
		case err == nil:
			at := src.filePos()
			if len(extra.Content) > 0 {
				at = src.atRune(extra.Content[0].Line, extra.Content[0].Column)
			}
			errs = append(errs, &InputError{Pos: at, Kind: KindSyntax,
				Msg: "file holds more than one YAML document; expected exactly one"})
		case !errors.Is(err, io.EOF):
			errs = append(errs, yamlSyntaxError(src, err))
		}
	}
	d := &yamlDoc{src: src}
	if len(top.Content) == 0 {
		return nil, InputErrors{{Pos: src.filePos(), Kind: KindEmpty, Msg: "file holds no YAML document (only comments or blank lines)"}}
	}
	d.root = top.Content[0]
	if isNull(d.root) && d.root.Tag == "!!null" && d.root.Value == "" {
		return nil, InputErrors{{Pos: src.filePos(), Kind: KindEmpty, Msg: "file holds an empty YAML document"}}
	}
	d.checkDuplicates(d.root)
	d.errs = append(errs, d.errs...)
	return d, nil
}

// mayHoldSeveralDocuments reports whether a document marker (--- or ...) starts a line
// after the first: only then must the slower Decoder look for a second document.
func mayHoldSeveralDocuments(text []byte) bool {
	return bytes.Contains(text, []byte("\n---")) || bytes.Contains(text, []byte("\n..."))
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser stage, which reports 0-based
// lines; its scanner stage reports 1-based ones. (yaml.v3 omits the line entirely when the
// number it would print is 0.)
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

var yamlAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// yamlSyntaxError turns a yaml.v3 error into an InputError at the line the parser named.
func yamlSyntaxError(src *source, err error) *InputError {
	msg := err.Error()
	if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		// yaml.v3 does not say where; the first use of the alias is where to look.
		at := src.filePos()
		if i := strings.Index(string(src.text), "*"+m[1]); i >= 0 {
			at = src.atOffset(i)
		}
		return &InputError{Pos: at, Kind: KindSyntax, Msg: fmt.Sprintf("alias *%s refers to an anchor &%s that is not defined before it", m[1], m[1])}
	}
	line, problem := 0, strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		problem = m[2]
	}
	if yamlParserProblems[problem] || line == 0 {
		line++
	}
	if strings.Contains(problem, "unexpected end of stream") {
		line = len(src.lines)
	}
	line = min(line, len(src.lines))
	if strings.Contains(problem, "tab character") {
		// yaml.v3 names the line of the block the tab breaks, not the tab's: the tab is on
		// the first line from there that is indented with one.
		for l := line; l <= len(src.lines); l++ {
			if yamlIndentTab(src, l) >= 0 {
				line = l
				break
			}
		}
	}
	if q, ok := src.quoteRunningInto(line); ok {
		// An unclosed quote swallows the lines after it, and YAML fails only where the
		// swallowed text stops making sense: the mistake is where the quote opened.
		runs := "is never closed"
		if q.closeLine > 0 {
			runs = fmt.Sprintf("runs on to line %d", q.closeLine)
		}
		return &InputError{Pos: q.open, Kind: KindSyntax, Msg: fmt.Sprintf(
			"invalid YAML: the quoted value opened here is not closed on its line (it %s; YAML then fails at line %d: %s)", runs, line, problem)}
	}
	return &InputError{Pos: src.yamlProblemPos(line, problem), Kind: KindSyntax, Msg: "invalid YAML: " + problem}
}

// quoteSpan is a quoted scalar that starts on one line and ends on a later one (closeLine
// 0: never).
type quoteSpan struct {
	open      Pos
	closeLine int
}

// quoteRunningInto finds a quoted scalar that opens on or before line errLine, spans lines
// and ends on the line before errLine or later (or never ends): the likely cause of a syntax error YAML reports there. It
// scans quotes as YAML opens them (at the start of a value), skipping comments and block
// scalars; a scalar that closes further from the error is left alone, as legitimate
// multi-line quoting is.
func (s *source) quoteRunningInto(errLine int) (quoteSpan, bool) {
	var (
		quote     byte // the open quote, 0 outside one
		open      Pos
		openLine  int
		blockFrom = -1 // indentation a block scalar's lines exceed, -1 outside one
	)
	for l := 1; l <= len(s.lines); l++ {
		if quote == 0 && l > errLine {
			break
		}
		text := s.lineText(l)
		indent := len(text) - len(bytes.TrimLeft(text, " "))
		if quote == 0 && blockFrom >= 0 {
			if len(bytes.TrimSpace(text)) == 0 || indent > blockFrom {
				continue
			}
			blockFrom = -1
		}
		for i := 0; i < len(text); i++ {
			b := text[i]
			switch {
			case quote == '"' && b == '\\':
				i++
			case quote != 0 && b == quote:
				if quote == '\'' && i+1 < len(text) && text[i+1] == '\'' {
					i++
					continue
				}
				quote = 0
				if openLine < l && openLine <= errLine && l >= errLine-1 {
					return quoteSpan{open: open, closeLine: l}, true
				}
			case quote != 0:
			case b == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
				i = len(text)
			case (b == '"' || b == '\'') && yamlValueStart(text[:i]):
				quote, openLine, open = b, l, s.atOffset(s.lines[l-1]+i)
			}
		}
		if quote == 0 && bytes.HasSuffix(bytes.TrimRight(bytes.TrimRight(text, " "), "+-0123456789"), []byte("|")) ||
			quote == 0 && bytes.HasSuffix(bytes.TrimRight(bytes.TrimRight(text, " "), "+-0123456789"), []byte(">")) {
			blockFrom = indent
		}
	}
	if quote != 0 && openLine <= errLine {
		return quoteSpan{open: open}, true
	}
	return quoteSpan{}, false
}

// yamlValueStart: a quote after before starts a scalar (it begins the line's content, or
// follows a key's ": ", a sequence's "- ", or a flow collection's "[", "{" or ",").
func yamlValueStart(before []byte) bool {
	t := bytes.TrimRight(before, " \t")
	if len(t) == 0 {
		return true
	}
	switch t[len(t)-1] {
	case '[', '{', ',':
		return true
	case ':', '-', '?':
		return len(t) < len(before) // a space between
	}
	return false
}

// lineText is line l (1-based) of the text without its line break.
func (s *source) lineText(l int) []byte {
	if l < 1 || l > len(s.lines) {
		return nil
	}
	start, end := s.lines[l-1], len(s.text)
	if l < len(s.lines) {
		end = s.lines[l]
	}
	return bytes.TrimRight(s.text[start:end], "\r\n")
}

// yamlIndentTab is the byte index in line l of a tab within its indentation, or -1.
func yamlIndentTab(src *source, l int) int {
	for i, b := range src.lineText(l) {
		switch b {
		case '\t':
			return i
		case ' ':
		default:
			return -1
		}
	}
	return -1
}

// yamlProblemPos gives a yaml.v3 syntax error, which names only a line, a column: the
// offending tab or character where the problem names one, else the line's first
// non-blank character (or 1 on a blank line).
func (s *source) yamlProblemPos(line int, problem string) Pos {
	text := s.lineText(line)
	i := -1
	switch {
	case strings.Contains(problem, "tab character"):
		i = yamlIndentTab(s, line)
	case strings.Contains(problem, "cannot start any token"):
		if i = yamlIndentTab(s, line); i < 0 {
			i = bytes.IndexAny(text, "@`\t")
		}
	}
	if i < 0 {
		i = max(0, len(text)-len(bytes.TrimLeft(text, " \t")))
		if i == len(text) {
			i = 0
		}
	}
	if line < 1 {
		return Pos{File: s.rel, Line: line}
	}
	return Pos{File: s.rel, Line: line, Column: s.col(line, i)}
}

// checkDuplicates reports every mapping key given twice in the same mapping. yaml.v3 only
// rejects duplicates when decoding into Go maps and structs, not into nodes, and a
// duplicate silently shadowing a pin or a label is exactly the kind of mistake the gates
// exist to catch. Aliases are not followed, so the walk is linear in the file size.
func (d *yamlDoc) checkDuplicates(n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			if first, dup := seen[k.Value]; dup {
				d.errs = append(d.errs, &InputError{Pos: d.pos(k), Kind: KindDuplicate,
					Msg: fmt.Sprintf("duplicate key %q (first given at line %d)", k.Value, first.Line)})
				continue
			}
			seen[k.Value] = k
		}
	}
	for _, c := range n.Content {
		d.checkDuplicates(c)
	}
}

func (d *yamlDoc) pos(n *yaml.Node) Pos { return d.src.atRune(n.Line, n.Column) }

// maxAliasChain bounds alias-to-alias hops and merge-key nesting; yaml.v3 nodes can form
// cycles (an anchor may be used inside its own value).
const maxAliasChain = 32

// resolve follows aliases to the node they name.
func (d *yamlDoc) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i >= maxAliasChain || n.Alias == nil {
			return nil
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names a node's type for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "null"
	case n.Tag == "!!bool":
		return "the boolean " + n.Value
	case n.Tag == "!!int", n.Tag == "!!float":
		return "the number " + n.Value
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	default:
		return "an unsupported YAML node"
	}
}

func (d *yamlDoc) typeError(at *yaml.Node, path, want string, got *yaml.Node) {
	d.errs = append(d.errs, &InputError{Pos: d.pos(at), Kind: KindType,
		Msg: fmt.Sprintf("%s: expected %s, got %s", path, want, describe(got))})
}

// field is a key looked up in a mapping: the key node (for positions of the entry) and the
// resolved value. Both are nil when the key is absent.
type field struct {
	key, val *yaml.Node
	use      *yaml.Node // the value as written (an alias, or val itself): where errors point
}

// lookup finds key in mapping m, honouring merge keys (<<: *base, <<: [*a, *b]); explicit
// keys win over merged ones, earlier merge sources over later ones. Each mapping is visited
// at most once per lookup, so self-referencing or fanned-out merges (an alias bomb) cost no
// more than the document's size.
func (d *yamlDoc) lookup(m *yaml.Node, key string) field {
	return d.lookupIn(m, key, nil)
}

func (d *yamlDoc) lookupIn(m *yaml.Node, key string, visited map[*yaml.Node]bool) field {
	if m == nil || m.Kind != yaml.MappingNode || visited[m] {
		return field{}
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind == yaml.ScalarNode && k.Value == key {
			return field{key: k, val: d.resolve(v), use: v}
		}
	}
	if len(merges) == 0 {
		return field{}
	}
	if visited == nil {
		visited = map[*yaml.Node]bool{}
	}
	visited[m] = true
	for _, mv := range merges {
		src := d.resolve(mv)
		if src == nil {
			continue
		}
		sources := []*yaml.Node{src}
		if src.Kind == yaml.SequenceNode {
			sources = src.Content
		}
		for _, s := range sources {
			if f := d.lookupIn(d.resolve(s), key, visited); f.key != nil {
				return f
			}
		}
	}
	return field{}
}

// block returns the mapping under key (nil when absent or null) and the position that
// values absent from it should point at: its key when present, else parentPos.
func (d *yamlDoc) block(m *yaml.Node, parentPos Pos, key, path string) (*yaml.Node, Pos) {
	f := d.lookup(m, key)
	if f.key == nil {
		return nil, parentPos
	}
	at := d.pos(f.key)
	if isNull(f.val) {
		return nil, at
	}
	if f.val.Kind != yaml.MappingNode {
		d.typeError(f.use, path, "a mapping", f.val)
		return nil, at
	}
	return f.val, at
}

// str reads a scalar as a string. Any scalar counts: a commit of forty digits is an !!int
// to YAML but a string to us, and the value is taken as written. Null is absent.
func (d *yamlDoc) str(m *yaml.Node, blockPos Pos, key, path string) String {
	f := d.lookup(m, key)
	switch {
	case f.key == nil:
		return String{Pos: blockPos}
	case isNull(f.val):
		return String{Pos: d.pos(f.use)}
	case f.val.Kind != yaml.ScalarNode:
		d.typeError(f.use, path, "a string", f.val)
		return String{Pos: d.pos(f.use)}
	}
	return String{Value: f.val.Value, Pos: d.pos(f.use), Set: true}
}

// boolean reads true/false (YAML 1.2 booleans; "yes" is a string, as in yaml.v3).
func (d *yamlDoc) boolean(m *yaml.Node, blockPos Pos, key, path string) Bool {
	f := d.lookup(m, key)
	switch {
	case f.key == nil:
		return Bool{Pos: blockPos}
	case isNull(f.val):
		return Bool{Pos: d.pos(f.use)}
	}
	var v bool
	if f.val.Kind != yaml.ScalarNode || f.val.Tag != "!!bool" || f.val.Decode(&v) != nil {
		d.typeError(f.use, path, "a boolean (true or false)", f.val)
		return Bool{Pos: d.pos(f.use)}
	}
	return Bool{Value: v, Pos: d.pos(f.use), Set: true}
}

// mappingList reads key of m as a list of mappings and calls each with every item, its
// mapping and its path ("enrollment.authority_pins[2]"). A value that is not a list, and an
// item that is not a mapping, is a type error naming listWant or itemWant; such an item is
// skipped.
func (d *yamlDoc) mappingList(m *yaml.Node, key, path, listWant, itemWant string, each func(item, fields *yaml.Node, itemPath string)) {
	f := d.lookup(m, key)
	if f.key == nil || isNull(f.val) {
		return
	}
	if f.val.Kind != yaml.SequenceNode {
		d.typeError(f.use, path, listWant, f.val)
		return
	}
	for i, item := range f.val.Content {
		ip := fmt.Sprintf("%s[%d]", path, i)
		fields := d.resolve(item)
		if fields == nil || fields.Kind != yaml.MappingNode {
			d.typeError(item, ip, itemWant, fields)
			continue
		}
		each(item, fields, ip)
	}
}

// strList reads a list of scalars. A bare scalar is a type error rather than a one-item
// list: `shared_labels: tinyland-nix` is far more often a forgotten dash than intent.
func (d *yamlDoc) strList(m *yaml.Node, blockPos Pos, key, path string) StringList {
	f := d.lookup(m, key)
	switch {
	case f.key == nil:
		return StringList{Pos: blockPos}
	case isNull(f.val):
		return StringList{Pos: d.pos(f.use)}
	case f.val.Kind != yaml.SequenceNode:
		d.typeError(f.use, path, "a list of strings", f.val)
		return StringList{Pos: d.pos(f.use)}
	}
	l := StringList{Pos: d.pos(f.use), Set: true}
	for i, item := range f.val.Content {
		v := d.resolve(item)
		if v == nil || v.Kind != yaml.ScalarNode || isNull(v) {
			d.typeError(item, fmt.Sprintf("%s[%d]", path, i), "a string", v)
			continue
		}
		l.Values = append(l.Values, String{Value: v.Value, Pos: d.pos(item), Set: true})
	}
	return l
}
