package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/zip"
)

// diskFile is a file of the working tree, as golang.org/x/mod/zip takes it.
type diskFile struct {
	rel, abs string
}

func (f diskFile) Path() string                 { return f.rel }
func (f diskFile) Lstat() (fs.FileInfo, error)  { return os.Lstat(f.abs) }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.abs) }

// Proxy is a module proxy in a directory, in the layout GOPROXY=file://
// reads: <escaped path>/@v/{list,<version>.info,.mod,.zip}.
type Proxy struct {
	Dir    string
	hashes map[module.Version]string // h1: hash of each zip, as go.sum records it
}

func newProxy(dir string) (*Proxy, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Proxy{Dir: dir, hashes: map[module.Version]string{}}, nil
}

// URL is the GOPROXY entry for the proxy.
func (p *Proxy) URL() string {
	return "file://" + filepath.ToSlash(p.Dir)
}

// Add zips m from the working tree files (repository-relative) at version v
// and publishes it in the proxy. The zip holds exactly what a module zip
// made from a commit holds: the module's files that git tracks or would
// track, without nested modules or vendor directories.
func (p *Proxy) Add(r *Repo, m *Module, files []string, v string) error {
	mv := module.Version{Path: m.Path, Version: v}
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	dir := filepath.Join(p.Dir, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var zfiles []zip.File
	for _, rel := range r.moduleFiles(m, files) {
		zfiles = append(zfiles, diskFile{rel: rel, abs: filepath.Join(r.Root, filepath.FromSlash(m.Dir), filepath.FromSlash(rel))})
	}
	zipName := filepath.Join(dir, v+".zip")
	zf, err := os.Create(zipName)
	if err != nil {
		return err
	}
	if err := zip.Create(zf, mv, zfiles); err != nil {
		zf.Close()
		return fmt.Errorf("zipping %s: %w", mv, err)
	}
	if err := zf.Close(); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(m.Dir), "go.mod"))
	if err != nil {
		return err
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{v, time.Now().UTC().Truncate(time.Second)})
	for name, data := range map[string][]byte{v + ".mod": gomod, v + ".info": info, "list": []byte(v + "\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	h, err := dirhash.HashZip(zipName, dirhash.Hash1)
	if err != nil {
		return err
	}
	p.hashes[mv] = h
	return nil
}

// Hash returns the go.sum hash of the zip published for mv.
func (p *Proxy) Hash(mv module.Version) (string, bool) {
	h, ok := p.hashes[mv]
	return h, ok
}

// zipPath is where the zip of mv lies in the proxy.
func (p *Proxy) zipPath(mv module.Version) string {
	esc, _ := module.EscapePath(mv.Path)
	return filepath.Join(p.Dir, filepath.FromSlash(esc), "@v", mv.Version+".zip")
}
