package main_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// git runs git in dir with a private configuration.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(t),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}

func newRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	return dir
}

type checkJSON struct {
	Findings []struct {
		Kind, File, Key, Commit, Message string
		Line, Col                        int
	}
	Notes []string
}

func runCheck(t *testing.T, dir string, args ...string) (checkJSON, result) {
	t.Helper()
	r := runCLI(t, dir, baseEnv(t), append([]string{"check", "--json"}, args...)...)
	var rep checkJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	return rep, r
}

// kinds returns "kind file[:line]" for each finding, and key when set.
func kinds(rep checkJSON) []string {
	var out []string
	for _, f := range rep.Findings {
		s := f.Kind + " " + f.File
		if f.Key != "" {
			s += " " + f.Key
		}
		out = append(out, s)
	}
	return out
}

func TestCheckGitHistory(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	secret := canary("history")
	writeFile(t, dir, ".env.example", "API_KEY= # required\n")
	writeFile(t, dir, ".env", "API_KEY="+secret+"\n")
	writeFile(t, dir, "config/.env.staging", "API_KEY="+secret+"\n")
	git(t, dir, "add", ".env", ".env.example", "config/.env.staging")
	git(t, dir, "commit", "-q", "-m", "oops: committed .env")
	git(t, dir, "rm", "-q", "--cached", ".env", "config/.env.staging")
	git(t, dir, "commit", "-q", "-m", "remove .env")
	// A branch that still adds a .env elsewhere, reachable only through --all.
	git(t, dir, "checkout", "-q", "-b", "feature")
	writeFile(t, dir, "svc/.env.local", "X=1\n")
	git(t, dir, "add", "svc/.env.local")
	git(t, dir, "commit", "-q", "-m", "feature env")
	git(t, dir, "rm", "-q", "--cached", "svc/.env.local")
	git(t, dir, "commit", "-q", "-m", "untrack")
	git(t, dir, "checkout", "-q", "main")

	rep, r := runCheck(t, dir)
	assert.Equal(t, 1, r.code, r.stderr)
	got := kinds(rep)
	for _, want := range []string{
		"history .env", "history config/.env.staging", "history svc/.env.local",
		"not-ignored .env", "not-ignored config/.env.staging", "not-ignored svc/.env.local",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "tracked .env")
	for _, f := range rep.Findings {
		if f.Kind == "history" {
			assert.Len(t, f.Commit, 7, "abbreviated commit of %s", f.File)
		}
	}
	assert.NotContains(t, r.output(), secret)

	// Ignoring the files clears the not-ignored findings; history stays.
	writeFile(t, dir, ".gitignore", ".env\n.env.*\n!.env.example\n")
	rep, r = runCheck(t, dir)
	assert.Equal(t, 1, r.code)
	for _, k := range kinds(rep) {
		assert.NotContains(t, k, "not-ignored")
	}
	assert.Contains(t, kinds(rep), "history .env")

	// Text output names file and commit.
	tr := runCLI(t, dir, baseEnv(t), "check")
	assert.Equal(t, 1, tr.code)
	assert.Contains(t, tr.stdout, ".env: history: added by commit ")
	assert.NotContains(t, tr.output(), secret)
}

func TestCheckTrackedAndClean(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	writeFile(t, dir, ".env", "A=1\n")
	writeFile(t, dir, ".env.example", "A=\n")
	git(t, dir, "add", ".env", ".env.example")
	git(t, dir, "commit", "-q", "-m", "x")
	rep, r := runCheck(t, dir)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, kinds(rep), "tracked .env")
	assert.Contains(t, kinds(rep), "history .env")

	clean := newRepo(t)
	writeFile(t, clean, ".gitignore", ".env\n.env.*\n!.env.example\n")
	writeFile(t, clean, ".env.example", "A= # required\nB=\n")
	writeFile(t, clean, ".env", "A=1\nB=\n")
	git(t, clean, "add", ".gitignore", ".env.example")
	git(t, clean, "commit", "-q", "-m", "schema")
	rep, r = runCheck(t, clean)
	assert.Equal(t, 0, r.code, "findings: %v", kinds(rep))
	assert.Empty(t, rep.Findings)
	tr := runCLI(t, clean, baseEnv(t), "check")
	assert.Equal(t, 0, tr.code)
	assert.Empty(t, tr.stdout)
}

func TestCheckSchema(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	writeFile(t, dir, ".gitignore", ".env\n.env.*\n!.env.example\n")
	writeFile(t, dir, ".env.example", "A= # required\nB=\nC= # required\n")
	secret := canary("schema")
	p := writeFile(t, dir, ".env", "A=\nTYPO="+secret+"\nC="+secret+"\nC=again\nbad line\nD='unterminated\n")
	require.NoError(t, os.Chmod(p, 0o644))

	rep, r := runCheck(t, dir)
	assert.Equal(t, 1, r.code)
	type pos struct {
		kind, file, key string
		line            int
	}
	var got []pos
	for _, f := range rep.Findings {
		got = append(got, pos{f.Kind, f.File, f.Key, f.Line})
	}
	assert.ElementsMatch(t, []pos{
		{"permissions", ".env", "", 0},
		{"parse", ".env", "", 5},
		{"parse", ".env", "", 6},
		{"empty", ".env", "A", 1},
		{"missing", ".env.example", "B", 2},
		{"unknown", ".env", "TYPO", 2},
		{"duplicate", ".env", "C", 4},
	}, got)
	assert.NotContains(t, r.output(), secret)

	tr := runCLI(t, dir, baseEnv(t), "check")
	assert.Contains(t, tr.stdout, ".env:5:5: parse: missing '=' after key")
	assert.Contains(t, tr.stdout, ".env:1:1: empty: A: ")
	assert.Contains(t, tr.stdout, "mode 0644")
	assert.NotContains(t, tr.output(), secret)
}

func TestCheckExplicitFilesAndErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // not a git repository
	writeFile(t, dir, "schema.env", "A=\nB=\n")
	writeFile(t, dir, "prod.env", "A=1\n")
	writeFile(t, dir, "local.env", "B=2\n")

	rep, r := runCheck(t, dir, "--example", "schema.env", "prod.env", "local.env")
	assert.Equal(t, 0, r.code, "findings: %v", kinds(rep))
	require.NotEmpty(t, rep.Notes)
	assert.Contains(t, rep.Notes[0], "git checks skipped")

	rep, r = runCheck(t, dir, "--example", "schema.env", "prod.env")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, []string{"missing schema.env B"}, kinds(rep))

	for _, args := range [][]string{
		{"check", "--example", "absent.env"},
		{"check", "absent.env"},
		{"check", "--dir", filepath.Join(dir, "absent")},
	} {
		r := runCLI(t, dir, baseEnv(t), args...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
}

// TestCheckNeverPrintsValueLines checks that the lines of an unquoted
// multi-line value never reach the output as keys.
func TestCheckNeverPrintsValueLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Lines of key material: some parse as KEY= (base64 padding), some
	// hold no '='.
	body := []string{
		"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
		"MzEfYyjiWA4R4_M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
		"NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s=",
		"Zq7xW3ab==",
	}
	writeFile(t, dir, ".env.example", "KEY=\nTOKEN=\nOTHER=\n")
	writeFile(t, dir, ".env", "KEY=-----BEGIN PRIVATE KEY-----\n"+strings.Join(body, "\n")+"\n-----END PRIVATE KEY-----\n"+
		// Not PEM: a token split over two lines, the second one twice.
		"TOKEN=eyJhbGciOiJIUzI1NiJ9\n"+body[2]+"\n"+body[2]+"\n"+
		"OTHER=1\nTYPO=2\n")

	rep, r := runCheck(t, dir)
	assert.Equal(t, 1, r.code, r.stderr)
	type pos struct {
		kind, key string
		line      int
	}
	var got []pos
	for _, f := range rep.Findings {
		got = append(got, pos{f.Kind, f.Key, f.Line})
	}
	assert.ElementsMatch(t, []pos{
		{"parse", "", 1},
		{"missing", "KEY", 1},
		{"unknown", "", 8},
		{"duplicate", "", 9},
		{"unknown", "TYPO", 11},
	}, got)
	tr := runCLI(t, dir, baseEnv(t), "check")
	assert.Equal(t, 1, tr.code)
	assert.Contains(t, tr.stdout, ".env:8:1: unknown: not declared in the example (key not shown: ")
	for _, out := range []string{r.output(), tr.output()} {
		for _, l := range body {
			assert.NotContains(t, out, l[:8], "a line of the value was printed")
		}
		assert.NotContains(t, out, "eyJ")
	}
}

// TestCheckExpansionBomb checks that a small .env whose values expand
// exponentially is reported as a parse finding instead of taking the
// memory of the machine.
func TestCheckExpansionBomb(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("V0=x\n")
	for i := 1; i <= 24; i++ { // 16 MiB in V24 without the limits
		prev := "${V" + strconv.Itoa(i-1) + "}"
		b.WriteString("V" + strconv.Itoa(i) + "=" + prev + prev + "\n")
	}
	writeFile(t, dir, ".env", b.String())
	rep, r := runCheck(t, dir)
	assert.Equal(t, 1, r.code, r.stderr)
	require.Len(t, rep.Findings, 1, "findings: %v", kinds(rep))
	f := rep.Findings[0]
	assert.Equal(t, "parse", f.Kind)
	assert.Equal(t, 18, f.Line)
	assert.Equal(t, 11, f.Col)
	assert.Contains(t, f.Message, "size limit")
}

// TestCheckGitMergesAndUnusualPaths checks that check finds a .env that
// only a merge commit added, and reports files whose names git would
// quote, one finding per line.
func TestCheckGitMergesAndUnusualPaths(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("a file name with a newline is not valid on Windows")
	}
	dir := newRepo(t)
	writeFile(t, dir, "README", "x\n")
	git(t, dir, "add", "README")
	git(t, dir, "commit", "-q", "-m", "base")
	git(t, dir, "checkout", "-q", "-b", "topic")
	writeFile(t, dir, "topic.txt", "t\n")
	git(t, dir, "add", "topic.txt")
	git(t, dir, "commit", "-q", "-m", "topic")
	git(t, dir, "checkout", "-q", "main")
	git(t, dir, "merge", "-q", "--no-ff", "--no-commit", "topic")
	secret := canary("merge")
	writeFile(t, dir, "evil/.env", "K="+secret+"\n")
	odd := "odd \"name\"\nx: tracked: fake/.env"
	writeFile(t, dir, odd+"/.env.local", "K="+secret+"\n")
	git(t, dir, "add", "--", "evil/.env", odd+"/.env.local")
	git(t, dir, "commit", "-q", "-m", "merge topic")
	git(t, dir, "rm", "-q", "--cached", "--", "evil/.env")
	git(t, dir, "commit", "-q", "-m", "untrack")

	rep, r := runCheck(t, dir)
	assert.Equal(t, 1, r.code, r.stderr)
	got := kinds(rep)
	for _, want := range []string{
		"history evil/.env", "not-ignored evil/.env",
		"history " + odd + "/.env.local", "tracked " + odd + "/.env.local",
	} {
		assert.Contains(t, got, want)
	}

	tr := runCLI(t, dir, baseEnv(t), "check")
	assert.Equal(t, 1, tr.code)
	quoted := strconv.Quote(odd + "/.env.local")
	assert.Contains(t, tr.stdout, quoted+": tracked: tracked by git: run `git rm --cached -- "+quoted+"`")
	assert.Contains(t, tr.stdout, quoted+": history: added by commit ")
	assert.Contains(t, tr.stdout, "evil/.env: history: added by commit ")
	for _, line := range strings.Split(strings.TrimSpace(tr.stdout), "\n") {
		assert.NotRegexp(t, `^x: tracked`, line, "a file name split a finding over two lines")
	}
	assert.NotContains(t, tr.output(), secret)
}
