package prepare

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
	"github.com/pinwheel-dev/pinwheel/internal/redact"
)

// hashVersion changes whenever the layout of hashInput or the tarball
// does, so old cache entries stop matching.
const hashVersion = 2

// hashInput is everything that decides the tarball's contents. The venv and
// software paths are in it because venvs hold absolute paths.
type hashInput struct {
	Version      int           `json:"v"`
	Python       Interpreter   `json:"python"`
	Constraints  string        `json:"constraints_sha256"`
	IndexURL     string        `json:"index_url"`
	Requirements []Requirement `json:"requirements"`
	Overrides    []Override    `json:"overrides"`
	DataProjects []DataProject `json:"data_projects"`
	PipEnv       []string      `json:"pip_env"`
	Format       Format        `json:"format"`
	Venv         string        `json:"venv"`
	SoftwareDir  string        `json:"software_dir"`
}

func (p *plan) inputHash() string {
	in := hashInput{
		Version:      hashVersion,
		Python:       p.python.key(),
		Constraints:  sha256Hex(p.constraints),
		PipEnv:       p.pipEnv,
		IndexURL:     p.opts.IndexURL,
		Requirements: p.reqs,
		Overrides:    p.overrides,
		DataProjects: p.data,
		Format:       p.format,
		Venv:         p.venv,
		SoftwareDir:  p.softwareDir,
	}
	b, err := json.Marshal(in)
	if err != nil {
		panic(fmt.Sprintf("marshal hash input: %v", err)) // plain structs of strings
	}
	return sha256Hex(b)
}

// pipSettings are the PIP_* variables of environ that can change what pip
// installs (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_PRE, ...), sorted: pip reads
// them in every step, so they belong in the hash like --index-url. Values
// are hashed, never written out: an index URL can carry a token.
// See https://pip.pypa.io/en/stable/topics/configuration/#environment-variables.
func pipSettings(environ []string) []string {
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PIP_") && !pipHarmless[k] {
			out = append(out, kv)
		}
	}
	sort.Strings(out)
	return out
}

// pipHarmless are PIP_* variables that change how pip works, not what it
// installs; pinwheel sets some of them itself (pipEnv).
var pipHarmless = map[string]bool{
	"PIP_CACHE_DIR": true, "PIP_NO_CACHE_DIR": true, "PIP_DEFAULT_TIMEOUT": true, "PIP_TIMEOUT": true,
	"PIP_RETRIES": true, "PIP_PROGRESS_BAR": true, "PIP_DISABLE_PIP_VERSION_CHECK": true, "PIP_NO_INPUT": true,
	"PIP_CERT": true, "PIP_CLIENT_CERT": true, "PIP_PROXY": true, "PIP_QUIET": true, "PIP_VERBOSE": true,
	"PIP_LOG": true, "PIP_NO_COLOR": true, "PIP_ROOT_USER_ACTION": true, "PIP_REQUIRE_VIRTUALENV": true,
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Manifest is pinwheel-manifest.json: what went into the venv and what
// came out, so a later job (or a person) can tell exactly what it runs.
type Manifest struct {
	Pinwheel     string         `json:"pinwheel"`
	Created      time.Time      `json:"created"`
	InputHash    string         `json:"input_hash"`
	Python       Interpreter    `json:"python"`
	Inputs       ManifestInputs `json:"inputs"`
	Requirements []Requirement  `json:"requirements"`
	Overrides    []Override     `json:"overrides"`
	DataProjects []DataProject  `json:"data_projects"`
	Freeze       []string       `json:"freeze"`
}

// ManifestInputs are the options as given, secrets redacted.
type ManifestInputs struct {
	Packages          []string `json:"packages"`
	DataProjects      []string `json:"data_projects"`
	Constraints       string   `json:"constraints,omitempty"`
	ConstraintsSHA256 string   `json:"constraints_sha256,omitempty"`
	IndexURL          string   `json:"index_url,omitempty"`
	Venv              string   `json:"venv"`
	SoftwareDir       string   `json:"software_dir"`
	Format            Format   `json:"format,omitempty"`
}

func (p *plan) manifest(freeze []string) *Manifest {
	m := &Manifest{
		Pinwheel:     buildinfo.Version,
		Created:      p.opts.Now().UTC(),
		InputHash:    p.hash,
		Python:       p.python,
		Requirements: make([]Requirement, len(p.reqs)),
		Overrides:    make([]Override, len(p.overrides)),
		DataProjects: p.data,
		Freeze:       freeze,
		Inputs: ManifestInputs{
			Packages:     make([]string, 0, len(p.opts.Packages)),
			DataProjects: p.opts.DataProjects,
			Constraints:  p.opts.Constraints,
			IndexURL:     redact.URLs(p.opts.IndexURL),
			Venv:         p.venv,
			SoftwareDir:  p.softwareDir,
			Format:       p.format,
		},
	}
	if p.constraints != nil {
		m.Inputs.ConstraintsSHA256 = sha256Hex(p.constraints)
	}
	for _, e := range p.opts.Packages {
		m.Inputs.Packages = append(m.Inputs.Packages, redact.URLs(e))
	}
	for i, r := range p.reqs {
		r.Entry, r.URL = redact.URLs(r.Entry), redact.URLs(r.URL)
		m.Requirements[i] = r
	}
	for i, ov := range p.overrides {
		ov.URL = redact.URLs(ov.URL)
		m.Overrides[i] = ov
	}
	return m
}

// write writes the manifest to path and returns its bytes.
func (m *Manifest) write(path string) ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	b = append(b, '\n')
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	return b, nil
}

// ReadManifest reads the manifest of an unpacked venv.
func ReadManifest(venv string) (*Manifest, error) {
	b, err := os.ReadFile(venv + "/" + ManifestName)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	return &m, nil
}
