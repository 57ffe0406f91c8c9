package gitlabsim_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

func TestGetFile(t *testing.T) {
	f := setup(t)
	head, _ := f.sim.Branch(f.proj, "main")
	f.sim.Commit(f.proj, "main", "Touch readme", map[string]string{"README.md": "# app!\n"})

	file, _, err := f.client.RepositoryFiles.GetFile(f.proj.ID, "constraints.txt", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	content, _ := base64.StdEncoding.DecodeString(file.Content)
	if string(content) != "requests==2.32.3\nurllib3==2.2.1\n" || file.Encoding != "base64" || file.Size != int64(len(content)) {
		t.Fatalf("file = %+v", file)
	}
	if file.LastCommitID != head {
		t.Fatalf("last_commit_id = %s, want %s (the commit that last changed it)", file.LastCommitID, head)
	}
	if newHead, _ := f.sim.Branch(f.proj, "main"); file.CommitID != newHead {
		t.Fatalf("commit_id = %s, want branch head %s", file.CommitID, newHead)
	}
	if file.BlobID == "" || file.SHA256 == "" || file.FileName != "constraints.txt" {
		t.Fatalf("file metadata = %+v", file)
	}

	meta, _, err := f.client.RepositoryFiles.GetFileMetaData(f.proj.ID, "constraints.txt", &gitlab.GetFileMetaDataOptions{Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	if meta.BlobID != file.BlobID || meta.LastCommitID != head || meta.Size != file.Size {
		t.Fatalf("HEAD metadata = %+v, want %+v", meta, file)
	}

	raw, _, err := f.client.RepositoryFiles.GetRawFile(f.proj.ID, "constraints.txt", nil)
	if err != nil || string(raw) != string(content) {
		t.Fatalf("raw = %q, %v", raw, err)
	}
}

func TestGetFileNestedPathIsEscaped(t *testing.T) {
	f := setup(t)
	f.sim.Commit(f.proj, "main", "Add nested", map[string]string{"requirements/prod.txt": "flask==3.0.0\n"})
	raw, _, err := f.client.RepositoryFiles.GetRawFile(f.proj.ID, "requirements/prod.txt", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil || string(raw) != "flask==3.0.0\n" {
		t.Fatalf("raw = %q, %v", raw, err)
	}
	// Project by path, too: the wire carries pinwheel%2Fapp.
	if _, _, err := f.client.RepositoryFiles.GetFile("pinwheel/app", "requirements/prod.txt", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
}

func TestGetFileErrors(t *testing.T) {
	f := setup(t)
	_, _, err := f.client.RepositoryFiles.GetFile(f.proj.ID, "nope.txt", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")})
	if !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
	_, _, err = f.client.RepositoryFiles.GetFile(f.proj.ID, "constraints.txt", &gitlab.GetFileOptions{Ref: gitlab.Ptr("no-such-branch")})
	if !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("missing ref: %v", err)
	}
	_, _, err = f.client.RepositoryFiles.GetFile(f.proj.ID, "constraints.txt", nil)
	wantAPIError(t, err, http.StatusBadRequest, "{error: ref is missing}")

	// The 404 body is GitLab's, even though client-go drops it.
	req, _ := http.NewRequest(http.MethodGet, f.sim.URL()+"/api/v4/projects/1/repository/files/nope%2Etxt?ref=main", nil)
	req.Header.Set("PRIVATE-TOKEN", f.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(body)) != `{"message":"404 File Not Found"}` {
		t.Fatalf("body = %s", body)
	}
}

func TestBranches(t *testing.T) {
	f := setup(t)
	head, _ := f.sim.Branch(f.proj, "main")
	b, resp, err := f.client.Branches.CreateBranch(f.proj.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("pinwheel/requests-2.x"), Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || b.Commit.ID != head || b.Name != "pinwheel/requests-2.x" {
		t.Fatalf("created %+v (%d)", b, resp.StatusCode)
	}
	_, _, err = f.client.Branches.CreateBranch(f.proj.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("pinwheel/requests-2.x"), Ref: gitlab.Ptr("main")})
	wantAPIError(t, err, http.StatusBadRequest, "{message: Branch already exists}")

	got, _, err := f.client.Branches.GetBranch(f.proj.ID, "pinwheel/requests-2.x")
	if err != nil || got.Commit.ID != head || !got.Merged || got.Default {
		t.Fatalf("get = %+v, %v", got, err)
	}
	_, _, err = f.client.Branches.GetBranch(f.proj.ID, "nope")
	if !errors.Is(err, gitlab.ErrNotFound) {
		t.Fatalf("missing branch: %v", err)
	}

	_, err = f.client.Branches.DeleteBranch(f.proj.ID, "main")
	wantAPIError(t, err, http.StatusMethodNotAllowed, "Cannot remove HEAD branch")
	resp, err = f.client.Branches.DeleteBranch(f.proj.ID, "pinwheel/requests-2.x")
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if _, ok := f.sim.Branch(f.proj, "pinwheel/requests-2.x"); ok {
		t.Fatal("branch still exists")
	}
}

func TestListBranchesPaginated(t *testing.T) {
	f := setup(t)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		f.sim.Commit(f.proj, "pinwheel/"+n, "x", map[string]string{n: n})
	}
	all, err := gitlab.ScanAndCollect(func(p gitlab.PaginationOptionFunc) ([]*gitlab.Branch, *gitlab.Response, error) {
		return f.client.Branches.ListBranches(f.proj.ID, &gitlab.ListBranchesOptions{ListOptions: gitlab.ListOptions{PerPage: 2}}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range all {
		names = append(names, b.Name)
	}
	if strings.Join(names, ",") != "main,pinwheel/a,pinwheel/b,pinwheel/c,pinwheel/d,pinwheel/e" {
		t.Fatalf("branches = %v", names)
	}
}

func TestArchive(t *testing.T) {
	f := setup(t)
	head, _ := f.sim.Branch(f.proj, "main")
	data, _, err := f.client.Repositories.Archive(f.proj.ID, &gitlab.ArchiveOptions{Format: gitlab.Ptr("tar.gz"), SHA: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	files := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			files[hdr.Name] = string(b)
		}
	}
	prefix := "app-main-" + head + "/"
	want := map[string]string{
		prefix + "README.md":       "# app\n",
		prefix + "constraints.txt": "requests==2.32.3\nurllib3==2.2.1\n",
	}
	if len(files) != len(want) {
		t.Fatalf("archive files = %v", files)
	}
	for name, content := range want {
		if files[name] != content {
			t.Fatalf("%s = %q, want %q (all: %v)", name, files[name], content, files)
		}
	}
}
