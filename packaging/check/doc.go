// Package check validates pinwheel's packaging (packaging/kubernetes,
// packaging/systemd, packaging/docker) against what the binary really
// accepts. It is its own module, so Kustomize and the Kubernetes API types
// stay out of the product's go.mod and binary; it imports the product
// module through a replace directive to parse the config with pinwheel's
// own config package and to ask package shard about PINWHEEL_SHARD.
//
// Everything is in its tests: go test ./... in this folder (.ci/run does).
package check
