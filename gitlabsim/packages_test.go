package gitlabsim_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabsim"
)

func TestGenericPackagesThroughClientGo(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	proj := sim.CreateProject("group/app", "main")
	jobToken := sim.AddJobToken("ci")
	gl, err := gitlab.NewJobClient(jobToken, gitlab.WithBaseURL(sim.URL()), gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("tarball bytes")
	sum := sha256.Sum256(body)
	f, resp, err := gl.GenericPackages.PublishPackageFile("group/app", "pinwheel-venv", "0123abcd", "venv.tar.zst", bytes.NewReader(body),
		&gitlab.PublishPackageFileOptions{Select: gitlab.Ptr(gitlab.SelectPackageFile)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("publish: %v (%v)", err, resp)
	}
	if f.FileName != "venv.tar.zst" || f.Size != int64(len(body)) || f.FileSHA256 != hex.EncodeToString(sum[:]) || f.ID == 0 || f.PackageID == 0 {
		t.Errorf("package file = %+v", f)
	}
	got, resp, err := gl.GenericPackages.DownloadPackageFile(proj.ID, "pinwheel-venv", "0123abcd", "venv.tar.zst")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("download = %q, %v", got, err)
	}
	if h := resp.Header.Get("X-Checksum-SHA256"); h != f.FileSHA256 {
		t.Errorf("X-Checksum-SHA256 = %q, want %q", h, f.FileSHA256)
	}
	_, _, err = gl.GenericPackages.DownloadPackageFile(proj.ID, "pinwheel-venv", "ffff", "venv.tar.zst")
	if !errors.Is(err, gitlab.ErrNotFound) {
		t.Errorf("missing version: err = %v, want 404", err)
	}
}

func TestGenericPackagesStatusCodes(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	proj := sim.CreateProject("group/app", "main")
	denied := sim.CreateProject("group/strict", "main")
	sim.DenyDuplicatePackages(denied)
	_, token := sim.AddUser("dev")
	jobToken := sim.AddJobToken("ci")
	base := sim.URL() + "/api/v4/projects/"
	file := "/packages/generic/pinwheel-venv/0123abcd/venv.tar.gz"
	type step struct {
		method, path, header, token, body string
		wantStatus                        int
		wantBody                          string // substring
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"publish, then the newest of a duplicate is served", []step{
			{"PUT", "group%2Fapp" + file, "PRIVATE-TOKEN", token, "one", 201, `{"message":"201 Created"}`},
			{"PUT", "group%2Fapp" + file + "?select=package_file", "JOB-TOKEN", jobToken, "two", 201, `"file_name":"venv.tar.gz"`},
			{"GET", "group%2Fapp" + file, "JOB-TOKEN", jobToken, "", 200, "two"},
		}},
		{"a project that denies duplicates", []step{
			{"PUT", "group%2Fstrict" + file, "PRIVATE-TOKEN", token, "one", 201, "201 Created"},
			{"PUT", "group%2Fstrict" + file, "PRIVATE-TOKEN", token, "two", 400, "Duplicate package is not allowed"},
			{"GET", "group%2Fstrict" + file, "PRIVATE-TOKEN", token, "", 200, "one"},
		}},
		{"bad names", []step{
			{"PUT", "group%2Fapp/packages/generic/pinwheel-venv/bad%20version/venv.tar.gz", "PRIVATE-TOKEN", token, "x", 400, `{"error":"package_version is invalid"}`},
			{"PUT", "group%2Fapp/packages/generic/pin%21wheel/1/venv.tar.gz", "PRIVATE-TOKEN", token, "x", 400, `{"error":"package_name is invalid"}`},
			{"PUT", "group%2Fapp" + file + "?select=package", "PRIVATE-TOKEN", token, "x", 400, "select does not have a valid value"},
		}},
		{"missing and unauthorized", []step{
			{"GET", "group%2Fapp/packages/generic/pinwheel-venv/nope/venv.tar.gz", "PRIVATE-TOKEN", token, "", 404, "404 Not found"},
			{"GET", "group%2Fnope" + file, "PRIVATE-TOKEN", token, "", 404, "404 Project Not Found"},
			{"PUT", "group%2Fapp" + file, "", "", "x", 401, "401 Unauthorized"},
			{"PUT", "group%2Fapp" + file, "JOB-TOKEN", token, "x", 401, "401 Unauthorized"}, // an access token is not a job token
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, s := range tt.steps {
				req, err := http.NewRequest(s.method, base+s.path, strings.NewReader(s.body))
				if err != nil {
					t.Fatal(err)
				}
				if s.header != "" {
					req.Header.Set(s.header, s.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != s.wantStatus || !strings.Contains(string(b), s.wantBody) {
					t.Errorf("step %d %s %s: %d %s, want %d with %q", i, s.method, s.path, resp.StatusCode, b, s.wantStatus, s.wantBody)
				}
			}
		})
	}
	if files := sim.PackageFiles(proj, "pinwheel-venv", "0123abcd"); len(files) != 2 || string(files[1].Content) != "two" {
		t.Errorf("stored %d files, want both uploads", len(files))
	}
}

func TestGenericPackagesFaults(t *testing.T) {
	sim := gitlabsim.New(gitlabsim.Options{})
	defer sim.Close()
	proj := sim.CreateProject("group/app", "main")
	_, token := sim.AddUser("dev")
	gl, err := gitlab.NewClient(token, gitlab.WithBaseURL(sim.URL()), gitlab.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("venv"), 1000)
	if _, _, err := gl.GenericPackages.PublishPackageFile(proj.ID, "p", "1", "f.tar.gz", bytes.NewReader(body), nil); err != nil {
		t.Fatal(err)
	}
	sim.CutPackageDownloads(proj, 1)
	if got, _, err := gl.GenericPackages.DownloadPackageFile(proj.ID, "p", "1", "f.tar.gz"); err == nil {
		t.Errorf("cut download: got %d bytes and no error", len(got))
	}
	if !sim.CorruptPackageFile(proj, "p", "1", "f.tar.gz") {
		t.Fatal("nothing to corrupt")
	}
	got, resp, err := gl.GenericPackages.DownloadPackageFile(proj.ID, "p", "1", "f.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(got)
	if bytes.Equal(got, body) || resp.Header.Get("X-Checksum-SHA256") == hex.EncodeToString(sum[:]) {
		t.Errorf("corrupted file still matches its recorded sha256")
	}
}
