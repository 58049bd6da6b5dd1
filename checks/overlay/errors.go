package overlay

import "github.com/tinyland-inc/gf-enrollment/checks/finding"

// The loader reports unusable input with the result model's input errors; these names keep
// its many call sites short.
type (
	InputError  = finding.InputError
	InputErrors = finding.InputErrors
)

// Input error kinds the loader uses (finding.Kind*).
const (
	KindMissing   = finding.KindMissing
	KindRead      = finding.KindRead
	KindEmpty     = finding.KindEmpty
	KindSize      = finding.KindSize
	KindEncoding  = finding.KindEncoding
	KindSyntax    = finding.KindSyntax
	KindDuplicate = finding.KindDuplicate
	KindType      = finding.KindType
)
