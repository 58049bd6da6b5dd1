package overlay

import (
	"gopkg.in/yaml.v3"
)

// OrgFile is where every overlay keeps its organization config.
const OrgFile = "config/organization.yaml"

// ParseOrg parses config/organization.yaml. rel is the root-relative path used in
// positions. The result is nil only when the file is not usable YAML at all; with type
// errors it still carries every value that could be read.
func ParseOrg(rel string, data []byte) (*OrgConfig, InputErrors) {
	doc, errs := readYAML(rel, data)
	if doc == nil {
		return nil, errs
	}
	org := &OrgConfig{File: rel}
	root := doc.root
	if root.Kind != yaml.MappingNode {
		doc.typeError(root, "organization.yaml", "a mapping of sections (owner:, core:, substrate:, ...)", root)
		root = nil // read on as if empty, so every value is unset with a position
	}
	file := doc.src.filePos()

	owner, at := doc.block(root, file, "owner", "owner")
	o := &org.Owner
	o.Pos = at
	o.Slug = doc.str(owner, at, "slug", "owner.slug")
	o.AccountKind = doc.str(owner, at, "account_kind", "owner.account_kind")
	o.Repository = doc.str(owner, at, "repository", "owner.repository")
	o.RepositoryID = doc.str(owner, at, "repository_id", "owner.repository_id")
	o.GithubConfigURL = doc.str(owner, at, "github_config_url", "owner.github_config_url")
	o.GithubAppSecretName = doc.str(owner, at, "github_app_secret_name", "owner.github_app_secret_name")

	core, at := doc.block(root, file, "core", "core")
	c := &org.Core
	c.Pos = at
	c.Repository = doc.str(core, at, "repository", "core.repository")
	c.ModuleName = doc.str(core, at, "module_name", "core.module_name")
	c.PinnedCommit = doc.str(core, at, "pinned_commit", "core.pinned_commit")

	substrate, subAt := doc.block(root, file, "substrate", "substrate")
	cluster, at := doc.block(substrate, subAt, "cluster", "substrate.cluster")
	org.Cluster.Pos = at
	org.Cluster.Name = doc.str(cluster, at, "name", "substrate.cluster.name")
	org.Cluster.Context = doc.str(cluster, at, "context", "substrate.cluster.context")

	caches, at := doc.block(substrate, subAt, "caches", "substrate.caches")
	k := &org.Caches
	k.Pos = at
	k.AtticServer = doc.str(caches, at, "attic_server", "substrate.caches.attic_server")
	k.AtticCache = doc.str(caches, at, "attic_cache", "substrate.caches.attic_cache")
	k.AtticPublicKey = doc.str(caches, at, "attic_public_key", "substrate.caches.attic_public_key")
	k.BazelCacheEndpoint = doc.str(caches, at, "bazel_cache_endpoint", "substrate.caches.bazel_cache_endpoint")

	contract, at := doc.block(root, file, "runner_contract", "runner_contract")
	org.SharedLabels = doc.strList(contract, at, "shared_labels", "runner_contract.shared_labels")
	org.RunnerGroup = doc.runnerGroup(contract, at)

	enroll, at := doc.block(root, file, "enrollment", "enrollment")
	e := &org.Enrollment
	enrollAt := at
	e.ExpectedWarnings = doc.strList(enroll, at, "expected_warnings", "enrollment.expected_warnings")
	e.AllowRepoRegistrationAnchor = doc.boolean(enroll, at, "allow_repo_registration_anchor", "enrollment.allow_repo_registration_anchor")
	e.ValidationWorkflows = doc.strList(enroll, at, "validation_workflows", "enrollment.validation_workflows")
	e.CacheExemptSets = doc.strList(enroll, at, "cache_exempt_sets", "enrollment.cache_exempt_sets")
	creds, at := doc.block(enroll, at, "credentials", "enrollment.credentials")
	e.PreferredCredentials = doc.strList(creds, at, "preferred", "enrollment.credentials.preferred")
	e.FallbackCredentials = doc.strList(creds, at, "fallback", "enrollment.credentials.fallback")
	e.InfoSecrets = doc.strList(creds, at, "info", "enrollment.credentials.info")
	e.RetiredCredentials = doc.strList(creds, at, "retired", "enrollment.credentials.retired")
	e.CheckoutCredentials = doc.strList(creds, at, "checkout", "enrollment.credentials.checkout")
	e.CoreRefEnv = doc.strList(enroll, enrollAt, "core_ref_env", "enrollment.core_ref_env")
	e.AuthorityPins = authorityPins(doc, enroll)

	return org, doc.errs.Sorted()
}

// authorityPins reads enrollment.authority_pins: a list of {commit, workflows, reason}.
func authorityPins(doc *yamlDoc, enroll *yaml.Node) []AuthorityPin {
	var out []AuthorityPin
	doc.mappingList(enroll, "authority_pins", "enrollment.authority_pins", "a list of {commit, workflows, reason} entries", "a mapping with commit:, workflows: and reason:",
		func(item, m *yaml.Node, ip string) {
			at := doc.pos(item)
			out = append(out, AuthorityPin{
				Commit:    doc.str(m, at, "commit", ip+".commit"),
				Workflows: doc.strList(m, at, "workflows", ip+".workflows"),
				Reason:    doc.str(m, at, "reason", ip+".reason"),
				Pos:       at,
			})
		})
	return out
}
