// Package bench generates a synthetic estate of implementation overlays and measures the
// hermetic gates over it (see estate_test.go and run.sh).
//
// Each generated overlay has the shape of the fixtures in e2e/overlays: organization and
// personal overlays in the ratio 4:1, the fixture workflows copied verbatim (twenty per
// overlay), tfvars and organization.yaml with owner-distinct scale-set names spread over a
// few shared clusters, and the files a real overlay carries that the gates never read
// (Terraform sources, docs, scripts). The estate is clean: the gates report no blocker,
// so the benchmark measures the normal path rather than error rendering.
package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

// Spec sizes an estate.
type Spec struct {
	Overlays  int // number of overlay roots
	Workflows int // workflow files per overlay
	Clusters  int // clusters the overlays are spread over (estate checks group by cluster)
	// ExtraFiles are files per overlay the gates do not read (defaults to a realistic 27).
	ExtraFiles int
}

// Standard is the estate: 200 overlays × 20 workflows, about 10k files in all.
var Standard = Spec{Overlays: 200, Workflows: 20, Clusters: 8, ExtraFiles: len(extraFiles)}

// Scaled returns the spec with k times the overlays (same per-overlay shape).
func (s Spec) Scaled(k int) Spec { s.Overlays *= k; return s }

// Estate is a generated estate on disk.
type Estate struct {
	Dir   string
	Roots []string // overlay roots, sorted
	Files int      // every file written
	// GateFiles are the files the hermetic gates read: organization.yaml, MODULE.bazel,
	// the tfvars and the workflows of every overlay.
	GateFiles int
}

// Generate writes the estate into dir (which must exist and be empty). fixtures is the
// e2e/overlays directory whose base overlays supply the workflows.
func Generate(dir, fixtures string, spec Spec) (*Estate, error) {
	if spec.Overlays < 1 || spec.Workflows < 1 {
		return nil, fmt.Errorf("estate spec %+v: need at least one overlay and one workflow", spec)
	}
	if spec.Clusters < 1 {
		spec.Clusters = 1
	}
	orgFlows, err := readWorkflows(filepath.Join(fixtures, "tinyland-org"))
	if err != nil {
		return nil, err
	}
	personalFlows, err := readWorkflows(filepath.Join(fixtures, "jess-personal"))
	if err != nil {
		return nil, err
	}
	e := &Estate{Dir: dir}
	for i := 0; i < spec.Overlays; i++ {
		o := newOwner(i, spec.Clusters)
		root := filepath.Join(dir, o.Repo)
		e.Roots = append(e.Roots, root)
		files := map[string][]byte{
			"config/organization.yaml": render(orgTmpl, o),
			"MODULE.bazel":             render(moduleTmpl, o),
			"tofu/stacks/arc-runners/" + o.Owner + ".tfvars": render(tfvarsTmpl, o),
		}
		flows := orgFlows
		if o.Personal {
			flows = personalFlows
		}
		for w := 0; w < spec.Workflows; w++ {
			src := flows[w%len(flows)]
			stem := strings.TrimSuffix(strings.TrimSuffix(src.name, ".yml"), ".yaml")
			name := fmt.Sprintf(".github/workflows/%s-%02d%s", stem, w, filepath.Ext(src.name))
			files[name] = append([]byte(fmt.Sprintf("# %s, generated copy %d of the %s fixture's %s\n", o.Repo, w, o.Base(), src.name)), src.data...)
		}
		e.GateFiles += len(files)
		for k := 0; k < spec.ExtraFiles; k++ {
			x := extraFiles[k%len(extraFiles)]
			path := strings.ReplaceAll(x.path, "{{.Owner}}", o.Owner)
			if k >= len(extraFiles) {
				path = fmt.Sprintf("%s.%d", path, k/len(extraFiles))
			}
			files[path] = render(x.tmpl, o)
		}
		for rel, data := range files {
			p := filepath.Join(root, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return nil, err
			}
		}
		e.Files += len(files)
	}
	sort.Strings(e.Roots)
	return e, nil
}

type workflowFile struct {
	name string
	data []byte
}

func readWorkflows(base string) ([]workflowFile, error) {
	dir := filepath.Join(base, ".github", "workflows")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fixture workflows: %w", err)
	}
	var out []workflowFile
	for _, en := range entries {
		n := en.Name()
		if !strings.HasSuffix(n, ".yml") && !strings.HasSuffix(n, ".yaml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		out = append(out, workflowFile{n, data})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("fixture workflows: none in %s", dir)
	}
	return out, nil
}

// owner is one generated overlay's identity.
type owner struct {
	Owner     string // GitHub owner slug
	Repo      string // overlay repository name
	Personal  bool
	Cluster   string
	ConfigURL string
	Secret    string
	Pin       string
	NixMax    int
}

// Base names the fixture the overlay is shaped after.
func (o owner) Base() string {
	if o.Personal {
		return "jess-personal"
	}
	return "tinyland-org"
}

var clusterNames = []string{"honey", "sting", "hive", "comb", "drone", "nectar", "pollen", "wax"}

func newOwner(i, clusters int) owner {
	o := owner{
		Owner:    fmt.Sprintf("estate-org-%04d", i),
		Personal: i%5 == 4,
		Pin:      "637b7167c400a842cdc7af0709b2251c0542a48a",
		NixMax:   1 + i%6,
	}
	c := i % clusters
	o.Cluster = clusterNames[c%len(clusterNames)]
	if c >= len(clusterNames) {
		o.Cluster += fmt.Sprint(c / len(clusterNames))
	}
	if o.Personal {
		o.Owner = fmt.Sprintf("estateuser%04d", i)
	}
	o.Repo = o.Owner + "-infra"
	o.Secret = "github-app-secret-" + o.Owner
	o.ConfigURL = "https://github.com/" + o.Owner
	if o.Personal {
		o.ConfigURL += "/" + o.Repo // the personal repository registration anchor
	}
	return o
}

func render(t *template.Template, o owner) []byte {
	var b bytes.Buffer
	if err := t.Execute(&b, o); err != nil {
		panic(fmt.Sprintf("bench template %s: %v", t.Name(), err)) // templates are constants
	}
	return b.Bytes()
}

var orgTmpl = template.Must(template.New("organization.yaml").Parse(`# {{.Owner}} implementation overlay (estate benchmark, shaped after {{.Base}}).
owner:
  slug: {{.Owner}}
  account_kind: {{if .Personal}}personal{{else}}organization{{end}}
  repository: {{.Owner}}/{{.Repo}}
  github_config_url: {{.ConfigURL}}
  github_app_secret_name: {{.Secret}}

core:
  repository: tinyland-inc/GloriousFlywheel
  module_name: gloriousflywheel
  # Refresh together with MODULE.bazel (gfenroll pin <sha>).
  pinned_commit: {{.Pin}}

substrate:
  cluster:
    name: {{.Cluster}}
    context: {{.Cluster}}
  caches:
    attic_server: "http://attic.nix-cache.svc.cluster.local"
    attic_cache: main
    attic_public_key: "main:Vb5yOq0Zy3L2cQm1bQ8sKx4P7e1Yh9Wd3tXnA6uRf0c="
    bazel_cache_endpoint: grpc://bazel-cache.bazel-cache.svc.cluster.local:9092
{{if not .Personal}}
runner_contract:
  shared_labels: [tinyland-nix, tinyland-docker, tinyland-dind, tinyland-nix-heavy, tinyland-nix-kvm, tinyland-nix-gpu]
{{end}}
enrollment:
{{- if .Personal}}
  expected_warnings: [taxonomy/repo-registration-anchor]
{{- end}}
  credentials:
    preferred: [GF_CORE_DEPLOY_KEY]
    fallback: [GF_CORE_READ_TOKEN]
    info: [ATTIC_TOKEN]
`))

var moduleTmpl = template.Must(template.New("MODULE.bazel").Parse(`"""{{.Repo}}: implementation overlay (estate benchmark)."""

module(name = "{{.Owner}}_infra", version = "0.0.0")

bazel_dep(name = "bazel_skylib", version = "1.8.2")
bazel_dep(name = "rules_shell", version = "0.6.0")
bazel_dep(name = "gf_enrollment", version = "0.1.0", dev_dependency = True)

# GloriousFlywheel core: keep equal to core.pinned_commit in config/organization.yaml.
bazel_dep(name = "gloriousflywheel", version = "0.0.0")
git_override(
    module_name = "gloriousflywheel",
    remote = "git@github.com:tinyland-inc/GloriousFlywheel.git",
    commit = "{{.Pin}}",
)

nix_pkg = use_extension("@gloriousflywheel//bazel:extensions.bzl", "nix_pkg")
nix_pkg.package(name = "tofu", attribute_path = "opentofu")
use_repo(nix_pkg, "tofu")
`))

var tfvarsTmpl = template.Must(template.New("tfvars").Parse(`# {{.Owner}} ARC runner stack on {{.Cluster}} (estate benchmark).
# Scale-set names are owner registration identities; workflows use shared labels.

cluster_context      = "{{.Cluster}}"
github_config_url    = "{{.ConfigURL}}"
github_config_secret = "{{.Secret}}"

nix_runner_name           = "{{.Owner}}-nix"
nix_runner_scale_set_name = "{{.Owner}}-nix"
nix_max_runners           = {{.NixMax}}

docker_runner_name           = "{{.Owner}}-docker"
docker_runner_scale_set_name = "{{.Owner}}-docker"
deploy_docker_runner         = {{if .Personal}}false{{else}}true{{end}}
docker_max_runners           = 2

dind_runner_name           = "{{.Owner}}-dind"
dind_runner_scale_set_name = "{{.Owner}}-dind"
deploy_dind_runner         = {{if .Personal}}false{{else}}true{{end}}

attic_server         = "http://attic.nix-cache.svc.cluster.local"
attic_cache          = "main"
attic_public_key     = "main:Vb5yOq0Zy3L2cQm1bQ8sKx4P7e1Yh9Wd3tXnA6uRf0c="
bazel_cache_endpoint = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"

extra_runner_sets = {
  {{.Owner}}-nix-heavy = {
    github_config_url     = "{{.ConfigURL}}"
    github_config_secret  = "{{.Secret}}"
    runner_label          = "tinyland-nix-heavy"
    runner_scale_set_name = "{{.Owner}}-nix-heavy"
    runner_labels         = ["self-hosted", "linux", "nix", "tinyland-nix-heavy"]
    runner_type           = "nix"
    max_runners           = 1
    attic_server          = "http://attic.nix-cache.svc.cluster.local"
    bazel_cache_endpoint  = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"
  }
  "{{.Owner}}-nix-kvm" = {
    github_config_url     = "{{.ConfigURL}}"
    runner_label          = "tinyland-nix-kvm"
    runner_scale_set_name = "{{.Owner}}-nix-kvm"
    runner_labels         = ["self-hosted", "tinyland-nix-kvm"]
    max_runners           = 1
    attic_server          = "http://attic.nix-cache.svc.cluster.local"
    bazel_cache_endpoint  = "grpc://bazel-cache.bazel-cache.svc.cluster.local:9092"
  }
}
`))

// extraFiles are what a real overlay holds besides the gate inputs; loading must skip them.
var extraFiles = func() []struct {
	path string
	tmpl *template.Template
} {
	specs := []struct{ path, text string }{
		{"README.md", "# {{.Repo}}\n\nImplementation overlay of {{.Owner}} for GloriousFlywheel.\n"},
		{".bazelversion", "7.6.1\n"},
		{".bazelrc", "common --enable_bzlmod\nbuild:ci-cached --remote_cache=grpc://bazel-cache.bazel-cache.svc.cluster.local:9092\n"},
		{"BUILD.bazel", "# Root package of {{.Repo}}.\nexports_files([\"MODULE.bazel\"])\n"},
		{"enrollment/BUILD.bazel", "# Enrollment gates of {{.Owner}}.\n"},
		{"Justfile", "enrollment-preflight:\n    gfenroll preflight --overlay-root .\n"},
		{"flake.nix", "{\n  description = \"{{.Repo}}\";\n  outputs = { self, ... }: { };\n}\n"},
		{"flake.lock", "{\n  \"nodes\": {},\n  \"root\": \"root\",\n  \"version\": 7\n}\n"},
		{".gitignore", "bazel-*\n.terraform/\n*.tfstate*\n"},
		{".github/CODEOWNERS", "* @{{.Owner}}/platform\n"},
		{".github/dependabot.yml", "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: {interval: weekly}\n"},
		{".github/workflows/README.md", "Workflows of {{.Repo}} (not a workflow file).\n"},
		{"tofu/stacks/arc-runners/main.tf", "module \"arc\" {\n  source = \"../../modules/arc-runners\"\n}\n"},
		{"tofu/stacks/arc-runners/variables.tf", "variable \"cluster_context\" {\n  type = string\n}\n"},
		{"tofu/stacks/arc-runners/outputs.tf", "output \"scale_sets\" {\n  value = module.arc.scale_sets\n}\n"},
		{"tofu/stacks/arc-runners/backend.tf", "terraform {\n  backend \"s3\" {\n    key = \"{{.Owner}}/arc-runners.tfstate\"\n  }\n}\n"},
		{"tofu/stacks/arc-runners/README.md", "Stack variables: {{.Owner}}.tfvars\n"},
		{"tofu/stacks/attic/{{.Owner}}.tfvars", "attic_cache = \"main\"\n"},
		{"tofu/stacks/attic/main.tf", "module \"attic\" {\n  source = \"../../modules/attic\"\n}\n"},
		{"tofu/modules/README.md", "Local module overrides (none).\n"},
		{"docs/enrollment.md", "# Enrollment\n\nRun `just enrollment-preflight` before any plan.\n"},
		{"docs/runbook.md", "# Runbook\n\nALLOW_ARC_DESTROY=1 only in an agreed maintenance window.\n"},
		{"docs/state-rehome.md", "# State rehome\n\nRecorded decisions for adopted releases.\n"},
		{"scripts/plan.sh", "#!/usr/bin/env bash\nset -euo pipefail\ntofu -chdir=tofu/stacks/arc-runners plan\n"},
		{"scripts/apply.sh", "#!/usr/bin/env bash\nset -euo pipefail\ntofu -chdir=tofu/stacks/arc-runners apply\n"},
		{"config/organization.example.yaml", "owner:\n  slug: example\n"},
		{"config/README.md", "organization.yaml is read by the enrollment gates.\n"},
	}
	out := make([]struct {
		path string
		tmpl *template.Template
	}, len(specs))
	for i, s := range specs {
		out[i].path = s.path
		out[i].tmpl = template.Must(template.New(s.path).Parse(s.text))
	}
	return out
}()
