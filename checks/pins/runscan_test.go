package pins

import (
	"strings"
	"testing"
)

func TestCoreFetchesReadsShell(t *testing.T) {
	const repo = "tinyland-inc/GloriousFlywheel"
	script := `set -eu
# nix build github:tinyland-inc/GloriousFlywheel/main#commented-out
FOO=1 sudo nix --extra-experimental-features 'nix-command flakes' build "github:tinyland-inc/GloriousFlywheel?ref=v1&rev=` + shaA + `#x"; echo done
cd core && git -c protocol.version=2 fetch --depth 1 https://x-access-token:${TOKEN}@github.com/tinyland-inc/GloriousFlywheel ` + shaA + `
nix profile install github:tinyland-inc/GloriousFlywheel#tool
nix flake update && nix run git+ssh://git@github.com/tinyland-inc/GloriousFlywheel?ref=main#y`
	var got []string
	for _, f := range coreFetches(script, repo) {
		got = append(got, f.cmd+" rev="+f.rev)
	}
	want := "nix build rev=" + shaA + "|git fetch rev=|nix run rev=main"
	if strings.Join(got, "|") != want {
		t.Errorf("fetches:\n%s\nwant:\n%s", strings.Join(got, "|"), want)
	}
}

func FuzzCoreFetches(f *testing.F) {
	for _, s := range []string{"", "nix build github:o/r/${{ env.X", "git clone 'https://github.com/o/r", "a\\", "nix run \"github:o/r?ref=%zz\" \\\n#", "${{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range coreFetches(s+" o/r", "o/r") {
			if c.off < 0 || c.off > len(s)+4 {
				t.Fatalf("offset %d outside the script", c.off)
			}
		}
	})
}
