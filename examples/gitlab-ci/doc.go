// Package gitlabci is the README's example pipeline as a real
// .gitlab-ci.yml, with the project files it needs (constraints.txt and a
// test that checks the prepared venv against it). Its tests keep the README
// in step with the file and run the pipeline with gitlab-ci-local against
// the simulators: the index simulator serves locally built wheels, the
// GitLab simulator the data project, the package registry (the remote
// prepare cache) and the deployments API, and a local bare repository is
// the production remote. The package has no code of its own.
package gitlabci
