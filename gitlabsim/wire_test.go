package gitlabsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// raw sends a request without client-go, to check bodies and encodings
// client-go hides.
func raw(t *testing.T, f *fixture, method, path, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.sim.URL()+"/api/v4"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if f.token != "" {
		req.Header.Set("PRIVATE-TOKEN", f.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, strings.TrimSpace(string(b))
}

const form = "application/x-www-form-urlencoded"

func TestWireErrorBodies(t *testing.T) {
	f := setup(t)
	f.sim.Commit(f.proj, "pinwheel/a", "a", map[string]string{"a": "a"})
	mr := url.Values{"source_branch": {"pinwheel/a"}, "target_branch": {"main"}, "title": {"t"}}.Encode()
	if code, _, body := raw(t, f, "POST", "/projects/1/merge_requests", form, mr); code != 201 {
		t.Fatalf("create MR: %d %s", code, body)
	}
	noToken := *f
	noToken.token = ""
	tests := []struct {
		name         string
		f            *fixture
		method, path string
		ctype, body  string
		status       int
		want         string
	}{
		{"unauthorized", &noToken, "GET", "/user", "", "", 401, `{"message":"401 Unauthorized"}`},
		{"unmatched route", f, "GET", "/projects/1/nothing", "", "", 404, `{"error":"404 Not Found"}`},
		{"missing project", f, "GET", "/projects/nope%2Fnope", "", "", 404, `{"message":"404 Project Not Found"}`},
		{"missing branch", f, "GET", "/projects/1/repository/branches/nope", "", "", 404, `{"message":"404 Branch Not Found"}`},
		{"duplicate MR", f, "POST", "/projects/1/merge_requests", form, mr, 409,
			`{"message":["Another open merge request already exists for this source branch: !1"]}`},
		{"MR from missing branch", f, "POST", "/projects/1/merge_requests", form,
			url.Values{"source_branch": {"gone"}, "target_branch": {"main"}, "title": {"t"}}.Encode(), 400,
			`{"message":{"source_branch":["does not exist"]}}`},
		{"missing title (JSON)", f, "POST", "/projects/1/issues", "application/json", `{}`, 400, `{"error":"title is missing"}`},
		{"two missing params", f, "POST", "/projects/1/repository/branches", form, "", 400, `{"error":"branch is missing, ref is missing"}`},
		{"create label", f, "POST", "/projects/1/labels", form, "name=x&color=%23fff", 201, ""},
		{"label exists again", f, "POST", "/projects/1/labels", form, "name=x&color=%23fff", 409, `{"message":"Label already exists"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := raw(t, tt.f, tt.method, tt.path, tt.ctype, tt.body)
			if code != tt.status || tt.want != "" && body != tt.want {
				t.Fatalf("got %d %s, want %d %s", code, body, tt.status, tt.want)
			}
		})
	}
}

func TestFormEncodedCommit(t *testing.T) {
	f := setup(t)
	body := url.Values{
		"branch":               {"main"},
		"commit_message":       {"form commit"},
		"actions[][action]":    {"update", "create"},
		"actions[][file_path]": {"constraints.txt", "new.txt"},
		"actions[][content]":   {"requests==1\n", "new\n"},
	}.Encode()
	code, _, resp := raw(t, f, "POST", "/projects/pinwheel%2Fapp/repository/commits", form, body)
	if code != http.StatusCreated {
		t.Fatalf("status %d: %s", code, resp)
	}
	for path, want := range map[string]string{"constraints.txt": "requests==1\n", "new.txt": "new\n"} {
		if b, _ := f.sim.File(f.proj, "main", path); string(b) != want {
			t.Fatalf("%s = %q, want %q", path, b, want)
		}
	}
}

func TestDatesAreISO8601UTC(t *testing.T) {
	f := setup(t)
	_, _, body := raw(t, f, "POST", "/projects/1/issues", form, "title=x")
	var is map[string]any
	if err := json.Unmarshal([]byte(body), &is); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(is["created_at"].(string)) {
		t.Fatalf("created_at = %v", is["created_at"])
	}
}

func TestRenamedProjectRedirects(t *testing.T) {
	f := setup(t)
	f.sim.RenameProject(f.proj, "pinwheel/renamed")
	code, h, _ := raw(t, f, "GET", "/projects/pinwheel%2Fapp", "", "")
	if code != http.StatusMovedPermanently || !strings.HasSuffix(h.Get("Location"), "/api/v4/projects/pinwheel%2Frenamed") {
		t.Fatalf("got %d Location %q", code, h.Get("Location"))
	}
	// client-go (net/http) follows the redirect.
	p, _, err := f.client.Projects.GetProject("pinwheel/app", nil)
	if err != nil || p.PathWithNamespace != "pinwheel/renamed" {
		t.Fatalf("project = %v, %v", p, err)
	}
	if code, _, _ := raw(t, f, "POST", "/projects/pinwheel%2Fapp/issues", form, "title=x"); code != http.StatusNotFound {
		t.Fatalf("write to old path: %d", code)
	}
}

func TestBenchmarkStyleAssertion(t *testing.T) {
	f := setup(t)
	f.sim.ResetStats()
	if _, _, err := f.client.RepositoryFiles.GetRawFile(f.proj.ID, "constraints.txt", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	st := f.sim.Stats()
	if st.Requests != 1 || st.Writes != 0 || st.ByEndpoint["GET /projects/:id/repository/files/:file_path/raw"] != 1 {
		t.Fatalf("stats = %+v", st)
	}
}
