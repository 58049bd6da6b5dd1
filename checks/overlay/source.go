package overlay

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"
)

// source is one file's text prepared for a parser: checked for emptiness and encoding, with
// a UTF-8 byte-order mark removed (HCL and Starlark reject it) and a line index that turns
// any parser's notion of a column into the 1-based byte column of the original file.
//
// Columns are bytes because that is what every parser can report exactly (yaml.v3 counts
// characters, hclsyntax grapheme clusters, buildtools runes) and what editors and SARIF
// consumers accept; for the ASCII that overlays are written in they coincide.
type source struct {
	rel   string
	text  []byte // what parsers see: the file minus a leading BOM
	shift int    // bytes removed from the front (3 with a BOM, else 0)
	lines []int  // byte offset in text of the start of each line (lines[0] = 0)
	ascii []int8 // per line: 1 all ASCII, -1 not, 0 not yet known (see lineASCII)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// newSource checks data and prepares it for parsing. A non-nil error means no parser should
// see the file: it is empty or not UTF-8 text.
func newSource(rel string, data []byte) (*source, *InputError) {
	if ie := checkText(rel, data); ie != nil {
		return nil, ie
	}
	s := &source{rel: rel, text: data}
	if bytes.HasPrefix(data, utf8BOM) {
		s.text, s.shift = data[len(utf8BOM):], len(utf8BOM)
	}
	// Parsers may append to their input (buildtools adds a final newline); a full slice
	// expression makes any append copy instead of writing into the caller's buffer.
	s.text = s.text[:len(s.text):len(s.text)]
	s.lines = lineStarts(s.text)
	return s, nil
}

// lineStarts returns the byte offset of the start of each line. A line ends at "\n",
// "\r\n" or a lone "\r" (old Mac files), as YAML and editors count them; a file written
// with CR line ends is not one long line 1.
func lineStarts(text []byte) []int {
	starts := make([]int, 1, 1+bytes.Count(text, []byte{'\n'}))
	for i, b := range text {
		if b == '\n' || b == '\r' && (i+1 == len(text) || text[i+1] != '\n') {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// checkLineEnds rejects a bare carriage return (a line end of old Mac files) in a format
// whose real reader breaks lines only at "\n": OpenTofu and Bazel would read such a file
// differently from how it shows in an editor (a leading comment swallows the whole file,
// or statements run together), so no reading of it is unambiguous.
func (s *source) checkLineEnds(reader string) *InputError {
	for i, b := range s.text {
		if b == '\r' && (i+1 == len(s.text) || s.text[i+1] != '\n') {
			return &InputError{Pos: s.atOffset(i), Kind: KindEncoding,
				Msg: "line ends with a bare carriage return, which " + reader + " does not read as a line break; save the file with LF (or CRLF) line ends"}
		}
	}
	return nil
}

// checkText rejects what no parser should see: an empty file, or one that is not UTF-8
// text.
func checkText(rel string, data []byte) *InputError {
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0 {
		return &InputError{Pos: Pos{File: rel}, Kind: KindEmpty, Msg: "file is empty"}
	}
	return checkEncoding(rel, data)
}

// checkEncoding rejects binary data: NUL bytes (also how UTF-16 shows up) and invalid UTF-8,
// at the position of the first offending byte.
func checkEncoding(rel string, data []byte) *InputError {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return &InputError{Pos: Pos{File: rel, Line: 1, Column: 1}, Kind: KindEncoding,
			Msg: "file is UTF-16 encoded; save it as UTF-8"}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &InputError{Pos: bytePos(rel, data, i), Kind: KindEncoding,
			Msg: fmt.Sprintf("file contains a NUL byte at offset %d; it looks like binary data, not text", i)}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return &InputError{Pos: bytePos(rel, data, i), Kind: KindEncoding,
			Msg: fmt.Sprintf("file is not valid UTF-8 (bad byte 0x%02X at offset %d)", data[i], i)}
	}
	return nil
}

// bytePos is the position of byte offset off in data (line breaks as in lineStarts).
func bytePos(rel string, data []byte, off int) Pos {
	starts := lineStarts(data[:off])
	return Pos{File: rel, Line: len(starts), Column: off - starts[len(starts)-1] + 1}
}

// filePos is the position of the whole file, used for values absent from a file that has no
// enclosing block.
func (s *source) filePos() Pos { return Pos{File: s.rel} }

// atByte converts a parser position given as a 1-based line and a byte offset into text.
// The offset decides: HCL and Starlark count only "\n" as a line break, so their line
// numbers disagree with the file's in a file with CR line ends.
func (s *source) atByte(_, off int) Pos { return s.atOffset(off) }

// atOffset converts a byte offset into text (a binary search over the line index, so a
// file with many positions on one long line costs no more than its length).
func (s *source) atOffset(off int) Pos {
	off = min(max(off, 0), len(s.text))
	line := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) // 1-based
	line = max(line, 1)
	return Pos{File: s.rel, Line: line, Column: s.col(line, off-s.lines[line-1])}
}

// atRune converts a 1-based line and 1-based character column (yaml.v3's unit).
func (s *source) atRune(line, col int) Pos {
	switch {
	case line > len(s.lines):
		// Past the last line break (yaml.v3 puts an empty document after "---" there).
		return s.atOffset(len(s.text))
	case line < 1 || col < 1:
		return Pos{File: s.rel, Line: max(line, 0), Column: max(col, 0)}
	}
	return Pos{File: s.rel, Line: line, Column: s.col(line, s.runeOffset(line, col)-s.lines[line-1])}
}

// runeOffset converts a 1-based line and character column into a byte offset of the text,
// or -1 when the line does not exist. On an all-ASCII line (the norm) that is arithmetic;
// otherwise it walks the line's runes. Positions are computed for every value a gate may
// cite, so a walk per call would make a long single-line flow mapping quadratic.
func (s *source) runeOffset(line, col int) int {
	if line < 1 || line > len(s.lines) || col < 1 {
		return -1
	}
	start, end := s.lines[line-1], len(s.text)
	if line < len(s.lines) {
		end = s.lines[line]
	}
	if s.lineASCII(line-1, start, end) {
		return min(start+col-1, end)
	}
	off := start
	for i := 1; i < col && off < end; i++ {
		_, size := utf8.DecodeRune(s.text[off:end])
		off += size
	}
	return off
}

// lineASCII reports (and caches) whether line i (0-based) is pure ASCII.
func (s *source) lineASCII(i, start, end int) bool {
	if s.ascii == nil {
		s.ascii = make([]int8, len(s.lines))
	}
	if s.ascii[i] == 0 {
		s.ascii[i] = 1
		for _, b := range s.text[start:end] {
			if b >= utf8.RuneSelf {
				s.ascii[i] = -1
				break
			}
		}
	}
	return s.ascii[i] == 1
}

// col turns a 0-based byte offset within line into the 1-based byte column of the original
// file (the BOM, when there was one, occupies the first three bytes of line 1).
func (s *source) col(line, inLine int) int {
	if line == 1 {
		inLine += s.shift
	}
	return inLine + 1
}

// maxNesting bounds bracket nesting before the recursive-descent parsers (hclsyntax,
// buildtools) see a file: a few megabytes of "[[[[" would otherwise exhaust the goroutine
// stack, which Go cannot recover from. Real configuration nests a handful of levels.
const maxNesting = 500

// checkNesting reports the first bracket that opens a level deeper than maxNesting. It
// counts brackets naively (inside strings and comments too), which can only overcount.
func (s *source) checkNesting() *InputError {
	depth := 0
	for i, b := range s.text {
		switch b {
		case '(', '[', '{':
			depth++
			if depth > maxNesting {
				return &InputError{Pos: s.atOffset(i), Kind: KindSyntax,
					Msg: fmt.Sprintf("brackets nested deeper than %d levels", maxNesting)}
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
