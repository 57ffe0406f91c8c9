package deploy

import (
	"errors"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestPickTarget(t *testing.T) {
	sha := func(c byte) string { return strings.Repeat(string(c), 40) }
	// Newest first: c is current, redeployed twice; b; a; then an older
	// deployment of d.
	deps := []*gitlab.Deployment{
		{ID: 9, SHA: sha('c')}, {ID: 8, SHA: sha('c')},
		{ID: 7, SHA: sha('b')}, {ID: 6, SHA: sha('a')},
		{ID: 5, SHA: sha('d')}, {ID: 4, SHA: sha('a')},
	}
	tests := []struct {
		name    string
		deps    []*gitlab.Deployment
		steps   int
		to      string
		wantID  int64
		wantErr error
	}{
		{name: "default is one version back", deps: deps, wantID: 7},
		{name: "steps 1", deps: deps, steps: 1, wantID: 7},
		{name: "steps 2", deps: deps, steps: 2, wantID: 6},
		{name: "steps 4 reaches the oldest", deps: deps, steps: 4, wantID: 4},
		{name: "steps past history", deps: deps, steps: 5, wantErr: ErrNoTarget},
		{name: "to full sha", deps: deps, to: sha('b'), wantID: 7},
		{name: "to prefix picks the newest of that commit", deps: deps, to: "aaaaaaa", wantID: 6},
		{name: "to upper case", deps: deps, to: "DDDDDDDD", wantID: 5},
		{name: "to current is refused", deps: deps, to: sha('c'), wantErr: ErrNoTarget},
		{name: "to unknown", deps: deps, to: sha('e'), wantErr: ErrNoTarget},
		{name: "to not hex", deps: deps, to: "production", wantErr: ErrInvalidRequest},
		{name: "to too short", deps: deps, to: "abc", wantErr: ErrInvalidRequest},
		{name: "no deployments", wantErr: ErrNoTarget},
		{name: "only the current one", deps: deps[:2], wantErr: ErrNoTarget},
		{name: "ambiguous prefix", deps: []*gitlab.Deployment{
			{ID: 3, SHA: sha('f')}, {ID: 2, SHA: "1234567" + sha('a')[:33]}, {ID: 1, SHA: "1234567" + sha('b')[:33]},
		}, to: "1234567", wantErr: ErrNoTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PickTarget(tt.deps, tt.steps, tt.to)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.wantID {
				t.Errorf("picked %d, want %d", got.ID, tt.wantID)
			}
		})
	}
}
