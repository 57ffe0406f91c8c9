package indexsim

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type jsonFile struct {
	CommentText       string            `json:"comment_text"`
	Digests           map[string]string `json:"digests"`
	Downloads         int               `json:"downloads"`
	Filename          string            `json:"filename"`
	HasSig            bool              `json:"has_sig"`
	MD5Digest         string            `json:"md5_digest"`
	PackageType       string            `json:"packagetype"`
	PythonVersion     string            `json:"python_version"`
	RequiresPython    *string           `json:"requires_python"`
	Size              int               `json:"size"`
	UploadTime        string            `json:"upload_time"`
	UploadTimeISO8601 string            `json:"upload_time_iso_8601"`
	URL               string            `json:"url"`
	Yanked            bool              `json:"yanked"`
	YankedReason      *string           `json:"yanked_reason"`
}

type jsonVuln struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Details   string   `json:"details"`
	Summary   string   `json:"summary"`
	FixedIn   []string `json:"fixed_in"`
	Link      string   `json:"link"`
	Source    string   `json:"source"`
	Withdrawn *string  `json:"withdrawn"`
}

// serveJSON renders the PyPI JSON API (docs/user/api/json.md in
// Warehouse): the release named by version, or the latest one with the
// deprecated "releases" map when version is "".
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, norm, version string) {
	s.mu.Lock()
	p := s.projects[norm]
	var rel *release
	if version == "" {
		rel = p.latest()
	} else {
		rel = p.release(version)
		for _, c := range p.releases {
			if rel == nil && strings.EqualFold(c.version, version) {
				rel = c
			}
		}
	}
	if rel == nil {
		s.mu.Unlock()
		jsonNotFound(w)
		return
	}
	var rp, yr *string
	if v := rel.requiresPython(); v != "" {
		rp = &v
	}
	if v := rel.yankedReason(); rel.yanked() && v != "" {
		yr = &v
	}
	var urls map[string]string
	if len(p.urls) > 0 {
		urls = p.urls
	}
	base := s.URL()
	doc := map[string]any{
		"info": map[string]any{
			"name":            p.name,
			"version":         rel.version,
			"summary":         "",
			"author":          "",
			"license":         "",
			"home_page":       "",
			"classifiers":     []string{},
			"requires_dist":   nil,
			"requires_python": rp,
			"project_urls":    urls,
			"package_url":     base + "/project/" + norm + "/",
			"project_url":     base + "/project/" + norm + "/",
			"release_url":     base + "/project/" + norm + "/" + rel.version + "/",
			"yanked":          rel.yanked(),
			"yanked_reason":   yr,
		},
		"urls":            s.jsonFilesLocked(rel),
		"vulnerabilities": jsonVulns(rel.vulns),
		"last_serial":     p.serial,
	}
	if version == "" {
		releases := map[string][]jsonFile{}
		for _, c := range p.releases {
			releases[c.version] = s.jsonFilesLocked(c)
		}
		doc["releases"] = releases
	}
	serial, modified := p.serial, p.modified
	s.mu.Unlock()
	body := marshal(doc)
	s.reply(w, r, "application/json", body, jsonMaxAge, serial, modified)
}

func (s *Server) jsonFilesLocked(rel *release) []jsonFile {
	out := []jsonFile{}
	for _, f := range rel.files {
		sum := md5.Sum(f.Content)
		md5hex := hex.EncodeToString(sum[:])
		jf := jsonFile{
			Digests:           map[string]string{"md5": md5hex, "sha256": f.sha256},
			Downloads:         -1,
			Filename:          f.Filename,
			MD5Digest:         md5hex,
			PackageType:       "sdist",
			PythonVersion:     "source",
			Size:              len(f.Content),
			UploadTime:        f.UploadTime.UTC().Format("2006-01-02T15:04:05"),
			UploadTimeISO8601: f.UploadTime.UTC().Format(pep700Time),
			URL:               s.fileURL(f),
			Yanked:            f.Yanked,
		}
		if strings.HasSuffix(f.Filename, ".whl") {
			jf.PackageType, jf.PythonVersion = "bdist_wheel", "py3"
		}
		if f.RequiresPython != "" {
			v := f.RequiresPython
			jf.RequiresPython = &v
		}
		if f.Yanked && f.YankedReason != "" {
			v := f.YankedReason
			jf.YankedReason = &v
		}
		out = append(out, jf)
	}
	return out
}

func jsonVulns(vs []Vulnerability) []jsonVuln {
	out := []jsonVuln{}
	for _, v := range vs {
		jv := jsonVuln{
			ID: v.ID, Aliases: v.Aliases, Details: v.Details, Summary: v.Summary,
			FixedIn: v.FixedIn, Link: v.Link, Source: v.Source,
		}
		if jv.Aliases == nil {
			jv.Aliases = []string{}
		}
		if jv.FixedIn == nil {
			jv.FixedIn = []string{}
		}
		if jv.Source == "" {
			jv.Source = "osv"
		}
		if !v.Withdrawn.IsZero() {
			t := v.Withdrawn.UTC().Format(time.RFC3339)
			jv.Withdrawn = &t
		}
		out = append(out, jv)
	}
	return out
}

// marshal encodes JSON as Warehouse does, leaving "<", ">" and "&" as
// they are (Go escapes them by default).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("indexsim: encode JSON: %v", err)) // only our own types are encoded
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
