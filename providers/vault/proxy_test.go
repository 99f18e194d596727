package vault_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
)

// startProxy starts `vault proxy` in front of srv on 127.0.0.1, with
// auto-auth from a token file and use_auto_auth_token, as deployed beside a
// service; it stops in t.Cleanup. It returns once the proxy has
// authenticated, with the proxy's address and its log.
func startProxy(t *testing.T, srv *devServer, token string) (string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(token), 0o600))
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	config := fmt.Sprintf(`
vault { address = %q }
auto_auth {
  method "token_file" {
    config = { token_file_path = %q }
  }
}
api_proxy { use_auto_auth_token = true }
listener "tcp" {
  address     = %q
  tls_disable = true
}
`, srv.Addr, tokenFile, addr)
	cfgFile := filepath.Join(dir, "proxy.hcl")
	require.NoError(t, os.WriteFile(cfgFile, []byte(config), 0o600))

	cmd := exec.Command(vaultBinary(t), "proxy", "-config="+cfgFile)
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	require.NoError(t, cmd.Start())
	log := &syncBuffer{}
	authed, exited := make(chan struct{}), make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		seen := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !seen && strings.Contains(sc.Text(), "authentication successful") {
				seen = true
				close(authed)
			}
		}
	}()
	go func() {
		_ = cmd.Wait()
		_ = pw.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	select {
	case <-authed:
	case <-exited:
		require.FailNow(t, fmt.Sprintf("vault proxy exited during start:\n%s", log.String()))
	case <-time.After(60 * time.Second):
		require.FailNow(t, fmt.Sprintf("vault proxy did not authenticate within 60s:\n%s", log.String()))
	}
	return "http://" + addr, log
}

// TestVaultProxy: behind Vault Proxy the provider works unchanged; only the
// address differs, and the client holds no token (the proxy adds its own).
func TestVaultProxy(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	ctx := t.Context()
	_, err := srv.Root.KVv2("secret").Put(ctx, "app/db", map[string]any{"password": "via-proxy"})
	require.NoError(t, err)
	require.NoError(t, srv.Root.KVv1("kv1").Put(ctx, "app/db", map[string]any{"password": "v1-via-proxy"}))
	token := srv.TokenWithPolicy(t, `
path "secret/data/app/*" { capabilities = ["read"] }
path "kv1/app/*" { capabilities = ["read"] }`)
	proxy, proxyLog := startProxy(t, srv, token)

	c := srv.Client(t, "")
	require.NoError(t, c.SetAddress(proxy))
	p, err := vault.New(c)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	for ref, want := range map[string]string{
		"vault://secret/app/db#password": "via-proxy",
		"vault://kv1/app/db#password":    "v1-via-proxy",
	} {
		// The proxy logs its login just before it hands the token to its
		// API proxy: a read in between is refused, as a service booting
		// beside a proxy may see.
		var got string
		tick := time.NewTicker(50 * time.Millisecond)
		for deadline := time.Now().Add(10 * time.Second); ; <-tick.C {
			_, got, err = fetchKey(ctx, p, mustParse(t, ref))
			if !errors.Is(err, driver.ErrPermission) || time.Now().After(deadline) {
				break
			}
		}
		tick.Stop()
		require.NoError(t, err, "%s\nproxy log:\n%s", ref, proxyLog)
		assert.Equal(t, want, got, ref)
	}
}
