package hostile

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

func symlink(target, p string) error { return os.Symlink(target, p) }

// ---- plan JSON (plan-guard) ------------------------------------------------------------------

const planRel = "plan.json"

// plan renders a minimal plan whose one resource change has the given "change" body; the
// change object opens on line 10.
func plan(change string) string {
	return `{
  "format_version": "1.2",
  "terraform_version": "1.8.0",
  "resource_changes": [
    {
      "address": "kubernetes_secret_v1.app",
      "mode": "managed",
      "type": "kubernetes_secret_v1",
      "name": "app",
      "change": ` + change + `
    }
  ]
}
`
}

func planCases() []tcase {
	k := fileKind{class: "plan JSON", rel: planRel, shown: planRel, args: []string{"plan-guard", planRel},
		setup:       func(s *scene) { s.write(planRel, []byte(plan(`{"actions": ["no-op"]}`))) },
		commentLine: func(int) string { return "" }, valueLine: 6, valid: 0, bomExit: exit(0, 2), binaryAt: true}
	cs := commonCases(k)
	// A 50 MB plan needs a neutral filler; JSON has no comments, so pad with spaces.
	for i := range cs {
		if cs[i].name == "50 MB file" {
			cs[i].prepare = func(s *scene) {
				s.big(planRel, 50<<20, "", strings.Repeat(" ", 1023)+"\n", plan(`{"actions": ["no-op"]}`))
			}
			// Real plans of large stacks run to tens of MB: reading it is fine, bounded.
			cs[i].exits, cs[i].at = exit(0, 2), nil
		}
	}
	p := func(name string, exits []int, where *pos, fix string, body string) tcase {
		return tcase{name: name, class: k.class, args: []string{"plan-guard", planRel}, exits: exits, at: where, fixedBy: fix,
			prepare: func(s *scene) { s.write(planRel, []byte(body)) }}
	}
	deleteBlocked := exit(1, 2) // a delete the guard cannot read unambiguously: a blocker or unusable, never a pass
	cs = append(cs,
		p("delete", exit(1), nil, "", plan(`{"actions": ["delete"]}`)),
		p("replace", exit(1), nil, "", plan(`{"actions": ["delete", "create"]}`)),
		p("duplicate actions, delete first", deleteBlocked, at(planRel, 10), "", plan(`{"actions": ["delete"], "actions": ["no-op"]}`)),
		p("duplicate actions, delete last", deleteBlocked, at(planRel, 10), "", plan(`{"actions": ["no-op"], "actions": ["delete"]}`)),
		p("case variant beside actions", deleteBlocked, at(planRel, 10), "", plan(`{"ACTIONS": ["delete"], "actions": ["no-op"]}`)),
		p("only a case variant of actions", deleteBlocked, at(planRel, 10), "", plan(`{"Actions": ["delete"]}`)),
		p("duplicate change", deleteBlocked, at(planRel, 10), "", strings.Replace(plan(`{"actions": ["delete"]}`),
			`"change": {"actions": ["delete"]}`, `"change": {"actions": ["delete"]}, "change": {"actions": ["no-op"]}`, 1)),
		p("top-level key case variant", exit(1, 2), at(planRel, 4), "", strings.Replace(plan(`{"actions": ["delete"]}`), `"resource_changes"`, `"Resource_Changes"`, 1)),
		p("duplicate resource_changes", exit(1, 2), at(planRel, 13), "", strings.Replace(plan(`{"actions": ["delete"]}`),
			"\n  ]\n}", "\n  ],\n  \"resource_changes\": []\n}", 1)),
		p("duplicate format_version", exit(2), nil, "", strings.Replace(plan(`{"actions": ["no-op"]}`), `"format_version": "1.2",`, `"format_version": "1.2", "format_version": "9.0",`, 1)),
		p("truncated", exit(2), at(planRel, lastLine(plan(`{"actions": ["no-op"]}`)[:200])), "", plan(`{"actions": ["no-op"]}`)[:200]),
		p("trailing garbage", exit(2), at(planRel, 14), "", plan(`{"actions": ["no-op"]}`)+"garbage\n"),
		p("two JSON values", exit(2), at(planRel, 14), "", plan(`{"actions": ["no-op"]}`)+"{}\n"),
		p("actions is a string", exit(2), at(planRel, 10), "", plan(`{"actions": "delete"}`)),
		p("actions holds a number", exit(2), at(planRel, 10), "", plan(`{"actions": [1]}`)),
		p("actions is null", exit(1, 2), nil, "", plan(`{"actions": null}`)),
		p("actions missing", exit(1, 2), nil, "", plan(`{}`)),
		p("change is a list", exit(2), at(planRel, 10), "", plan(`[]`)),
		p("unknown action", exit(1, 2), nil, "", plan(`{"actions": ["obliterate"]}`)),
		p("resource_changes is an object", exit(2), at(planRel, 2), "", `{"format_version": "1.2",
  "resource_changes": {"a": {"change": {"actions": ["delete"]}}}}
`),
		p("top level is an array", exit(2), at(planRel, 1), "", "[]\n"),
		p("top level is null", exit(2), nil, "", "null\n"),
		p("a state file", exit(2), nil, "", `{"format_version": "1.0", "terraform_version": "1.8.0", "values": {"root_module": {}}}`+"\n"),
		p("format_version 2", exit(2), nil, "", strings.Replace(plan(`{"actions": ["no-op"]}`), `"1.2"`, `"2.0"`, 1)),
		p("deep array nesting", exit(2), nil, "", `{"format_version": "1.2", "x": `+strings.Repeat("[", 200000)+strings.Repeat("]", 200000)+`, "resource_changes": []}`+"\n"),
		p("deep object nesting", exit(2), nil, "", `{"format_version": "1.2", "x": `+strings.Repeat(`{"a":`, 100000)+"1"+strings.Repeat("}", 100000)+`, "resource_changes": []}`+"\n"),
		p("100k resource changes", exit(1), nil, "", manyChanges(100000)),
		p("1 MB address", exit(1), nil, "", strings.Replace(plan(`{"actions": ["delete"]}`), "kubernetes_secret_v1.app", "kubernetes_secret_v1."+strings.Repeat("a", 1<<20), 1)),
		p("invalid escape", exit(2), at(planRel, 6), "", strings.Replace(plan(`{"actions": ["no-op"]}`), `"kubernetes_secret_v1.app"`, `"kubernetes\x_secret"`, 1)),
		p("lone surrogate escape", exit(1, 2), nil, "", strings.Replace(plan(`{"actions": ["delete"]}`), `"kubernetes_secret_v1.app"`, `"kubernetes\ud800"`, 1)),
		p("CR-only line ends, truncated", exit(2), at(planRel, lastLine(plan(`{"actions": ["no-op"]}`)[:200])), "", strings.ReplaceAll(plan(`{"actions": ["no-op"]}`)[:200], "\n", "\r")),
		p("binary plan file", exit(2), at(planRel, 0), "", "PK\x03\x04\x14\x00\x00\x00\x08\x00tfplan\x00\x00"),
		tcase{name: "stdin garbage", class: k.class, args: []string{"plan-guard", "-"}, exits: exit(2),
			stdin: func(*scene) io.Reader { return strings.NewReader("\x00\xff not json") }},
		tcase{name: "stdin duplicate actions", class: k.class, args: []string{"plan-guard", "-"}, exits: deleteBlocked, stdin: func(*scene) io.Reader {
			return strings.NewReader(plan(`{"actions": ["delete"], "actions": ["no-op"]}`))
		}},
		tcase{name: "stdin empty", class: k.class, args: []string{"plan-guard", "-"}, exits: exit(2),
			stdin: func(*scene) io.Reader { return strings.NewReader("") }},
		tcase{name: "missing plan", class: k.class, args: []string{"plan-guard", "absent.json"}, exits: exit(2), at: at("absent.json", 0)},
		tcase{name: "ALLOW_ARC_DESTROY=true keeps the block", class: k.class, args: []string{"plan-guard", planRel}, exits: exit(1),
			env: []string{"ALLOW_ARC_DESTROY=true"}, prepare: func(s *scene) { s.write(planRel, []byte(plan(`{"actions": ["delete"]}`))) }},
		tcase{name: "ALLOW_ARC_DESTROY with a newline", class: k.class, args: []string{"plan-guard", planRel}, exits: exit(1),
			env: []string{"ALLOW_ARC_DESTROY=1\n"}, prepare: func(s *scene) { s.write(planRel, []byte(plan(`{"actions": ["delete"]}`))) }},
	)
	return cs
}

// lastLine is the number of the last line of text.
func lastLine(text string) int { return strings.Count(text, "\n") + 1 }

func manyChanges(n int) string {
	var b strings.Builder
	b.WriteString(`{"format_version": "1.2", "resource_changes": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		action := "no-op"
		if i == n-1 {
			action = "delete"
		}
		fmt.Fprintf(&b, `{"address": "null_resource.r%d", "change": {"actions": [%q]}}`, i, action)
	}
	b.WriteString("]}\n")
	return b.String()
}

// ---- key file (arc-app-secret --dry-run) -------------------------------------------------------

const keyRel = "keys/app.pem"

var (
	keyOnce sync.Once
	keyPEM  []byte
)

// appKey is one RSA private key in PKCS#1 PEM, made once per run (never committed).
func appKey() []byte {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	})
	return keyPEM
}

// kubeconfig names the overlay's context; the dry run reads it and contacts nothing.
const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: honey
  context:
    cluster: c
    user: u
users:
- name: u
  user:
    token: hostile-suite-token-not-real-0123456789
current-context: honey
`

var keyEnv = []string{"GITHUB_APP_ID=123456", "GITHUB_APP_INSTALLATION_ID=7890123", "GITHUB_APP_PRIVATE_KEY_PATH=DIR/" + keyRel}

func keyScene(s *scene) {
	s.overlay()
	s.write("kubeconfig", []byte(kubeconfig))
	writeKey(s, appKey())
}

func writeKey(s *scene, data []byte) {
	s.write(keyRel, data)
	if err := os.Chmod(s.path(keyRel), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

var keyArgs = []string{"arc-app-secret", "--dry-run", "--overlay-root", "OV"}

func keyCases() []tcase {
	k := fileKind{class: "key file", rel: keyRel, shown: "GITHUB_APP_PRIVATE_KEY_PATH", args: keyArgs, env: keyEnv,
		setup: keyScene, commentLine: func(int) string { return "" }, valueLine: 2, valid: 0, bomExit: exit(0, 2)}
	var cs []tcase
	for _, c := range commonCases(k) {
		if c.name != "unreadable as an unprivileged user" {
			// The common cases write mode 0644; a key must be 0600 to get past that check.
			prep := c.prepare
			c.prepare = func(s *scene) {
				prep(s)
				if fi, err := os.Lstat(s.path(keyRel)); err == nil && fi.Mode().IsRegular() {
					os.Chmod(s.path(keyRel), 0o600)
				}
			}
		}
		cs = append(cs, c)
	}
	kc := func(name string, exits []int, fn func(s *scene), env ...string) tcase {
		return tcase{name: name, class: k.class, args: keyArgs, env: append(append([]string{}, keyEnv...), env...), exits: exits,
			at: at("GITHUB_APP_PRIVATE_KEY_PATH", 0), prepare: func(s *scene) { keyScene(s); fn(s) }}
	}
	envCase := func(name string, env ...string) tcase {
		c := kc(name, exit(2), func(*scene) {}, env...)
		c.at = nil
		return c
	}
	key := appKey()
	cs = append(cs,
		kc("mode 0644", exit(2), func(s *scene) { os.Chmod(s.path(keyRel), 0o644) }),
		kc("truncated PEM", exit(2), func(s *scene) { writeKey(s, key[:len(key)/2]) }),
		kc("PEM without END line", exit(2), func(s *scene) {
			writeKey(s, []byte(strings.Split(string(key), "-----END")[0]))
		}),
		kc("PEM body not base64", exit(2), func(s *scene) {
			writeKey(s, []byte("-----BEGIN RSA PRIVATE KEY-----\n!!!!notbase64!!!!\n-----END RSA PRIVATE KEY-----\n"))
		}),
		kc("certificate instead of a key", exit(2), func(s *scene) {
			writeKey(s, []byte(strings.ReplaceAll(string(key), "RSA PRIVATE KEY", "CERTIFICATE")))
		}),
		kc("public key instead of a private key", exit(2), func(s *scene) {
			writeKey(s, []byte(strings.ReplaceAll(string(key), "RSA PRIVATE KEY", "PUBLIC KEY")))
		}),
		kc("two keys in one file", exit(0, 2), func(s *scene) { writeKey(s, append(append([]byte{}, key...), key...)) }),
		kc("CRLF PEM", exit(0, 2), func(s *scene) { writeKey(s, []byte(strings.ReplaceAll(string(key), "\n", "\r\n"))) }),
		kc("key in the overlay repository", exit(2), func(s *scene) {
			s.write(ov(".git/HEAD"), []byte("ref: refs/heads/main\n"))
			s.write(ov("app.pem"), key)
			os.Chmod(s.path(ov("app.pem")), 0o600)
		}, "GITHUB_APP_PRIVATE_KEY_PATH=DIR/"+ov("app.pem")),
		kc("symlink to /dev/zero", exit(2), func(s *scene) {
			s.remove(keyRel)
			if err := symlink("/dev/zero", s.path(keyRel)); err != nil {
				s.t.Fatal(err)
			}
		}),
		envCase("App ID zero", "GITHUB_APP_ID=0"),
		envCase("App ID negative", "GITHUB_APP_ID=-1"),
		envCase("App ID leading zero", "GITHUB_APP_ID=0123"),
		envCase("App ID not a number", "GITHUB_APP_ID=abc"),
		envCase("App ID overflows", "GITHUB_APP_ID=99999999999999999999999999"),
		envCase("App ID with a newline", "GITHUB_APP_ID=123"+payload),
		envCase("installation ID empty", "GITHUB_APP_INSTALLATION_ID="),
		envCase("key path empty", "GITHUB_APP_PRIVATE_KEY_PATH="),
		envCase("key path relative and absent", "GITHUB_APP_PRIVATE_KEY_PATH=nope.pem"),
	)
	return cs
}

// ---- flags -----------------------------------------------------------------------------------

func flagCases() []tcase {
	const class = "flags"
	usage := func(name string, args ...string) tcase {
		return tcase{name: name, class: class, args: append(append([]string{}, checkArgs...), args...), exits: exit(2), usage: true,
			prepare: withOverlay}
	}
	input := func(name string, where *pos, fix string, fn func(s *scene), args ...string) tcase {
		return tcase{name: name, class: class, args: args, exits: exit(2), at: where, fixedBy: fix, noOutput: true,
			prepare: func(s *scene) { s.overlay(); fn(s) }}
	}
	outTo := func(name, fix string, fn func(s *scene), target string) tcase {
		// The refusal may be a usage line or an input error; either way exit 2, nothing written.
		return tcase{name: name, class: class, args: append(append([]string{}, checkArgs...), "--output", "json="+target),
			exits: exit(2), fixedBy: fix, noOutput: true, help: true, prepare: func(s *scene) { s.overlay(); fn(s) }}
	}
	nothing := func(*scene) {}
	cs := []tcase{
		usage("unknown flag", "--nope"),
		usage("unknown format", "--format", "xml"),
		usage("format with a newline", "--format", "text"+payload),
		usage("output without FORMAT=", "--output", "report.json"),
		usage("output of an unknown format", "--output", "yaml=r.yaml"),
		usage("output with an empty path", "--output", "json="),
		usage("unexpected argument", "extra"),
		usage("flag value 100 KB long", "--format", strings.Repeat("x", 100<<10)),
		{name: "no command", class: class, args: nil, exits: exit(2), noOutput: true, help: true},
		{name: "unknown command", class: class, args: []string{"destroy-everything"}, exits: exit(2), noOutput: true, usage: true},
		{name: "unknown command with a newline", class: class, args: []string{"x" + payload}, exits: exit(2), noOutput: true, usage: true},
		input("overlay root missing", at("absent", 0), "", nothing, "check", "--overlay-root", "absent"),
		input("overlay root is a file", at("file", 0), "", func(s *scene) { s.write("file", []byte("x")) }, "check", "--overlay-root", "file"),
		input("overlay root is a FIFO", at("fifo", 0), "", func(s *scene) { s.special("fifo", "fifo") }, "check", "--overlay-root", "fifo"),
		input("overlay root is a symlink loop", at("loop", 0), "", func(s *scene) { s.special("loop", "symlink loop") }, "check", "--overlay-root", "loop"),
		input("overlay root is a dangling symlink", at("gone", 0), "", func(s *scene) { s.special("gone", "dangling symlink") }, "check", "--overlay-root", "gone"),
		input("tfvars missing", at("tofu/stacks/arc-runners/absent.tfvars", 0), "", nothing, "check", "--overlay-root", "OV", "--tfvars", "tofu/stacks/arc-runners/absent.tfvars"),
		input("tfvars is a directory", at("tofu/stacks", 0), "", nothing, "check", "--overlay-root", "OV", "--tfvars", "tofu/stacks"),
		input("tfvars is a FIFO", at("tofu/stacks/arc-runners/p.tfvars", 0), "", func(s *scene) {
			s.special(ov("tofu/stacks/arc-runners/p.tfvars"), "fifo")
		}, "check", "--overlay-root", "OV", "--tfvars", "tofu/stacks/arc-runners/p.tfvars"),
		outTo("output onto /dev/null", "", nothing, "/dev/null"),
		outTo("output onto a FIFO", "", func(s *scene) { s.special("out/pipe", "fifo") }, "out/pipe"),
		outTo("output onto a symlink", "", func(s *scene) {
			s.write("victim", []byte("keep me\n"))
			os.MkdirAll(s.path("out"), 0o755)
			symlink("../victim", s.path("out/link.json"))
		}, "out/link.json"),
		outTo("output onto a directory", "", func(s *scene) { os.MkdirAll(s.path("out/dir.json"), 0o755) }, "out/dir.json"),
		outTo("output under a regular file", "", func(s *scene) { s.write("out/file", []byte("x")) }, "out/file/report.json"),
		// Refused while the flags are read, before any work: a one-line usage error.
		{name: "second output under a regular file, nothing written", class: class, noOutput: true, exits: exit(2), usage: true,
			args:    append(append([]string{}, checkArgs...), "--output", "json=out/a.json", "--output", "sarif=out/file/b.sarif"),
			prepare: func(s *scene) { s.overlay(); s.write("out/file", []byte("x")) }, absent: []string{"out/a.json"}},
		// Found only while writing: the second output's directory is not writable by the
		// unprivileged user, so the first, already staged, must be taken back.
		{name: "second output fails while written, first is not left behind", class: class, noOutput: true, exits: exit(2),
			asNobody: true, help: true,
			args: append(append([]string{}, checkArgs...), "--output", "json=out/a.json", "--output", "sarif=out/ro/b.sarif"),
			prepare: func(s *scene) {
				s.overlay()
				for dir, mode := range map[string]os.FileMode{"out": 0o777, "out/ro": 0o555} {
					if err := os.MkdirAll(s.path(dir), 0o755); err != nil {
						s.t.Fatal(err)
					}
					if err := os.Chmod(s.path(dir), mode); err != nil {
						s.t.Fatal(err)
					}
				}
			}, absent: []string{"out/a.json", "out/ro/b.sarif"}},
		// The step summary is written with --format github; when it cannot be, nothing is.
		{name: "step summary unwritable, outputs not left behind", class: class, exits: exit(2), format: "github", help: true,
			args:    checkArgs,
			env:     []string{"GITHUB_STEP_SUMMARY=DIR/summary-dir"},
			prepare: func(s *scene) { s.overlay(); os.MkdirAll(s.path("summary-dir"), 0o755) }},
		{name: "expected core ref with a newline", class: class, exits: exit(1, 2), prepare: withOverlay, args: append(append([]string{}, checkArgs...), "--expected-core-ref", "main"+payload)},
		{name: "expect-warning with a newline", class: class, exits: exit(0, 2), prepare: withOverlay, args: append(append([]string{}, checkArgs...), "--expect-warning", "taxonomy/x"+payload)},
	}
	return cs
}
