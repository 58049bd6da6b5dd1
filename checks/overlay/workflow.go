package overlay

// ParseWorkflow parses one GitHub Actions workflow file. rel is the root-relative path used
// in positions. (Implemented by the workflows work; placeholder so the loader compiles.)
func ParseWorkflow(rel string, data []byte) (*Workflow, InputErrors) {
	return &Workflow{File: rel}, nil
}
