//go:build tools

// Package build pins the exact kube-apiserver and etcd sources the e2e test
// environment runs (see ../testenv.sh). It is a separate module so the main
// module's `go test ./...` never compiles Kubernetes itself; go.sum makes the
// build tamper-evident.
package build

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
