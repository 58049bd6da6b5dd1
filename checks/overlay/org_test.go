package overlay_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

const orgRel = "config/organization.yaml"

// where renders a position as line:col.
func where(p overlay.Pos) string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// errSummary renders errors as "line:col kind: message" lines for assertions.
func errSummary(errs overlay.InputErrors) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "%d:%d %s: %s\n", e.Pos.Line, e.Pos.Column, e.Kind, e.Msg)
	}
	return b.String()
}

func mustOrg(t *testing.T, src string) *overlay.OrgConfig {
	t.Helper()
	org, errs := overlay.ParseOrg(orgRel, []byte(src))
	if len(errs) > 0 || org == nil {
		t.Fatalf("ParseOrg: %v", errs)
	}
	return org
}

const orgSrc = `# comment line
owner:
  slug: tinyland-inc
  account_kind: organization
  repository: "tinyland-inc/tinyland-infra"
  github_config_url: https://github.com/tinyland-inc
  github_app_secret_name: 'github-app-secret'
core: {repository: tinyland-inc/GloriousFlywheel, module_name: gloriousflywheel,
       pinned_commit: 637b7167c400a842cdc7af0709b2251c0542a48a}
substrate:
  cluster:
    name: honey
    context: honey
  caches:
    attic_server: http://attic.nix-cache.svc.cluster.local
    attic_public_key: "main:abc="   # trailing comment
runner_contract:
  shared_labels: [tinyland-nix, "tinyland-nix-heavy"]
enrollment:
  expected_warnings:
    - taxonomy/repo-registration-anchor
  allow_repo_registration_anchor: true
  credentials:
    preferred: [GF_CORE_DEPLOY_KEY]
    info: []
  validation_workflows: [validate.yml]
  cache_exempt_sets: [tinyland-nix-scratch]
unknown_section:
  anything: [goes, here]
`

func TestParseOrgValuesAndPositions(t *testing.T) {
	org := mustOrg(t, orgSrc)
	tests := []struct {
		name     string
		got      overlay.String
		value    string
		position string
	}{
		{"owner.slug", org.Owner.Slug, "tinyland-inc", "3:9"},
		{"owner.repository (double-quoted)", org.Owner.Repository, "tinyland-inc/tinyland-infra", "5:15"},
		{"owner.github_app_secret_name (single-quoted)", org.Owner.GithubAppSecretName, "github-app-secret", "7:27"},
		{"core.repository (flow mapping)", org.Core.Repository, "tinyland-inc/GloriousFlywheel", "8:20"},
		{"core.pinned_commit (flow mapping, next line)", org.Core.PinnedCommit, "637b7167c400a842cdc7af0709b2251c0542a48a", "9:23"},
		{"substrate.cluster.context", org.Cluster.Context, "honey", "13:14"},
		{"substrate.caches.attic_public_key", org.Caches.AtticPublicKey, "main:abc=", "16:23"},
	}
	for _, tt := range tests {
		if !tt.got.Set || tt.got.Value != tt.value || where(tt.got.Pos) != tt.position || tt.got.Pos.File != orgRel {
			t.Errorf("%s = %+v, want %q at %s", tt.name, tt.got, tt.value, tt.position)
		}
	}
	if got := where(org.Owner.Pos); got != "2:1" {
		t.Errorf("owner block at %s, want 2:1", got)
	}
	// Absent keys: unset, pointing at the enclosing block's key.
	if org.Caches.AtticCache.Set || where(org.Caches.AtticCache.Pos) != "14:3" {
		t.Errorf("absent attic_cache = %+v, want unset at the caches key 14:3", org.Caches.AtticCache)
	}
	if org.Enrollment.FallbackCredentials.Set || where(org.Enrollment.FallbackCredentials.Pos) != "23:3" {
		t.Errorf("absent credentials.fallback = %+v, want unset at 23:3", org.Enrollment.FallbackCredentials)
	}
	labels := org.SharedLabels
	if !labels.Set || strings.Join(labels.Strings(), ",") != "tinyland-nix,tinyland-nix-heavy" ||
		where(labels.Values[1].Pos) != "18:33" || where(labels.Pos) != "18:18" {
		t.Errorf("shared_labels = %+v", labels)
	}
	e := org.Enrollment
	if !e.AllowRepoRegistrationAnchor.Set || !e.AllowRepoRegistrationAnchor.Value || where(e.AllowRepoRegistrationAnchor.Pos) != "22:35" {
		t.Errorf("allow_repo_registration_anchor = %+v", e.AllowRepoRegistrationAnchor)
	}
	if got := e.ExpectedWarnings.Strings(); len(got) != 1 || got[0] != "taxonomy/repo-registration-anchor" || where(e.ExpectedWarnings.Values[0].Pos) != "21:7" {
		t.Errorf("expected_warnings = %+v", e.ExpectedWarnings)
	}
	if got := e.CacheExemptSets.Strings(); len(got) != 1 || got[0] != "tinyland-nix-scratch" || where(e.CacheExemptSets.Values[0].Pos) != "27:23" {
		t.Errorf("cache_exempt_sets = %+v", e.CacheExemptSets)
	}
	// An empty list is set (the overlay said "none"), unlike an absent one.
	if !e.InfoSecrets.Set || len(e.InfoSecrets.Values) != 0 {
		t.Errorf("info: [] = %+v, want set and empty", e.InfoSecrets)
	}
}

func TestParseOrgAbsentBlocksPointAtFile(t *testing.T) {
	org := mustOrg(t, "owner:\n  slug: x\n")
	if org.Core.PinnedCommit.Set || org.Core.PinnedCommit.Pos != (overlay.Pos{File: orgRel}) {
		t.Errorf("pinned_commit without a core block = %+v, want unset at the file", org.Core.PinnedCommit)
	}
	if org.SharedLabels.Set || org.Enrollment.AllowRepoRegistrationAnchor.Set {
		t.Error("absent blocks produced set values")
	}
	// Null values are absent, pointing at the value.
	org = mustOrg(t, "core:\n  pinned_commit:\n  module_name: ~\n")
	if org.Core.PinnedCommit.Set || where(org.Core.PinnedCommit.Pos) != "2:17" {
		t.Errorf("null pinned_commit = %+v", org.Core.PinnedCommit)
	}
}

// A commit that YAML reads as a number is still the string as written.
func TestParseOrgNumericScalarsAreStrings(t *testing.T) {
	org := mustOrg(t, "core:\n  pinned_commit: 1111111111111111111111111111111111111111\n  module_name: 1e5\n")
	if org.Core.PinnedCommit.Value != "1111111111111111111111111111111111111111" || org.Core.ModuleName.Value != "1e5" {
		t.Errorf("core = %+v", org.Core)
	}
}

func TestParseOrgAliasesAndMergeKeys(t *testing.T) {
	src := `defaults: &caches
  attic_server: http://attic.example
  attic_cache: main
labels: &labels [tinyland-nix]
substrate:
  caches:
    <<: *caches
    attic_cache: override
runner_contract:
  shared_labels: *labels
owner: {slug: &slug tinyland-inc, repository: *slug}
`
	org := mustOrg(t, src)
	if org.Caches.AtticServer.Value != "http://attic.example" || where(org.Caches.AtticServer.Pos) != "2:17" {
		t.Errorf("merged attic_server = %+v (want the anchor's value at its definition)", org.Caches.AtticServer)
	}
	if org.Caches.AtticCache.Value != "override" {
		t.Errorf("explicit key must win over merged: %+v", org.Caches.AtticCache)
	}
	if got := org.SharedLabels.Strings(); len(got) != 1 || got[0] != "tinyland-nix" || where(org.SharedLabels.Pos) != "10:18" {
		t.Errorf("aliased list = %+v", org.SharedLabels)
	}
	if org.Owner.Repository.Value != "tinyland-inc" || where(org.Owner.Repository.Pos) != "11:47" {
		t.Errorf("aliased scalar = %+v (position is the use site)", org.Owner.Repository)
	}
}

func TestParseOrgInputErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // errSummary
	}{
		{"list for a string", "core:\n  pinned_commit: [a]\n",
			"2:18 type: core.pinned_commit: expected a string, got a list\n"},
		{"mapping for a string", "owner:\n  slug:\n    nested: x\n",
			"3:5 type: owner.slug: expected a string, got a mapping\n"},
		{"string for a list", "runner_contract:\n  shared_labels: tinyland-nix\n",
			"2:18 type: runner_contract.shared_labels: expected a list of strings, got \"tinyland-nix\"\n"},
		{"nested list item", "runner_contract:\n  shared_labels: [tinyland-nix, [x], ~]\n",
			"2:33 type: runner_contract.shared_labels[1]: expected a string, got a list\n" +
				"2:38 type: runner_contract.shared_labels[2]: expected a string, got null\n"},
		{"yes is not a boolean", "enrollment:\n  allow_repo_registration_anchor: yes\n",
			"2:35 type: enrollment.allow_repo_registration_anchor: expected a boolean (true or false), got \"yes\"\n"},
		{"scalar for a block", "substrate: honey\n",
			"1:12 type: substrate: expected a mapping, got \"honey\"\n"},
		{"top level list", "- owner\n",
			"1:1 type: organization.yaml: expected a mapping of sections (owner:, core:, substrate:, ...), got a list\n"},
		{"duplicate key", "core:\n  pinned_commit: a\n  module_name: m\n  pinned_commit: b\n",
			"4:3 duplicate: duplicate key \"pinned_commit\" (first given at line 2)\n"},
		{"duplicate key in an unknown section", "x:\n  - {a: 1, a: 2}\n",
			"2:12 duplicate: duplicate key \"a\" (first given at line 2)\n"},
		{"duplicate top-level block", "core: {}\nowner: {}\ncore: {}\n",
			"3:1 duplicate: duplicate key \"core\" (first given at line 1)\n"},
		{"several errors at once", "owner:\n  slug: [x]\ncore:\n  pinned_commit: {a: b}\n",
			"2:9 type: owner.slug: expected a string, got a list\n4:18 type: core.pinned_commit: expected a string, got a mapping\n"},
		{"multi-byte text before the value", "owner:\n  # é\n  slug: {é: [x]}\n",
			"3:9 type: owner.slug: expected a string, got a mapping\n"},
		{"column after multi-byte characters", "owner: {repository: \"ééé\", slug: [x]}\n",
			"1:37 type: owner.slug: expected a string, got a list\n"},
		{"empty", "", "0:0 empty: file is empty\n"},
		{"whitespace only", " \n\t\n", "0:0 empty: file is empty\n"},
		{"comments only", "# nothing\n", "0:0 empty: file holds no YAML document (only comments or blank lines)\n"},
		{"tab indentation", "owner:\n\tslug: x\n", "2:1 syntax: invalid YAML: found character that cannot start any token\n"},
		{"tab after space indentation", "owner:\n  slug: x\n \trepository: y\n", "3:2 syntax: invalid YAML: found a tab character that violates indentation\n"},
		{"tab breaking a block's indentation", "owner:\n  slug: x\n  repository: y\n\tkind: z\n",
			"4:1 syntax: invalid YAML: found a tab character that violates indentation\n"},
		{"tab breaking a list's indentation", "core:\n  labels:\n    - a\n\t- b\n",
			"4:1 syntax: invalid YAML: found a tab character that violates indentation\n"},
		{"character that cannot start a token", "owner:\n  slug: @x\n", "2:9 syntax: invalid YAML: found character that cannot start any token\n"},
		{"bad indentation", "owner:\n  slug: x\n bad: y\n", "3:2 syntax: invalid YAML: did not find expected key\n"},
		{"mapping in a plain scalar", "owner:\n  slug: a: b\n", "2:3 syntax: invalid YAML: mapping values are not allowed in this context\n"},
		{"unterminated flow", "owner: {slug: x\n", "2:1 syntax: invalid YAML: did not find expected ',' or '}'\n"},
		{"unclosed quote swallowing lines", "owner:\n  slug: \"x\n  repository: a\n  github_config_url: \"https://x\"\n  kind: y\n",
			"2:9 syntax: invalid YAML: the quoted value opened here is not closed on its line (it runs on to line 4; YAML then fails at line 2: did not find expected key)\n"},
		{"unclosed quote at the end", "owner:\n  slug: x\n  repository: 'a\n  # note\n",
			"3:15 syntax: invalid YAML: the quoted value opened here is not closed on its line (it is never closed; YAML then fails at line 5: found unexpected end of stream)\n"},
		{"multi-line quote far from the error", "owner:\n  slug: \"a\n    b\"\n  run: |\n    echo \"x\n  x: 1\n  y: [\n",
			"8:1 syntax: invalid YAML: did not find expected node content\n"},
		{"CR line ends, type error", "owner:\r  repository: x\r  slug: [x]\r", "3:9 type: owner.slug: expected a string, got a list\n"},
		{"CR line ends, syntax error", "owner:\r  slug: x\r bad: y\r", "3:2 syntax: invalid YAML: did not find expected key\n"},
		{"CRLF line ends, type error", "owner:\r\n  repository: x\r\n  slug: [x]\r\n", "3:9 type: owner.slug: expected a string, got a list\n"},
		{"CR line ends, NUL byte", "owner:\r  slug: a\x00b\r", "2:10 encoding: file contains a NUL byte at offset 16; it looks like binary data, not text\n"},
		{"unknown alias", "owner:\n  slug: *nope\n", "2:9 syntax: alias *nope refers to an anchor &nope that is not defined before it\n"},
		{"second document", "owner: {}\n---\ncore: {}\n", "3:1 syntax: file holds more than one YAML document; expected exactly one\n"},
		{"NUL byte", "owner:\n  slug: a\x00b\n", "2:10 encoding: file contains a NUL byte at offset 16; it looks like binary data, not text\n"},
		{"invalid UTF-8", "owner:\n  slug: \xff\xfe\n", "2:9 encoding: file is not valid UTF-8 (bad byte 0xFF at offset 15)\n"},
		{"UTF-16", "\xff\xfeo\x00w\x00", "1:1 encoding: file is UTF-16 encoded; save it as UTF-8\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := overlay.ParseOrg(orgRel, []byte(tt.src))
			if got := errSummary(errs); got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, e := range errs {
				if e.Pos.File != orgRel {
					t.Errorf("error without the file: %v", e)
				}
			}
		})
	}
}

// A UTF-8 byte-order mark is tolerated and counted in line 1's byte columns.
func TestParseOrgBOM(t *testing.T) {
	org := mustOrg(t, "\xef\xbb\xbfowner: {slug: x}\n")
	if org.Owner.Slug.Value != "x" || where(org.Owner.Slug.Pos) != "1:18" {
		t.Errorf("slug = %+v, want x at 1:18 (15 + 3 BOM bytes)", org.Owner.Slug)
	}
}

// Merge keys that refer to themselves or fan out exponentially must not hang the lookup.
func TestParseOrgAliasBombAndCycles(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 {x: 1}\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "a%d: &a%d {<<: [*a%d, *a%d, *a%d, *a%d]}\n", i, i, i-1, i-1, i-1, i-1)
	}
	b.WriteString("substrate:\n  caches:\n    <<: *a39\n")
	cycle := "owner: &o\n  <<: *o\n  slug: x\nsubstrate: &s {caches: *s}\n"
	for name, src := range map[string]string{"fan-out": b.String(), "cycle": cycle} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			org, _ := overlay.ParseOrg(orgRel, []byte(src))
			if org == nil {
				t.Fatal("no result")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d) // generous: exponential expansion would take years
			}
		})
	}
}
