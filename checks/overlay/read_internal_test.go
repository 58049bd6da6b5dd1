package overlay

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

// readAtMost must stop one byte past the cap even when the file is longer than Stat said
// (it grew in between), and read files that are exactly at or below it completely.
func TestReadAtMost(t *testing.T) {
	tests := []struct {
		name          string
		content       string
		size, max     int64
		wantLen       int
		readOneByteAt bool
	}{
		{"as stated", "hello", 5, 10, 5, false},
		{"exactly the cap", "0123456789", 10, 10, 10, false},
		{"grew past the cap", strings.Repeat("x", 100), 5, 10, 11, false},
		{"grew below the cap", strings.Repeat("x", 8), 2, 10, 8, true},
		{"shrank", "ab", 50, 100, 2, false},
		{"no cap", strings.Repeat("y", 1000), 10, math.MaxInt64, 1000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r io.Reader = bytes.NewReader([]byte(tt.content))
			if tt.readOneByteAt {
				r = iotest.OneByteReader(r)
			}
			got, err := readAtMost(r, tt.size, tt.max)
			if err != nil || len(got) != tt.wantLen || !strings.HasPrefix(tt.content, string(got)) {
				t.Errorf("got %d bytes, %v; want %d", len(got), err, tt.wantLen)
			}
		})
	}
}
