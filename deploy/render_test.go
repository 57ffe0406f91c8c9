package deploy

import (
	"bytes"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/internal/golden"
)

func TestWriteResult(t *testing.T) {
	tests := []struct {
		name string
		res  Result
		want string
	}{
		{
			name: "move",
			res: Result{Branch: "production", Environment: "production", From: "aaa", To: "bbb",
				EnvironmentURL: "https://gitlab.example.com/g/app/-/environments/3"},
			want: "production: aaa → bbb\nenvironment production: https://gitlab.example.com/g/app/-/environments/3\n",
		},
		{
			name: "first deployment with external URL",
			res: Result{Branch: "live", Environment: "prod", To: "bbb",
				EnvironmentURL: "https://g/-/environments/1", ExternalURL: "https://app.example.com"},
			want: "live: (new branch) → bbb\nenvironment prod: https://g/-/environments/1\nurl: https://app.example.com\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteResult(&b, tt.res); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestWriteHistoryEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHistory(&b, nil); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no deployments\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestWriteHistoryTable(t *testing.T) {
	at := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	deps := []*gitlab.Deployment{
		{ID: 1204, SHA: "0123456789abcdef0123456789abcdef01234567", Ref: "production", Status: "success", CreatedAt: at("2026-03-04T10:11:12+02:00")},
		{ID: 1203, SHA: "fedcba9876543210fedcba9876543210fedcba98", Ref: "production", Status: "failed", CreatedAt: at("2026-03-03T09:00:00Z")},
		{ID: 17, SHA: "abc", Ref: "main", Status: "running"},
	}
	var b bytes.Buffer
	if err := WriteHistory(&b, deps); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "history-table.golden", b.Bytes())
}
