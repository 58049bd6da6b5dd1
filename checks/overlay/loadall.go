package overlay

import (
	"runtime"
	"sync"
)

// LoadAll loads several overlay roots concurrently, at most GOMAXPROCS at a time (loading
// is parsing, so more would only contend for the same cores). Results are in the order of
// roots: overlays[i] and errs[i] are what Load(roots[i], opts) returns, so callers report
// problems in the order the user gave the roots.
func LoadAll(roots []string, opts Options) (overlays []*Overlay, errs []error) {
	overlays = make([]*Overlay, len(roots))
	errs = make([]error, len(roots))
	workers := min(runtime.GOMAXPROCS(0), len(roots))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				overlays[i], errs[i] = Load(roots[i], opts)
			}
		}()
	}
	for i := range roots {
		next <- i
	}
	close(next)
	wg.Wait()
	return overlays, errs
}
