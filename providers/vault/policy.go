package vault

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/driftless/driftless"
)

// Engine is the kind of secrets engine mounted at a path, as far as a
// policy cares.
type Engine int

const (
	// KV2 is a KV version 2 mount: a secret is read at <mount>/data/<path>.
	KV2 Engine = iota
	// KV1 is a KV version 1 mount: a secret is read at its own path.
	KV1
	// Dynamic is any other engine (database, aws, ...): a secret is read at
	// its own path, and its lease is renewed through sys/leases/renew.
	Dynamic
)

// PolicyOptions says which engine each mount of a Policy is.
type PolicyOptions struct {
	// Mounts maps a mount's path ("secret/" or "secret"; nested mounts
	// such as "team/kv/" too) to its engine. A reference on no mount listed
	// here lives on the mount named by its first segment, a KV2 mount (the
	// dev server's secret/ and most deployments).
	Mounts map[string]Engine
}

// Policy returns the least-privilege Vault policy (HCL, in a stable order)
// for the vault:// reads among reads (driftless.Reads): "read" on exactly
// the paths the Provider reads, <mount>/data/<path> on KV v2 (the previous
// version of a rotating field and ?version=N are read there too, so no
// metadata/ path is granted), the secret's own path on KV v1 and other
// engines, and "update" on sys/leases/renew when a dynamic engine is read,
// so that leases are renewed. Each path block names the fields that read
// it. The Provider's mount lookup (sys/internal/ui/mounts) needs no grant:
// Vault answers it for any token allowed a path on the mount.
//
// Reads of other schemes are ignored. A malformed reference fails with an
// error wrapping driftless.ErrInvalidRef that names the fields, never the
// reference.
func Policy(reads []driftless.SecretRead, opts PolicyOptions) ([]byte, error) {
	mounts := map[string]Engine{}
	for m, e := range opts.Mounts {
		mounts[strings.Trim(m, "/")+"/"] = e
	}
	paths := map[string][]string{} // path -> fields
	var errs []error
	dynamic := false
	for _, r := range reads {
		if r.Ref.Scheme != "vault" {
			continue
		}
		if _, err := parseRef(r.Ref); err != nil {
			errs = append(errs, fmt.Errorf("vault: policy for %s: %w", strings.Join(r.Fields, ", "), err))
			continue
		}
		mount, engine := mountFor(mounts, r.Ref.Name)
		path := r.Ref.Name
		switch engine {
		case KV2:
			path = mount + "data/" + strings.TrimPrefix(r.Ref.Name, mount)
		case Dynamic:
			dynamic = true
		}
		for _, f := range r.Fields {
			if !slices.Contains(paths[path], f) {
				paths[path] = append(paths[path], f)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var b strings.Builder
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		fmt.Fprintf(&b, "# %s\npath %q {\n  capabilities = [\"read\"]\n}\n\n", strings.Join(paths[p], ", "), p)
	}
	if dynamic {
		b.WriteString("# renewal of the dynamic secrets' leases\npath \"sys/leases/renew\" {\n  capabilities = [\"update\"]\n}\n\n")
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// mountFor returns the mount (with its trailing slash) that name lives on,
// and its engine: the longest listed mount that is a prefix of name, or
// name's first segment as a KV2 mount.
func mountFor(mounts map[string]Engine, name string) (string, Engine) {
	best := ""
	for m := range mounts {
		if strings.HasPrefix(name, m) && len(m) > len(best) {
			best = m
		}
	}
	if best != "" {
		return best, mounts[best]
	}
	first, _, _ := strings.Cut(name, "/")
	return first + "/", KV2
}
