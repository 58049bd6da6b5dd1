package ghexpr

import (
	"reflect"
	"strings"
	"testing"
)

func TestLex(t *testing.T) {
	tests := []struct {
		src  string
		want []string // kind:text
		err  string
	}{
		{"secrets.A", []string{"identifier:secrets", "operator:.", "identifier:A"}, ""},
		{"secrets['it''s']", []string{"identifier:secrets", "operator:[", "string:'it''s'", "operator:]"}, ""},
		{"a <= -1.5e3 && b!=0x1F", []string{"identifier:a", "operator:<=", "number:-1.5e3", "operator:&&", "identifier:b", "operator:!=", "number:0x1F"}, ""},
		{"steps.my-step.outputs.x", []string{"identifier:steps", "operator:.", "identifier:my-step", "operator:.", "identifier:outputs", "operator:.", "identifier:x"}, ""},
		{"a.*.b", []string{"identifier:a", "operator:.", "operator:*", "operator:.", "identifier:b"}, ""},
		{"'open", nil, "offset 0: unterminated string literal"},
		{"a # b", []string{"identifier:a"}, "offset 2: unexpected character '#'"},
	}
	for _, tt := range tests {
		toks, err := Lex(tt.src)
		var got []string
		for _, tk := range toks {
			if tk.Kind != TokEOF {
				got = append(got, tk.Kind.String()+":"+tk.Text)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Lex(%q) = %q, want %q", tt.src, got, tt.want)
		}
		if gotErr := errString(err); gotErr != tt.err {
			t.Errorf("Lex(%q) error = %q, want %q", tt.src, gotErr, tt.err)
		}
	}
	toks, _ := Lex("'it''s'")
	if toks[0].Value != "it's" {
		t.Errorf("string value = %q, want it's", toks[0].Value)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestEmbedded(t *testing.T) {
	s := "a ${{ x }} b ${{ 'q}}q' || y }}${{ open"
	got := Embedded(s)
	if len(got) != 3 {
		t.Fatalf("Embedded = %+v, want 3 spans", got)
	}
	if got[0].Expr != " x " || s[got[0].ExprOff:got[0].ExprOff+3] != " x " || !got[0].Closed {
		t.Errorf("span 0 = %+v", got[0])
	}
	if got[1].Expr != " 'q}}q' || y " {
		t.Errorf("span 1 expr = %q: a }} inside a string literal must not close", got[1].Expr)
	}
	if got[2].Closed || got[2].Expr != " open" || got[2].End != len(s) {
		t.Errorf("span 2 = %+v, want unclosed to end", got[2])
	}
	if _, ok := IsSingle("  ${{ matrix.os }} "); !ok {
		t.Error("IsSingle: a lone expression with spaces around should be single")
	}
	if _, ok := IsSingle("tinyland-${{ matrix.lane }}"); ok {
		t.Error("IsSingle: text around the expression makes it a string template")
	}
}

func TestParseAndFormat(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a || b && c", "a || b && c"},
		{"(a || b) && c", "(a || b) && c"},
		{"!(a == 'x')", "!(a == 'x')"},
		{"github['event_name'] != 'push'", "github['event_name'] != 'push'"},
		{"contains(fromJSON('[\"a\"]'), github.event_name)", "contains(fromJSON('[\"a\"]'), github.event_name)"},
		{"a.*.b[*]", "a.*.b[*]"},
		{"1 < 2 == true", "1 < 2 == true"},
		{"format('{0}', 'it''s')", "format('{0}', 'it''s')"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if got := Format(n); got != tt.want {
			t.Errorf("Format(Parse(%q)) = %q, want %q", tt.src, got, tt.want)
		}
	}
	for _, bad := range []string{"", "a ==", "a b", "f(a,", "a[1", "a.", "(a", strings.Repeat("(", 500) + "a" + strings.Repeat(")", 500), strings.Repeat("!", 1000) + "a"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q): want error", bad)
		}
	}
}

func TestSecretRefsInTemplate(t *testing.T) {
	type ref struct {
		Name string
		At   string // text at the offset
	}
	tests := []struct {
		s     string
		whole bool
		want  []ref
	}{
		{"echo ${{ secrets.TOKEN }}", false, []ref{{"TOKEN", "secrets.TOKEN"}}},
		{"${{ secrets['MY_KEY'] }} and ${{ Secrets.Other }}", false, []ref{{"MY_KEY", "secrets['MY_KEY']"}, {"Other", "Secrets.Other"}}},
		{"${{ toJSON(secrets) }}", false, []ref{{"", "secrets)"}}},
		{"${{ secrets[format('{0}_KEY', matrix.env)] }}", false, []ref{{"", "secrets[format"}}},
		{"${{ inputs.secrets.x }}", false, nil},
		{"echo secrets.NOT_AN_EXPRESSION", false, nil},
		{"secrets.DEPLOY != ''", true, []ref{{"DEPLOY", "secrets.DEPLOY"}}},
		{"${{ 'secrets.X' }}", false, nil},
		{"${{ # secrets.AFTER_TYPO }}", false, []ref{{"AFTER_TYPO", "secrets.AFTER_TYPO"}}},
		{"${{ secrets.UNCLOSED", false, []ref{{"UNCLOSED", "secrets.UNCLOSED"}}},
	}
	for _, tt := range tests {
		var got []ref
		for _, r := range SecretRefsInTemplate(tt.s, tt.whole) {
			at := tt.s[r.Off:]
			if len(at) > len("secrets") {
				for _, w := range tt.want {
					if strings.HasPrefix(at, w.At) {
						at = w.At
					}
				}
			}
			got = append(got, ref{r.Name, at})
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SecretRefsInTemplate(%q) = %+v, want %+v", tt.s, got, tt.want)
		}
	}
}

func TestEventsAllowed(t *testing.T) {
	tests := []struct{ cond, want string }{
		{"github.event_name == 'push'", "push"},
		{"${{ github.event_name == 'Push' }}", "push"},
		{"'schedule' == github.event_name", "schedule"},
		{"github.event_name != 'pull_request'", "all except pull_request"},
		{"github.event_name == 'push' || github.event_name == 'workflow_dispatch'", "push, workflow_dispatch"},
		{"github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')", "push"},
		{"startsWith(github.ref, 'refs/tags/')", "all"},
		{"!(github.event_name == 'pull_request')", "all except pull_request"},
		{"contains(fromJSON('[\"push\",\"workflow_dispatch\"]'), github.event_name)", "push, workflow_dispatch"},
		{"!contains(fromJSON('[\"pull_request\"]'), github.event_name)", "all except pull_request"},
		{"contains('push schedule', github.event_name)", "all"}, // substring semantics: not clear
		{"github.event_name == 'push' || always()", "all"},
		{"success() && github.event_name != 'pull_request' && github.event_name != 'pull_request_target'", "all except pull_request, pull_request_target"},
		{"false", "none"},
		{"github['event_name'] == 'release'", "release"},
		{"github.event.pull_request.head.repo.full_name == github.repository", "all"},
		{"${{ github.event_name == 'push' }} && true", "all"}, // mixed template: a non-empty string
	}
	for _, tt := range tests {
		n, ok, err := ParseCondition(tt.cond)
		if err != nil {
			t.Errorf("ParseCondition(%q): %v", tt.cond, err)
			continue
		}
		got := AllEvents()
		if ok {
			got = EventsAllowed(n)
		}
		if got.String() != tt.want {
			t.Errorf("EventsAllowed(%q) = %s, want %s", tt.cond, got, tt.want)
		}
	}
}

func TestEventSetAlgebra(t *testing.T) {
	a := Events("push", "pull_request")
	notPR := Events("pull_request").complement()
	if got := a.Intersect(notPR).String(); got != "push" {
		t.Errorf("{push,pr} ∩ ¬{pr} = %s", got)
	}
	if got := notPR.Union(Events("pull_request")).String(); got != "all" {
		t.Errorf("¬{pr} ∪ {pr} = %s", got)
	}
	if got := notPR.Intersect(Events("schedule").complement()).String(); got != "all except pull_request, schedule" {
		t.Errorf("¬{pr} ∩ ¬{schedule} = %s", got)
	}
	if !notPR.Has("push") || notPR.Has("pull_request") {
		t.Error("Has on a complement set")
	}
}

func TestEvaluate(t *testing.T) {
	matrix := map[string][]string{"runner": {"tinyland-nix", "tinyland-docker"}}
	resolve := func(path []string) ([]Value, bool, string) {
		if len(path) == 2 && path[0] == "matrix" {
			vs, ok := matrix[path[1]]
			if !ok {
				return nil, false, "no matrix key " + path[1]
			}
			var out []Value
			for i, v := range vs {
				out = append(out, Value{Kind: StringValue, Str: v, Origin: i})
			}
			return out, true, ""
		}
		return nil, false, ""
	}
	tests := []struct {
		expr       string
		want       []string
		unresolved string
	}{
		{"matrix.runner", []string{"tinyland-nix", "tinyland-docker"}, ""},
		{"matrix['Runner']", []string{"tinyland-nix", "tinyland-docker"}, ""},
		{"'tinyland-nix'", []string{"tinyland-nix"}, ""},
		{"github.event_name == 'push' && 'tinyland-nix' || 'ubuntu-latest'", []string{"tinyland-nix", "ubuntu-latest"}, ""},
		{"inputs.runner || 'tinyland-nix'", []string{"tinyland-nix"}, "inputs.runner"},
		{"fromJSON('[\"self-hosted\",\"tinyland-nix\"]')", []string{"[self-hosted, tinyland-nix]"}, ""},
		{"fromJSON(needs.setup.outputs.runners)", nil, "fromJSON(needs.setup.outputs.runners)"},
		{"matrix.os", nil, "matrix.os: no matrix key os"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.expr, err)
		}
		out := Evaluate(n, resolve)
		var got []string
		for _, v := range out.Values {
			got = append(got, v.String())
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Evaluate(%q) values = %q, want %q", tt.expr, got, tt.want)
		}
		var us []string
		for _, u := range out.Unresolved {
			us = append(us, u.String())
		}
		if u := strings.Join(us, "; "); u != tt.unresolved {
			t.Errorf("Evaluate(%q) unresolved = %q, want %q", tt.expr, u, tt.unresolved)
		}
		if out.Known() != (tt.unresolved == "") {
			t.Errorf("Evaluate(%q) Known() = %v", tt.expr, out.Known())
		}
	}
}

func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"github.event_name == 'push'", "contains(fromJSON('[\"push\"]'), github.event_name)",
		"secrets['A''B'] || secrets.C", "a.*.b[*] && !c", "matrix.runner", "0x1F <= -1.5e3",
		"${{ x }} y ${{ 'z}}' }}", "'unterminated", "((((a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		SecretRefsInTemplate(s, true)
		SecretRefsInTemplate(s, false)
		for _, sp := range Embedded(s) {
			if sp.ExprOff < 0 || sp.ExprOff > len(s) || sp.End > len(s) {
				t.Fatalf("span out of range: %+v", sp)
			}
		}
		n, ok, err := ParseCondition(s)
		if err == nil && ok {
			EventsAllowed(n)
			Evaluate(n, func([]string) ([]Value, bool, string) { return nil, false, "" })
			if _, err := Parse(Format(n)); err != nil {
				t.Fatalf("Format output does not reparse: %q -> %q: %v", s, Format(n), err)
			}
		}
	})
}
