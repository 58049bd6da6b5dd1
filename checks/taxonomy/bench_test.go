package taxonomy

import (
	"context"
	"fmt"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

// syntheticEstate builds n overlays on 4 clusters, each with owner-distinct lane names and
// 5 extra runner sets serving shared labels: the shape of a large estate, without I/O.
func syntheticEstate(n int) []*overlay.Overlay {
	out := make([]*overlay.Overlay, 0, n)
	heavy := []string{"tinyland-nix", "tinyland-nix-heavy", "tinyland-docker", "tinyland-nix-kvm", "tinyland-dind"}
	for i := 0; i < n; i++ {
		o := jess()
		owner := fmt.Sprintf("owner%03d", i)
		o.Root = "estate/" + owner
		o.Org.Owner.Slug.Value = owner
		o.Org.Cluster.Name.Value = fmt.Sprintf("cluster-%d", i%4)
		tv := o.Tfvars[0]
		tv.Lanes[0].RunnerName.Value = owner + "-nix"
		tv.Lanes[0].ScaleSetName.Value = owner + "-nix"
		base := tv.ExtraRunnerSets[0]
		tv.ExtraRunnerSets = nil
		for j, l := range heavy {
			rs := base
			rs.Key.Value = fmt.Sprintf("%s-set-%d", owner, j)
			rs.RunnerScaleSetName.Value = rs.Key.Value
			rs.RunnerLabel.Value = l
			rs.RunnerType.Value = labelClass(l)
			rs.RunnerLabels = overlay.StringList{Set: true, Values: []overlay.String{{Value: "self-hosted", Set: true}}}
			tv.ExtraRunnerSets = append(tv.ExtraRunnerSets, rs)
		}
		out = append(out, o)
	}
	return out
}

func BenchmarkCheck(b *testing.B) {
	o := syntheticEstate(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		Check(context.Background(), o, Options{})
	}
}

// BenchmarkCheckEstate reports the estate check at 200 and 800 overlays; compare the two
// ns/op figures for the scaling ratio (4x the overlays should cost about 4x).
func BenchmarkCheckEstate(b *testing.B) {
	for _, n := range []int{200, 800} {
		estate := syntheticEstate(n)
		b.Run(fmt.Sprintf("overlays=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				CheckEstate(estate)
			}
		})
	}
}
