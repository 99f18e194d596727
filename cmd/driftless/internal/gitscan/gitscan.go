package gitscan

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNotRepo is returned by Open for a directory outside any git work tree.
var ErrNotRepo = errors.New("not a git work tree")

// ErrNoGit is returned by Open when the git command is not on PATH.
var ErrNoGit = errors.New("git is not installed")

// exampleNames are .env-like names that hold a schema, not values.
var exampleNames = map[string]bool{
	".env.example": true, ".env.sample": true, ".env.template": true, ".env.dist": true,
}

// IsEnvFile reports whether the base name of p is a .env file that may hold
// values: ".env" or ".env.<anything>", except the schema files
// .env.example, .env.sample, .env.template and .env.dist.
func IsEnvFile(p string) bool {
	b := path.Base(filepath.ToSlash(p))
	return (b == ".env" || strings.HasPrefix(b, ".env.")) && !exampleNames[b]
}

// Repo is a git work tree.
type Repo struct {
	// Dir is the directory the repository was opened at; the paths the
	// methods take and return are relative to it.
	Dir string
}

// Open returns the repository whose work tree holds dir.
func Open(dir string) (*Repo, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, ErrNoGit
	}
	r := &Repo{Dir: dir}
	out, err := r.git(nil, "rev-parse", "--is-inside-work-tree")
	if err != nil || strings.TrimSpace(string(out)) != "true" {
		return nil, ErrNotRepo
	}
	return r, nil
}

func (r *Repo) git(stdin []byte, args ...string) ([]byte, error) {
	// Settings of the user's configuration that would change what the
	// commands print are overridden.
	cmd := exec.Command("git", append([]string{"-c", "core.quotepath=off", "-c", "log.showRoot=true"}, args...)...)
	cmd.Dir = r.Dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Tracked returns the .env files (see IsEnvFile) in git's index under Dir.
func (r *Repo) Tracked() ([]string, error) { return r.TrackedMatching(IsEnvFile) }

// TrackedMatching returns the files in git's index under Dir, relative to
// Dir, for which match (given that path) is true.
func (r *Repo) TrackedMatching(match func(path string) bool) ([]string, error) {
	out, err := r.git(nil, "ls-files", "-z", "--cached", "--", ".")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) > 0 && match(string(p)) {
			files = append(files, string(p))
		}
	}
	return files, nil
}

// Prefix returns the path of Dir relative to the repository's top, with a
// trailing "/" ("" at the top): Dir-relative paths (Tracked) joined to it
// are top-relative, as History's are.
func (r *Repo) Prefix() (string, error) {
	out, err := r.git(nil, "rev-parse", "--show-prefix")
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(out), "\n"), nil
}

// Blobs returns the content of the objects that specs name in git's
// revision syntax (":path" for the index, "hash:path" for a commit's file,
// paths relative to the repository's top), each at most max bytes: a
// larger object, or one that does not exist or is not a file, is absent
// from the result. It runs git cat-file twice for all of them: once for
// the sizes, once for the contents of those within max.
func (r *Repo) Blobs(specs []string, max int64) (map[string][]byte, error) {
	out := map[string][]byte{}
	specs = slices.DeleteFunc(slices.Clone(specs), func(s string) bool {
		return strings.ContainsAny(s, "\n") // cat-file reads one spec a line
	})
	if len(specs) == 0 {
		return out, nil
	}
	sizes, err := r.git([]byte(strings.Join(specs, "\n")+"\n"), "cat-file", "--batch-check=%(objecttype) %(objectsize)")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(sizes), "\n"), "\n")
	if len(lines) != len(specs) {
		return nil, errors.New("git cat-file: unexpected output")
	}
	var want []string
	var wantSize []int64
	for i, l := range lines {
		typ, sizeText, _ := strings.Cut(l, " ")
		size, err := strconv.ParseInt(sizeText, 10, 64)
		if typ == "blob" && err == nil && size >= 0 && size <= max {
			want = append(want, specs[i])
			wantSize = append(wantSize, size)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	data, err := r.git([]byte(strings.Join(want, "\n")+"\n"), "cat-file", "--batch=%(objectsize)")
	if err != nil {
		return nil, err
	}
	for i, s := range want {
		j := bytes.IndexByte(data, '\n')
		if j < 0 || string(data[:j]) != strconv.FormatInt(wantSize[i], 10) || int64(len(data)-j-1) < wantSize[i]+1 {
			return nil, errors.New("git cat-file: unexpected output")
		}
		data = data[j+1:]
		out[s] = data[:wantSize[i]:wantSize[i]]
		data = data[wantSize[i]+1:] // the content and its line feed
	}
	return out, nil
}

// Commit names a commit that added a .env file.
type Commit struct {
	Path string // the file, relative to the repository's top
	Hash string // abbreviated hash of the oldest commit that added it
	// Count is the number of commits that added the file (it was removed
	// and added again).
	Count int
}

// History returns every .env file that any commit reachable from any ref
// (git log --all) added, with the oldest such commit.
//
// A merge commit adds a file when none of its parents has it (an "evil"
// merge: the file was never committed on either side); a merge that
// brings in a file from one side does not count, since the commit that
// added it on that side does. Paths are read NUL-separated, so that any
// name (spaces, quotes, newlines, non-ASCII, a leading dash) comes back
// exactly.
func (r *Repo) History() ([]Commit, error) { return r.HistoryMatching(IsEnvFile) }

// HistoryMatching is History for the files whose top-relative path match
// accepts, rather than the .env files.
func (r *Repo) HistoryMatching(match func(path string) bool) ([]Commit, error) {
	out, err := r.git(nil, "log", "--all", "--no-renames", "--diff-filter=A",
		"--diff-merges=separate", "--no-relative", "--no-color", "--no-show-signature",
		"--name-only", "-z", "--format=%x00%h %P")
	if err != nil {
		return nil, err
	}
	// The output is, for each commit, and for a merge once per parent
	// (newest commit first):
	//
	//	NUL hash SP parents NUL LF path NUL path NUL ...
	//
	// A path is never empty, so an empty field starts a header.
	type add struct {
		hash, path string
		parents    int // of the commit
		diffs      int // diffs against a parent that add path
	}
	var adds []*add
	byKey := map[[2]string]*add{}
	var hash string
	parents := 0
	fields := bytes.Split(out, []byte{0})
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) == 0 {
			if i+1 < len(fields) {
				i++
				h := strings.Fields(string(fields[i]))
				if len(h) == 0 {
					return nil, errors.New("git log: unexpected output")
				}
				hash, parents = h[0], len(h)-1
				// The paths follow after a line feed.
				if i+1 < len(fields) && len(fields[i+1]) > 0 && fields[i+1][0] == '\n' {
					fields[i+1] = fields[i+1][1:]
				}
			}
			continue
		}
		p := string(f)
		if !match(p) {
			continue
		}
		k := [2]string{hash, p}
		a, ok := byKey[k]
		if !ok {
			a = &add{hash: hash, path: p, parents: parents}
			byKey[k] = a
			adds = append(adds, a)
		}
		a.diffs++
	}
	byPath := map[string]*Commit{}
	for _, a := range adds {
		if a.diffs < a.parents {
			continue // a merge that has the file from one of its parents
		}
		c, ok := byPath[a.path]
		if !ok {
			c = &Commit{Path: a.path}
			byPath[a.path] = c
		}
		c.Hash = a.hash // newest first: the last one seen is the oldest
		c.Count++
	}
	commits := make([]Commit, 0, len(byPath))
	for _, p := range slices.Sorted(maps.Keys(byPath)) {
		commits = append(commits, *byPath[p])
	}
	return commits, nil
}

// NotIgnored returns the paths of paths (relative to Dir) that no
// .gitignore rule, .git/info/exclude or core.excludesFile ignores.
func (r *Repo) NotIgnored(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	var in bytes.Buffer
	for _, p := range paths {
		in.WriteString(p)
		in.WriteByte(0)
	}
	out, err := r.git(in.Bytes(), "check-ignore", "--stdin", "-z", "--no-index")
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) { // 1: none ignored
		return nil, err
	}
	ignored := map[string]bool{}
	for _, p := range bytes.Split(out, []byte{0}) {
		ignored[string(p)] = true
	}
	var not []string
	for _, p := range paths {
		if !ignored[p] {
			not = append(not, p)
		}
	}
	return not, nil
}

// skipDirs are not searched for .env files.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".venv": true}

// Find returns the .env files (see IsEnvFile) under dir, relative to dir,
// skipping .git, node_modules, vendor and .venv directories.
func Find(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if IsEnvFile(d.Name()) {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}
