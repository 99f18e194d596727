package main_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childEnv returns the variables that make the test binary a child in mode
// printing keys.
func childEnv(mode string, keys ...string) []string {
	return []string{childMode + "=" + mode, "DRIFTLESS_TEST_KEYS=" + strings.Join(keys, ",")}
}

func TestExecMergesAndResolves(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := canary("file")
	secretFile := writeFile(t, dir, "secrets/db", secret)
	jsonFile := writeFile(t, dir, "secrets/app.json", `{"user":"app","nested":{"token":"`+canary("nested")+`"}}`)
	writeFile(t, dir, ".env", strings.Join([]string{
		"PLAIN=from-dotenv",
		"OVERRIDDEN=from-dotenv",
		"BOTH=from-dotenv",
		"DB_PASSWORD=file://" + secretFile,
		"DB_USER=file://" + jsonFile + "#user",
		"TOKEN=file://" + jsonFile + "#/nested/token",
		"URL=https://example.com/x", // an ordinary URL is not a reference
	}, "\n")+"\n")
	writeFile(t, dir, "local.env", "BOTH=from-local\nLOCAL_ONLY=yes\n")
	keys := []string{"PLAIN", "OVERRIDDEN", "BOTH", "DB_PASSWORD", "DB_USER", "TOKEN", "URL", "LOCAL_ONLY", "FROM_ENV"}
	env := baseEnv(t, append(childEnv("env", keys...), "OVERRIDDEN=from-process", "FROM_ENV=file://"+secretFile)...)

	r := runCLI(t, dir, env, "exec", "--env-file", "local.env", "--env-file", ".env", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, strings.Join([]string{
		"PLAIN=from-dotenv",
		"OVERRIDDEN=from-process",
		"BOTH=from-local",
		"DB_PASSWORD=" + secret,
		"DB_USER=app",
		"TOKEN=" + canary("nested"),
		"URL=https://example.com/x",
		"LOCAL_ONLY=yes",
		"FROM_ENV=" + secret,
	}, "\n")+"\n", r.stdout)

	// Without --env-file, ./.env is used; the exit code is the child's.
	r = runCLI(t, dir, append(env, "DRIFTLESS_TEST_EXIT=7"), "exec", selfPath(t))
	assert.Equal(t, 7, r.code)
	assert.Contains(t, r.stdout, "DB_PASSWORD="+secret)
	assert.NotContains(t, r.stdout, "LOCAL_ONLY=yes")

	// The same through the supervising path (--mask): exit code and values.
	r = runCLI(t, dir, append(env, "DRIFTLESS_TEST_EXIT=5"), "exec", "--mask", "--", selfPath(t))
	assert.Equal(t, 5, r.code)
	assert.Contains(t, r.stdout, "PLAIN=from-dotenv")
	assert.NotContains(t, r.output(), secret)
}

func TestExecFailsBeforeRunning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	secret := canary("ok")
	writeFile(t, dir, "ok", secret)
	writeFile(t, dir, ".env", strings.Join([]string{
		"GOOD=file://" + filepath.Join(dir, "ok"),
		"MISSING=file://" + filepath.Join(dir, "absent"),
		"BADKEY=file://" + filepath.Join(dir, "ok") + "#member",
		"MALFORMED=vault://only-a-mount",
		"NOPROVIDER_AZ=azkv://not a vault/x",
	}, "\n")+"\n")
	r := runCLI(t, dir, baseEnv(t), "exec", "--", "sh", "-c", "touch "+marker)
	assert.Equal(t, 2, r.code)
	assert.NoFileExists(t, marker, "the command must not run when a reference fails")
	for _, want := range []string{
		"MISSING (.env:2): file://" + filepath.Join(dir, "absent") + ": driftless: not found",
		"BADKEY (.env:3)",
		"MALFORMED (.env:4): driftless: invalid vault:// reference",
		"NOPROVIDER_AZ (.env:5)",
		"4 reference(s) failed",
	} {
		assert.Contains(t, r.stderr, want)
	}
	assert.NotContains(t, r.stderr, "GOOD")
	assert.NotContains(t, r.output(), secret)

	// Command not found, and usage errors.
	writeFile(t, dir, ".env", "A=1\n")
	assert.Equal(t, 127, runCLI(t, dir, baseEnv(t), "exec", "--", "no-such-command-xyz").code)
	assert.Equal(t, 2, runCLI(t, dir, baseEnv(t), "exec", "--env-file", "absent.env", "--", "true").code)
	assert.Equal(t, 2, runCLI(t, dir, baseEnv(t), "exec", "--watch", "-1s", "--", "true").code)
}

func TestExecMask(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := canary("mask")
	writeFile(t, dir, "s", secret)
	writeFile(t, dir, ".env", "SECRET=file://"+filepath.Join(dir, "s")+"\nSHORT=file://"+filepath.Join(dir, "short")+"\n")
	writeFile(t, dir, "short", "on")
	env := baseEnv(t, childEnv("split", "SECRET")...)

	r := runCLI(t, dir, env, "exec", "--mask", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "before [MASKED] after\n", r.stdout)
	assert.Equal(t, "before [MASKED] after\n", r.stderr)

	// Without --mask the child's output is its own.
	r = runCLI(t, dir, env, "exec", "--", selfPath(t))
	assert.Equal(t, "before "+secret+" after\n", r.stdout)

	// A shell pipeline printing the value in pieces.
	r = runCLI(t, dir, baseEnv(t), "exec", "--mask", "--", "sh", "-c",
		`printf '%s' "${SECRET%????????}"; printf '%s\n' "${SECRET#${SECRET%????????}}"; echo "$SECRET" >&2; echo "short=$SHORT"`)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "[MASKED]\nshort=on\n", r.stdout)
	assert.Equal(t, "[MASKED]\n", r.stderr)
}

// TestExecMaskEncodings has the child print each secret JSON-escaped,
// base64, hex and URL-encoded, and each member of a whole-JSON secret, in
// writes cut in the middle: all of them are masked, on stdout and stderr.
func TestExecMaskEncodings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	special := canary("enc") + "-\"quote\"-\\back-100%+/&=?#-ünï-😀-{\"k\":[1]}\nline-two"
	members := map[string]string{"user": canary("user"), "password": canary("pw") + `-"\%`, "host": canary("host")}
	app, err := json.Marshal(members)
	require.NoError(t, err)
	writeFile(t, dir, "special", special)
	writeFile(t, dir, "app.json", string(app))
	writeFile(t, dir, ".env", "SPECIAL=file://"+filepath.Join(dir, "special")+"\nAPP=file://"+filepath.Join(dir, "app.json")+"\n")
	r := runCLI(t, dir, baseEnv(t, childEnv("encode", "SPECIAL", "APP")...), "exec", "--mask", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	for _, out := range []string{r.stdout, r.stderr} {
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		assert.Len(t, lines, len(encodedForms(special))+len(encodedForms(string(app))))
		for _, l := range lines {
			_, v, _ := strings.Cut(l, "=")
			assert.Equal(t, "[MASKED]", v, "line %s", strings.SplitN(l, "=", 2)[0])
		}
		assert.NotContains(t, out, "canary")
	}
}

func TestExecWatchRestarts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		interval    string
		ignoreTerm  bool
		wantInStder string
	}{
		{"graceful", "50ms", false, "restarted the command"},
		{"killed after grace", "50ms", true, "sending SIGKILL"},
		// The files provider watches the file: no need to wait for the interval.
		{"file watched, long interval", "1h", false, "restarted the command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			secretPath := writeFile(t, dir, "s", canary("v1"))
			writeFile(t, dir, ".env", "SECRET=file://"+secretPath+"\nPLAIN=x\n")
			env := baseEnv(t, childEnv("serve", "SECRET", "PLAIN")...)
			grace := "30s"
			if tc.ignoreTerm {
				env = append(env, "DRIFTLESS_TEST_IGNORE_TERM=1")
				grace = "200ms"
			}
			cmd := exec.Command(bin, "exec", "--mask", "--watch", tc.interval, "--grace", grace, "--", selfPath(t))
			cmd.Dir, cmd.Env = dir, env
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			var stderr syncBuffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			out := lines(stdout)

			first := waitLine(t, out, "the first child", func(l string) bool { return strings.HasPrefix(l, "pid=") })
			waitLine(t, out, "the first value (masked)", func(l string) bool { return l == "SECRET=[MASKED]" })

			// Replace the file atomically, as Docker, agents and the kubelet do.
			writeFile(t, dir, "s.new", canary("v2"))
			require.NoError(t, os.Rename(filepath.Join(dir, "s.new"), secretPath))
			if !tc.ignoreTerm {
				waitLine(t, out, "the first child's SIGTERM", func(l string) bool { return l == "term" })
			}
			second := waitLine(t, out, "the second child", func(l string) bool { return strings.HasPrefix(l, "pid=") })
			assert.NotEqual(t, first, second)
			waitLine(t, out, "the new value (masked)", func(l string) bool { return l == "SECRET=[MASKED]" })

			// SIGTERM to driftless reaches the child, and driftless exits with it.
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			if tc.ignoreTerm {
				// The child ignores it; a second signal kind ends it.
				require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			}
			err = cmd.Wait()
			if tc.ignoreTerm {
				var ee *exec.ExitError
				require.ErrorAs(t, err, &ee)
				assert.Equal(t, 128+int(syscall.SIGINT), ee.ExitCode())
			} else {
				waitLine(t, out, "the second child's SIGTERM", func(l string) bool { return l == "term" })
				require.NoError(t, err, stderr.String())
			}
			assert.Contains(t, stderr.String(), tc.wantInStder)
			assert.Contains(t, stderr.String(), "SECRET (file://"+secretPath+") changed")
			assert.NotContains(t, stderr.String(), canary("v1"))
			assert.NotContains(t, stderr.String(), canary("v2"))
		})
	}
}

// TestExecEveryProviderFails configures every provider so that it fails
// (on loopback or before any request): each key is listed with its own
// cause, and driftless exits 2 without running the command.
func TestExecEveryProviderFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	writeFile(t, dir, ".env", strings.Join([]string{
		"A=awssm://prod/x#k",
		"B=gcpsm://p/s",
		"C=azkv://myvault/sec",
		"D=vault://secret/app#k",
		"E=file://" + filepath.Join(dir, "absent"),
	}, "\n")+"\n")
	env := baseEnv(t,
		"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:1",
		"GOOGLE_APPLICATION_CREDENTIALS="+filepath.Join(dir, "no-adc.json"),
		"DRIFTLESS_AZKV_ENDPOINT=https://127.0.0.1:1",
		"VAULT_ADDR=http://127.0.0.1:1", "VAULT_TOKEN=t", "VAULT_MAX_RETRIES=0")
	r := runCLI(t, dir, env, "exec", "--", "sh", "-c", "touch "+marker)
	assert.Equal(t, 2, r.code)
	assert.NoFileExists(t, marker)
	for _, want := range []string{
		"A (.env:1): awssm://prod/x#k: ",
		"B (.env:2): gcpsm://p/s: configuring the gcpsm provider: ",
		"C (.env:3): azkv://myvault/sec: ",
		"D (.env:4): vault://secret/app#k: ",
		"E (.env:5): file://",
		"5 reference(s) failed",
	} {
		assert.Contains(t, r.stderr, want)
	}
	assert.NotContains(t, r.stderr, "panic")
}

// TestExecCommandNotRunnable checks the exit codes of a command that cannot
// be run, as POSIX shells give them: 127 when it does not exist (by name
// or by path), 126 when it exists but is not executable.
func TestExecCommandNotRunnable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, ".env", "A=1\n")
	notExec := writeFile(t, dir, "not-executable", "#!/bin/sh\necho ran\n")
	for _, tc := range []struct {
		name string
		cmd  string
		want int
	}{
		{"name not in PATH", "no-such-command-xyz", 127},
		{"absolute path to nothing", "/nonexistent/program", 127},
		{"relative path to nothing", "./no-such-program", 127},
		{"not executable", notExec, 126},
		{"a directory", dir, 126},
	} {
		for _, mode := range [][]string{nil, {"--mask"}} {
			t.Run(tc.name+strings.Join(mode, ""), func(t *testing.T) {
				t.Parallel()
				args := append(append([]string{"exec"}, mode...), "--", tc.cmd)
				r := runCLI(t, dir, baseEnv(t), args...)
				assert.Equal(t, tc.want, r.code, r.stderr)
				assert.Empty(t, r.stdout)
			})
		}
	}
}

// TestExecNULValue checks that a value holding a NUL byte (which no
// environment variable can carry), from a .env line or from a secret, is
// reported with its key and file:line, never its value, and that nothing
// runs.
func TestExecNULValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	nulValue := canary("nul-a") + "\x00" + canary("nul-b")
	secretPath := writeFile(t, dir, "nul-secret", nulValue)
	writeFile(t, dir, ".env", "OK=plain\nBAD=\""+nulValue+"\"\nBAD_UNQUOTED="+nulValue+"\nBAD_REF=file://"+secretPath+"\n")
	for _, mode := range [][]string{nil, {"--mask"}} {
		args := append(append([]string{"exec"}, mode...), "--", "sh", "-c", "touch "+marker)
		r := runCLI(t, dir, baseEnv(t), args...)
		assert.Equal(t, 2, r.code, r.stderr)
		assert.NoFileExists(t, marker)
		assert.Contains(t, r.stderr, "BAD (.env:2): the value holds a NUL byte")
		assert.Contains(t, r.stderr, "BAD_UNQUOTED (.env:3): the value holds a NUL byte")
		assert.Contains(t, r.stderr, "BAD_REF (.env:4): file://"+secretPath+": the secret holds a NUL byte")
		assert.Contains(t, r.stderr, "3 value(s) hold a NUL byte")
		assert.NotContains(t, r.stderr, "OK (")
		assert.NotContains(t, r.output(), "nul-a")
		assert.NotContains(t, r.output(), "nul-b")
	}
}
