package redistest

import (
	"os/exec"
	"syscall"
)

// tieToTest makes the kernel kill the server when the test process
// dies without its cleanups (go test's -timeout panics past them).
func tieToTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
