package member_test

import (
	"context"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
	"github.com/pinwheel-dev/pinwheel/member"
)

func TestLevelAndRole(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	_, token := sim.AddUser("pinwheel")
	p := sim.CreateProject("g/a", "main")
	gl, err := gitlabauth.NewClient(sim.URL(), gitlabauth.Credentials{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		level int
		role  string
	}{
		{"dev", gitlabsim.DeveloperAccess, "Developer"},
		{"rep", gitlabsim.ReporterAccess, "Reporter"},
		{"maint", gitlabsim.MaintainerAccess, "Maintainer"},
		{"guest", gitlabsim.GuestAccess, "Guest"},
		{"stranger", 0, "not a member"},
	} {
		u, _ := sim.AddUser(tc.name)
		if tc.level > 0 {
			sim.AddMember(p, u, tc.level)
		}
		got, err := member.Level(context.Background(), gl, int64(p.ID), int64(u.ID))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != gitlab.AccessLevelValue(tc.level) || member.Role(got) != tc.role {
			t.Errorf("%s: level %d (%s), want %d (%s)", tc.name, got, member.Role(got), tc.level, tc.role)
		}
	}
}
