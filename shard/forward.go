package shard

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DefaultAddressTemplate is where instance {shard} of the Kubernetes
// manifests in packaging/kubernetes listens: the StatefulSet's pods are
// pinwheel-0, pinwheel-1, ... behind the headless Service "pinwheel", on
// the daemon's default port.
const DefaultAddressTemplate = "http://pinwheel-{shard}.pinwheel:9090"

// Placeholder is the part of an address template replaced by the owner's
// index.
const Placeholder = "{shard}"

// ForwardedHeader marks a webhook one instance forwarded to another. An
// instance that receives a forwarded hook for a project it does not own
// (the fleet is being resized and the two disagree on N) must answer it
// rather than forward it again, so a hook never loops.
const ForwardedHeader = "X-Pinwheel-Forwarded-From"

// Addresses expands an address template like DefaultAddressTemplate into
// the base URL of each instance of a fleet.
type Addresses struct {
	template string
}

// ParseAddresses checks an address template: an http or https URL with a
// host, containing {shard} in its host or path, and no query, fragment or
// credentials (the webhook's own secret token authenticates forwarded
// hooks).
func ParseAddresses(template string) (Addresses, error) {
	if !strings.Contains(template, Placeholder) {
		return Addresses{}, fmt.Errorf("address template %q: has no %s", template, Placeholder)
	}
	u, err := url.Parse(strings.ReplaceAll(template, Placeholder, "0"))
	if err != nil {
		return Addresses{}, fmt.Errorf("address template %q: %w", template, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return Addresses{}, fmt.Errorf("address template %q: scheme must be http or https", template)
	case u.Host == "":
		return Addresses{}, fmt.Errorf("address template %q: has no host", template)
	case u.User != nil:
		return Addresses{}, fmt.Errorf("address template %q: must not hold credentials", template)
	case u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(template, "?#"):
		return Addresses{}, fmt.Errorf("address template %q: must have no query or fragment", template)
	}
	return Addresses{template: strings.TrimRight(template, "/")}, nil
}

// Address returns instance index's base URL, without a trailing slash;
// the forwarder appends the hook's path ("/hooks/gitlab").
func (a Addresses) Address(index int) string {
	return strings.ReplaceAll(a.template, Placeholder, strconv.Itoa(index))
}

// String returns the template.
func (a Addresses) String() string { return a.template }
