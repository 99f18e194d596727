package main_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// On Windows a restart cannot stop the command gracefully (no SIGTERM):
// exec --watch is refused before anything runs, with the reason.
func TestExecWatchRefusedOnWindows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, dir, baseEnv(t), "exec", "--watch", "1s", "--", selfPath(t))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--watch is not supported on windows")
}
