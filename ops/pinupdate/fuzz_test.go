package pinupdate

import (
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// FuzzLocateValue: locating never panics, a located span holds exactly the wanted value,
// and replacing it changes nothing outside the span (plus quotes a plain YAML value may get).
func FuzzLocateValue(f *testing.F) {
	f.Add([]byte("core:\n  pinned_commit: \""+oldSHA+"\" # c\n"), 2, 18, oldSHA, false)
	f.Add([]byte("core: {pinned_commit: "+oldSHA+"}\r\n"), 1, 23, oldSHA, false)
	f.Add([]byte("git_override(\n    commit = r'"+oldSHA+"',\n)\n"), 2, 14, oldSHA, true)
	f.Add([]byte("commit = \"\"\"abc\"\"\"\n"), 1, 10, "abc", true)
	f.Fuzz(func(t *testing.T, data []byte, line, col int, want string, starlark bool) {
		syntax := YAML
		if starlark {
			syntax = Starlark
		}
		s, err := LocateValue(data, finding.Position{File: "f", Line: line, Column: col}, want, syntax)
		if err != nil {
			return
		}
		if s.Start < 0 || s.End > len(data) || s.Start > s.End || string(data[s.Start:s.End]) != want {
			t.Fatalf("span %+v does not hold %q", s, want)
		}
		out, quoted := ReplaceValue(data, s, newSHA, syntax)
		text := newSHA
		if quoted {
			text = `"` + newSHA + `"`
		}
		if string(out[:s.Start]) != string(data[:s.Start]) || string(out[s.Start:s.Start+len(text)]) != text || string(out[s.Start+len(text):]) != string(data[s.End:]) {
			t.Fatal("replacement touched bytes outside the span")
		}
	})
}
