// Package check validates pinwheel's packaging against what the binary
// built from the same checkout really accepts: the Kubernetes manifests
// (built with kustomize's krusty, every object decoded strictly into the
// Kubernetes API types), the systemd unit (parsed, and verified by
// systemd-analyze where it is installed) and the Dockerfile (parsed and
// linted with BuildKit's own parser and linter; .ci/run builds it where a
// Docker engine runs). It is its own module, so Kustomize and the Kubernetes API types
// stay out of the product's go.mod and binary; it imports the product
// module through a replace directive to parse the config with pinwheel's
// own config package and to ask package shard about PINWHEEL_SHARD.
//
// Everything is in its tests: go test ./... in this folder (.ci/run does).
package check
