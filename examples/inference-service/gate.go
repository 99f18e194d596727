package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"time"

	_ "github.com/lib/pq" // the PostgreSQL driver

	"github.com/driftless/driftless"
)

// DBConfig is the service's database settings. The password rotates (in
// production it is a reference, such as
// DB_PASSWORD=awssm://prod/inference-db#password); the DSN is derived from
// the host, port, user, database and password by Derive, which driftless
// calls on every candidate config, so the DSN never keeps a rotated-out
// password.
type DBConfig struct {
	Host     string           `env:"DB_HOST" default:"127.0.0.1" desc:"PostgreSQL host"`
	Port     int              `env:"DB_PORT" default:"5432" desc:"PostgreSQL port"`
	User     string           `env:"DB_USER" default:"inference" desc:"PostgreSQL role"`
	Name     string           `env:"DB_NAME" default:"postgres" desc:"database"`
	Password driftless.Secret `env:"DB_PASSWORD" required:"true" desc:"the role's password (a reference in production)"`

	dsn string // derived by Derive; holds the password: never log it
}

// Derive assembles the DSN from the other fields.
func (c *DBConfig) Derive() error {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(c.User, c.Password.Value()),
		Host:     net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Path:     "/" + c.Name,
		RawQuery: "sslmode=disable&connect_timeout=5",
	}
	c.dsn = u.String()
	return nil
}

// DSN returns the connection string for sql.Open. It holds the password.
func (c *DBConfig) DSN() string { return c.dsn }

// dbFields are the fields a login depends on.
var dbFields = []string{"Host", "Port", "User", "Name", "Password"}

// loginGate proves that a candidate's credentials log in before the
// Handle serves them: at boot, and after each rotation. A password rotated
// in the secrets manager before the database learned it is refused; the
// Handle keeps serving the old one (which still logs in), reports the
// refusal to its OnError hooks and its Health, and retries with backoff
// until the database accepts the new one.
func loginGate(logger *slog.Logger) func(ctx context.Context, c driftless.Change[DBConfig]) error {
	return func(ctx context.Context, c driftless.Change[DBConfig]) error {
		if c.Old != nil && !slices.ContainsFunc(dbFields, c.Changed) {
			return nil // nothing a login depends on changed
		}
		if v, ok := c.Versions["Password"]; ok {
			logger.Info("checking a rotated database password", "old_version", v.Old, "new_version", v.New)
		}
		if err := pgLogin(ctx, c.New.DSN()); err != nil {
			return fmt.Errorf("role %s cannot log in to %s:%d: %w", c.New.User, c.New.Host, c.New.Port, err)
		}
		return nil
	}
}

// pgLogin opens one connection with dsn, runs SELECT 1 and closes it.
func pgLogin(ctx context.Context, dsn string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var one int
	return conn.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// newDBHandle returns a Handle over DBConfig whose candidates must log in
// before they are served (within 5s each).
func newDBHandle(ctx context.Context, logger *slog.Logger, opts ...driftless.Option) (*driftless.Handle[DBConfig], error) {
	return driftless.NewHandle[DBConfig](ctx, append(opts,
		driftless.WithLogger(logger),
		driftless.Gate(loginGate(logger)),
		driftless.WithGateTimeout(5*time.Second))...)
}
