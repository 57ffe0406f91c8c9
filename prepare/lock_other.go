//go:build !unix

package prepare

import "os"

// Without flock, concurrent runs may build the same entry twice; the
// atomic rename still keeps every entry whole.
func lockFile(*os.File) error   { return nil }
func unlockFile(*os.File) error { return nil }
