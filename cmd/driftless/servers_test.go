package main_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The real servers: a Vault dev server and moto. Each test skips, saying
// why, when its server is not installed (.ci/setup.d/20-vault.sh and
// 30-moto.sh install them).

// vaultVersion is the Vault server .ci/setup.d/20-vault.sh builds.
const vaultVersion = "v1.21.0"

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// startProcess starts cmd and waits until one of its output lines contains
// ready; it stops the process at the end of the test.
func startProcess(t *testing.T, cmd *exec.Cmd, ready string) {
	t.Helper()
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = pw, pw
	require.NoError(t, cmd.Start())
	_ = pw.Close()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		_ = pr.Close()
	})
	found := make(chan struct{})
	var log syncBuffer
	go func() {
		sc := bufio.NewScanner(pr)
		once := false
		for sc.Scan() {
			_, _ = log.Write([]byte(sc.Text() + "\n"))
			if !once && strings.Contains(sc.Text(), ready) {
				once = true
				close(found)
			}
		}
	}()
	select {
	case <-found:
	case <-time.After(90 * time.Second):
		require.FailNow(t, fmt.Sprintf("%s did not say %q within 90s:\n%s", cmd.Path, ready, log.String()))
	}
}

func TestExecVaultDevServer(t *testing.T) {
	t.Parallel()
	vaultBin := os.Getenv("DRIFTLESS_VAULT_BIN")
	if vaultBin == "" {
		home, _ := os.UserHomeDir()
		vaultBin = filepath.Join(home, ".cache", "driftless", "vault-"+vaultVersion, "vault")
	}
	if _, err := os.Stat(vaultBin); err != nil {
		t.Skipf("no Vault server binary at %s: run .ci/setup.d/20-vault.sh or set DRIFTLESS_VAULT_BIN", vaultBin)
	}
	addr, token := freeAddr(t), "root-"+randomHex(t)
	cmd := exec.Command(vaultBin, "server", "-dev", "-dev-listen-address="+addr, "-dev-root-token-id="+token, "-dev-no-store-token")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "VAULT_LOG_LEVEL=warn"}
	startProcess(t, cmd, "Vault server started")
	vaultAddr := "http://" + addr

	write := func(path string, data map[string]string) {
		body, err := json.Marshal(map[string]any{"data": data})
		require.NoError(t, err)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, vaultAddr+"/v1/secret/data/"+path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Vault-Token", token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	write("app", map[string]string{"api_key": canary("vault-1"), "user": "svc"})
	write("app", map[string]string{"api_key": canary("vault-2"), "user": "svc"})

	dir := t.TempDir()
	writeFile(t, dir, ".env", "API_KEY=vault://secret/app#api_key\nOLD_KEY=vault://secret/app?version=1#api_key\nUSER=vault://secret/app#user\n")
	env := baseEnv(t, append(childEnv("env", "API_KEY", "OLD_KEY", "USER"), "VAULT_ADDR="+vaultAddr, "VAULT_TOKEN="+token)...)
	r := runCLI(t, dir, env, "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "API_KEY="+canary("vault-2")+"\nOLD_KEY="+canary("vault-1")+"\nUSER=svc\n", r.stdout)

	r = runCLI(t, dir, env, "explain", "--resolve", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.output(), canary("vault-"))
	var rep explainJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	for _, k := range rep.Keys {
		switch k.Key {
		case "API_KEY":
			assert.Equal(t, "2", k.Version)
		case "OLD_KEY":
			assert.Equal(t, "1", k.Version)
		}
	}

	// A token without access: every key fails, nothing runs.
	r = runCLI(t, dir, baseEnv(t, "VAULT_ADDR="+vaultAddr, "VAULT_TOKEN=not-a-token"), "exec", "--", "true")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "API_KEY (.env:1): vault://secret/app#api_key: ")
	assert.Contains(t, r.stderr, "3 reference(s) failed")
}

func TestExecMoto(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("moto not available: python3 is not installed (.ci/setup.d/30-moto.sh installs it)")
	}
	if out, err := exec.Command(python, "-c", "import moto.server").CombinedOutput(); err != nil {
		t.Skipf("moto not available (%v: %s): .ci/setup.d/30-moto.sh installs it", err, bytes.TrimSpace(out))
	}
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	startProcess(t, exec.Command(python, "-m", "moto.server", "-H", host, "-p", port), "Running on")
	endpoint := "http://" + addr

	body := fmt.Sprintf(`{"Name":"moto/db","SecretString":%q}`, `{"password":"`+canary("moto")+`"}`)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	dir := t.TempDir()
	writeFile(t, dir, ".env", "DB_PASSWORD=awssm://moto/db#password\n")
	env := baseEnv(t, append(childEnv("split", "DB_PASSWORD"),
		"AWS_ENDPOINT_URL_SECRETS_MANAGER="+endpoint, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=test")...)
	r := runCLI(t, dir, env, "exec", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "before "+canary("moto")+" after\n", r.stdout)
	r = runCLI(t, dir, env, "exec", "--mask", "--", selfPath(t))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "before [MASKED] after\n", r.stdout)
}
