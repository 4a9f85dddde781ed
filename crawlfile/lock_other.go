//go:build !unix

package crawlfile

import "os"

// lockFile takes no lock where there is no flock: one writer at a time
// is then the user's business.
func lockFile(string) (*os.File, error) { return nil, nil }
