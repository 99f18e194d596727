package vault_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/driver"
	"github.com/driftless/driftless/providers/vault"
)

// TestNewFromEnvironment runs NewFromEnvironment in a child process (so
// that this process's environment is never changed) with the variables the
// Vault CLI reads, and checks what it could read.
func TestNewFromEnvironment(t *testing.T) {
	t.Parallel()
	srv := startVault(t)
	_, err := srv.Root.KVv2("secret").Put(t.Context(), "app/db", map[string]any{"password": "from-env"})
	require.NoError(t, err)
	helperHome := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(helperHome, ".vault-token"), []byte(srv.Token+"\n"), 0o600))

	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"VAULT_TOKEN", []string{"VAULT_ADDR=" + srv.Addr, "VAULT_TOKEN=" + srv.Token, "HOME=" + t.TempDir()}, "OK from-env"},
		{"TokenHelperFile", []string{"VAULT_ADDR=" + srv.Addr, "HOME=" + helperHome}, "OK from-env"},
		{"NoToken", []string{"VAULT_ADDR=" + srv.Addr, "HOME=" + t.TempDir()}, "ERR permission"},
		{"BadAddress", []string{"VAULT_ADDR=" + srv.Addr + "\x7f", "HOME=" + t.TempDir()}, "ERR new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestNewFromEnvironmentChild$", "-test.count=1")
			cmd.Env = append([]string{"DRIFTLESS_VAULT_ENV_CHILD=1", "PATH=" + os.Getenv("PATH"), "VAULT_MAX_RETRIES=0"}, tc.env...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, string(out), "RESULT "+tc.want+"\n")
		})
	}
}

// TestNewFromEnvironmentChild is the child process of TestNewFromEnvironment.
func TestNewFromEnvironmentChild(t *testing.T) {
	if os.Getenv("DRIFTLESS_VAULT_ENV_CHILD") == "" {
		t.Skip("runs only as the child process of TestNewFromEnvironment")
	}
	p, err := vault.NewFromEnvironment()
	if err != nil {
		fmt.Println("RESULT ERR new")
		return
	}
	defer p.Close()
	_, got, err := fetchKey(t.Context(), p, mustParse(t, "vault://secret/app/db#password"))
	switch {
	case err == nil:
		fmt.Printf("RESULT OK %s\n", got)
	case errors.Is(err, driver.ErrPermission):
		fmt.Println("RESULT ERR permission")
	default:
		fmt.Printf("RESULT ERR %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	}
}
