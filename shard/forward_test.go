package shard

import (
	"strings"
	"testing"
)

func TestAddresses(t *testing.T) {
	tests := []struct {
		template string
		index    int
		want     string
		err      string
	}{
		{template: DefaultAddressTemplate, index: 2, want: "http://pinwheel-2.pinwheel:9090"},
		{template: "https://pinwheel-{shard}.pinwheel.ops.svc.cluster.local:9443/", index: 0, want: "https://pinwheel-0.pinwheel.ops.svc.cluster.local:9443"},
		{template: "http://fleet.internal/shard/{shard}", index: 11, want: "http://fleet.internal/shard/11"},
		{template: "http://pinwheel-0.pinwheel:9090", err: "has no {shard}"},
		{template: "ftp://pinwheel-{shard}", err: "scheme must be http or https"},
		{template: "pinwheel-{shard}:9090", err: "scheme must be http or https"},
		{template: "http:///{shard}", err: "has no host"},
		{template: "http://u:p@pinwheel-{shard}", err: "must not hold credentials"},
		{template: "http://pinwheel-{shard}/?a=b", err: "no query or fragment"},
		{template: "http://pinwheel-{shard}/#x", err: "no query or fragment"},
		{template: "http://pinwheel-{shard}:port", err: "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			a, err := ParseAddresses(tt.template)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseAddresses(%q) = %v; want error containing %q", tt.template, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Address(tt.index); got != tt.want {
				t.Errorf("Address(%d) = %q, want %q", tt.index, got, tt.want)
			}
		})
	}
}
