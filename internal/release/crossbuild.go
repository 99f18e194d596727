package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// crossbuild builds every package of every released module for each
// GOOS/GOARCH target, in the workspace (the working tree of each module).
func crossbuild(ctx context.Context, r *Repo, targets []string, log func(string, ...any)) error {
	for _, t := range targets {
		goos, goarch, ok := strings.Cut(t, "/")
		if !ok {
			return fmt.Errorf("target %q: want GOOS/GOARCH", t)
		}
		for _, m := range r.Released() {
			g := &goEnv{log: log, env: withEnv(os.Environ(), map[string]string{
				"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0", "GOWORK": r.gowork(m),
			})}
			if _, err := g.run(ctx, filepath.Join(r.Root, filepath.FromSlash(m.Dir)), "build", "./..."); err != nil {
				return fmt.Errorf("%s on %s: %w", m.Dir, t, err)
			}
		}
	}
	return nil
}
