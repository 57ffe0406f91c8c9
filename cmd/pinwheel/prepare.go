package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/pinwheel-dev/pinwheel/gitlabauth"
	"github.com/pinwheel-dev/pinwheel/internal/redact"
	"github.com/pinwheel-dev/pinwheel/prepare"
)

func init() { commands = append(commands, newPrepareCmd) }

type prepareFlags struct {
	packages, dataProjects, constraints string
	overrides                           []string
	gitlabURL, productionBranch         string
	indexURL, python                    string
	softwareDir, venv, output, cacheDir string
	cache, cacheProject                 string
	printEnv                            bool
}

func newPrepareCmd() *cobra.Command {
	var f prepareFlags
	cmd := &cobra.Command{
		Use:   "prepare",
		Short: "Build the pipeline's Python virtualenv and pack it as a tarball",
		Long: `prepare creates a virtualenv, installs the packages (GitLab project paths
from their production branch, anything else through pip) with the
constraints, runs pip check, unpacks the data projects beside it, writes
pinwheel-manifest.json and packs everything into a tarball that later jobs
unpack with "tar -xf OUT -C /".

A variable <package>_pip_url (e.g. cki_lib_pip_url) or --override name=URL
replaces a package's URL; the flag wins.

With --cache-dir, a run whose inputs (interpreter, constraints, packages with
git refs resolved to commits, overrides, data project commits) match an
earlier one copies that run's tarball instead of building. With --cache
gitlab, the tarball is also kept in a GitLab project's generic package
registry (pinwheel-venv/<input hash>/venv.tar.zst), shared by every runner;
its sha256 is checked before use, and a bad or missing entry means a build.

Data projects are read with the token of PINWHEEL_GITLAB_TOKEN, else
GITLAB_TOKEN, else CI_JOB_TOKEN (only for the instance in CI_SERVER_URL),
else anonymously.` + exitStatus("when the venv (and tarball) is ready", "when it failed (pip's own error text is printed)"),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPrepare(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.packages, "packages", "", "whitespace-separated pip `REQUIREMENTS` and GitLab project paths (default $GITLAB_COM_PACKAGES)")
	fl.StringVar(&f.dataProjects, "data-projects", "", "whitespace-separated GitLab `PATHS` unpacked beside the venv (default $DATA_PROJECTS)")
	fl.StringVar(&f.constraints, "constraints", "", "constraints `FILE` passed to pip as -c")
	fl.StringArrayVar(&f.overrides, "override", nil, "`NAME=URL` replacing a package's URL (repeatable; wins over <package>_pip_url)")
	fl.StringVar(&f.gitlabURL, "gitlab-url", "https://gitlab.com", "GitLab `URL` of the project paths and data projects; for packages any git base such as file:///srv/git")
	fl.StringVar(&f.productionBranch, "production-branch", "production", "`BRANCH` installed for GitLab project paths")
	fl.StringVar(&f.indexURL, "index-url", "", "package index `URL` (pip's --index-url)")
	fl.StringVar(&f.python, "python", "python3", "`PYTHON` interpreter that creates the venv")
	fl.StringVar(&f.softwareDir, "software-dir", "", "`DIR` of the venv (DIR/venv) and the data projects (default $SOFTWARE_DIR)")
	fl.StringVar(&f.venv, "venv", "", "venv `PATH`, instead of SOFTWARE_DIR/venv")
	fl.StringVar(&f.output, "output", "", "tarball `FILE` to write: .tar.gz or .tar.zst")
	fl.StringVar(&f.cacheDir, "cache-dir", "", "`DIR` caching tarballs keyed by the input hash")
	fl.StringVar(&f.cache, "cache", "", "`KIND` \"gitlab\": also keep tarballs in a project's generic package registry")
	fl.StringVar(&f.cacheProject, "cache-project", "", "`PROJECT` of the --cache gitlab packages (default $CI_PROJECT_ID, else $CI_PROJECT_PATH)")
	fl.BoolVar(&f.printEnv, "print-env", false, "print the shell lines that unpack and activate the tarball")
	return cmd
}

func runPrepare(cmd *cobra.Command, f *prepareFlags) error {
	fromEnv(cmd, "packages", &f.packages, "GITLAB_COM_PACKAGES")
	fromEnv(cmd, "data-projects", &f.dataProjects, "DATA_PROJECTS")
	fromEnv(cmd, "software-dir", &f.softwareDir, "SOFTWARE_DIR")
	if f.printEnv && f.output == "" {
		return usageError(errors.New("--print-env needs --output"))
	}
	overrides := map[string]string{}
	for _, o := range f.overrides {
		name, u, ok := strings.Cut(o, "=")
		if !ok || name == "" || u == "" {
			return usageError(fmt.Errorf("--override %q: want name=URL", name))
		}
		overrides[name] = u
	}
	var err error
	opts := prepare.Options{
		Packages:         strings.Fields(f.packages),
		DataProjects:     strings.Fields(f.dataProjects),
		Constraints:      f.constraints,
		Overrides:        overrides,
		Environ:          os.Environ(),
		GitLabURL:        f.gitlabURL,
		ProductionBranch: f.productionBranch,
		IndexURL:         f.indexURL,
		Python:           f.python,
		SoftwareDir:      f.softwareDir,
		Venv:             f.venv,
		Output:           f.output,
		CacheDir:         f.cacheDir,
		Log:              cmd.ErrOrStderr(),
	}
	var creds gitlabauth.Credentials
	if len(opts.DataProjects) > 0 {
		gl, c, err := gitlabClient(f.gitlabURL)
		if err != nil {
			return err
		}
		opts.GitLab, creds = gl, c
	}
	if opts.Remote, err = remoteCache(cmd, f); err != nil {
		return err
	}
	ctx, cancel := jobContext(cmd)
	defer cancel()
	res, err := prepare.Prepare(ctx, opts)
	if errors.Is(err, prepare.ErrInvalidOptions) {
		return usageError(err)
	}
	if errors.Is(err, prepare.ErrRefNotFound) && len(opts.DataProjects) > 0 {
		// GitLab answers 404 for a project the token may not see, too.
		err = fmt.Errorf("%w (or the project is not found, or the token cannot see it)", err)
	}
	if err != nil {
		return gitlabauth.Explain(err, creds)
	}
	state := "built"
	if res.CacheHit {
		state = "from cache"
		if res.CacheSource == "gitlab" {
			state = "from the GitLab cache"
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "prepare: %s %s (input hash %s)\n", state, firstOf(res.Output, res.Venv), res.Hash)
	if f.printEnv {
		_, err = fmt.Fprint(cmd.OutOrStdout(), prepare.ActivationScript(res.Output, res.Venv))
	}
	return err
}

// remoteCache is the --cache gitlab store: in the project of
// --cache-project (in CI, the pipeline's own), on the instance of an
// explicit --gitlab-url, else CI_SERVER_URL, with the token gitlabauth
// finds (the job token in CI).
func remoteCache(cmd *cobra.Command, f *prepareFlags) (*prepare.RemoteCache, error) {
	switch f.cache {
	case "":
		if f.cacheProject != "" {
			return nil, usageError(errors.New("--cache-project needs --cache gitlab"))
		}
		return nil, nil
	case "gitlab":
	default:
		return nil, usageError(fmt.Errorf("--cache %q: the only remote cache is \"gitlab\"", f.cache))
	}
	project := firstOf(f.cacheProject, firstOf(os.Getenv("CI_PROJECT_ID"), os.Getenv("CI_PROJECT_PATH")))
	if project == "" {
		return nil, usageError(errors.New("--cache gitlab needs --cache-project (or CI_PROJECT_ID in a pipeline)"))
	}
	if f.output == "" {
		return nil, usageError(errors.New("--cache gitlab needs --output"))
	}
	base := f.gitlabURL
	if server := os.Getenv("CI_SERVER_URL"); !cmd.Flags().Changed("gitlab-url") && server != "" {
		base = server
	}
	gl, _, err := gitlabClient(base)
	if err != nil {
		return nil, err
	}
	return &prepare.RemoteCache{GitLab: gl, Project: project}, nil
}

// fromEnv fills an unset flag from the environment variable the pipelines
// already set.
func fromEnv(cmd *cobra.Command, flag string, v *string, env string) {
	if !cmd.Flags().Changed(flag) {
		if e := os.Getenv(env); e != "" {
			*v = e
		}
	}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// gitlabClient talks to the API at base with the token gitlabauth.FromLookupEnv
// finds, or anonymously (public data projects) when there is none.
func gitlabClient(base string) (*gitlab.Client, gitlabauth.Credentials, error) {
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, gitlabauth.Credentials{}, usageError(fmt.Errorf("--data-projects and --cache gitlab need an http(s) --gitlab-url, not %q", redact.URLs(base)))
	}
	creds, err := gitlabauth.FromLookupEnv(os.LookupEnv, base)
	if err != nil && !errors.Is(err, gitlabauth.ErrNoToken) {
		return nil, creds, err
	}
	gl, err := gitlabauth.NewClient(base, creds)
	if err != nil {
		return nil, creds, usageError(err)
	}
	return gl, creds, nil
}
