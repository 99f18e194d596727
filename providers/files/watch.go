package files

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless/driver"
	"github.com/fsnotify/fsnotify"
)

// Watch reports, by calling changed, each ref of refs whose file content
// changed since it was last fetched from p (or, for a file p never served,
// since Watch started). It blocks until ctx is done and then returns
// ctx.Err(); after Close it returns an error wrapping driver.ErrClosed.
//
// Watch watches directories, not only files, because the file behind a
// path is replaced rather than rewritten by everything that updates
// secrets safely: the kubelet swaps a Secret volume's ..data symlink to a
// new timestamped directory, Docker and editors rename a new file over the
// old one. For each ref it watches the file's directory, every directory
// that holds a symlink on the way to the file, the directory of the file a
// symlink finally points to outside its own volume, and the file itself
// when it is a regular file (a file bind-mounted into a container is
// written through another path, which no directory watch sees). Events
// are debounced (WithDebounce) and the affected files are read again;
// changed is called only for a ref whose content hash (or existence)
// really differs, so metadata-only events and the several events of one
// swap are reported at most once. A deleted file is reported as a change
// too (the refresh then fails and keeps the last good config), and again
// when it comes back.
//
// Every WithPollInterval, all files are read again and the directory
// watches are renewed whatever the events said, so a dropped event, a
// directory created after Watch started, or a file system without events
// delays a change but never hides it. If the operating system cannot watch
// at all (inotify limits reached), Watch keeps polling.
//
// changed is called from the goroutine that runs Watch, never concurrently
// with itself.
func (p *Provider) Watch(ctx context.Context, refs []driver.Ref, changed func(driver.Ref)) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return fmt.Errorf("%w: files: watch", driver.ErrClosed)
	}
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()

	// Reads end with ctx or Close, even one the file system never answers.
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-readCtx.Done():
		}
	}()

	w := &watch{p: p, changed: changed, dirs: map[string]*watchedDir{}, files: map[string]*target{}}
	w.init(readCtx, refs)
	fw, err := fsnotify.NewWatcher()
	if err == nil {
		w.fw = fw
		defer fw.Close()
	}
	return w.run(ctx, readCtx)
}

// target is one watched file.
type target struct {
	ref   driver.Ref // without Key
	state string     // last known state (see Provider.read)
}

// watchedDir is a directory watched for one or more targets.
type watchedDir struct {
	names   map[string]bool // base names whose events matter
	targets []*target       // targets to read again on an event here
}

type watch struct {
	p       *Provider
	fw      *fsnotify.Watcher // nil when the OS cannot watch: poll only
	changed func(driver.Ref)
	targets []*target
	dirs    map[string]*watchedDir
	files   map[string]*target // regular files watched themselves
}

// init records the targets and their baselines: the state Fetch last
// served, so that a change between that Fetch and this Watch is reported
// at the first check, or the current state for a file never fetched.
func (w *watch) init(ctx context.Context, refs []driver.Ref) {
	byName := map[string]bool{}
	for _, r := range refs {
		r = r.Secret()
		if (r.Scheme != "" && r.Scheme != Scheme) || !filepath.IsAbs(r.Name) || byName[r.Name] {
			continue
		}
		byName[r.Name] = true
		w.p.mu.Lock()
		state, ok := w.p.seen[r.Name]
		w.p.mu.Unlock()
		if !ok {
			_, state, _ = w.p.read(ctx, r)
		}
		w.targets = append(w.targets, &target{ref: r, state: state})
	}
	w.layout()
}

// layout works out which directories to watch for the targets, from what
// is on disk now; it runs again at each poll, since symlinks move.
func (w *watch) layout() {
	clear(w.dirs)
	clear(w.files)
	add := func(dir, name string, t *target) {
		d := w.dirs[dir]
		if d == nil {
			d = &watchedDir{names: map[string]bool{}}
			w.dirs[dir] = d
		}
		d.names[name] = true
		if !slices.Contains(d.targets, t) {
			d.targets = append(d.targets, t)
		}
	}
	for _, t := range w.targets {
		path := filepath.Clean(t.ref.Name)
		add(filepath.Dir(path), filepath.Base(path), t)
		// A regular file is watched itself too: a file bind-mounted into a
		// container (Compose secrets, a hostPath) is written through
		// another path, and only a watch on its inode sees that.
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			w.files[path] = t
		}
		// Every ancestor that is a symlink (a Kubernetes item path
		// "sub/key" is reached through sub -> ..data/sub): its swap is an
		// event in the directory that holds it.
		for a := filepath.Dir(path); ; {
			parent := filepath.Dir(a)
			if parent == a {
				break
			}
			if fi, err := os.Lstat(a); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				add(parent, filepath.Base(a), t)
			}
			a = parent
		}
		// The file a symlink finally points to, when it lives elsewhere
		// (a link into a directory that an agent rewrites in place). Links
		// inside the volume's own ..timestamp directories are covered by
		// the ..data events of the parent.
		if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
			dir := filepath.Dir(path)
			if d, err := filepath.EvalSymlinks(dir); err == nil {
				dir = d // the volume's own path, if it is reached through a link
			}
			realDir := filepath.Dir(real)
			if realDir != dir && !strings.HasPrefix(real, dir+string(filepath.Separator)+"..") {
				add(realDir, filepath.Base(real), t)
			}
		}
	}
}

// addWatches (re)adds a watch on every directory. Adding again is cheap
// and follows a directory that was replaced or created since.
func (w *watch) addWatches() {
	if w.fw == nil {
		return
	}
	for _, path := range w.fw.WatchList() {
		if w.dirs[path] == nil && w.files[path] == nil {
			_ = w.fw.Remove(path) // no longer on the way to any target
		}
	}
	for dir := range w.dirs {
		_ = w.fw.Add(dir) // a missing directory is caught by the next poll
	}
	for path := range w.files {
		_ = w.fw.Add(path) // re-added after a rename over it
	}
}

// dirty returns the targets an event concerns: those in the event's
// directory when the name is a target's own name or one of the kubelet's
// "..data", "..data_tmp" and "..<timestamp>" entries, or the target whose
// file the event is on.
func (w *watch) dirty(ev fsnotify.Event) []*target {
	var ts []*target
	if dir, ok := w.relevant(ev); ok {
		ts = append(ts, w.dirs[dir].targets...)
	}
	if t := w.files[ev.Name]; t != nil {
		ts = append(ts, t)
	}
	return ts
}

func (w *watch) relevant(ev fsnotify.Event) (dir string, ok bool) {
	dir, base := filepath.Dir(ev.Name), filepath.Base(ev.Name)
	if d := w.dirs[ev.Name]; d != nil && ev.Op&(fsnotify.Remove|fsnotify.Rename) != 0 {
		return ev.Name, true // the watched directory itself went away
	}
	d := w.dirs[dir]
	if d == nil {
		return "", false
	}
	return dir, d.names[base] || strings.HasPrefix(base, "..")
}

// run watches until ctx is done or p is closed; readCtx, done in both
// cases, bounds the reads.
func (w *watch) run(ctx, readCtx context.Context) error {
	w.addWatches()
	w.check(readCtx, w.targets) // report what changed between the last Fetch and now

	var events <-chan fsnotify.Event
	var errs <-chan error
	if w.fw != nil {
		events, errs = w.fw.Events, w.fw.Errors
	}
	poll := time.NewTicker(w.p.o.poll)
	defer poll.Stop()
	var debounce *time.Timer
	var fire <-chan time.Time
	defer func() {
		if debounce != nil {
			debounce.Stop()
		}
	}()
	dirty := map[*target]bool{}
	arm := func() {
		if fire != nil {
			return // a burst is already being collected
		}
		if debounce == nil {
			debounce = time.NewTimer(w.p.o.debounce)
		} else {
			debounce.Reset(w.p.o.debounce)
		}
		fire = debounce.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.p.stop:
			return fmt.Errorf("%w: files: watch", driver.ErrClosed)
		case ev, ok := <-events:
			if !ok {
				events = nil // the watcher failed: poll only
				continue
			}
			if ts := w.dirty(ev); len(ts) > 0 {
				for _, t := range ts {
					dirty[t] = true
				}
				arm()
			}
		case _, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			// An overflow (or any failure) means events may be lost: read
			// everything again.
			for _, t := range w.targets {
				dirty[t] = true
			}
			arm()
		case <-fire:
			fire = nil
			var ts []*target
			for _, t := range w.targets {
				if dirty[t] {
					ts = append(ts, t)
				}
			}
			clear(dirty)
			w.check(readCtx, ts)
			// A swap may have moved a symlinked directory: follow it.
			w.layout()
			w.addWatches()
		case <-poll.C:
			w.layout()
			w.addWatches()
			w.check(readCtx, w.targets)
		}
	}
}

// check reads ts again and calls changed for each whose state differs
// from the last known one.
func (w *watch) check(ctx context.Context, ts []*target) {
	for _, t := range ts {
		_, state, _ := w.p.read(ctx, t.ref)
		if state == "" || state == t.state {
			continue
		}
		t.state = state
		w.changed(t.ref)
	}
}
