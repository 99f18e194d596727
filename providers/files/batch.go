package files

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/driftless/driftless/driver"
)

// FetchBatch implements driver.BatchFetcher. It reads refs so that the
// files of one Kubernetes Secret volume all come from the same kubelet
// swap: it notes where each volume's "..data" link points, reads every
// file, and reads them all again if a link moved meanwhile (a swap
// happened mid-read). A Handle therefore never publishes the new tls.crt
// with the old tls.key. Files outside kubelet volumes are read as Fetch
// reads them.
func (p *Provider) FetchBatch(ctx context.Context, refs []driver.Ref) ([]driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("files: batch read: %w", err)
	}
	out := make([]driver.Result, len(refs))
	for attempt := 0; ; attempt++ {
		before := dataLinks(refs)
		for i, r := range refs {
			v, err := p.Fetch(ctx, r)
			out[i] = driver.Result{Value: v, Err: err}
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("files: batch read: %w", err)
		}
		after := dataLinks(refs)
		if sameLinks(before, after) || attempt == 4 {
			return out, nil
		}
	}
}

// dataLinks maps each kubelet volume that holds one of refs (a directory
// with a "..data" symlink, the file's directory or one of its two parents)
// to the link's target.
func dataLinks(refs []driver.Ref) map[string]string {
	links := map[string]string{}
	for _, r := range refs {
		dir := filepath.Dir(r.Name)
		for up := 0; up < 3; up++ {
			if _, done := links[dir]; done {
				break
			}
			if target, err := os.Readlink(filepath.Join(dir, "..data")); err == nil {
				links[dir] = target
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return links
}

func sameLinks(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
