package hostile

import (
	"strconv"
	"strings"
)

// forgingSource puts a payload where some output will quote it.
type forgingSource struct {
	name string
	args []string
	// argsFor, when set, gives the arguments holding the payload.
	argsFor func(payload string) []string
	exits   []int
	// prepare receives the payload in raw form.
	prepare func(s *scene, payload string)
}

var formats = []string{"text", "json", "junit", "github", "sarif"}

// yamlQuote is a double-quoted YAML scalar of v (escapes newlines and control bytes).
func yamlQuote(v string) string { return strconv.QuoteToASCII(v) }

// hclQuote is an HCL string literal of v (HCL escapes: \n, \u....).
func hclQuote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\u00`)
			b.WriteString(strconv.FormatInt(int64(r)>>4, 16))
			b.WriteString(strconv.FormatInt(int64(r)&15, 16))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func forgingSources() []forgingSource {
	any := exit(0, 1, 2)
	return []forgingSource{
		{name: "expected warning", args: checkArgs, exits: any, prepare: func(s *scene, p string) {
			s.overlay()
			s.replaceLine(ov(orgFile), 46, "  expected_warnings: ["+yamlQuote("taxonomy/x"+p)+"]")
		}},
		{name: "repository value", args: checkArgs, exits: any, prepare: func(s *scene, p string) {
			s.overlay()
			s.replaceLine(ov(orgFile), 11, "  repository: "+yamlQuote("tinyland-inc/tinyland-infra"+p))
		}},
		{name: "runs-on label", args: checkArgs, exits: exit(1, 2), prepare: func(s *scene, p string) {
			s.overlay()
			s.replaceLine(ov(workflowFile), 79, "    runs-on: "+yamlQuote("tinyland-nix"+p))
		}},
		{name: "job name", args: checkArgs, exits: any, prepare: func(s *scene, p string) {
			s.overlay()
			s.replaceLine(ov(workflowFile), 76, "  "+yamlQuote("cache-publish"+p)+":")
			s.replaceLine(ov(workflowFile), 79, "    runs-on: ubuntu-latest-but-unknown")
		}},
		{name: "tfvars label", args: checkArgs, exits: exit(1, 2), prepare: func(s *scene, p string) {
			s.overlay()
			s.replaceLine(ov(tfvarsFile), 61, "      "+hclQuote("self-hosted"+p)+",")
		}},
		{name: "MODULE.bazel commit", args: checkArgs, exits: exit(1, 2), prepare: func(s *scene, p string) {
			s.overlay()
			s.replaceLine(ov(moduleFile), 33, "    commit = "+strconv.Quote("637b7167c400a842cdc7af0709b2251c0542a48a"+p)+",")
		}},
		{name: "plan address", args: []string{"plan-guard", planRel}, exits: exit(1), prepare: func(s *scene, p string) {
			s.write(planRel, []byte(strings.Replace(plan(`{"actions": ["delete"]}`), `"kubernetes_secret_v1.app"`, strconv.Quote("kubernetes_secret_v1.app"+p), 1)))
		}},
		{name: "workflow file name", args: checkArgs, exits: exit(2), prepare: func(s *scene, p string) {
			s.overlay()
			s.write(ov(".github/workflows/evil"+p+".yml"), []byte("on: push\njobs: [\n"))
		}},
		{name: "overlay root name", exits: exit(2),
			argsFor: func(p string) []string { return []string{"check", "--overlay-root", "root" + p} },
			prepare: func(s *scene, p string) { s.write("root"+p, []byte("a file, not an overlay\n")) }},
		{name: "plan file name", exits: exit(2),
			argsFor: func(p string) []string { return []string{"plan-guard", "plan" + p + ".json"} },
			prepare: func(s *scene, p string) {
				s.write("plan"+p+".json", []byte("{not json"))
			}},
	}
}

// forgingCases: every source, with the newline payload and the escape payload, in every
// output format.
func forgingCases() []tcase {
	var cs []tcase
	for _, src := range forgingSources() {
		for _, kind := range []struct{ name, text string }{{"newline", payload}, {"escapes", ansi}} {
			if kind.name == "escapes" && src.name != "repository value" && src.name != "workflow file name" && src.name != "runs-on label" {
				continue // escapes travel the same paths as newlines; three sources suffice
			}
			for _, f := range formats {
				src, text := src, kind.text
				args := src.args
				if src.argsFor != nil {
					args = src.argsFor(text)
				}
				if strings.Contains(src.name, "file name") || strings.Contains(src.name, "root name") {
					text = strings.ReplaceAll(text, "/", "_") // one path element
				}
				cs = append(cs, tcase{
					name:    src.name + ", " + kind.name + ", " + f,
					class:   "forging",
					args:    args,
					format:  f,
					exits:   src.exits,
					prepare: func(s *scene) { src.prepare(s, text) },
				})
			}
		}
	}
	return cs
}
