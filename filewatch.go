package driftless

// A started Handle watches its config files and .env files: it stats them
// every WithFileWatchInterval and reloads when one changed.

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// defaultWatchEvery is how often a started Handle checks its files.
const defaultWatchEvery = 2 * time.Second

// WithFileWatchInterval sets how often a started Handle checks its config
// files (WithConfigFiles) and .env files (WithEnvFiles) for a change: a
// different size, modification time or file (a file replaced by a rename,
// or the atomic ..data symlink swap with which the kubelet updates a
// mounted ConfigMap or Secret), or a file that appeared or went away. A
// change starts a refresh at once; as for any refresh, a file that no
// longer parses or loads keeps the last good config and is reported to the
// OnError hooks. d < 0 turns the checks off; 0 keeps the default, 2
// seconds. A check is a stat per file and reads nothing.
func WithFileWatchInterval(d time.Duration) Option {
	return func(o *options) {
		if d != 0 {
			o.watchEvery = d
		}
	}
}

// fileStamp is what a check compares of one file.
type fileStamp struct {
	info   os.FileInfo // nil when the file is missing
	target string      // the path once symlinks are resolved
}

func (a fileStamp) same(b fileStamp) bool {
	switch {
	case a.info == nil || b.info == nil:
		return a.info == nil && b.info == nil
	case a.target != b.target:
		return false
	}
	return os.SameFile(a.info, b.info) && a.info.Size() == b.info.Size() && a.info.ModTime().Equal(b.info.ModTime())
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		target = path
	}
	return fileStamp{info: fi, target: target}
}

// watchedFiles lists the files a Handle watches.
func (o *options) watchedFiles() []string {
	paths := append([]string(nil), o.envFiles...)
	for _, cf := range o.confFiles {
		paths = append(paths, cf.path)
	}
	return paths
}

// stampFiles records the stamps of the watched files before a pass reads
// them: a change after that is seen by the next check.
func (l *loader) stampFiles() {
	if !l.watches || l.o.watchEvery < 0 {
		return
	}
	paths := l.o.watchedFiles()
	if len(paths) == 0 {
		return
	}
	stamps := make([]fileStamp, len(paths))
	for i, p := range paths {
		stamps[i] = stampOf(p)
	}
	l.stamps.Store(&stamps)
}

// watchFiles checks the files every interval until ctx ends, and wakes
// the refresh loop when one differs from what the last pass read.
func (h *Handle[T]) watchFiles(ctx context.Context, wg *sync.WaitGroup) {
	every := h.l.o.watchEvery
	if every == 0 {
		every = defaultWatchEvery
	}
	paths := h.l.o.watchedFiles()
	if every < 0 || len(paths) == 0 || h.fn != nil {
		return
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if h.l.filesChanged(paths) {
				select {
				case h.wake <- struct{}{}:
				default:
				}
			}
		}
	}()
}

// filesChanged reports whether a file differs from what the last pass read.
func (l *loader) filesChanged(paths []string) bool {
	read := l.stamps.Load()
	if read == nil {
		return true
	}
	for i, p := range paths {
		if !stampOf(p).same((*read)[i]) {
			return true
		}
	}
	return false
}
