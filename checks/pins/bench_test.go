package pins

import (
	"context"
	"testing"

	"github.com/tinyland-inc/gf-enrollment/checks/overlay"
)

func BenchmarkCheck(b *testing.B) {
	o := enrolled()
	env := map[string]overlay.String{"GF_CORE_REF": str(shaA, at(wfF, 4, 16))}
	for i := 0; i < 20; i++ {
		o.Workflows = append(o.Workflows, &overlay.Workflow{File: wfF, Env: env,
			Jobs: []*overlay.Job{{ID: str("deploy", at(wfF, 9, 3)), Env: env, Steps: []overlay.Step{
				{Uses: str("actions/checkout@v4", at(wfF, 14, 15)), With: map[string]overlay.String{
					"repository": str("tinyland-inc/GloriousFlywheel", at(wfF, 18, 23)), "ref": str(shaA, at(wfF, 19, 16))}},
			}}}})
	}
	b.ReportAllocs()
	for b.Loop() {
		Check(context.Background(), o, Options{ExpectedCoreRef: shaA})
	}
}
