//go:build unix

package vault_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq" // the PostgreSQL driver, for checking credentials
	"github.com/stretchr/testify/require"
)

// pgServer is a throwaway PostgreSQL cluster on 127.0.0.1 with password
// (SCRAM) authentication, so that only real credentials log in.
type pgServer struct {
	Port     int
	Password string // of the superuser "postgres"
}

// startPostgres starts a PostgreSQL cluster in a temporary directory on a
// free loopback port with Debian's initdb and pg_ctl, and stops it in
// t.Cleanup. PostgreSQL refuses to run as root, so as root it runs as the
// postgres user. It skips the test when PostgreSQL is not installed, except
// in CI (CI set), where the setup script must have installed it.
func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	initdbs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(initdbs) == 0 {
		if os.Getenv("CI") != "" {
			require.FailNow(t, "PostgreSQL is not installed, and CI is set: .ci/setup.d/21-postgres.sh should have installed it")
		}
		t.Skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run .ci/setup.d/21-postgres.sh")
	}
	sort.Slice(initdbs, func(i, j int) bool { return pgMajor(initdbs[i]) < pgMajor(initdbs[j]) })
	bin := filepath.Dir(initdbs[len(initdbs)-1])

	dir, err := os.MkdirTemp("", "driftless-pg-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and there is no postgres user to run PostgreSQL as: run .ci/setup.d/21-postgres.sh")
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

	pw := "pg-" + randomHex(t, 12)
	pwfile := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pwfile, []byte(pw+"\n"), 0o600))
	if cred != nil {
		require.NoError(t, os.Chown(pwfile, int(cred.Uid), int(cred.Gid)))
	}
	data := filepath.Join(dir, "data")
	require.NoError(t, run("initdb", "-D", data, "-U", "postgres", "--auth=scram-sha-256", "--pwfile="+pwfile, "-E", "UTF8", "--no-sync"))

	var port int
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
	return &pgServer{Port: port, Password: pw}
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// pgLogin opens a new connection as user and closes it, reporting whether
// the server accepted the credentials.
func pgLogin(ctx context.Context, port int, username, password string) error {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(username, password),
		Host:     fmt.Sprintf("127.0.0.1:%d", port),
		Path:     "/postgres",
		RawQuery: "sslmode=disable&connect_timeout=5",
	}
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var one int
	return conn.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}
