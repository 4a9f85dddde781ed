//go:build unix

package crawlfile

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes the lock of a crawl file's writer, which the returned
// file holds until it is closed; ErrInUse when another holds it. It is
// an flock of its own, apart from the locks SQLite takes.
func lockFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, err
	}
	return f, nil
}
