package prepare

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/pinwheel-dev/pinwheel/buildinfo"
)

// hashVersion changes whenever the layout of hashInput or the tarball
// does, so old cache entries stop matching.
const hashVersion = 1

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
	Format       Format        `json:"format"`
	Venv         string        `json:"venv"`
	SoftwareDir  string        `json:"software_dir"`
}

func (p *plan) inputHash() string {
	in := hashInput{
		Version:      hashVersion,
		Python:       p.python,
		Constraints:  sha256Hex(p.constraints),
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
			Packages:     p.opts.Packages,
			DataProjects: p.opts.DataProjects,
			Constraints:  p.opts.Constraints,
			IndexURL:     redact(p.opts.IndexURL),
			Venv:         p.venv,
			SoftwareDir:  p.softwareDir,
			Format:       p.format,
		},
	}
	if p.constraints != nil {
		m.Inputs.ConstraintsSHA256 = sha256Hex(p.constraints)
	}
	for i, r := range p.reqs {
		r.URL = redact(r.URL)
		m.Requirements[i] = r
	}
	for i, ov := range p.overrides {
		ov.URL = redact(ov.URL)
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
