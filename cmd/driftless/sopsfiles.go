package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/driftless/driftless/cmd/driftless/internal/gitscan"
	"go.yaml.in/yaml/v3"
)

// maxSOPSBlob bounds a file that check reads to tell whether it is
// SOPS-encrypted; a larger one is not read (and a note says so).
const maxSOPSBlob = 4 << 20

// sopsConfigName is the name of sops's configuration file.
const sopsConfigName = ".sops.yaml"

// sopsEncrypted reports whether data is a SOPS-encrypted file: a JSON
// document (sops's json and binary formats) or a YAML one with a top-level
// "sops" member holding an encrypted mac, a dotenv file with a
// sops_mac=ENC[...] line, or an INI file with a [sops] section holding
// one. Only the MAC is looked at: every file sops writes has one, and a
// decrypted copy (sops decrypt's output) has none.
func sopsEncrypted(data []byte) bool {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var doc struct {
			SOPS *struct {
				MAC string `json:"mac"`
			} `json:"sops"`
		}
		return json.Unmarshal(t, &doc) == nil && doc.SOPS != nil && isENC(doc.SOPS.MAC)
	}
	var section string // "yaml" inside a top-level sops: mapping, "ini" inside [sops]
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "sops_mac=") && isENC(line[len("sops_mac="):]):
			return true
		case line == "sops:":
			section = "yaml"
		case line == "[sops]":
			section = "ini"
		case section == "yaml" && line != "" && line[0] != ' ' && line[0] != '\t' && line[0] != '#':
			section = "" // the next top-level key
		case section == "yaml" && strings.HasPrefix(trimmed, "mac:") && isENC(trimmed[len("mac:"):]):
			return true
		case section == "ini" && strings.HasPrefix(trimmed, "["):
			section = ""
		case section == "ini":
			if k, v, ok := strings.Cut(trimmed, "="); ok && strings.TrimSpace(k) == "mac" && isENC(v) {
				return true
			}
		}
	}
	return false
}

// isENC reports whether v (a value as written, maybe quoted) is a value
// sops encrypted.
func isENC(v string) bool {
	return strings.HasPrefix(strings.Trim(strings.TrimSpace(v), `"'`), "ENC[AES256_GCM,")
}

// sopsConfig is one .sops.yaml: the path_regex of its creation rules,
// matched (as sops matches them) against paths relative to its directory.
type sopsConfig struct {
	file  string // top-relative path of the .sops.yaml
	dir   string // its directory, top-relative, "" or ending in "/"
	rules []*regexp.Regexp
}

// parseSOPSConfig reads the creation rules of a .sops.yaml. A rule whose
// path_regex is empty or matches every path (".*") applies to any file
// sops encrypts, not to files that must be encrypted: it is left out.
func parseSOPSConfig(file string, data []byte) (*sopsConfig, error) {
	var doc struct {
		CreationRules []struct {
			PathRegex string `yaml:"path_regex"`
		} `yaml:"creation_rules"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not valid YAML", file)
	}
	c := &sopsConfig{file: file, dir: strings.TrimSuffix(path.Dir(file), ".")}
	if c.dir != "" {
		c.dir += "/"
	}
	for i, r := range doc.CreationRules {
		if r.PathRegex == "" {
			continue
		}
		re, err := regexp.Compile(r.PathRegex)
		if err != nil {
			return nil, fmt.Errorf("%s: creation rule %d: path_regex does not compile", file, i+1)
		}
		if re.MatchString("") {
			continue
		}
		c.rules = append(c.rules, re)
	}
	return c, nil
}

// plainNames returns the names, in the same directory, that a decrypted
// copy of the encrypted file p usually has: with its "enc" or "sops"
// component dropped (secrets.enc.yaml: secrets.yaml; .env.production.enc:
// .env.production), or "enc" made "dec" (secrets.dec.yaml).
func plainNames(p string) []string {
	dir, base := path.Split(p)
	parts := strings.Split(base, ".")
	var out []string
	for i := 1; i < len(parts); i++ {
		if parts[i] != "enc" && parts[i] != "sops" {
			continue
		}
		dropped := strings.Join(slices.Delete(slices.Clone(parts), i, i+1), ".")
		if dropped != "" && dropped != "." {
			out = append(out, dir+dropped)
		}
		if parts[i] == "enc" {
			dec := slices.Clone(parts)
			dec[i] = "dec"
			out = append(out, dir+strings.Join(dec, "."))
		}
	}
	return out
}

// sopsScan finds decrypted copies of SOPS-encrypted files in a
// repository: tracked files that a .sops.yaml creation rule covers but
// that are not encrypted, and tracked plaintext siblings of encrypted
// files. It also tells the encrypted .env files, safe to commit, from the
// others. Paths are top-relative.
type sopsScan struct {
	repo    *gitscan.Repo
	prefix  string            // the checked directory, top-relative
	configs []*sopsConfig     // deepest directory first
	sibling map[string]string // plaintext name -> encrypted file it would be a copy of
	blobs   map[string][]byte // ":path" -> content, of the tracked files read
	tracked map[string]bool   // top-relative paths in the index under the checked directory
	large   []string          // files not read: larger than maxSOPSBlob
	notes   []string
}

// newSOPSScan reads the index: the .sops.yaml files, and the content of
// the files that may be encrypted or decrypted copies.
func newSOPSScan(repo *gitscan.Repo) (*sopsScan, error) {
	prefix, err := repo.Prefix()
	if err != nil {
		return nil, err
	}
	s := &sopsScan{repo: repo, prefix: prefix, sibling: map[string]string{}, tracked: map[string]bool{}}
	all, err := repo.TrackedMatching(func(string) bool { return true })
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		s.tracked[prefix+p] = true
	}
	// The .sops.yaml files of the checked directory and of its parents.
	var cfgSpecs []string
	for p := range s.tracked {
		if path.Base(p) == sopsConfigName {
			cfgSpecs = append(cfgSpecs, ":"+p)
		}
	}
	for dir := strings.TrimSuffix(prefix, "/"); dir != ""; {
		dir = strings.TrimSuffix(path.Dir(dir), ".")
		cfgSpecs = append(cfgSpecs, ":"+path.Join(dir, sopsConfigName))
		if dir == "" {
			break
		}
	}
	cfgs, err := repo.Blobs(cfgSpecs, maxSOPSBlob)
	if err != nil {
		return nil, err
	}
	for _, spec := range slices.Sorted(maps.Keys(cfgs)) {
		c, err := parseSOPSConfig(spec[1:], cfgs[spec])
		if err != nil {
			s.notes = append(s.notes, "sops rules skipped: "+err.Error())
			continue
		}
		s.configs = append(s.configs, c)
	}
	slices.SortStableFunc(s.configs, func(a, b *sopsConfig) int { return len(b.dir) - len(a.dir) })

	// The files to read: .env files, files a rule covers, files named
	// like encrypted ones and their plaintext names.
	var specs []string
	for p := range s.tracked {
		if gitscan.IsEnvFile(p) || s.ruleFor(p) != nil {
			specs = append(specs, ":"+p)
		}
		// A file named like an encrypted one is read even without a
		// tracked sibling: the history may hold one.
		for i, plain := range plainNames(p) {
			if i == 0 {
				specs = append(specs, ":"+p)
			}
			if s.tracked[plain] {
				specs = append(specs, ":"+plain)
			}
		}
	}
	slices.Sort(specs)
	specs = slices.Compact(specs)
	if s.blobs, err = s.readBlobs(specs); err != nil {
		return nil, err
	}
	for p := range s.tracked {
		if !s.Encrypted(p) {
			continue
		}
		for _, plain := range plainNames(p) {
			s.sibling[plain] = p
		}
	}
	return s, nil
}

// readBlobs reads specs, noting those too large to read.
func (s *sopsScan) readBlobs(specs []string) (map[string][]byte, error) {
	blobs, err := s.repo.Blobs(specs, maxSOPSBlob)
	if err != nil {
		return nil, err
	}
	for _, spec := range specs {
		if _, ok := blobs[spec]; !ok {
			_, p, _ := strings.Cut(spec, ":")
			s.large = append(s.large, p)
		}
	}
	return blobs, nil
}

// ruleFor returns the .sops.yaml whose creation rule covers the
// top-relative path p (the nearest one above p decides, as for sops), or
// nil.
func (s *sopsScan) ruleFor(p string) *sopsConfig {
	if path.Base(p) == sopsConfigName {
		return nil
	}
	for _, c := range s.configs {
		if !strings.HasPrefix(p, c.dir) {
			continue
		}
		rel := strings.TrimPrefix(p, c.dir)
		for _, re := range c.rules {
			if re.MatchString(rel) {
				return c
			}
		}
		return nil
	}
	return nil
}

// Encrypted reports whether the tracked file p (top-relative) is
// SOPS-encrypted in the index.
func (s *sopsScan) Encrypted(p string) bool {
	data, ok := s.blobs[":"+p]
	return ok && sopsEncrypted(data)
}

// decrypted returns why the tracked file p (top-relative) is a decrypted
// copy of a SOPS-encrypted file, or "".
func (s *sopsScan) decrypted(p string, read func(p string) ([]byte, bool)) string {
	data, ok := read(p)
	if !ok || sopsEncrypted(data) {
		return ""
	}
	if enc, ok := s.sibling[p]; ok {
		return "a decrypted copy of the SOPS-encrypted " + enc
	}
	if c := s.ruleFor(p); c != nil {
		return "covered by a creation rule of " + c.file + " but not SOPS-encrypted"
	}
	return ""
}

// Tracked returns the tracked files under the checked directory that are
// decrypted copies, with the reason for each, by Dir-relative path.
func (s *sopsScan) Tracked() map[string]string {
	out := map[string]string{}
	for p := range s.tracked {
		if why := s.decrypted(p, func(p string) ([]byte, bool) { d, ok := s.blobs[":"+p]; return d, ok }); why != "" {
			out[strings.TrimPrefix(p, s.prefix)] = why
		}
	}
	return out
}

// HistoryMatch reports whether a file that a commit added at the
// top-relative path p must be read to see whether it was a decrypted copy
// or an encrypted .env file.
func (s *sopsScan) HistoryMatch(p string) bool {
	_, sib := s.sibling[p]
	return gitscan.IsEnvFile(p) || sib || s.ruleFor(p) != nil
}

// History sorts the files that commits added (at paths HistoryMatch
// accepts): those that were SOPS-encrypted when added (safe), and the
// others with the reason each is a finding ("" for a plain .env file).
func (s *sopsScan) History(commits []gitscan.Commit) (kept []gitscan.Commit, why map[string]string, err error) {
	specs := make([]string, len(commits))
	for i, c := range commits {
		specs[i] = c.Hash + ":" + c.Path
	}
	blobs, err := s.readBlobs(specs)
	if err != nil {
		return nil, nil, err
	}
	why = map[string]string{}
	for i, c := range commits {
		data, ok := blobs[specs[i]]
		if ok && sopsEncrypted(data) {
			continue
		}
		w := s.decrypted(c.Path, func(string) ([]byte, bool) { return data, ok })
		if w == "" && !gitscan.IsEnvFile(c.Path) {
			continue
		}
		why[c.Path] = w
		kept = append(kept, c)
	}
	return kept, why, nil
}

// Notes returns what the scan could not check.
func (s *sopsScan) Notes() []string {
	notes := slices.Clone(s.notes)
	if len(s.large) > 0 {
		slices.Sort(s.large)
		notes = append(notes, fmt.Sprintf("%d file(s) not checked for SOPS encryption (larger than %d MiB, or not files): %s",
			len(slices.Compact(s.large)), maxSOPSBlob>>20, strings.Join(slices.Compact(s.large), ", ")))
	}
	return notes
}

// workTreeEncrypted reports whether the file at p is SOPS-encrypted (read
// at most maxSOPSBlob bytes).
func workTreeEncrypted(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSOPSBlob+1))
	return err == nil && len(data) <= maxSOPSBlob && sopsEncrypted(data)
}
