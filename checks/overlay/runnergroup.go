package overlay

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// RunnerGroupDecl is runner_contract.runner_group of organization.yaml: the GitHub runner
// group that decides which repositories may be assigned jobs of the overlay's scale sets.
//
// Unlike the rest of the file, a wrong type here is not an input error: a malformed
// admission declaration is an enrollment blocker (the admission gate reports every entry
// of Problems with its position), so the gate can still judge what is well-formed.
type RunnerGroupDecl struct {
	// Set is true when the block is present (Pos is its key); else Pos is runner_contract's.
	Set  bool
	Pos  Pos
	Name String
	// Visibility is selected | all | private, as written.
	Visibility               String
	AllowsPublicRepositories Bool
	RestrictedToWorkflows    Bool
	SelectedWorkflows        StringList
	// SelectedRepositoryIDs is the roster (selected_repository_ids), in file order.
	SelectedRepositoryIDs []Int
	// RosterPos is the position of selected_repository_ids (of the block when absent);
	// RosterSet tells whether the key is given.
	RosterPos Pos
	RosterSet bool
	// Rulings are the free-form keys ending in _ruling: an operator's recorded decision for
	// an unusual admission, in file order.
	Rulings []Ruling
	// Problems are what makes the declaration malformed, in file order.
	Problems []DeclProblem
}

// Ruling is one *_ruling field.
type Ruling struct {
	Key   string
	Value String
}

// DeclProblem is one defect of a declaration; Key is the dotted key to edit.
type DeclProblem struct {
	Pos Pos
	Key string
	Msg string
}

// RunnerGroupVisibilities are the visibilities GitHub knows for an organization runner
// group.
var RunnerGroupVisibilities = []string{"selected", "all", "private"}

const runnerGroupPath = "runner_contract.runner_group"

// runnerGroup reads runner_contract.runner_group from the runner_contract mapping (nil when
// absent); at is the position of runner_contract.
func (d *yamlDoc) runnerGroup(contract *yaml.Node, at Pos) RunnerGroupDecl {
	rg := RunnerGroupDecl{Pos: at, RosterPos: at}
	f := d.lookup(contract, "runner_group")
	if f.key == nil {
		return rg
	}
	rg.Set, rg.Pos, rg.RosterPos = true, d.pos(f.key), d.pos(f.key)
	// Absent values point at the block.
	rg.Name.Pos, rg.Visibility.Pos, rg.SelectedWorkflows.Pos = rg.Pos, rg.Pos, rg.Pos
	rg.AllowsPublicRepositories.Pos, rg.RestrictedToWorkflows.Pos = rg.Pos, rg.Pos
	problem := func(n *yaml.Node, key, format string, args ...any) {
		rg.Problems = append(rg.Problems, DeclProblem{Pos: d.pos(n), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	m := f.val
	if m == nil || m.Kind != yaml.MappingNode {
		problem(f.use, runnerGroupPath, "%s must be a mapping (name:, visibility:, ...), got %s", runnerGroupPath, describe(m))
		return rg
	}
	// required reports an absent or null required key at the block.
	required := func(key string) *field {
		v := d.lookup(m, key)
		if v.key == nil || isNull(v.val) {
			problem(f.key, runnerGroupPath+"."+key, "%s has no %s", runnerGroupPath, key)
			return nil
		}
		return &v
	}
	scalarString := func(v *field, key string) String {
		if v == nil {
			return String{Pos: rg.Pos}
		}
		if v.val.Kind != yaml.ScalarNode || v.val.Tag != "!!str" {
			problem(v.use, runnerGroupPath+"."+key, "%s.%s must be a string, got %s", runnerGroupPath, key, describe(v.val))
			return String{Pos: d.pos(v.use)}
		}
		return String{Value: v.val.Value, Pos: d.pos(v.use), Set: true}
	}
	boolean := func(v *field, key string) Bool {
		if v == nil {
			return Bool{Pos: rg.Pos}
		}
		var b bool
		if v.val.Kind != yaml.ScalarNode || v.val.Tag != "!!bool" || v.val.Decode(&b) != nil {
			problem(v.use, runnerGroupPath+"."+key, "%s.%s must be a YAML boolean (true or false, unquoted), got %s", runnerGroupPath, key, describe(v.val))
			return Bool{Pos: d.pos(v.use)}
		}
		return Bool{Value: b, Pos: d.pos(v.use), Set: true}
	}

	rg.Name = scalarString(required("name"), "name")
	if rg.Name.Set && strings.TrimSpace(rg.Name.Value) == "" {
		problem(d.lookup(m, "name").use, runnerGroupPath+".name", "%s.name is empty", runnerGroupPath)
		rg.Name.Set = false
	}
	rg.Visibility = scalarString(required("visibility"), "visibility")
	if rg.Visibility.Set && !slices.Contains(RunnerGroupVisibilities, rg.Visibility.Value) {
		problem(d.lookup(m, "visibility").use, runnerGroupPath+".visibility", "%s.visibility is %q; GitHub knows %s",
			runnerGroupPath, rg.Visibility.Value, strings.Join(RunnerGroupVisibilities, ", "))
	}
	rg.AllowsPublicRepositories = boolean(required("allows_public_repositories"), "allows_public_repositories")
	rg.RestrictedToWorkflows = boolean(required("restricted_to_workflows"), "restricted_to_workflows")

	if v := d.lookup(m, "selected_workflows"); v.key != nil && !isNull(v.val) {
		key := runnerGroupPath + ".selected_workflows"
		rg.SelectedWorkflows = StringList{Pos: d.pos(v.use), Set: true}
		if v.val.Kind != yaml.SequenceNode {
			problem(v.use, key, "%s must be a list of workflow refs, got %s", key, describe(v.val))
		} else {
			for i, item := range v.val.Content {
				w := d.resolve(item)
				if w == nil || w.Kind != yaml.ScalarNode || w.Tag != "!!str" || w.Value == "" {
					problem(item, key, "%s[%d] must be a workflow ref (owner/repo/.github/workflows/file.yml@ref), got %s", key, i, describe(w))
					continue
				}
				rg.SelectedWorkflows.Values = append(rg.SelectedWorkflows.Values, String{Value: w.Value, Pos: d.pos(item), Set: true})
			}
		}
	}

	if v := d.lookup(m, "selected_repository_ids"); v.key != nil {
		key := runnerGroupPath + ".selected_repository_ids"
		rg.RosterPos, rg.RosterSet = d.pos(v.use), true
		switch {
		case isNull(v.val):
		case v.val.Kind != yaml.SequenceNode:
			problem(v.use, key, "%s must be a list of numeric repository ids, got %s", key, describe(v.val))
		default:
			seen := map[int64]int{}
			for i, item := range v.val.Content {
				n := d.resolve(item)
				id, err := int64(0), error(nil)
				if n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
					id, err = strconv.ParseInt(n.Value, 10, 64)
				}
				if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || id <= 0 {
					problem(item, key, "%s[%d] must be a positive numeric repository id (unquoted), got %s", key, i, describe(n))
					continue
				}
				if first, dup := seen[id]; dup {
					problem(item, key, "%s[%d] repeats repository id %d (first at index %d)", key, i, id, first)
					continue
				}
				seen[id] = i
				rg.SelectedRepositoryIDs = append(rg.SelectedRepositoryIDs, Int{Value: id, Pos: d.pos(item), Set: true})
			}
		}
	}

	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || !strings.HasSuffix(k.Value, "_ruling") {
			continue
		}
		val := d.resolve(v)
		if val == nil || val.Kind != yaml.ScalarNode || isNull(val) || strings.TrimSpace(val.Value) == "" {
			problem(v, runnerGroupPath+"."+k.Value, "%s.%s must be a non-empty text recording the decision, got %s", runnerGroupPath, k.Value, describe(val))
			continue
		}
		rg.Rulings = append(rg.Rulings, Ruling{Key: k.Value, Value: String{Value: val.Value, Pos: d.pos(v), Set: true}})
	}
	return rg
}
