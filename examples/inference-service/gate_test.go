//go:build unix

package main

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

// The login gate against a real PostgreSQL: a password rotated in the
// secrets manager before the database knows it is refused and the old one
// kept; once the database accepts it, the retry serves it, with a DSN
// derived from it.
func TestLoginGateOnRotation(t *testing.T) {
	port, superPW := startPostgres(t)
	ctx := t.Context()
	admin := fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=disable", superPW, port)
	runSQL := func(stmt string) {
		t.Helper()
		require.NoError(t, pgExec(t, admin, stmt))
	}
	pw1, pw2 := "pw1-"+randomHex(t, 8), "pw2-"+randomHex(t, 8)
	runSQL("CREATE ROLE inference LOGIN PASSWORD '" + pw1 + "'")

	mem := drifttest.NewProvider()
	mem.Set("inference-db", pw1)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	opts := []driftless.Option{
		driftless.WithEnv(map[string]string{"DB_PORT": strconv.Itoa(port), "DB_PASSWORD": "mem://inference-db"}),
		driftless.WithProvider("mem", mem),
		driftless.WithForceRefreshLimit(time.Nanosecond),
	}
	h, err := newDBHandle(ctx, logger, opts...)
	require.NoError(t, err)
	defer h.Close()
	var refusals []error
	h.OnError(func(err error) { refusals = append(refusals, err) })
	require.NoError(t, pgLogin(ctx, h.Current().DSN()))

	// Rotated in the secrets manager, not yet in the database.
	mem.Set("inference-db", pw2)
	err = h.ForceRefresh(ctx)
	require.ErrorIs(t, err, driftless.ErrRejected)
	assert.Len(t, refusals, 1)
	assert.True(t, h.Current().Password.Value() == pw1, "the old password is kept")
	assert.Equal(t, driftless.HealthDegraded, h.Health().Verdict)
	require.NoError(t, pgLogin(ctx, h.Current().DSN()), "the config served still logs in")

	// The database learns the new password: the next attempt serves it.
	runSQL("ALTER ROLE inference PASSWORD '" + pw2 + "'")
	require.NoError(t, h.ForceRefresh(ctx))
	assert.True(t, h.Current().Password.Value() == pw2, "the rotated password is served")
	assert.True(t, strings.Contains(h.Current().DSN(), pw2), "the DSN is derived again")
	require.NoError(t, pgLogin(ctx, h.Current().DSN()))
	assert.Equal(t, driftless.HealthOK, h.Health().Verdict)
	assert.Contains(t, logs.String(), "checking a rotated database password")

	// At boot, a password that does not log in is refused.
	mem.Set("inference-db", "wrong-"+pw1)
	_, err = newDBHandle(ctx, logger, opts...)
	require.ErrorIs(t, err, driftless.ErrRejected)

	all := logs.String() + err.Error() + fmt.Sprint(refusals)
	for _, secret := range []string{pw1, pw2, superPW} {
		// Not assert.NotContains: it would print the value.
		assert.False(t, strings.Contains(all, secret), "a log line or an error shows a password")
	}
}

// pgExec runs one statement over dsn.
func pgExec(t *testing.T, dsn, stmt string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(t.Context(), stmt)
	return err
}

// startPostgres starts a throwaway PostgreSQL cluster on a free loopback
// port with password (SCRAM) authentication and stops it in t.Cleanup. It
// returns the port and the superuser's password. As root it runs as the
// postgres user. It skips the test when PostgreSQL is not installed.
func startPostgres(t *testing.T) (port int, password string) {
	t.Helper()
	initdbs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(initdbs) == 0 {
		t.Skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): install the postgresql package to run the login gate example")
	}
	slices.SortFunc(initdbs, func(a, b string) int { return pgMajor(a) - pgMajor(b) })
	bin := filepath.Dir(initdbs[len(initdbs)-1])

	dir, err := os.MkdirTemp("", "driftless-pg-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and there is no postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		require.NoError(t, os.Chown(dir, uid, gid))
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, out)
		}
		return nil
	}
	password = "pg-" + randomHex(t, 12)
	pwfile := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pwfile, []byte(password+"\n"), 0o600))
	if cred != nil {
		require.NoError(t, os.Chown(pwfile, int(cred.Uid), int(cred.Gid)))
	}
	data := filepath.Join(dir, "data")
	require.NoError(t, run("initdb", "-D", data, "-U", "postgres", "--auth=scram-sha-256", "--pwfile="+pwfile, "-E", "UTF8", "--no-sync"))
	for range 3 {
		port = freePort(t)
		err = run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start",
			"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir))
		if err == nil {
			break
		}
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		require.NoError(t, err, "starting PostgreSQL:\n%s", log)
	}
	t.Cleanup(func() { _ = run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop") })
	return port, password
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
