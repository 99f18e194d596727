package vault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/driftless/driftless/driver"
)

// minReloginGap spaces background logins, so that a token whose TTL is
// shorter than the renewal grace period cannot make the Provider log in in a
// tight loop.
const minReloginGap = time.Second

// session is the state of the login made with WithAuth.
type session struct {
	mu    sync.Mutex // serialises logins
	valid bool       // the token of the last login is believed usable
	gen   uint64     // counts logins
	last  time.Time  // when the last login succeeded
	stop  chan struct{}
}

// withLogin runs read with a logged-in client. If read is refused with 403
// and the Provider logs in itself, it logs in again once and retries, since
// the token may have been revoked behind its back.
func (p *Provider) withLogin(ctx context.Context, read func() error) error {
	if p.login == nil {
		return read()
	}
	gen, err := p.relogin(ctx, 0)
	if err != nil {
		return err
	}
	err = read()
	if err == nil || !isPermission(err) {
		return err
	}
	if _, lerr := p.relogin(ctx, gen); lerr != nil {
		return err
	}
	return read()
}

// relogin logs in unless the current token is valid and newer than stale
// (0: any valid token will do). It returns the login generation in use.
func (p *Provider) relogin(ctx context.Context, stale uint64) (uint64, error) {
	s := p.login
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.valid && s.gen != stale {
		return s.gen, nil
	}
	method, err := p.auth()
	if err != nil {
		s.valid = false
		return 0, fmt.Errorf("vault: login: preparing the auth method: %w", err)
	}
	secret, err := p.client.Auth().Login(ctx, method)
	if err == nil && (secret == nil || secret.Auth == nil || secret.Auth.ClientToken == "") {
		err = errors.New("the login returned no token")
	}
	if err != nil {
		s.valid = false
		return 0, loginError(ctx, err)
	}
	s.gen++
	s.valid = true
	s.last = time.Now()
	if s.stop != nil {
		close(s.stop)
		s.stop = nil
	}
	if secret.Auth.LeaseDuration <= 0 {
		return s.gen, nil // a token that never expires needs no care
	}
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	if p.closed.Load() {
		return 0, fmt.Errorf("vault: login: %w", driver.ErrClosed)
	}
	s.stop = make(chan struct{})
	p.wg.Add(1)
	go p.keepAlive(context.WithoutCancel(ctx), secret, s.gen, s.stop)
	return s.gen, nil
}

// keepAlive renews the token of login gen while Vault allows, then logs in
// again before the token expires. It ends when stop or p.done is closed.
func (p *Provider) keepAlive(parent context.Context, secret *api.Secret, gen uint64, stop chan struct{}) {
	defer p.wg.Done()
	w, err := p.client.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: secret})
	if err != nil {
		p.invalidate(gen)
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		w.Start()
	}()
	defer w.Stop()
	for done := false; !done; {
		select {
		case <-w.RenewCh():
		case <-w.DoneCh():
			// Renewal is over: the token nears its max TTL, or renewing
			// failed until little time was left.
			done = true
		case <-stop:
			return
		case <-p.done:
			return
		}
	}
	if wait := minReloginGap - time.Since(p.lastLogin()); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-stop:
			t.Stop()
			return
		case <-p.done:
			t.Stop()
			return
		}
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	go func() {
		select {
		case <-p.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	if _, err := p.relogin(ctx, gen); err != nil {
		p.invalidate(gen) // the next read tries again
	}
}

func (p *Provider) lastLogin() time.Time {
	p.login.mu.Lock()
	defer p.login.mu.Unlock()
	return p.login.last
}

// invalidate marks the token of login gen as unusable, so that the next read
// logs in first.
func (p *Provider) invalidate(gen uint64) {
	p.login.mu.Lock()
	defer p.login.mu.Unlock()
	if p.login.gen == gen {
		p.login.valid = false
	}
}

// loginError tags a failed login: refused credentials are ErrPermission,
// an unreachable or failing server ErrUnavailable.
func loginError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("vault: login: %w", cerr)
	}
	var re *api.ResponseError
	if !errors.As(err, &re) {
		if errors.Is(err, context.DeadlineExceeded) || isNetError(err) {
			return fmt.Errorf("vault: login: %w: %w", driver.ErrUnavailable, err)
		}
		return fmt.Errorf("vault: login: %w", err)
	}
	err = redact(err)
	switch {
	case re.StatusCode == 400 || re.StatusCode == 401 || re.StatusCode == 403:
		return fmt.Errorf("vault: login: %w: %w", driver.ErrPermission, err)
	case re.StatusCode == 429 || re.StatusCode >= 500:
		return fmt.Errorf("vault: login: %w: %w", driver.ErrUnavailable, err)
	default:
		return fmt.Errorf("vault: login: %w", err)
	}
}
