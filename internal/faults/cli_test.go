package faults_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cliPath is the driftless CLI built by TestMain, or "" with cliBuildErr
// saying why it could not be built.
var cliPath, cliBuildErr string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if os.Getenv(panicChildEnv) != "" {
		panicChild()
		return 0
	}
	if os.Getenv(writeChildEnv) != "" {
		return writeChild()
	}
	dir, err := os.MkdirTemp("", "faults-cli-")
	if err != nil {
		cliBuildErr = err.Error()
		return m.Run()
	}
	defer os.RemoveAll(dir)
	buildCLI(dir)
	return m.Run()
}

// buildCLI builds ../../cmd/driftless (its own module) into dir.
func buildCLI(dir string) {
	src, err := filepath.Abs(filepath.Join("..", "..", "cmd", "driftless"))
	if err != nil {
		cliBuildErr = err.Error()
		return
	}
	if _, err := os.Stat(filepath.Join(src, "go.mod")); err != nil {
		cliBuildErr = "cmd/driftless is not in this checkout"
		return
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		cliBuildErr = "no go command to build the CLI"
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "driftless")
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, gobin, append(args, ".")...)
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		cliBuildErr = fmt.Sprintf("building cmd/driftless failed: %v\n%s", err, b)
		return
	}
	cliPath = out
}

// cliResult is one run of the CLI.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the CLI with args in dir, with an environment that points
// the AWS SDK at awsURL and holds nothing of the caller's.
func runCLI(t *testing.T, dir, awsURL string, args ...string) cliResult {
	t.Helper()
	return runCLIEnv(t, dir, awsURL, nil, args...)
}

// runCLIEnv is runCLI with extra environment variables.
func runCLIEnv(t *testing.T, dir, awsURL string, extra []string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cliPath, args...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_ACCESS_KEY_ID=AKIDFAULTS",
		"AWS_SECRET_ACCESS_KEY=faults-secret-key",
		"AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + awsURL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
		"AWS_MAX_ATTEMPTS=1",
	}
	cmd.Env = append(cmd.Env, extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err, "running the CLI")
	}
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// requireCLI fails the test when the CLI could not be built: its output
// cannot be checked then, and that is a failure, not a skip.
func requireCLI(t *testing.T) {
	t.Helper()
	if cliPath == "" {
		t.Fatalf("the CLI could not be built, so its output cannot be checked: %s", cliBuildErr)
	}
}

// gitRun runs git with args in dir, with no user or system configuration.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	git, err := exec.LookPath("git")
	require.NoError(t, err, "git is needed to check the check command")
	cmd := exec.CommandContext(t.Context(), git, append([]string{"-c", "user.name=faults", "-c", "user.email=faults@example.com",
		"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1"}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return string(out)
}

// TestCanaryCLI is the row "Canary: CLI output": explain, diff, exec and
// check never print the canary, whether it is a plain value of an env
// file or the value of a resolved reference, on success or on error.
func TestCanaryCLI(t *testing.T) {
	t.Parallel()
	requireCLI(t)
	forEachCanary(t, testCanaryCLI)
}

func testCanaryCLI(t *testing.T, canary string) {
	srv, _ := newAWS(t, map[string]string{
		"prod/api": canary,
		"prod/db":  `{"password":` + js(canary) + `,"user":"app"}`,
	})
	dir := t.TempDir()
	writeFile(t, dir, "a.env", "DB_PASSWORD="+envQuote(canary)+"\nAPI_KEY=awssm://prod/api\nJSONKEY=awssm://prod/db#password\n"+
		"BROKEN=awssm://prod/db#missing\nGONE=awssm://prod/gone\nQUOTED="+envQuote(canary)+"\n", 0o600)
	writeFile(t, dir, "b.env", "DB_PASSWORD=different\nAPI_KEY="+envQuote(canary)+"\nJSONKEY=awssm://prod/api\nNEW="+envQuote(canary)+"\n", 0o600)
	writeFile(t, dir, "ok.env", "API_KEY=awssm://prod/api\nJSONKEY=awssm://prod/db#password\n", 0o600)
	writeFile(t, dir, "bad.env", "API_KEY=awssm://prod/api\nBROKEN=awssm://prod/db#missing\nLINE=\""+canary+"\n", 0o600)
	echo := `printf '%s|%s\n' "$API_KEY" "$JSONKEY"; printf 'err %s\n' "$API_KEY" >&2`
	tests := []struct {
		name     string
		args     []string
		wantCode []int
	}{
		{name: "explain", args: []string{"explain", "--env-file", "a.env"}, wantCode: []int{0, 1}},
		{name: "explain --json", args: []string{"explain", "--json", "--env-file", "a.env"}, wantCode: []int{0, 1}},
		{name: "explain --resolve", args: []string{"explain", "--resolve", "--env-file", "a.env"}, wantCode: []int{1}},
		{name: "explain --resolve --json", args: []string{"explain", "--resolve", "--json", "--env-file", "a.env"}, wantCode: []int{1}},
		{name: "explain of a malformed env file", args: []string{"explain", "--env-file", "bad.env"}, wantCode: []int{1, 2}},
		{name: "diff", args: []string{"diff", "a.env", "b.env"}, wantCode: []int{1}},
		{name: "diff --json", args: []string{"diff", "--json", "a.env", "b.env"}, wantCode: []int{1}},
		{name: "diff --resolve of files with failing references", args: []string{"diff", "--resolve", "a.env", "b.env"}, wantCode: []int{2}},
		{name: "diff --resolve", args: []string{"diff", "--resolve", "ok.env", "b.env"}, wantCode: []int{1}},
		{name: "exec --mask of a command printing the values", args: []string{"exec", "--mask", "--env-file", "ok.env", "--", "sh", "-c", echo}, wantCode: []int{0}},
		{name: "exec with a failing reference", args: []string{"exec", "--env-file", "a.env", "--", "sh", "-c", echo}, wantCode: []int{2}},
		{name: "exec with a malformed env file", args: []string{"exec", "--env-file", "bad.env", "--", "sh", "-c", echo}, wantCode: []int{2}},
		{name: "check of a tracked .env", args: []string{"check", "--dir", "repo"}, wantCode: []int{1}},
		{name: "check --json of a tracked .env", args: []string{"check", "--json", "--dir", "repo"}, wantCode: []int{1}},
	}
	// A git work tree whose .env (with the canary unquoted) is tracked,
	// committed, readable by others and off the schema.
	repo := filepath.Join(dir, "repo")
	require.NoError(t, os.Mkdir(repo, 0o755))
	writeFile(t, repo, ".env", "DB_PASSWORD="+canary+"\nAPI=1\nBAD LINE "+canary+"\n", 0o644)
	writeFile(t, repo, ".env.example", "API=\nOTHER=\n", 0o644)
	gitRun(t, repo, "init", "-q", ".")
	gitRun(t, repo, "add", ".env")
	gitRun(t, repo, "commit", "-qm", "oops")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, dir, srv.URL, tc.args...)
			require.Contains(t, tc.wantCode, r.code, "exit code (stderr: %d bytes)", len(r.stderr))
			if tc.name == "exec --mask of a command printing the values" {
				require.Contains(t, r.stdout, "|", "the command ran")
			}
			assertNoLeakString(t, canary, "stdout", r.stdout)
			assertNoLeakString(t, canary, "stderr", r.stderr)
		})
	}
}
