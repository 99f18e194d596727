package gitscan_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/cmd/driftless/internal/gitscan"
)

func TestIsEnvFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want bool
	}{
		{".env", true},
		{"svc/.env", true},
		{".env.local", true},
		{"deploy/.env.production", true},
		{".env.example", false},
		{".env.sample", false},
		{".env.template", false},
		{".env.dist", false},
		{"env", false},
		{"prod.env", false},
		{".envrc", false},
		{".environment", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, gitscan.IsEnvFile(tt.path), tt.path)
	}
}

// fixture is a git repository in a temporary directory, built with the git
// command under a private configuration; each commit is one second later
// than the previous one, so that history order is deterministic.
type fixture struct {
	t    *testing.T
	dir  string
	tick int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	f := &fixture{t: t, dir: t.TempDir()}
	f.git("init", "-q", "-b", "main")
	f.commit("base", "README", "x")
	return f
}

// git runs git in the fixture and returns its standard output.
func (f *fixture) git(args ...string) string {
	f.t.Helper()
	f.tick++
	date := strconv.Itoa(1700000000+f.tick) + " +0000"
	cmd := exec.Command("git", args...)
	cmd.Dir = f.dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1", "HOME="+f.dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_COMMITTER_DATE="+date)
	out, err := cmd.Output()
	require.NoError(f.t, err, "git %q", args)
	return string(out)
}

func (f *fixture) write(path, content string) {
	f.t.Helper()
	p := filepath.Join(f.dir, filepath.FromSlash(path))
	require.NoError(f.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(f.t, os.WriteFile(p, []byte(content), 0o600))
}

// commit writes each path with content and commits them (with
// --no-verify, so that no hook runs) under message.
func (f *fixture) commit(message string, pathContent ...string) string {
	f.t.Helper()
	for i := 0; i < len(pathContent); i += 2 {
		f.write(pathContent[i], pathContent[i+1])
		f.git("add", "--", pathContent[i])
	}
	f.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message)
	return f.head()
}

func (f *fixture) head() string {
	f.t.Helper()
	return strings.TrimSpace(f.git("rev-parse", "--short", "HEAD"))
}

func (f *fixture) open() *gitscan.Repo {
	f.t.Helper()
	r, err := gitscan.Open(f.dir)
	require.NoError(f.t, err)
	return r
}

func TestHistoryMerges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// A .env committed on a side branch, merged, and then deleted along
	// with the branch: the side commit added it, not the merge.
	f.git("checkout", "-q", "-b", "side")
	side := f.commit("side env", "side/.env", "A=1\n")
	f.git("checkout", "-q", "main")
	f.commit("main work", "main.txt", "m")
	f.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	f.git("branch", "-q", "-D", "side")
	f.git("rm", "-q", "--cached", "--", "side/.env")
	f.commit("untrack side env")

	// An evil merge: neither parent has the file, the merge commit adds it.
	f.git("checkout", "-q", "-b", "topic")
	f.commit("topic work", "topic.txt", "t")
	f.git("checkout", "-q", "main")
	f.commit("more main work", "main2.txt", "m")
	f.git("merge", "-q", "--no-ff", "--no-commit", "topic")
	f.write("evil/.env.production", "B=2\n")
	f.git("add", "--", "evil/.env.production")
	f.git("commit", "-q", "--no-verify", "-m", "merge topic")
	evil := f.head()
	f.git("branch", "-q", "-D", "topic")

	// The same file added on both sides of a merge: two adds, the merge
	// none.
	f.git("checkout", "-q", "-b", "left")
	left := f.commit("left env", "both/.env", "C=3\n")
	f.git("checkout", "-q", "main")
	right := f.commit("right env", "both/.env", "C=3\n")
	f.git("merge", "-q", "--no-ff", "-m", "merge left", "left")
	f.git("branch", "-q", "-D", "left")

	// An octopus merge that adds a file none of its three parents has.
	f.git("checkout", "-q", "-b", "o1")
	f.commit("o1", "o1.txt", "1")
	f.git("checkout", "-q", "-b", "o2", "main")
	f.commit("o2", "o2.txt", "2")
	f.git("checkout", "-q", "main")
	f.git("merge", "-q", "--no-ff", "--no-commit", "o1", "o2")
	f.write(".env.octopus", "D=4\n")
	f.git("add", "--", ".env.octopus")
	f.git("commit", "-q", "--no-verify", "-m", "octopus")
	octopus := f.head()
	f.git("branch", "-q", "-D", "o1", "o2")

	got, err := f.open().History()
	require.NoError(t, err)
	assert.Equal(t, []gitscan.Commit{
		{Path: ".env.octopus", Hash: octopus, Count: 1},
		{Path: "both/.env", Hash: left, Count: 2},
		{Path: "evil/.env.production", Hash: evil, Count: 1},
		{Path: "side/.env", Hash: side, Count: 1},
	}, got)
	assert.NotEqual(t, left, right)
}

// unusualPaths are .env files whose names git quotes without -z, or that
// look like options.
var unusualPaths = []string{
	"dir with space/.env",
	`quo"te/.env`,
	"new\nline/.env",
	"tab\tdir/.env.local",
	"ünïcödé/.env",
	"-dash/.env",
	"--all/.env",
	`back\slash/.env`,
	"\x01soh/.env",
	".env.with space",
	"\nlead/.env",
}

func TestUnusualPaths(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("these names are not valid on Windows")
	}
	f := newFixture(t)
	var args []string
	for _, p := range unusualPaths {
		args = append(args, p, "SECRET=1\n")
	}
	added := f.commit("add env files", args...)
	r := f.open()

	tracked, err := r.Tracked()
	require.NoError(t, err)
	assert.ElementsMatch(t, unusualPaths, tracked)

	// Untracked, they stay in the history and in the work tree.
	f.git(append([]string{"rm", "-q", "--cached", "--"}, unusualPaths...)...)
	f.commit("untrack")
	tracked, err = r.Tracked()
	require.NoError(t, err)
	assert.Empty(t, tracked)

	hist, err := r.History()
	require.NoError(t, err)
	var paths []string
	for _, c := range hist {
		paths = append(paths, c.Path)
		assert.Equal(t, added, c.Hash, "%q", c.Path)
		assert.Equal(t, 1, c.Count, "%q", c.Path)
	}
	assert.ElementsMatch(t, unusualPaths, paths)

	found, err := gitscan.Find(f.dir)
	require.NoError(t, err)
	assert.ElementsMatch(t, unusualPaths, found)

	f.write(".gitignore", "/dir with space/\n/-dash/\n")
	not, err := r.NotIgnored(found)
	require.NoError(t, err)
	var want []string
	for _, p := range unusualPaths {
		if p != "dir with space/.env" && p != "-dash/.env" {
			want = append(want, p)
		}
	}
	assert.ElementsMatch(t, want, not)
}
