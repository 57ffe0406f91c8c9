package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pinwheel-dev/pinwheel/internal/redact"
	"github.com/pinwheel-dev/pinwheel/pkgname"
)

// releaseJSON is what the client takes from the PyPI JSON API's release
// endpoint.
type releaseJSON struct {
	links map[string]string
	vulns []Vulnerability
}

type jsonAPIFile struct {
	Filename          string `json:"filename"`
	UploadTimeISO8601 string `json:"upload_time_iso_8601"`
	UploadTime        string `json:"upload_time"`
}

type jsonAPIDoc struct {
	Info struct {
		ProjectURLs map[string]string `json:"project_urls"`
	} `json:"info"`
	URLs            []jsonAPIFile            `json:"urls"`
	Releases        map[string][]jsonAPIFile `json:"releases"`
	Vulnerabilities []struct {
		ID        string   `json:"id"`
		Aliases   []string `json:"aliases"`
		Summary   string   `json:"summary"`
		Details   string   `json:"details"`
		Link      string   `json:"link"`
		FixedIn   []string `json:"fixed_in"`
		Withdrawn *string  `json:"withdrawn"`
	} `json:"vulnerabilities"`
}

const jsonAccept = "application/json"

// ErrNotJSON means the JSON API answered with something other than JSON:
// some private indexes answer any path with an HTML page.
var ErrNotJSON = errors.New("the JSON API answered with something other than JSON")

// noJSONAnswer reports whether err is jsonAPIDoc's "no answer": a 404
// (ErrNotFound) or ErrNotJSON. Links and upload times carry on without
// one; vulnerabilities do not, since no answer is not "none known".
func noJSONAnswer(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotJSON)
}

// releaseJSON fetches /pypi/<name>/<version>/json; no answer is an error
// noJSONAnswer matches. trust is get's.
func (c *Client) releaseJSON(ctx context.Context, norm, version string, trust time.Duration) (*releaseJSON, error) {
	doc, err := c.jsonAPIDoc(ctx, c.jsonAPI+"/"+url.PathEscape(norm)+"/"+url.PathEscape(version)+"/json", trust)
	if err != nil {
		return nil, err
	}
	out := &releaseJSON{links: doc.Info.ProjectURLs}
	for _, v := range doc.Vulnerabilities {
		if v.Withdrawn != nil {
			continue // a withdrawn advisory no longer claims anything
		}
		out.vulns = append(out.vulns, Vulnerability{
			ID: v.ID, Aliases: v.Aliases, Summary: v.Summary, Details: v.Details,
			Link: v.Link, FixedIn: v.FixedIn,
		})
	}
	return out, nil
}

// uploadTimes fetches /pypi/<name>/json for the upload time of every file
// (the deprecated "releases" map is the only place that lists them all);
// no answer (a 404, not JSON) gives nil, nil. trust is get's.
func (c *Client) uploadTimes(ctx context.Context, norm string, trust time.Duration) (map[string]time.Time, error) {
	doc, err := c.jsonAPIDoc(ctx, c.jsonAPI+"/"+url.PathEscape(norm)+"/json", trust)
	if noJSONAnswer(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	times := map[string]time.Time{}
	add := func(f jsonAPIFile) {
		if t, err := time.Parse(time.RFC3339Nano, f.UploadTimeISO8601); err == nil {
			times[f.Filename] = t
		} else if t, err := time.Parse("2006-01-02T15:04:05", f.UploadTime); err == nil {
			times[f.Filename] = t
		}
	}
	for _, f := range doc.URLs {
		add(f)
	}
	for _, files := range doc.Releases {
		for _, f := range files {
			add(f)
		}
	}
	return times, nil
}

// jsonAPIDoc fetches and decodes one JSON API document. A 404 is an
// error matching ErrNotFound, an answer that is not JSON one matching
// ErrNotJSON (noJSONAnswer); each caller decides what no answer means.
func (c *Client) jsonAPIDoc(ctx context.Context, u string, trust time.Duration) (*jsonAPIDoc, error) {
	resp, err := c.get(ctx, u, jsonAccept, trust)
	if err != nil {
		return nil, err
	}
	var doc jsonAPIDoc
	if err := json.Unmarshal(resp.body, &doc); err != nil {
		c.log.WithFields(logrus.Fields{"url": redact.URLs(resp.url), "content_type": resp.contentType}).
			WithError(err).Debug("JSON API answered with something other than JSON")
		return nil, fmt.Errorf("GET %s: %w (%s)", redact.URLs(resp.url), ErrNotJSON, contentTypeOf(resp))
	}
	return &doc, nil
}

// contentTypeOf names what came instead of JSON, for an error.
func contentTypeOf(resp *response) string {
	if resp.contentType == "" {
		return "no content type"
	}
	return resp.contentType
}

// Vulnerabilities returns the known, not withdrawn, vulnerabilities of one
// version from the JSON API's release endpoint: Lookup fills them for one
// pinned version, this for the other versions a file pins the project at
// (under different markers) without fetching the project page again. No
// JSON API, or no version, gives nil, nil; a 404 or an answer that is not
// JSON is an error matching ErrNotFound or ErrNotJSON: the vulnerabilities
// are unknown, not none.
func (c *Client) Vulnerabilities(ctx context.Context, name, version string) ([]Vulnerability, error) {
	if c.jsonAPI == "" || version == "" {
		return nil, nil
	}
	info, err := c.releaseJSON(ctx, pkgname.Normalize(name), version, 0)
	if err != nil {
		return nil, fmt.Errorf("look up %s %s in the JSON API: %w", name, version, err)
	}
	return info.vulns, nil
}
