package finding

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestWriteInputErrors(t *testing.T) {
	for _, c := range []struct {
		name          string
		prefix, where string
		err           error
		want          string
	}{
		{"list in order given", "", "overlay", InputErrors{
			{Pos: Position{File: "config/organization.yaml", Line: 3, Column: 7}, Kind: KindType, Msg: "want a string"},
			{Pos: Position{File: "MODULE.bazel"}, Kind: KindMissing, Msg: "does not exist"},
		}, "config/organization.yaml:3:7: error input/type: want a string\nMODULE.bazel: error input/missing: does not exist\n"},
		{"one, wrapped", "", "plan.json", fmt.Errorf("load: %w", &InputError{Pos: Position{File: "plan.json", Line: 1, Column: 2}, Kind: KindSyntax, Msg: "bad"}),
			"plan.json:1:2: error input/syntax: bad\n"},
		{"plain error names where", "", "plan.json", errors.New("no standard input"), "plan.json: error input/read: no standard input\n"},
		{"no file, no kind", "", "overlay", InputErrors{{Msg: "m"}}, "overlay: error input/read: m\n"},
		{"prefix joins the root", "../a", "../a", InputErrors{{Pos: Position{File: "MODULE.bazel", Line: 1}, Kind: KindSyntax, Msg: "m"}},
			"../a/MODULE.bazel:1: error input/syntax: m\n"},
		{"message whitespace folds", "", "x", InputErrors{{Pos: Position{File: "a"}, Kind: KindSyntax, Msg: "line one\n\tline two  "}},
			"a: error input/syntax: line one line two\n"},
		{"controls escaped in every part", "", "x", InputErrors{{Pos: Position{File: "a\nb\x1b[31m.yaml", Line: 2}, Kind: "k\rind", Msg: "v\x00al\x1b]0;t\x07 \xff"}},
			"a\\x0ab\\x1b[31m.yaml:2: error input/k\\x0dind: v\\x00al\\x1b]0;t\\x07 \uFFFD\n"},
		{"a file cannot start a workflow command", "", "x", InputErrors{{Pos: Position{File: "::error title=x::y", Line: 1}, Kind: KindSyntax, Msg: "m"}},
			"\\x3a:error title=x::y:1: error input/syntax: m\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			WriteInputErrors(&b, c.prefix, c.where, c.err)
			if b.String() != c.want {
				t.Errorf("got  %q\nwant %q", b.String(), c.want)
			}
			for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
				if strings.HasPrefix(strings.TrimLeft(line, " \t"), "::") {
					t.Errorf("line starts a workflow command: %q", line)
				}
			}
		})
	}
}
