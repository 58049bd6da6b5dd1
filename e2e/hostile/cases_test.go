package hostile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Files of the base overlay, as the commands name them (relative to the overlay root).
const (
	orgFile      = "config/organization.yaml"
	moduleFile   = "MODULE.bazel"
	tfvarsFile   = "tofu/stacks/arc-runners/tinyland.tfvars"
	workflowFile = ".github/workflows/validate.yml"
)

var checkArgs = []string{"check", "--overlay-root", "OV"}

func ov(rel string) string { return ovDir + "/" + rel }

// payload is the forging payload: a newline, then a workflow command.
const payload = "\n::error file=" + forgedMark + ".txt::forged by input"

// ansi is a payload of terminal escapes (colour, a hyperlink, a title change).
const ansi = "\x1b[31m" + forgedMark + "\x1b[0m\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07\x1b]0;title\x07"

func allCases() []tcase {
	var cs []tcase
	for _, f := range []func() []tcase{orgCases, moduleCases, tfvarsCases, workflowCases, planCases, keyCases, flagCases, forgingCases, credentialCases} {
		cs = append(cs, f()...)
	}
	return cs
}

// fileKind describes one kind of input file for the hostility every file shares.
type fileKind struct {
	class string
	// rel is the file's path in the case directory; shown is how errors name it.
	rel, shown string
	args       []string
	env        []string
	// setup prepares a scene where the file, as written by it, is accepted.
	setup func(s *scene)
	// commentLine is a syntactically neutral line (a comment, or "" when the format has
	// none) used for long lines.
	commentLine func(n int) string
	// breakAt corrupts line n with a syntax error.
	lines int // the file's line count after setup
	// lineCol is a line the encoding cases corrupt (a line holding a value).
	valueLine int
	// valid is the exit code of the untouched file.
	valid int
	// bomExit is what a UTF-8 byte-order mark in front of the valid file gives.
	bomExit []int
	// binaryAt: a NUL or invalid UTF-8 is reported at the line (false: at the file).
	binaryAt bool
}

// commonCases: what every input file must survive.
func commonCases(k fileKind) []tcase {
	mk := func(name string, prep func(s *scene), exits []int, where *pos) tcase {
		return tcase{name: name, class: k.class, args: k.args, env: k.env,
			prepare: func(s *scene) { k.setup(s); prep(s) }, exits: exits, at: where}
	}
	file0 := at(k.shown, 0)
	cs := []tcase{
		mk("untouched", func(s *scene) {}, exit(k.valid), nil),
		mk("0-byte file", func(s *scene) { s.write(k.rel, nil) }, exit(2), file0),
		mk("only whitespace", func(s *scene) { s.write(k.rel, []byte("\n \n\t\n\n")) }, exit(2), file0),
		mk("50 MB file", func(s *scene) {
			s.big(k.rel, 50<<20, s.read(k.rel), k.commentLine(70)+"\n", "")
		}, exit(2), file0),
		mk("directory instead of the file", func(s *scene) { s.special(k.rel, "directory") }, exit(2), file0),
		mk("symlink loop", func(s *scene) { s.special(k.rel, "symlink loop") }, exit(2), file0),
		mk("symlink cycle of two", func(s *scene) { s.special(k.rel, "symlink cycle") }, exit(2), file0),
		mk("dangling symlink", func(s *scene) { s.special(k.rel, "dangling symlink") }, exit(2), file0),
		mk("FIFO instead of the file", func(s *scene) { s.special(k.rel, "fifo") }, exit(2), file0),
		mk("CRLF line ends", func(s *scene) {
			s.write(k.rel, []byte(strings.ReplaceAll(s.read(k.rel), "\n", "\r\n")))
		}, exit(k.valid), nil),
		mk("byte-order mark", func(s *scene) { s.write(k.rel, []byte("\ufeff"+s.read(k.rel))) }, k.bomExit, nil),
		mk("binary garbage", func(s *scene) {
			s.write(k.rel, []byte("\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\x00garbage\x00\x00"))
		}, exit(2), file0),
	}
	binPos := func(line int) *pos {
		if k.binaryAt {
			return at(k.shown, line)
		}
		return file0
	}
	cs = append(cs,
		mk("NUL byte in a value", func(s *scene) {
			lines := strings.SplitAfter(s.read(k.rel), "\n")
			lines[k.valueLine-1] = strings.Replace(lines[k.valueLine-1], "\n", "\x00\n", 1)
			s.write(k.rel, []byte(strings.Join(lines, "")))
		}, exit(2), binPos(k.valueLine)),
		mk("invalid UTF-8 in a value", func(s *scene) {
			lines := strings.SplitAfter(s.read(k.rel), "\n")
			lines[k.valueLine-1] = strings.Replace(lines[k.valueLine-1], "\n", "\xff\xfe\n", 1)
			s.write(k.rel, []byte(strings.Join(lines, "")))
		}, exit(2), binPos(k.valueLine)),
	)
	if k.commentLine(10) != "" {
		cs = append(cs, mk("3 MB comment line", func(s *scene) {
			s.write(k.rel, []byte(k.commentLine(3<<20)+"\n"+s.read(k.rel)))
		}, exit(k.valid), nil))
	}
	unreadable := mk("unreadable as an unprivileged user", func(s *scene) {
		s.special(k.rel, "unreadable")
	}, exit(2), file0)
	unreadable.asNobody = true
	cs = append(cs, unreadable)
	return cs
}

func hashComment(n int) string { return "# " + strings.Repeat("x", max(0, n-2)) }

func withOverlay(s *scene) { s.overlay() }

// ---- organization.yaml --------------------------------------------------------------------

func orgCases() []tcase {
	k := fileKind{class: "organization.yaml", rel: ov(orgFile), shown: orgFile, args: checkArgs,
		setup: withOverlay, commentLine: hashComment, valueLine: 9, valid: 0, bomExit: exit(0), binaryAt: true}
	cs := commonCases(k)
	edit := func(name string, exits []int, where *pos, fix string, f func(s *scene)) tcase {
		return tcase{name: name, class: k.class, args: checkArgs, exits: exits, at: where, fixedBy: fix,
			prepare: func(s *scene) { s.overlay(); f(s) }}
	}
	o := ov(orgFile)
	line := func(n int, text string) func(s *scene) { return func(s *scene) { s.replaceLine(o, n, text) } }
	cs = append(cs,
		edit("unclosed flow sequence", exit(2), at(orgFile, 9), "", line(9, "  slug: [tinyland-inc")),
		edit("unclosed quote", exit(2), at(orgFile, 11), "", line(11, `  repository: "tinyland-inc/tinyland-infra`)),
		edit("bad indentation", exit(2), at(orgFile, 10), "", line(10, "    account_kind: organization")),
		edit("tab indentation", exit(2), at(orgFile, 10), "", line(10, "\taccount_kind: organization")),
		edit("mapping value in a scalar", exit(2), at(orgFile, 9), "", line(9, "  slug: a: b")),
		edit("wrong type: sequence for a string", exit(2), at(orgFile, 9), "", line(9, "  slug: [a, b]")),
		edit("wrong type: mapping for a string", exit(2), at(orgFile, 11), "", line(11, "  repository: {a: b}")),
		edit("wrong type: string for a mapping", exit(2), at(orgFile, lineOf(orgFile, "core:")), "", func(s *scene) {
			// core: and its five lines (repository, module_name, two comments, pinned_commit)
			at := lineOf(orgFile, "core:")
			s.replaceLine(o, at, "core: tinyland-inc/GloriousFlywheel")
			for i := at + 1; i <= at+5; i++ {
				s.replaceLine(o, i, "#")
			}
		}),
		edit("wrong type: mapping for a list", exit(2), at(orgFile, 37), "", func(s *scene) {
			s.replaceLine(o, 37, "  shared_labels: {tinyland-nix: 1}")
			for i := 38; i <= 43; i++ {
				s.replaceLine(o, i, "#")
			}
		}),
		edit("duplicate top-level key", exit(2), at(orgFile, 56), "", line(56, "owner:")),
		edit("duplicate nested key", exit(2), at(orgFile, 10), "", line(10, "  slug: other")),
		edit("duplicate key differently quoted", exit(2), at(orgFile, 10), "", line(10, `  "slug": other`)),
		edit("alias for a value", exit(0, 2), nil, "", func(s *scene) {
			s.replaceLine(o, 13, "  github_config_url: &u https://github.com/tinyland-inc")
			s.replaceLine(o, 12, "  # anchored")
		}),
		edit("merge key", exit(0, 2), nil, "", func(s *scene) {
			s.replaceLine(o, 7, "defaults: &d {account_kind: organization}")
			s.replaceLine(o, 10, "  <<: *d")
		}),
		edit("alias bomb", exit(0, 2), nil, "", func(s *scene) {
			var b strings.Builder
			b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
			for i := 1; i < 12; i++ {
				fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
			}
			s.write(o, []byte(b.String()+s.read(o)))
		}),
		edit("undefined alias", exit(2), at(orgFile, 9), "", line(9, "  slug: *nothing")),
		edit("two documents", exit(2), at(orgFile, appendedLine(orgFile)+1), "", func(s *scene) { s.write(o, []byte(s.read(o)+"---\nowner: {}\n")) }),
		edit("document is a list", exit(2), at(orgFile, 1), "", func(s *scene) { s.write(o, []byte("- a\n- b\n")) }),
		edit("document is a scalar", exit(2), at(orgFile, 1), "", func(s *scene) { s.write(o, []byte("just text\n")) }),
		edit("document is null", exit(2), nil, "", func(s *scene) { s.write(o, []byte("~\n")) }),
		edit("deep flow nesting", exit(2), at(orgFile, appendedLine(orgFile)), "", func(s *scene) {
			s.write(o, []byte(s.read(o)+"deep: "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n"))
		}),
		edit("deep block nesting", exit(2), nil, "", func(s *scene) {
			var b strings.Builder
			b.WriteString(s.read(o) + "deep:\n")
			for i := 1; i < 3000; i++ {
				b.WriteString(strings.Repeat(" ", i) + "k:\n")
			}
			s.write(o, []byte(b.String()))
		}),
		edit("CR-only line ends with a syntax error", exit(2), at(orgFile, 9), "", func(s *scene) {
			s.replaceLine(o, 9, "  slug: [tinyland-inc")
			s.write(o, []byte(strings.ReplaceAll(s.read(o), "\n", "\r")))
		}),
		edit("CRLF line ends with a syntax error", exit(2), at(orgFile, 9), "", func(s *scene) {
			s.replaceLine(o, 9, "  slug: [tinyland-inc")
			s.write(o, []byte(strings.ReplaceAll(s.read(o), "\n", "\r\n")))
		}),
		edit("1 MB slug", exit(1, 2), nil, "", line(9, "  slug: "+strings.Repeat("a", 1<<20))),
		edit("missing owner", exit(1, 2), nil, "", func(s *scene) {
			for i := 8; i <= 14; i++ {
				s.replaceLine(o, i, "#")
			}
		}),
	)
	return cs
}

// ---- MODULE.bazel ---------------------------------------------------------------------------

func moduleCases() []tcase {
	k := fileKind{class: "MODULE.bazel", rel: ov(moduleFile), shown: moduleFile, args: checkArgs,
		setup: withOverlay, commentLine: hashComment, valueLine: 33, valid: 0, bomExit: exit(0, 2), binaryAt: true}
	cs := commonCases(k)
	m := ov(moduleFile)
	edit := func(name string, exits []int, where *pos, fix string, f func(s *scene)) tcase {
		return tcase{name: name, class: k.class, args: checkArgs, exits: exits, at: where, fixedBy: fix,
			prepare: func(s *scene) { s.overlay(); f(s) }}
	}
	line := func(n int, text string) func(s *scene) { return func(s *scene) { s.replaceLine(m, n, text) } }
	appendText := func(text string) func(s *scene) {
		return func(s *scene) { s.write(m, []byte(s.read(m)+text)) }
	}
	cs = append(cs,
		edit("mismatched bracket", exit(2), at(moduleFile, 34), "", line(34, "]")),
		edit("unterminated string", exit(2), at(moduleFile, 33), "", line(33, `    commit = "637b7167c400a842cdc7af0709b2251c0542a48a,`)),
		edit("stray token", exit(2), at(moduleFile, 16), "", line(16, `bazel_dep(name = "bazel_skylib" version = "1.8.2")`)),
		edit("tab-indented continuation", exit(0, 2), nil, "", line(32, "\tremote = \"git@github.com:tinyland-inc/GloriousFlywheel.git\",")),
		edit("wrong type: commit is a number", exit(1, 2), at(moduleFile, 33), "", line(33, "    commit = 637167,")),
		edit("wrong type: commit is a list", exit(1, 2), at(moduleFile, 33), "", line(33, `    commit = ["637b7167c400a842cdc7af0709b2251c0542a48a"],`)),
		edit("duplicate keyword argument", exit(1, 2), at(moduleFile, 33), "", line(33, `    commit = "637b7167c400a842cdc7af0709b2251c0542a48a", commit = "0000000000000000000000000000000000000000",`)),
		edit("duplicate git_override", exit(1, 2), nil, "",
			appendText("git_override(\n    module_name = \"gloriousflywheel\",\n    remote = \"git@github.com:tinyland-inc/GloriousFlywheel.git\",\n    commit = \"0000000000000000000000000000000000000000\",\n)\n")),
		edit("deep parenthesis nesting", exit(2), at(moduleFile, appendedLine(moduleFile)), "", appendText("x = "+strings.Repeat("(", 100000)+"1"+strings.Repeat(")", 100000)+"\n")),
		edit("deep list nesting", exit(2), at(moduleFile, appendedLine(moduleFile)), "", appendText("x = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n")),
		edit("80 KB operator chain", exit(2), at(moduleFile, appendedLine(moduleFile)), "", appendText("x = 1"+strings.Repeat("+1", 40000)+"\n")),
		edit("300 KB unary chain", exit(2), at(moduleFile, appendedLine(moduleFile)), "", appendText("x = "+strings.Repeat("-", 300000)+"1\n")),
		edit("300 KB not chain", exit(2), at(moduleFile, appendedLine(moduleFile)), "", appendText("x = "+strings.Repeat("not ", 75000)+"True\n")),
		// Bazel breaks lines only at "\n": a CR-only file does not read as it shows, so it is
		// refused at its first bare CR, whatever else it holds.
		edit("CR-only line ends", exit(2), at(moduleFile, 1), "", func(s *scene) {
			s.write(m, []byte(strings.ReplaceAll(s.read(m), "\n", "\r")))
		}),
		edit("CR-only line ends with a syntax error", exit(2), at(moduleFile, 1), "", func(s *scene) {
			s.replaceLine(m, 30, "git_override(")
			s.replaceLine(m, 31, "    module_name = = \"gloriousflywheel\",")
			s.write(m, []byte(strings.ReplaceAll(s.read(m), "\n", "\r")))
		}),
		edit("CRLF line ends with a syntax error", exit(2), at(moduleFile, 31), "", func(s *scene) {
			s.replaceLine(m, 31, "    module_name = = \"gloriousflywheel\",")
			s.write(m, []byte(strings.ReplaceAll(s.read(m), "\n", "\r\n")))
		}),
		edit("git_override removed", exit(1), nil, "", func(s *scene) {
			for i := 30; i <= 34; i++ {
				s.replaceLine(m, i, "#")
			}
		}),
		edit("1 MB string", exit(1, 2), nil, "", line(33, `    commit = "`+strings.Repeat("a", 1<<20)+`",`)),
	)
	return cs
}

// ---- tfvars --------------------------------------------------------------------------------

func tfvarsCases() []tcase {
	k := fileKind{class: "tfvars", rel: ov(tfvarsFile), shown: tfvarsFile, args: checkArgs,
		setup: withOverlay, commentLine: hashComment, valueLine: 8, valid: 0, bomExit: exit(0, 2), binaryAt: true}
	cs := commonCases(k)
	f := ov(tfvarsFile)
	edit := func(name string, exits []int, where *pos, fix string, fn func(s *scene)) tcase {
		return tcase{name: name, class: k.class, args: checkArgs, exits: exits, at: where, fixedBy: fix,
			prepare: func(s *scene) { s.overlay(); fn(s) }}
	}
	line := func(n int, text string) func(s *scene) { return func(s *scene) { s.replaceLine(f, n, text) } }
	appendText := func(text string) func(s *scene) {
		return func(s *scene) { s.write(f, []byte(s.read(f)+text)) }
	}
	cs = append(cs,
		edit("missing value", exit(2), at(tfvarsFile, 18), "", line(18, "nix_max_runners           =")),
		edit("unterminated string", exit(2), at(tfvarsFile, 8), "", line(8, `github_config_url    = "https://github.com/tinyland-inc`)),
		edit("unclosed object", exit(2), nil, "", func(s *scene) {
			// drop the last closing brace (of extra_runner_sets), whatever follows it
			data := s.read(f)
			i := strings.LastIndex(data, "}")
			s.write(f, []byte(data[:i]+data[i+1:]))
		}),
		edit("duplicate attribute", exit(2), at(tfvarsFile, 19), "", line(19, "nix_max_runners           = 7")),
		edit("duplicate object key", exit(1, 2), at(tfvarsFile, 51), "", line(51, `    max_runners           = 3`)),
		edit("wrong type: string for a number", exit(1, 2), at(tfvarsFile, 18), "", line(18, `nix_max_runners           = "six"`)),
		edit("wrong type: list for a string", exit(1, 2), at(tfvarsFile, 8), "", line(8, `github_config_url    = ["https://github.com/tinyland-inc"]`)),
		edit("wrong type: number for an object", exit(1, 2), at(tfvarsFile, 39), "", func(s *scene) {
			data := s.read(f)
			i := strings.Index(data, "extra_runner_sets = {")
			s.write(f, []byte(data[:i]+"extra_runner_sets = 5\n"))
		}),
		edit("variable reference", exit(2), at(tfvarsFile, 18), "", line(18, "nix_max_runners           = var.other")),
		edit("function call", exit(2), at(tfvarsFile, 18), "", line(18, `nix_max_runners           = max(1, 6)`)),
		edit("template interpolation", exit(1, 2), at(tfvarsFile, 8), "", line(8, `github_config_url    = "https://github.com/${var.owner}"`)),
		edit("heredoc label", exit(0, 1, 2), nil, "", line(8, "github_config_url    = <<EOT\nhttps://github.com/tinyland-inc\nEOT")),
		edit("deep bracket nesting", exit(2), at(tfvarsFile, appendedLine(tfvarsFile)), "", appendText("deep = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n")),
		edit("300 KB not chain", exit(2), at(tfvarsFile, appendedLine(tfvarsFile)), "", appendText("zz = "+strings.Repeat("!", 300000)+"true\n")),
		edit("300 KB minus chain", exit(2), at(tfvarsFile, appendedLine(tfvarsFile)), "", appendText("zz = "+strings.Repeat("-", 300000)+"1\n")),
		edit("a million +1 terms", exit(2), at(tfvarsFile, appendedLine(tfvarsFile)), "", appendText("zz = 1"+strings.Repeat("+1", 1000000)+"\n")),
		edit("parenthesised chain", exit(2), at(tfvarsFile, appendedLine(tfvarsFile)), "", appendText("zz = "+strings.Repeat("(", 50000)+"1"+strings.Repeat(")", 50000)+"\n")),
		edit("conditional chain", exit(0, 2), nil, "", appendText("zz = "+strings.Repeat("true ? 1 : ", 30000)+"1\n")),
		// OpenTofu breaks lines only at "\n" (the leading comment would swallow the file): a
		// CR-only file is refused at its first bare CR.
		edit("CR-only line ends", exit(2), at(tfvarsFile, 1), "", func(s *scene) {
			s.write(f, []byte(strings.ReplaceAll(s.read(f), "\n", "\r")))
		}),
		edit("CR-only line ends with a syntax error", exit(2), at(tfvarsFile, 1), "", func(s *scene) {
			s.replaceLine(f, 18, "nix_max_runners           =")
			s.write(f, []byte(strings.ReplaceAll(s.read(f), "\n", "\r")))
		}),
		edit("CRLF line ends with a syntax error", exit(2), at(tfvarsFile, 18), "", func(s *scene) {
			s.replaceLine(f, 18, "nix_max_runners           =")
			s.write(f, []byte(strings.ReplaceAll(s.read(f), "\n", "\r\n")))
		}),
		edit("1 MB label", exit(1, 2), nil, "", line(61, `      "`+strings.Repeat("a", 1<<20)+`",`)),
		edit("negative max_runners", exit(1, 2), nil, "", line(18, "nix_max_runners           = -5")),
		edit("huge number", exit(1, 2), nil, "", line(18, "nix_max_runners           = 1"+strings.Repeat("0", 400))),
	)
	return cs
}

// ---- workflows -----------------------------------------------------------------------------

func workflowCases() []tcase {
	k := fileKind{class: "workflow", rel: ov(workflowFile), shown: workflowFile, args: checkArgs,
		setup: withOverlay, commentLine: hashComment, valueLine: 23, valid: 0, bomExit: exit(0), binaryAt: true}
	cs := commonCases(k)
	w := ov(workflowFile)
	edit := func(name string, exits []int, where *pos, fix string, fn func(s *scene)) tcase {
		return tcase{name: name, class: k.class, args: checkArgs, exits: exits, at: where, fixedBy: fix,
			prepare: func(s *scene) { s.overlay(); fn(s) }}
	}
	line := func(n int, text string) func(s *scene) { return func(s *scene) { s.replaceLine(w, n, text) } }
	cs = append(cs,
		edit("unclosed flow sequence", exit(2), at(workflowFile, 44), "", line(44, "    runs-on: [self-hosted, tinyland-nix")),
		edit("tab indentation", exit(2), at(workflowFile, 44), "", line(44, "\truns-on: tinyland-nix")),
		edit("duplicate job key", exit(2), at(workflowFile, 57), "", line(57, "  tofu-validate:")),
		edit("duplicate runs-on", exit(2), at(workflowFile, 45), "", line(45, "    runs-on: ubuntu-latest\n    steps:")),
		edit("wrong type: runs-on is a number", exit(1, 2), at(workflowFile, 79), "", line(79, "    runs-on: 5")),
		edit("wrong type: jobs is a list", exit(1, 2), nil, "", func(s *scene) {
			s.write(w, []byte("name: x\non: push\njobs:\n  - a\n  - b\n"))
		}),
		edit("alias for runs-on", exit(0, 1, 2), nil, "", func(s *scene) {
			s.replaceLine(w, 44, "    runs-on: &r [self-hosted, tinyland-nix]")
			s.replaceLine(w, 79, "    runs-on: *r")
		}),
		edit("merge key in a job", exit(0, 1, 2), nil, "", func(s *scene) {
			s.replaceLine(w, 80, "    <<: {runs-on: tinyland-nix}")
		}),
		edit("deep flow nesting", exit(2), at(workflowFile, 90), "", func(s *scene) {
			s.write(w, []byte(s.read(w)+"deep: "+strings.Repeat("{a: ", 50000)+"1"+strings.Repeat("}", 50000)+"\n"))
		}),
		edit("two documents", exit(2), nil, "", func(s *scene) { s.write(w, []byte(s.read(w)+"---\nname: other\n")) }),
		edit("CR-only line ends with a syntax error", exit(2), at(workflowFile, 44), "", func(s *scene) {
			s.replaceLine(w, 44, "    runs-on: [self-hosted, tinyland-nix")
			s.write(w, []byte(strings.ReplaceAll(s.read(w), "\n", "\r")))
		}),
		edit("unresolvable expression in runs-on", exit(0, 1, 2), nil, "", line(79, "    runs-on: ${{ fromJSON(inputs.x) }}")),
		edit("expression chain in runs-on", exit(0, 1, 2), nil, "", line(79, "    runs-on: ${{ "+strings.Repeat("!", 100000)+"true }}")),
		edit("nested expression parentheses", exit(0, 1, 2), nil, "", line(79, "    runs-on: ${{ "+strings.Repeat("(", 50000)+"'x'"+strings.Repeat(")", 50000)+" }}")),
		edit("workflows dir is a file", exit(2), at(".github/workflows", 0), "", func(s *scene) {
			s.remove(ov(".github/workflows"))
			s.write(ov(".github/workflows"), []byte("not a dir\n"))
		}),
		edit("workflow symlink to /dev/zero", exit(2), at(workflowFile, 0), "", func(s *scene) {
			s.remove(w)
			if err := symlink("/dev/zero", s.path(w)); err != nil {
				s.t.Fatal(err)
			}
		}),
	)
	return cs
}

// baseText is a file of the base overlay as the cases start from it.
func baseText(rel string) string {
	data, err := os.ReadFile(filepath.Join("..", "overlays", baseOverlay, rel))
	if err != nil {
		panic(fmt.Sprintf("hostile: read the base overlay's %s: %v", rel, err))
	}
	return string(data)
}

// appendedLine is the line a text appended to the base overlay's file starts on, so cases
// that append to a fixture follow the fixture as it grows.
func appendedLine(rel string) int { return strings.Count(baseText(rel), "\n") + 1 }

// lineOf is the line of the base overlay's file that starts with prefix (the first one).
func lineOf(rel, prefix string) int {
	for i, l := range strings.Split(baseText(rel), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	panic(fmt.Sprintf("hostile: no line of the base overlay's %s starts with %q", rel, prefix))
}
