package faults_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeChildEnv makes the test binary (see TestMain) print the password
// member of the JSON secret in $DB in several encodings, each split
// across two writes, instead of running tests.
const writeChildEnv = "FAULTS_WRITE_CHILD"

// maskedForms returns the forms of v that exec --mask promises to mask, by
// name: as is, JSON-escaped (with and without HTML escapes), base64
// (standard and URL, padded and raw), hex (both cases) and URL-escaped
// (query and path).
func maskedForms(v string) [][2]string {
	hx := hex.EncodeToString([]byte(v))
	return [][2]string{
		{"as-is", v},
		{"json", jsonEscape(v, true)},
		{"json-nohtml", jsonEscape(v, false)},
		{"base64", base64.StdEncoding.EncodeToString([]byte(v))},
		{"base64url", base64.URLEncoding.EncodeToString([]byte(v))},
		{"base64raw", base64.RawStdEncoding.EncodeToString([]byte(v))},
		{"base64rawurl", base64.RawURLEncoding.EncodeToString([]byte(v))},
		{"hex", hx},
		{"HEX", strings.ToUpper(hx)},
		{"query", url.QueryEscape(v)},
		{"path", url.PathEscape(v)},
	}
}

// writeChild prints the forms of $DB's db.password member on stdout and
// stderr, each line in two writes split in the middle of the form.
func writeChild() int {
	var doc struct {
		DB struct {
			Password string `json:"password"`
		} `json:"db"`
	}
	if err := json.Unmarshal([]byte(os.Getenv("DB")), &doc); err != nil {
		os.Stderr.WriteString("DB is not the JSON secret\n")
		return 3
	}
	for _, f := range maskedForms(doc.DB.Password) {
		for _, w := range []*os.File{os.Stdout, os.Stderr} {
			mid := len(f[1]) / 2
			_, _ = w.WriteString(f[0] + "=" + f[1][:mid])
			_, _ = w.WriteString(f[1][mid:] + "\n")
		}
	}
	return 0
}

// TestTrustExecMask is the row "exec --mask masks members of whole-JSON
// secrets and their encoded forms, also split across writes": a command
// given a whole JSON secret prints one of its members as is, JSON-escaped,
// base64, hex and URL-escaped, each form in two writes; neither stdout nor
// stderr holds any of it.
func TestTrustExecMask(t *testing.T) {
	t.Parallel()
	requireCLI(t)
	forEachCanary(t, func(t *testing.T, canary string) {
		srv, _ := newAWS(t, map[string]string{"prod/db": `{"user":"app","db":{"password":` + js(canary) + `}}`})
		dir := t.TempDir()
		writeFile(t, dir, "ok.env", "DB=awssm://prod/db\n", 0o600)
		r := runCLIEnv(t, dir, srv.URL, []string{writeChildEnv + "=1"},
			"exec", "--mask", "--env-file", "ok.env", "--", os.Args[0], "-test.run=^$")
		require.Equal(t, 0, r.code, "exit code (stderr: %d bytes)", len(r.stderr))
		require.Contains(t, r.stdout, "base64url=", "the command ran")
		assertNoLeakString(t, canary, "stdout", r.stdout)
		assertNoLeakString(t, canary, "stderr", r.stderr)
	})
}

// TestTrustExpansionBombCheck is the CLI half of the row ".env expansion
// bomb": driftless check of a directory whose .env is the 549-byte bomb
// reports a finding (exit 1) with output of bounded size, and returns.
func TestTrustExpansionBombCheck(t *testing.T) {
	t.Parallel()
	requireCLI(t)
	dir := t.TempDir()
	writeFile(t, dir, ".env", expansionBomb(), 0o600)
	writeFile(t, dir, ".env.example", "V0=\n", 0o644)
	for _, args := range [][]string{{"check", "--dir", dir}, {"check", "--json", "--dir", dir}} {
		start := time.Now()
		r := runCLI(t, dir, "http://127.0.0.1:1", args...)
		t.Logf("%v: exit %d after %v, %d bytes of output", args[:len(args)-2], r.code, time.Since(start), len(r.stdout)+len(r.stderr))
		assert.Equal(t, 1, r.code, "exit code")
		assert.Less(t, len(r.stdout)+len(r.stderr), 16<<10, "output of bounded size")
		assert.Contains(t, r.stdout, "parse", "the finding is reported")
	}
}

// checkFindings runs check --json in dir and returns its findings.
func checkFindings(t *testing.T, dir string, args ...string) (cliResult, []map[string]any) {
	t.Helper()
	r := runCLI(t, dir, "http://127.0.0.1:1", append([]string{"check", "--json"}, args...)...)
	var rep struct {
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), "check --json prints JSON (exit %d)", r.code)
	return r, rep.Findings
}

// TestTrustCheckGitHistory is the row "check sees a .env added in a merge
// commit, and paths git quotes": a .env that only a merge commit added
// (and a later commit removed), and a .env.local under a directory whose
// name git quotes (non-ASCII letters and a double quote), are each
// reported as history findings, by their real paths; the canary in them
// is printed nowhere.
func TestTrustCheckGitHistory(t *testing.T) {
	t.Parallel()
	requireCLI(t)
	repo := t.TempDir()
	gitRun(t, repo, "init", "-q", ".")
	writeFile(t, repo, "README", "app\n", 0o644)
	gitRun(t, repo, "add", "README")
	gitRun(t, repo, "commit", "-qm", "init")
	gitRun(t, repo, "checkout", "-q", "-b", "side")
	writeFile(t, repo, "side.txt", "side\n", 0o644)
	gitRun(t, repo, "add", "side.txt")
	gitRun(t, repo, "commit", "-qm", "side")
	gitRun(t, repo, "checkout", "-q", "main")
	writeFile(t, repo, "main.txt", "main\n", 0o644)
	gitRun(t, repo, "add", "main.txt")
	gitRun(t, repo, "commit", "-qm", "main")
	gitRun(t, repo, "merge", "-q", "--no-ff", "--no-commit", "side")
	writeFile(t, repo, ".env", "DB_PASSWORD="+canary+"\n", 0o600)
	gitRun(t, repo, "add", ".env")
	gitRun(t, repo, "commit", "-qm", "merge side")
	quoted := "\u00fcn\u00efcode \"q\""
	require.NoError(t, os.Mkdir(filepath.Join(repo, quoted), 0o755))
	writeFile(t, filepath.Join(repo, quoted), ".env.local", "API_KEY="+canary+"\n", 0o600)
	gitRun(t, repo, "add", "--", quoted+"/.env.local")
	gitRun(t, repo, "commit", "-qm", "local")
	require.Contains(t, gitRun(t, repo, "log", "--name-only", "-1"), `"\303\274n\303\257code \"q\"/.env.local"`, "git quotes the path")
	gitRun(t, repo, "rm", "-q", "--", ".env", quoted+"/.env.local")
	gitRun(t, repo, "commit", "-qm", "remove")

	r, findings := checkFindings(t, repo, "--dir", repo)
	assert.Equal(t, 1, r.code, "exit code")
	seen := map[string]bool{}
	for _, f := range findings {
		if f["kind"] == "history" {
			file, _ := f["file"].(string)
			seen[filepath.ToSlash(file)] = true
		}
	}
	assert.True(t, seen[".env"], "the .env added by the merge commit is reported; history findings: %v", seen)
	assert.True(t, seen[quoted+"/.env.local"], "the .env.local under a quoted path is reported by its path; history findings: %v", seen)
	assertNoLeakString(t, canary, "check --json stdout", r.stdout)
	assertNoLeakString(t, canary, "check --json stderr", r.stderr)
	text := runCLI(t, repo, "http://127.0.0.1:1", "check", "--dir", repo)
	assert.Equal(t, 1, text.code)
	assertNoLeakString(t, canary, "check stdout", text.stdout)
	assertNoLeakString(t, canary, "check stderr", text.stderr)
}

// pemBody returns the lines of a random PEM body whose last line is a
// valid variable name followed by "=" padding, the line most likely to be
// taken for a key.
func pemBody(t *testing.T) []string {
	t.Helper()
	name := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{7,}=+$`)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10_000 {
		der := make([]byte, 1180) // 1180 % 3 == 1: the base64 ends in "==", its last line is 40 characters long
		for i := range der {
			der[i] = byte(rng.Uint32())
		}
		text := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		lines := strings.Split(strings.TrimSpace(text), "\n")
		body := lines[1 : len(lines)-1]
		if name.MatchString(body[len(body)-1]) {
			return body
		}
	}
	t.Fatal("no PEM body ends in a name-like line")
	return nil
}

// TestTrustCheckPEM is the row "check never prints a line of an unquoted
// multi-line PEM": a .env whose value is an unquoted PEM (its last body
// line looks like KEY==) gives a parse finding, and neither check's text
// nor its JSON output holds any line of the body.
func TestTrustCheckPEM(t *testing.T) {
	t.Parallel()
	requireCLI(t)
	body := pemBody(t)
	dir := t.TempDir()
	writeFile(t, dir, ".env", "API=1\nTLS_KEY=-----BEGIN PRIVATE KEY-----\n"+strings.Join(body, "\n")+
		"\n-----END PRIVATE KEY-----\nOTHER=2\n", 0o600)
	writeFile(t, dir, ".env.example", "API=\nTLS_KEY=\nOTHER=\n", 0o644)
	d := newLeakDetector(body...)
	for _, args := range [][]string{{"check", "--dir", dir}, {"check", "--json", "--dir", dir}} {
		r := runCLI(t, dir, "http://127.0.0.1:1", args...)
		assert.Equal(t, 1, r.code, "%v: exit code", args)
		assert.Contains(t, r.stdout, "parse", "%v: the PEM is reported", args)
		for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			if form, ok := d.find([]byte(out)); ok {
				t.Errorf("LEAK: %s of a line of the PEM body appears in %v %s", form, args, name)
			}
		}
	}
}

// TestTrustExecNUL is the row "a NUL byte in a .env value": exec of a .env
// file whose value holds a NUL byte fails (exit 2) with an error that names
// the key and shows nothing of the value, and the command does not run.
func TestTrustExecNUL(t *testing.T) {
	t.Parallel()
	requireCLI(t)
	dir := t.TempDir()
	writeFile(t, dir, "nul.env", "OK=1\nNUL_KEY="+canary[:18]+"\x00"+canary[18:]+"\n", 0o600)
	for _, mask := range [][]string{nil, {"--mask"}} {
		args := append(append([]string{"exec"}, mask...), "--env-file", "nul.env", "--", "sh", "-c", "echo ran")
		r := runCLI(t, dir, "http://127.0.0.1:1", args...)
		assert.Equal(t, 2, r.code, "%v: exit code", args)
		assert.NotContains(t, r.stdout, "ran", "%v: the command did not run", args)
		assert.Contains(t, r.stderr, "NUL_KEY", "%v: the error names the key", args)
		assertNoLeakString(t, canary, "stdout", r.stdout)
		assertNoLeakString(t, canary, "stderr", r.stderr)
		assertNoLeakString(t, canary[:18], "stderr", r.stderr)
		assertNoLeakString(t, canary[18:], "stderr", r.stderr)
	}
}
