package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/driftless/driftless/driver"
)

// ErrNotRenewable is wrapped by the error Renew returns when a lease cannot
// be usefully extended: it is not renewable, the value has no lease, or the
// lease nears its max TTL. The caller then reads the reference again for new
// credentials. It is driver.ErrNotRenewable, so the core's cache, which
// renews leases through driver.Renewer, treats it the same way.
var ErrNotRenewable = driver.ErrNotRenewable

// Renew extends the lease of v, a value that Fetch returned for ref, and
// returns v with the lease's new end as Expires (and a copy of its Data), so
// that the same credentials stay valid without a new read. Vault runs the
// engine's renewal (for PostgreSQL, ALTER ROLE ... VALID UNTIL).
//
// Renew asks for the lease's original duration (v.Expires - v.Created). When
// Vault grants less than half of it, the lease is near its max TTL and Renew
// returns the renewed value together with an error wrapping ErrNotRenewable:
// it is time to read new credentials. A lease that is not renewable also
// yields ErrNotRenewable; a lease that is gone (expired or revoked) yields
// driftless.ErrNotFound. Renew honours ctx as Fetch does; its errors name
// ref and never contain a value.
func (p *Provider) Renew(ctx context.Context, ref driver.Ref, v driver.Value) (driver.Value, error) {
	if p.closed.Load() {
		return driver.Value{}, fmt.Errorf("vault: renew %q: %w", ref.Name, driver.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return driver.Value{}, fmt.Errorf("vault: renew %q: %w", ref.Name, err)
	}
	if v.Version == "" || v.Expires.IsZero() || v.Created.IsZero() {
		return driver.Value{}, fmt.Errorf("vault: renew %q: %w: the value has no lease", ref.Name, ErrNotRenewable)
	}
	want := v.Expires.Sub(v.Created)
	var out driver.Value
	err := p.withLogin(ctx, func() error {
		start := time.Now()
		s, err := p.client.Sys().RenewWithContext(ctx, v.Version, int(want.Seconds()))
		if err != nil {
			return renewError(ctx, err, ref)
		}
		if s == nil || s.LeaseDuration <= 0 {
			return fmt.Errorf("vault: renew %q: %w: Vault granted no time", ref.Name, ErrNotRenewable)
		}
		granted := time.Duration(s.LeaseDuration) * time.Second
		out = driver.Value{Data: slices.Clone(v.Data), Version: v.Version, Created: start, Expires: start.Add(granted)}
		if granted < want/2 {
			return fmt.Errorf("vault: renew %q: %w: granted %v of %v, the lease nears its max TTL", ref.Name, ErrNotRenewable, granted, want)
		}
		return nil
	})
	return out, err
}

func renewError(ctx context.Context, err error, ref driver.Ref) error {
	where := fmt.Sprintf("vault: renew %q", ref.Name)
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w", where, cerr)
	}
	var re *api.ResponseError
	if !errors.As(err, &re) {
		return fmt.Errorf("%s: %w: %w", where, driver.ErrUnavailable, err)
	}
	msg := strings.Join(re.Errors, "; ")
	err = redact(err)
	switch {
	case re.StatusCode == 400 && strings.Contains(msg, "not found"):
		return fmt.Errorf("%s: %w: the lease is gone: %w", where, driver.ErrNotFound, err)
	case re.StatusCode == 400 && strings.Contains(msg, "renew"):
		return fmt.Errorf("%s: %w: %w", where, ErrNotRenewable, err)
	case re.StatusCode == 403:
		return fmt.Errorf("%s: %w: %w", where, driver.ErrPermission, err)
	case re.StatusCode == 429 || re.StatusCode >= 500:
		return fmt.Errorf("%s: %w: %w", where, driver.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", where, err)
	}
}
