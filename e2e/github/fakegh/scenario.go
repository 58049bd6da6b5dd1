// Package fakegh is a loopback stand-in for the slice of the GitHub REST API the live
// preflight reads: repositories, Actions secret names, workflow runs and their jobs,
// commit refs, organization runner groups with their repositories, and organization GitHub
// App installations. It follows GitHub's documented JSON shapes, headers (x-ratelimit-*,
// x-github-request-id, Link pagination) and error bodies, injects faults per endpoint
// (status codes, latency, hangs, 429 + Retry-After, primary and secondary rate limits,
// truncated JSON) and records every request, so tests can prove the preflight only sends
// GETs and never leaks its token.
//
// It is a test double, not a GitHub emulator: only the read endpoints the preflight uses
// exist, and it requires a token on every request (GitHub allows anonymous reads of public
// repositories; the preflight never relies on that).
package fakegh

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Scenario is the state the server serves. It is read-only once the server runs (tests that
// need a different state start another server; they are cheap).
type Scenario struct {
	// Token is the only credential accepted (as "Bearer <token>" or "token <token>").
	// Empty means DefaultToken.
	Token string  `json:"token,omitempty"`
	Repos []*Repo `json:"repos"`
	// Orgs are organizations with runner groups (GET /orgs/{org}/actions/runner-groups) and
	// App installations (GET /orgs/{org}/installations).
	Orgs []*Org `json:"orgs,omitempty"`
	// Faults are armed when the server starts, after Options.Faults (scenario files for the
	// standalone server carry their faults here).
	Faults []Fault `json:"faults,omitempty"`
}

// DefaultToken is the token a Scenario accepts when it names none. It is deliberately
// distinctive so a leak check can grep for it.
const DefaultToken = "ghp_fakeghTOKENneverPrintMe0123456789ab"

// Repo is one repository.
type Repo struct {
	// FullName is "owner/name". Lookups are case-insensitive, as on GitHub.
	FullName string `json:"full_name"`
	// ID is the numeric repository id (default: derived from the name).
	ID            int64  `json:"id,omitempty"`
	DefaultBranch string `json:"default_branch,omitempty"` // default "main"
	Private       bool   `json:"private,omitempty"`
	// OwnerType is "Organization" or "User" (default "Organization").
	OwnerType string `json:"owner_type,omitempty"`
	// Secrets are Actions secret names (values never exist here either).
	Secrets []string `json:"secrets,omitempty"`
	// OrgSecrets are organization Actions secret names visible to the repository
	// (GET /repos/{o}/{r}/actions/organization-secrets). For a User-owned repository the
	// endpoint answers 404, as there are no organization secrets.
	OrgSecrets []string `json:"org_secrets,omitempty"`
	Runs       []*Run   `json:"runs,omitempty"`
	// Refs maps branch and tag names to commit SHAs for the commits endpoint. Any 40-hex
	// value in the map also resolves to itself.
	Refs map[string]string `json:"refs,omitempty"`
}

// Owner returns the owner login.
func (r *Repo) Owner() string { o, _, _ := strings.Cut(r.FullName, "/"); return o }

// Name returns the repository name.
func (r *Repo) Name() string { _, n, _ := strings.Cut(r.FullName, "/"); return n }

// Run is one workflow run.
type Run struct {
	ID int64 `json:"id"`
	// Name is the workflow name; Path its file (".github/workflows/validate.yml").
	Name string `json:"name"`
	Path string `json:"path"`
	// HeadBranch defaults to the repository's default branch.
	HeadBranch string `json:"head_branch,omitempty"`
	HeadSHA    string `json:"head_sha,omitempty"`
	Event      string `json:"event,omitempty"` // default "push"
	// Status: queued, in_progress, completed, waiting, requested, pending.
	Status string `json:"status"`
	// Conclusion: success, failure, cancelled, timed_out, startup_failure, ... ("" = null).
	Conclusion string `json:"conclusion,omitempty"`
	// Age is how long before the server's clock the run was created.
	Age Duration `json:"age"`
	// RerunAge, when set, makes the run a re-run (run_attempt 2) whose latest attempt
	// started that long ago (run_started_at), as GitHub resets it on a re-run.
	RerunAge Duration `json:"rerun_age,omitempty"`
	Jobs     []*Job   `json:"jobs,omitempty"`
}

// Job is one job of a run.
type Job struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Conclusion string   `json:"conclusion,omitempty"`
	Labels     []string `json:"labels"`
	// RunnerName and RunnerGroupName are null until a runner picked the job up.
	RunnerName      string `json:"runner_name,omitempty"`
	RunnerGroupName string `json:"runner_group_name,omitempty"`
}

// Duration is a time.Duration written as "15m" in scenario JSON files.
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

// LoadScenario decodes a scenario JSON document (the standalone server's input).
func LoadScenario(data []byte) (*Scenario, error) {
	var sc Scenario
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	for i, r := range sc.Repos {
		if _, _, ok := strings.Cut(r.FullName, "/"); !ok {
			return nil, fmt.Errorf("scenario: repos[%d].full_name %q is not owner/name", i, r.FullName)
		}
	}
	return &sc, nil
}

func (sc *Scenario) token() string {
	if sc.Token == "" {
		return DefaultToken
	}
	return sc.Token
}

func (sc *Scenario) repo(owner, name string) *Repo {
	want := strings.ToLower(owner + "/" + name)
	for _, r := range sc.Repos {
		if strings.ToLower(r.FullName) == want {
			return r
		}
	}
	return nil
}

func (r *Repo) defaultBranch() string {
	if r.DefaultBranch == "" {
		return "main"
	}
	return r.DefaultBranch
}

func (r *Repo) ownerType() string {
	if r.OwnerType == "" {
		return "Organization"
	}
	return r.OwnerType
}
