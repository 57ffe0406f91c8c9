package gitlabsim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func TestProjectListings(t *testing.T) {
	s := gitlabsim.New(gitlabsim.Options{})
	defer s.Close()
	_, token := s.AddUser("pinwheel")
	var ps []*gitlabsim.Project
	for _, path := range []string{"platform/a", "platform/web/b", "platform/c", "other/d", "platformer/e"} {
		p := s.CreateProject(path, "main")
		ps = append(ps, p)
	}
	s.SetTopics(ps[0], "python", "web")
	s.SetTopics(ps[3], "Python")
	s.SetTopics(ps[4], "python")
	gl, err := gitlabauth.NewClient(s.URL(), gitlabauth.Credentials{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	paths := func(list []*gitlab.Project) string {
		var out []string
		for _, p := range list {
			out = append(out, p.PathWithNamespace)
		}
		return strings.Join(out, ",")
	}

	t.Run("group with and without subgroups", func(t *testing.T) {
		for _, tt := range []struct {
			sub  bool
			want string
		}{{false, "platform/a,platform/c"}, {true, "platform/a,platform/web/b,platform/c"}} {
			var all []*gitlab.Project
			for p, err := range gitlab.Scan2(func(po gitlab.PaginationOptionFunc) ([]*gitlab.Project, *gitlab.Response, error) {
				return gl.Groups.ListGroupProjects("platform", &gitlab.ListGroupProjectsOptions{
					ListOptions:      gitlab.ListOptions{PerPage: 1, OrderBy: "id", Sort: "asc"},
					IncludeSubGroups: gitlab.Ptr(tt.sub),
				}, po)
			}) {
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, p)
			}
			if got := paths(all); got != tt.want {
				t.Errorf("include_subgroups=%v: %s, want %s", tt.sub, got, tt.want)
			}
		}
	})

	t.Run("topic with keyset pagination", func(t *testing.T) {
		var all []*gitlab.Project
		pages := 0
		for p, err := range gitlab.Scan2(func(po gitlab.PaginationOptionFunc) ([]*gitlab.Project, *gitlab.Response, error) {
			list, resp, err := gl.Projects.ListProjects(&gitlab.ListProjectsOptions{
				ListOptions: gitlab.ListOptions{Pagination: "keyset", PerPage: 2, OrderBy: "id", Sort: "asc"},
				Topic:       gitlab.Ptr("python"),
			}, po)
			if err == nil {
				pages++
				if resp.Header.Get("X-Total") != "" || resp.NextPage != 0 {
					t.Errorf("keyset page has offset headers: %v", resp.Header)
				}
			}
			return list, resp, err
		}) {
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, p)
		}
		if got := paths(all); got != "platform/a,other/d,platformer/e" || pages != 2 {
			t.Errorf("topic python: %s in %d pages, want platform/a,other/d,platformer/e in 2", got, pages)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tt := range []struct {
			path   string
			status int
			body   string
		}{
			{"/groups/nowhere/projects", 404, `{"message":"404 Group Not Found"}`},
			{"/groups/platform/projects?pagination=keyset&order_by=id", 405, `{"error":"Keyset pagination is not yet available for this type of request"}`},
			{"/projects?pagination=keyset&order_by=name", 400, ""},
			{"/projects?pagination=keyset&order_by=created_at", 405, `{"error":"Keyset pagination is not yet available for this type of request"}`},
		} {
			req, _ := http.NewRequest("GET", s.URL()+"/api/v4"+tt.path, nil)
			req.Header.Set("PRIVATE-TOKEN", token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body json.RawMessage
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || tt.body != "" && string(body) != tt.body {
				t.Errorf("%s: %d %s, want %d %s", tt.path, resp.StatusCode, body, tt.status, tt.body)
			}
		}
	})

	s.DeleteProject(ps[0])
	if _, _, err := gl.Projects.GetProject(ps[0].ID, nil); err == nil {
		t.Error("a deleted project is still found")
	}
}
