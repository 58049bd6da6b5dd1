package taxonomy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/finding"
	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

func TestCheckEstate(t *testing.T) {
	const (
		tinyRoot = "e2e/overlays/tinyland-org"
		jessRoot = "e2e/overlays/jess-personal"
	)
	cases := []struct {
		name   string
		mutate func(tiny, jess *overlay.Overlay)
		want   []string
		tables int
		msg    string
	}{
		{
			name: "two overlays on honey share two labels",
			want: []string{
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":45:29",
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":16:29",
			},
			tables: 1,
			msg:    "not a global cap",
		},
		{
			name: "jess keeps the core default nix names: scale set and release collide",
			mutate: func(tiny, jess *overlay.Overlay) {
				tiny.Tfvars[0].Lanes[0].RunnerName = overlay.String{}
				jess.Tfvars[0].Lanes[0].RunnerName = overlay.String{}
				jess.Tfvars[0].Lanes[0].ScaleSetName = overlay.String{}
			},
			want: []string{
				"blocker taxonomy/estate-scale-set-collision @" + jessRoot + "/" + jessTV + ":14:29",
				"blocker taxonomy/estate-scale-set-collision @" + jessRoot + "/" + jessTV + ":14:29",
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":45:29",
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":16:29",
			},
			tables: 1,
			msg:    `scale-set name "tinyland-nix" in namespace arc-runners on cluster honey is used by both overlay ` + tinyRoot,
		},
		{
			name: "extra set name collides with another overlay's extra set",
			mutate: func(tiny, jess *overlay.Overlay) {
				set0(jess).RunnerScaleSetName.Value = "tinyland-nix-heavy"
			},
			want: []string{
				"blocker taxonomy/estate-scale-set-collision @" + jessRoot + "/" + jessTV + ":35:29",
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":45:29",
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":16:29",
			},
			tables: 1,
		},
		{
			name: "different runner namespaces do not collide",
			mutate: func(_, jess *overlay.Overlay) {
				jess.Tfvars[0].Lanes[0].RunnerName = overlay.String{}
				jess.Tfvars[0].Lanes[0].ScaleSetName = overlay.String{}
				jess.Tfvars[0].RunnerNamespace = str("arc-runners-jess", at(jessTV, 4, 25))
			},
			want: []string{
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":45:29",
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":16:29",
			},
			tables: 1,
		},
		{
			name: "different clusters are separate",
			mutate: func(_, jess *overlay.Overlay) {
				jess.Org.Cluster.Name.Value = "sting"
				jess.Tfvars[0].Lanes[0].ScaleSetName = overlay.String{}
			},
			tables: 2,
		},
		{
			name: "cluster falls back to cluster_context",
			mutate: func(_, jess *overlay.Overlay) {
				jess.Org.Cluster.Name = overlay.String{}
			},
			want: []string{
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":45:29",
				"info taxonomy/estate-shared-capacity @" + tinyRoot + "/" + tinyTV + ":16:29",
			},
			tables: 1,
		},
		{
			name: "an overlay without a cluster is left out, with a note",
			mutate: func(_, jess *overlay.Overlay) {
				jess.Org.Cluster.Name = overlay.String{}
				jess.Tfvars[0].ClusterContext = overlay.String{}
			},
			want:   []string{"info taxonomy/estate-shared-capacity @" + jessRoot + "/" + orgF},
			tables: 1,
			msg:    "left out",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tiny, jess := tinyland(), jess()
			if c.mutate != nil {
				c.mutate(tiny, jess)
			}
			r := CheckEstate([]*overlay.Overlay{tiny, jess, tiny /* given twice: counted once */})
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			got, want := findings(r), sorted(c.want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("findings:%s\nwant:%s\nmessages:%s", joined(got), joined(want), joined(messages(r)))
			}
			if len(r.Tables) != c.tables {
				t.Fatalf("tables = %d, want %d", len(r.Tables), c.tables)
			}
			if c.msg != "" && !strings.Contains(strings.Join(messages(r), "\n"), c.msg) {
				t.Errorf("no finding mentions %q:%s", c.msg, joined(messages(r)))
			}
		})
	}
}

func TestEstateCapacityTable(t *testing.T) {
	tiny, jess := tinyland(), jess()
	tiny.Tfvars[0].Lanes[1].MaxRunners = overlay.Int{} // docker at the core default
	r := CheckEstate([]*overlay.Overlay{tiny, jess})
	if len(r.Tables) != 1 {
		t.Fatalf("tables %d", len(r.Tables))
	}
	tb := r.Tables[0]
	if !strings.Contains(tb.Title, "honey") || !strings.Contains(tb.Title, "not a global cap") {
		t.Errorf("title %q", tb.Title)
	}
	want := [][]string{
		{"tinyland-dind", "1", "e2e/overlays/tinyland-org: tinyland-dind (2)", "2"},
		{"tinyland-docker", "1", "e2e/overlays/tinyland-org: tinyland-docker (core default)", "1 set(s) at the core default"},
		{"tinyland-nix", "2", "e2e/overlays/tinyland-org: tinyland-nix (6); e2e/overlays/tinyland-org: tinyland-nix-compute-expansion (1); e2e/overlays/jess-personal: jesssullivan-nix (2)", "9"},
		{"tinyland-nix-heavy", "2", "e2e/overlays/tinyland-org: tinyland-nix-heavy (2); e2e/overlays/jess-personal: tinyland-nix-heavy-compute-expansion (1)", "3"},
		{"tinyland-nix-kvm", "1", "e2e/overlays/tinyland-org: tinyland-nix-kvm (1)", "1"},
	}
	if len(tb.Rows) != len(want) {
		t.Fatalf("rows %q", tb.Rows)
	}
	for i := range want {
		if strings.Join(tb.Rows[i], " | ") != strings.Join(want[i], " | ") {
			t.Errorf("row %d:\n got %q\nwant %q", i, tb.Rows[i], want[i])
		}
	}
	for _, f := range r.Findings {
		if f.Severity != finding.Info {
			t.Errorf("unexpected %s", f.Rule)
		}
	}
}

func TestEstateCollisionNamesBothFiles(t *testing.T) {
	tiny, jess := tinyland(), jess()
	jess.Tfvars[0].Lanes[0].ScaleSetName.Value = "tinyland-nix"
	r := CheckEstate([]*overlay.Overlay{tiny, jess})
	n := 0
	for _, f := range r.Findings {
		if f.Rule != RuleEstateCollision {
			continue
		}
		n++
		for _, want := range []string{
			"nix_runner_scale_set_name in e2e/overlays/tinyland-org/" + tinyTV,
			"nix_runner_scale_set_name in e2e/overlays/jess-personal/" + jessTV,
		} {
			if !strings.Contains(f.NextAction, want) {
				t.Errorf("next action lacks %q: %s", want, f.NextAction)
			}
		}
		if f.File != "e2e/overlays/jess-personal/"+jessTV || f.Line != 13 {
			t.Errorf("position %s, want the second overlay's value", f.Position)
		}
	}
	if n != 1 {
		t.Fatalf("%d collisions, want 1 (release names differ)", n)
	}
}

func TestEstateMessagesStayShortOnLargeEstates(t *testing.T) {
	r := CheckEstate(syntheticEstate(40)) // 10 overlays per cluster
	// Each overlay serves tinyland-nix twice (lane + one extra set), the others once.
	want := map[string]int{"tinyland-nix": 20, "tinyland-nix-heavy": 10, "tinyland-docker": 10, "tinyland-nix-kvm": 10, "tinyland-dind": 10}
	for _, tb := range r.Tables {
		for _, row := range tb.Rows {
			if n := strings.Count(row[2], "; ") + 1; n != want[row[0]] {
				t.Errorf("table row %s lists %d sets, want all %d", row[0], n, want[row[0]])
			}
		}
	}
	n := 0
	for _, f := range r.Findings {
		if f.Rule != RuleEstateSharedCapacity {
			continue
		}
		n++
		label := strings.Fields(strings.TrimPrefix(f.Message, "shared label "))[0]
		if more := fmt.Sprintf("; and %d more in the capacity table)", want[label]-maxListed); !strings.Contains(f.Message, more) {
			t.Errorf("message should name %d sets and count the rest (%q): %s", maxListed, more, f.Message)
		}
	}
	if n != 4*len(want) {
		t.Errorf("%d capacity notes, want one per label per cluster (%d)", n, 4*len(want))
	}
}
