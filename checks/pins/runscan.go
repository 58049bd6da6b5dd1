package pins

import (
	"net/url"
	"strings"
)

// A run: script can fetch the core around the pinned checkout: git clone/fetch of the core
// repository, or a nix command on a flake reference to it. The scan below reads shell
// text well enough for the commands workflows write — words, quotes, comments, line
// continuations and command separators — and never executes or expands anything itself.

// coreFetch is one place a run: script fetches the core.
type coreFetch struct {
	off  int    // byte offset in the script
	cmd  string // "git clone", "git fetch", "nix build", ...
	ref  string // the flake reference or remote as written
	rev  string // the revision or ref it names ("" when none: the default branch)
	isID bool   // rev came from rev= or a 40-hex path part (a commit), not a ref name
	// args are the command's other words (git fetch <remote> <commit> names the commit).
	args []string
}

type word struct {
	text string
	off  int
}

// shellCommands splits a script into commands of words.
func shellCommands(s string) [][]word {
	var cmds [][]word
	var cur []word
	var b strings.Builder
	start := -1
	flushWord := func() {
		if start >= 0 {
			cur = append(cur, word{text: b.String(), off: start})
		}
		b.Reset()
		start = -1
	}
	flushCmd := func() {
		flushWord()
		if len(cur) > 0 {
			cmds = append(cmds, cur)
		}
		cur = nil
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i++ // line continuation
		case ch == '\\' && i+1 < len(s):
			if start < 0 {
				start = i
			}
			b.WriteByte(s[i+1])
			i++
		case strings.HasPrefix(s[i:], "${{"):
			if start < 0 {
				start = i
			}
			end := strings.Index(s[i:], "}}")
			if end < 0 {
				end = len(s) - i - 2
			}
			b.WriteString(s[i : i+end+2])
			i += end + 1
		case ch == '\'' || ch == '"':
			if start < 0 {
				start = i
			}
			end := strings.IndexByte(s[i+1:], ch)
			if end < 0 {
				end = len(s) - i - 1
			}
			b.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case ch == '#' && start < 0:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			flushCmd()
		case ch == '\n' || ch == ';' || ch == '|' || ch == '&' || ch == '(' || ch == ')':
			flushCmd()
		case ch == ' ' || ch == '\t' || ch == '\r':
			flushWord()
		default:
			if start < 0 {
				start = i
			}
			b.WriteByte(ch)
		}
	}
	flushCmd()
	return cmds
}

var nixSubcommands = map[string]bool{"run": true, "build": true, "develop": true, "shell": true, "flake": true}

// coreFetches finds the core fetches of a script; repo is core.repository.
func coreFetches(script, repo string) []coreFetch {
	if repo == "" || !mentionsRepo(script, repo) {
		return nil
	}
	var out []coreFetch
	for _, cmd := range shellCommands(script) {
		i := 0
		for i < len(cmd) && (strings.Contains(cmd[i].text, "=") && !strings.HasPrefix(cmd[i].text, "-") ||
			cmd[i].text == "sudo" || cmd[i].text == "time" || cmd[i].text == "exec" || cmd[i].text == "command") {
			i++ // VAR=value prefixes and wrappers
		}
		if i >= len(cmd) {
			continue
		}
		switch cmd[i].text {
		case "git":
			sub := ""
			j := i + 1
			for ; j < len(cmd); j++ {
				t := cmd[j].text
				if t == "-C" || t == "-c" {
					j++
					continue
				}
				if !strings.HasPrefix(t, "-") {
					sub = t
					break
				}
			}
			if sub != "clone" && sub != "fetch" {
				continue
			}
			var args []string
			for _, w := range cmd[j+1:] {
				args = append(args, w.text)
			}
			for _, w := range cmd[j+1:] {
				if looksLikeRemote(w.text) && SameRepository(withoutUserinfo(w.text), repo) {
					out = append(out, coreFetch{off: w.off, cmd: "git " + sub, ref: w.text, args: args})
				}
			}
		case "nix":
			sub := ""
			for _, w := range cmd[i+1:] {
				if nixSubcommands[w.text] {
					sub = w.text
					break
				}
			}
			if sub == "" {
				continue
			}
			for _, w := range cmd[i+1:] {
				if f, ok := flakeRef(w.text, repo); ok {
					f.off, f.cmd = w.off, "nix "+sub
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// mentionsRepo is a cheap filter: most scripts never name the core repository.
func mentionsRepo(script, repo string) bool {
	_, name, ok := strings.Cut(repoPath(repo), "/")
	return ok && indexFold(script, name) >= 0
}

func indexFold(s, sub string) int {
	return strings.Index(strings.ToLower(s), strings.ToLower(sub))
}

// withoutUserinfo drops user:token@ from a URL remote: a token written as ${TOKEN} is not
// valid URL syntax, and who fetches does not change what is fetched.
func withoutUserinfo(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	return scheme + "://" + host + "/" + path
}

func looksLikeRemote(s string) bool {
	return strings.Contains(s, "://") || scpLike.MatchString(s) || strings.HasPrefix(strings.ToLower(s), "github.com/")
}

// flakeRef reads a flake reference to repo: github:owner/name[/ref-or-rev][?ref=..&rev=..][#attr]
// and git+https:// / git+ssh:// URLs of the repository with ?ref= / ?rev=.
func flakeRef(s, repo string) (coreFetch, bool) {
	ref, _, _ := strings.Cut(s, "#")
	path, query, _ := strings.Cut(ref, "?")
	f := coreFetch{ref: s}
	lower := strings.ToLower(path)
	switch {
	case strings.HasPrefix(lower, "github:"):
		parts := strings.SplitN(path[len("github:"):], "/", 3)
		if len(parts) < 2 || !SameRepository(parts[0]+"/"+parts[1], repo) {
			return f, false
		}
		if len(parts) == 3 && parts[2] != "" {
			f.rev = parts[2]
			f.isID = isHex(parts[2]) && len(parts[2]) == 40
		}
	case strings.HasPrefix(lower, "git+https://"), strings.HasPrefix(lower, "git+ssh://"):
		if !SameRepository(path[len("git+"):], repo) {
			return f, false
		}
	default:
		return f, false
	}
	if q, err := url.ParseQuery(query); err == nil {
		if r := q.Get("ref"); r != "" && f.rev == "" {
			f.rev = r
		}
		if r := q.Get("rev"); r != "" {
			f.rev, f.isID = r, true
		}
	}
	return f, true
}
