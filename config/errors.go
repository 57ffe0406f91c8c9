package config

import "errors"

// ErrUnknownProject means a project path (or ID) was asked for that the
// configuration does not list: a run, a trigger or a --project flag. It is
// the one value every package returns for it (scheduler and daemon wrap
// it), so a caller tests errors.Is(err, config.ErrUnknownProject).
var ErrUnknownProject = errors.New("project is not configured")
