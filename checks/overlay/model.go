// Package overlay loads an implementation overlay's files into a typed model in which every
// value keeps the file, line and column it came from, so gates can point at the exact place.
//
// Loading is separate from judging: the loader reports only input that cannot be used
// (syntax errors, wrong types, unreadable files) as *InputError; everything semantic is a
// gate's business. Unknown keys are tolerated so overlays can carry more than we read.
package overlay

import (
	"sort"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
)

// Pos is a position relative to the overlay root.
type Pos = finding.Position

// String is a scalar read from a file. Set is false when the key was absent (then Pos is
// the position of the enclosing block, or of the file when there is none).
type String struct {
	Value string
	Pos   Pos
	Set   bool
}

// Bool is a boolean read from a file.
type Bool struct {
	Value bool
	Pos   Pos
	Set   bool
}

// Int is an integer read from a file.
type Int struct {
	Value int64
	Pos   Pos
	Set   bool
}

// StringList is a list of strings read from a file.
type StringList struct {
	Values []String
	Pos    Pos
	Set    bool
}

// Strings returns the plain values.
func (l StringList) Strings() []string {
	out := make([]string, len(l.Values))
	for i, v := range l.Values {
		out[i] = v.Value
	}
	return out
}

// Overlay is everything the gates read from one overlay root.
type Overlay struct {
	// Root is the overlay directory as given by the user (used only to open files; never
	// printed in reports, which use root-relative paths).
	Root string
	// Org is config/organization.yaml.
	Org *OrgConfig
	// Module is MODULE.bazel (nil when the overlay has none; the pins gate reports that).
	Module *ModuleFile
	// Tfvars are the ARC runner stack variable files, in the order given/discovered.
	Tfvars []*Tfvars
	// Workflows are .github/workflows/*.yml|*.yaml, sorted by path.
	Workflows []*Workflow
}

// OrgConfig is config/organization.yaml.
type OrgConfig struct {
	File  string // root-relative path
	Owner struct {
		Slug        String
		AccountKind String // organization | personal
		Repository  String // owner/name of the overlay repo
		// RepositoryID is the overlay repository's numeric GitHub id (optional; lets the
		// admission gate recognise the overlay on its own runner-group roster).
		RepositoryID        String
		GithubConfigURL     String
		GithubAppSecretName String
		Pos                 Pos
	}
	Core struct {
		Repository   String // e.g. tinyland-inc/GloriousFlywheel
		ModuleName   String // Bazel module name of the core
		PinnedCommit String
		Pos          Pos
	}
	Cluster struct {
		Name    String
		Context String
		Pos     Pos
	}
	Caches struct {
		AtticServer        String
		AtticCache         String
		AtticPublicKey     String
		BazelCacheEndpoint String
		Pos                Pos
	}
	// SharedLabels is runner_contract.shared_labels (Set=false: use the core's six).
	SharedLabels StringList
	// RunnerGroup is runner_contract.runner_group: the GitHub runner group that admits
	// repositories to the overlay's scale sets.
	RunnerGroup RunnerGroupDecl
	// Enrollment holds optional per-overlay gate configuration (key `enrollment:`).
	Enrollment EnrollmentConfig
}

// EnrollmentConfig is the optional `enrollment:` block of organization.yaml: the overlay's
// own statement of what the gates should expect of it.
type EnrollmentConfig struct {
	// ExpectedWarnings are rule ids whose warnings are expected (`expected_warnings`).
	ExpectedWarnings StringList
	// AllowRepoRegistrationAnchor opts the overlay into repo-scoped github_config_url
	// (`allow_repo_registration_anchor`).
	AllowRepoRegistrationAnchor Bool
	// Credential policy (`credentials: {preferred: [...], fallback: [...], info: [...]}`):
	// which Actions secret names count. Unset lists mean the defaults (github.DefaultPreferred, ...).
	PreferredCredentials StringList
	FallbackCredentials  StringList
	InfoSecrets          StringList
	// ValidationWorkflows names workflow files whose default-branch runs prove enrollment
	// (`validation_workflows`); empty = every workflow that runs on a shared label.
	ValidationWorkflows StringList
	// RetiredCredentials (`credentials.retired`) are secret names the overlay no longer
	// uses: never demanded or counted by the preflight, blockers where a workflow uses them.
	RetiredCredentials StringList
	// CheckoutCredentials (`credentials.checkout`) are credentials, beyond the declared
	// preferred/fallback ones, that trusted jobs may hand to actions/checkout.
	CheckoutCredentials StringList
	// CoreRefEnv (`core_ref_env`) are env names, besides GF_CORE_REF, that carry the core
	// commit in workflows.
	CoreRefEnv StringList
	// AuthorityPins (`authority_pins`) are deliberate second core pins of named workflows.
	AuthorityPins []AuthorityPin
	// CacheExemptSets are extra_runner_sets keys that deliberately run without the caches
	// their runner type would be wired to (`cache_exempt_sets`), e.g. a lane that must build
	// from scratch. An executor endpoint without a cache endpoint is never exempt.
	CacheExemptSets StringList
}

// AuthorityPin is one `enrollment.authority_pins` entry: workflows that deliberately run
// another core commit than the overlay's pin (a deploy held on the commit that owns some
// state), with the reason an operator gave.
type AuthorityPin struct {
	Commit    String
	Workflows StringList // file names (deploy.yml) or paths (.github/workflows/deploy.yml)
	Reason    String
	Pos       Pos // the entry
}

// ModuleFile is MODULE.bazel.
type ModuleFile struct {
	File      string
	Deps      []BazelDep
	Overrides []Override
	// Includes are the include("//path:file.MODULE.bazel") labels of this file, as written.
	// Load follows them and appends their deps and overrides here (positions keep the
	// included file's path), because Bazel evaluates them as part of the root module.
	Includes []String
}

// BazelDep is one bazel_dep(...) call.
type BazelDep struct {
	Name     String
	Version  String
	RepoName String
	Pos      Pos // the call
}

// Override is one *_override(...) call naming a module.
type Override struct {
	Kind       string // git_override | archive_override | local_path_override | single_version_override | ...
	ModuleName String
	Remote     String
	Commit     String
	Tag        String
	Branch     String
	URLs       StringList // archive_override urls/url
	Path       String     // local_path_override path
	Pos        Pos        // the call
}

// LaneKinds are the core's built-in runner lanes, in declaration order.
var LaneKinds = []string{"nix", "docker", "dind"}

// Tfvars is one ARC runner stack variable file (tofu/stacks/arc-runners/<owner>.tfvars).
type Tfvars struct {
	File                  string
	GithubConfigURL       String
	GithubConfigSecret    String
	ClusterContext        String
	ControllerNamespace   String // default arc-systems (Set=false when defaulted)
	RunnerNamespace       String // default arc-runners
	AtticServer           String
	AtticCache            String
	AtticPublicKey        String
	BazelCacheEndpoint    String
	BazelExecutorEndpoint String
	// RunnerGroup is the GitHub runner group every scale set of the stack joins unless a set
	// names its own (`runner_group`; Set=false: the core's default, GitHub's Default group).
	RunnerGroup String
	// RunnerGroupPolicy is the admission policy the stack declares for its runner group
	// (`runner_group_policy`).
	RunnerGroupPolicy String
	// Lanes are the built-in nix/docker/dind lanes, always three, in LaneKinds order.
	Lanes []Lane
	// ExtraRunnerSets are extra_runner_sets entries in file order.
	ExtraRunnerSets []RunnerSet
}

// Lane is a built-in lane: <kind>_runner_name, <kind>_runner_scale_set_name,
// deploy_<kind>_runner (nix defaults to deployed, docker/dind to not deployed unless set),
// and optional <kind>_min_runners / <kind>_max_runners. Its workflow label is "tinyland-<kind>".
type Lane struct {
	Kind         string
	RunnerName   String
	ScaleSetName String
	Deploy       Bool
	MinRunners   Int
	MaxRunners   Int
}

// Label is the built-in lane's workflow-facing label.
func (l Lane) Label() string { return "tinyland-" + l.Kind }

// Deployed reports whether the lane is deployed, applying the defaults.
func (l Lane) Deployed() bool {
	if l.Deploy.Set {
		return l.Deploy.Value
	}
	return l.Kind == "nix"
}

// RunnerSet is one extra_runner_sets entry.
type RunnerSet struct {
	Key                   String // the map key
	GithubConfigURL       String
	GithubConfigSecret    String
	RunnerLabel           String
	RunnerScaleSetName    String
	RunnerLabels          StringList
	RunnerType            String
	RunnerGroup           String // the set's own runner group (Set=false: the stack's)
	MinRunners            Int
	MaxRunners            Int
	AtticServer           String
	BazelCacheEndpoint    String
	BazelExecutorEndpoint String
	Pos                   Pos // the entry
}

// Workflow is one GitHub Actions workflow file.
type Workflow struct {
	File string
	Name String
	// On lists the triggering events (names as written: push, pull_request, ...).
	On []Event
	// Permissions at workflow level (nil when absent).
	Permissions *Permissions
	// OnPos is where on: is (the place a workflow-level permissions: block belongs next to).
	OnPos Pos
	// Env is the workflow-level env map.
	Env map[string]String
	// SecretRefs are the secrets references in the workflow-level env. They reach every job
	// that runs steps (not reusable-workflow calls); they are kept here once rather than
	// copied into each Job.SecretRefs, which would grow as jobs × references.
	SecretRefs []SecretRef
	Jobs       []*Job
}

// Event is one trigger.
type Event struct {
	Name String
}

// Permissions is a `permissions:` value: either a shorthand (read-all, write-all, {}) or a map.
type Permissions struct {
	Shorthand String            // "read-all" | "write-all" | "" when a map
	Scopes    map[string]String // scope -> read|write|none
	Pos       Pos
}

// Job is one jobs.<id> entry.
type Job struct {
	ID          String
	Name        String
	RunsOn      RunsOn
	If          String
	Environment String // name (or the raw value's position when a map)
	Permissions *Permissions
	// Matrix is strategy.matrix: axis name -> values (as strings), plus include rows.
	Matrix *Matrix
	// SecretRefs are the positions of every `secrets.*` / `secrets[...]` reference in the job
	// (steps, env, with, if), with the secret name when it is static.
	SecretRefs []SecretRef
	// Uses is set for reusable-workflow jobs (jobs.<id>.uses); `secrets: inherit` counts as a
	// secret reference.
	Uses String
	// Needs are the job ids of needs:, as written.
	Needs []String
	Env   map[string]String
	Steps []Step
	Pos   Pos
}

// RunsOn is jobs.<id>.runs-on in any of its forms.
type RunsOn struct {
	// Labels are literal labels (string, list items, or {labels: ...}); expressions are kept
	// verbatim here and expanded by the workflows gate.
	Labels []String
	Group  String
	Pos    Pos
	Set    bool
}

// Matrix is strategy.matrix.
type Matrix struct {
	Axes    map[string][]String
	Include []map[string]String
	Exclude []map[string]String
	// Expr is set when the whole matrix (or an axis) is an expression (fromJSON(...)), which
	// cannot be expanded hermetically.
	Expr String
	Pos  Pos
}

// SecretRef is one reference to the secrets context.
type SecretRef struct {
	Name string // "" when dynamic
	Pos  Pos
}

// Step is one steps[] entry (only what the gates read).
type Step struct {
	Name String
	Uses String
	With map[string]String
	Env  map[string]String
	Run  Script
	Pos  Pos
}

// Script is a run: value that can point at any place inside it.
type Script struct {
	Value string
	Pos   Pos
	Set   bool
	src   *source
	spans []scriptSpan // value offset -> file offset, per verified line; nil: use Pos
}

type scriptSpan struct{ val, file int }

// At returns the file position of byte offset off of Value: exact for single-line and
// literal block (|) scripts, whose text appears verbatim in the file; the script's own
// position otherwise (folded or escaped text).
func (s Script) At(off int) Pos {
	if s.src == nil || len(s.spans) == 0 || off < 0 || off > len(s.Value) {
		return s.Pos
	}
	i := sort.Search(len(s.spans), func(i int) bool { return s.spans[i].val > off }) - 1
	if i < 0 {
		return s.Pos
	}
	return s.src.atOffset(s.spans[i].file + off - s.spans[i].val)
}
