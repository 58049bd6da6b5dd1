package checker

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// TestStderrCannotBeForged: a custom checker's input error, a panic message and a bad flag
// value reach stderr escaped: no line a value starts is a workflow command, and no raw
// control character is written.
func TestStderrCannotBeForged(t *testing.T) {
	const payload = "bad value\n::error file=a.yaml::forged\r::warning::cr \u2028::notice::ls \x1b[2J"
	cases := map[string]func(stderr *bytes.Buffer){
		"input error": func(stderr *bytes.Buffer) {
			p := Program{Name: "custom", Check: func(context.Context, []string) (*finding.Report, error) {
				return nil, errors.New("x.yaml:1:1: " + payload)
			}}
			if code := p.Run(context.Background(), nil, &bytes.Buffer{}, stderr, func(string) string { return "" }); code != ExitInput {
				t.Errorf("exit %d, want %d", code, ExitInput)
			}
		},
		"panic": func(stderr *bytes.Buffer) {
			Guard("custom", stderr, func(string) string { return "" }, func() int { panic(payload) })
		},
		"flag": func(stderr *bytes.Buffer) {
			p := Program{Name: "custom", Check: func(context.Context, []string) (*finding.Report, error) { return &finding.Report{}, nil }}
			p.Run(context.Background(), []string{"--output", payload}, &bytes.Buffer{}, stderr, func(string) string { return "" })
		},
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			run(&stderr)
			out := stderr.String()
			if out == "" {
				t.Fatal("nothing on stderr")
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") {
					t.Errorf("forged workflow command on stderr: %q", l)
				}
			}
			for _, r := range out {
				if r != '\n' && finding.Unsafe(r) {
					t.Errorf("raw %U on stderr: %q", r, out)
					break
				}
			}
		})
	}
}
