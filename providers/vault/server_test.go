package vault_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/require"
)

// vaultVersion is the Vault server the tests run, built by
// .ci/setup.d/20-vault.sh from internal/vaultserver (keep the three in step).
const vaultVersion = "v1.21.0"

// vaultBinary returns the Vault server binary: $DRIFTLESS_VAULT_BIN, or the
// one .ci/setup.d/20-vault.sh caches. It skips the test when there is none,
// except in CI (CI set), where the setup script must have built it.
func vaultBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("DRIFTLESS_VAULT_BIN")
	if bin == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Skipf("no Vault server binary: no home directory (%v); set DRIFTLESS_VAULT_BIN or run .ci/setup.d/20-vault.sh", err)
		}
		bin = filepath.Join(home, ".cache", "driftless", "vault-"+vaultVersion, "vault")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			require.FailNow(t, fmt.Sprintf("no Vault server binary at %s, and CI is set: .ci/setup.d/20-vault.sh should have built it", bin))
		}
		t.Skipf("no Vault server binary at %s: run .ci/setup.d/20-vault.sh (builds Vault %s once, 11-35 minutes) or set DRIFTLESS_VAULT_BIN", bin, vaultVersion)
	}
	return bin
}

// devServer is a Vault dev server on 127.0.0.1, in memory, unsealed, with a
// KV v2 mount at secret/ and a KV v1 mount at kv1/.
type devServer struct {
	Addr  string // http://127.0.0.1:<port>
	Token string // root token
	Root  *api.Client
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startVault starts a Vault dev server for one test and stops it in
// t.Cleanup. It tries a few ports, in case another process takes the free
// port it picked before Vault binds it.
func startVault(t testing.TB) *devServer {
	t.Helper()
	bin := vaultBinary(t)
	var err error
	for range 3 {
		var s *devServer
		if s, err = tryStartVault(t, bin); err == nil {
			return s
		}
	}
	require.NoError(t, err, "starting the Vault dev server")
	return nil
}

func tryStartVault(t testing.TB, bin string) (*devServer, error) {
	port := freePort(t)
	token := "root-" + randomHex(t, 12)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	home := t.TempDir()
	cmd := exec.Command(bin, "server", "-dev",
		"-dev-listen-address="+addr,
		"-dev-root-token-id="+token,
		"-dev-no-store-token")
	// A clean environment: no VAULT_* of the caller, and a HOME of its own.
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "VAULT_LOG_LEVEL=warn"}
	log := &syncBuffer{}
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if strings.Contains(line, "Vault server started") {
				once.Do(func() { close(started) })
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	select {
	case <-started:
	case <-exited:
		return nil, fmt.Errorf("vault exited during start:\n%s", log.String())
	case <-time.After(90 * time.Second):
		stop()
		return nil, fmt.Errorf("vault did not start within 90s:\n%s", log.String())
	}
	t.Cleanup(stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("vault server log:\n%s", log.String())
		}
	})

	cfg := api.DefaultConfig()
	cfg.Address = "http://" + addr
	root, err := api.NewClient(cfg)
	require.NoError(t, err)
	root.SetToken(token)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	health, err := root.Sys().HealthWithContext(ctx)
	require.NoError(t, err)
	require.True(t, health.Initialized && !health.Sealed, "dev server is not initialized and unsealed")
	require.NoError(t, root.Sys().MountWithContext(ctx, "kv1", &api.MountInput{Type: "kv", Options: map[string]string{"version": "1"}}))
	return &devServer{Addr: "http://" + addr, Token: token, Root: root}, nil
}

// Client returns a new client for the server with token (none for "").
func (s *devServer) Client(t testing.TB, token string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = s.Addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	require.NoError(t, err)
	c.SetToken(token)
	return c
}

// TokenWithPolicy writes policy under a fresh name and returns a token that
// has it and Vault's default policy (lookup-self, renew-self).
func (s *devServer) TokenWithPolicy(t *testing.T, policy string) string {
	t.Helper()
	ctx := t.Context()
	name := "p-" + randomHex(t, 4)
	require.NoError(t, s.Root.Sys().PutPolicyWithContext(ctx, name, policy))
	sec, err := s.Root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{name}, TTL: "1h"})
	require.NoError(t, err)
	return sec.Auth.ClientToken
}

// syncBuffer collects a child process's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) WriteString(s string) {
	_, _ = b.Write([]byte(s))
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
