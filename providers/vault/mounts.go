package vault

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/vault/api"

	"github.com/driftless/driftless/driver"
)

// mount is what the Provider knows of the secrets engine a path lives on.
// The zero mount is an unknown one, read with a plain read.
type mount struct {
	path string // "secret/", with its trailing slash
	typ  string // "kv", "database", ...
	kv   int    // 1 or 2 on a KV mount, else 0
}

func (m mount) String() string {
	switch {
	case m.path == "":
		return "unknown mount"
	case m.kv > 0:
		return fmt.Sprintf("KV v%d mount %q", m.kv, m.path)
	default:
		return fmt.Sprintf("%s mount %q", m.typ, m.path)
	}
}

// mountCache remembers mounts by path. Vault forbids nested mounts, so a
// name lives on the one cached mount whose path is a prefix of it.
type mountCache struct {
	mu     sync.RWMutex
	byPath map[string]mount
	// asking holds the mount lookups in flight by the first segment of the
	// name they were made for ("secret/"), closed when one ends: a cold
	// start's concurrent reads of one mount share one lookup.
	asking map[string]chan struct{}
}

// join returns the lookup in flight for name's first path segment and
// false, or registers one and returns it with true: the caller must then
// call leave with it when done.
func (c *mountCache) join(name string) (chan struct{}, bool) {
	key, _, _ := strings.Cut(name, "/")
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.asking[key]; ok {
		return ch, false
	}
	if c.asking == nil {
		c.asking = make(map[string]chan struct{})
	}
	ch := make(chan struct{})
	c.asking[key] = ch
	return ch, true
}

func (c *mountCache) leave(name string, ch chan struct{}) {
	key, _, _ := strings.Cut(name, "/")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.asking[key] == ch {
		delete(c.asking, key)
	}
	close(ch)
}

func (c *mountCache) lookup(name string) (mount, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			if m, ok := c.byPath[name[:i+1]]; ok {
				return m, true
			}
		}
	}
	return mount{}, false
}

func (c *mountCache) store(m mount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byPath == nil {
		c.byPath = make(map[string]mount)
	}
	c.byPath[m.path] = m
}

// mountOf returns the mount that name lives on, asking Vault the first time
// with the request the Vault CLI makes before every kv command
// (GET /v1/sys/internal/ui/mounts/<path>), which any token allowed to read
// the path may make. Concurrent first reads of names that begin with the
// same path segment wait for one lookup, and make their own only when it
// did not find their mount (a mount path of several segments, an error).
func (p *Provider) mountOf(ctx context.Context, name string) (mount, error) {
	if m, ok := p.mounts.lookup(name); ok {
		return m, nil
	}
	ch, leader := p.mounts.join(name)
	if leader {
		defer p.mounts.leave(name, ch)
		return p.askMount(ctx, name)
	}
	select {
	case <-ch:
	case <-ctx.Done():
		return mount{}, fmt.Errorf("vault: read %q: finding its mount: %w", name, ctx.Err())
	}
	if m, ok := p.mounts.lookup(name); ok {
		return m, nil
	}
	return p.askMount(ctx, name)
}

// askMount asks Vault for the mount of name and caches it.
func (p *Provider) askMount(ctx context.Context, name string) (mount, error) {
	resp, err := p.client.Logical().ReadRawWithContext(ctx, "sys/internal/ui/mounts/"+name)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		defer resp.Body.Close()
	}
	if status == 404 {
		// Vault before 0.10.2 has no such endpoint, and knows only KV v1,
		// as the CLI assumes. Nothing is cached: the mount is unknown.
		return mount{typ: "kv", kv: 1}, nil
	}
	if status == 403 {
		// Vault answers 403 both for a path on no mount and for a mount
		// the token has no access to at all, so that mounts cannot be
		// listed this way. A plain read tells the two apart (404 or 403).
		// Nothing is cached.
		return mount{}, nil
	}
	what := fmt.Sprintf("%q: finding its mount", name)
	if err != nil {
		return mount{}, p.wrap(ctx, err, status, what, mount{})
	}
	s, err := api.ParseSecret(resp.Body)
	if err != nil || s == nil {
		return mount{}, fmt.Errorf("vault: read %s: unexpected answer", what)
	}
	m := mount{}
	m.path, _ = s.Data["path"].(string)
	m.typ, _ = s.Data["type"].(string)
	if m.typ == "kv" || m.typ == "generic" || m.typ == "" {
		m.kv = 1
		if opts, ok := s.Data["options"].(map[string]any); ok && opts["version"] == "2" {
			m.kv = 2
		}
	}
	if m.path == "" || !strings.HasPrefix(name, m.path) || len(name) == len(m.path) {
		// No mount named, or the name is the mount itself.
		return mount{}, fmt.Errorf("vault: read %s: %w: no secrets engine is mounted there", what, driver.ErrNotFound)
	}
	p.mounts.store(m)
	return m, nil
}
