package vault

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/driftless/driftless/driver"
)

// wrap turns an error from the Vault client into one that wraps the matching
// driftless sentinel and names what was read (a quoted path, or a version and
// a path) and the mount, never a value. status is the HTTP status, 0 when
// Vault did not answer.
func (p *Provider) wrap(ctx context.Context, err error, status int, what string, m mount) error {
	where := "vault: read " + what
	if m.path != "" {
		where += " on " + m.String()
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w", where, cerr)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The client's own timeout: the server did not answer in time.
		return fmt.Errorf("%s: %w: %w", where, driver.ErrUnavailable, err)
	}
	err = redact(err)
	if p.noToken(err, status) {
		return fmt.Errorf("%s: %w: %w: %s: %w", where, driver.ErrNoCredentials, driver.ErrPermission, noTokenHelp, err)
	}
	switch {
	case status == 401, status == 403:
		// Whatever the body: Vault's JSON, or a proxy's page.
		return fmt.Errorf("%s: %w: %w", where, driver.ErrPermission, err)
	case status == 404:
		return fmt.Errorf("%s: %w: %w", where, driver.ErrNotFound, err)
	case status == 0, status == 412, status == 429, status >= 500:
		// 0: unreachable; 412: a performance standby not yet caught up;
		// 429: rate limited; 503: sealed or standby; 5xx: server failure.
		return fmt.Errorf("%s: %w: %w", where, driver.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", where, err)
	}
}

// noTokenHelp says where a token comes from.
const noTokenHelp = "no Vault token: the client has none; set VAULT_TOKEN (NewFromEnvironment reads it, then the token " +
	"helper that `vault login` fills), set one with Client().SetToken, log in with WithAuth or WithLogin, or point the " +
	"client at a Vault Agent or Vault Proxy that adds its auto-auth token"

// noToken reports whether a refusal (status 400, 401 or 403) is due to a
// missing token: Vault says "missing client token", or the client sent
// none and the Provider does not log in itself. (Behind a Vault Agent or
// Proxy that adds its own token the client sends none either; the message
// says so.)
func (p *Provider) noToken(err error, status int) bool {
	if status != 400 && status != 401 && status != 403 {
		return false
	}
	var re *api.ResponseError
	if errors.As(err, &re) && slices.ContainsFunc(re.Errors, func(e string) bool { return strings.Contains(e, "missing client token") }) {
		return true
	}
	return status != 400 && p.login == nil && p.client.Token() == ""
}

// redact drops the raw body from a ResponseError whose body Vault did not
// send as its JSON error list (a proxy's page, say), since nothing says what
// that body holds. Vault's own error messages never carry secret data.
func redact(err error) error {
	var re *api.ResponseError
	if !errors.As(err, &re) || !re.RawError {
		return err
	}
	c := *re
	c.Errors = []string{"response body not shown"}
	return &c
}

// isNotFound reports whether err wraps driftless.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, driver.ErrNotFound) }

// isPermission reports whether err wraps driftless.ErrPermission.
func isPermission(err error) bool { return errors.Is(err, driver.ErrPermission) }

// isNetError reports whether err is a failure to reach the server.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}
