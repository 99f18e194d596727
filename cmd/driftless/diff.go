package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
)

const diffText = `Shows how two env files (two environments' files) drift apart: keys only
in A, keys only in B, and keys whose values differ. Values are compared by a
keyed fingerprint (HMAC-SHA256) and never shown; references are shown as
written. With --resolve, references are fetched and the secrets they name are
compared (by fingerprint), so awssm://staging/db and awssm://prod/db that hold
the same password compare equal.

The fingerprint key is the content of --key-file, else
DRIFTLESS_FINGERPRINT_KEY, else a random key for this run: use a fixed key
to compare fingerprints across runs or machines. Files are read as written:
$VAR expansion sees earlier keys of the same file only.

With --privileges, the grants the two environments need are compared
instead of their values: each secret read (and whether its previous version
is read) is a grant, as "driftless policy" prints them. Grants only B needs
are added (+), grants only A needs are removed (-). Nothing is fetched.

Exit codes: 0 same, 1 different, 2 usage or I/O error, or a reference that
did not resolve. With --privileges: 0 when B needs no grant that A does not
(the permission surface does not grow), 1 when it does, 2 on usage or I/O
errors or a malformed reference: a CI merge gate.
`

// diffRow is one key that differs.
type diffRow struct {
	Key    string   `json:"key"`
	Change string   `json:"change"` // "only-a", "only-b", "different"
	A      *diffVal `json:"a,omitempty"`
	B      *diffVal `json:"b,omitempty"`
}

// diffVal is one side of a diffRow.
type diffVal struct {
	Source      string `json:"source"`
	Reference   string `json:"reference,omitempty"`
	Version     string `json:"version,omitempty"`
	Fingerprint string `json:"fingerprint"`
}

func (v *diffVal) String() string {
	s := v.Source + " "
	if v.Reference != "" {
		s += v.Reference + " "
	}
	return s + v.Fingerprint
}

func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("diff", "[--resolve] [--key-file FILE] [--json] A B", diffText, stdout, stderr)
	doResolve := fs.Bool("resolve", false, "resolve references and compare the secrets they name")
	keyFile := fs.String("key-file", "", "file holding the fingerprint key (default $DRIFTLESS_FINGERPRINT_KEY, else random)")
	asJSON := fs.Bool("json", false, "write the report as JSON to stdout")
	privileges := fs.Bool("privileges", false, "compare the grants the two environments need (exit 1 when B needs more)")
	timeout := fs.Duration("timeout", defaultTimeout, "bound on resolving the references")
	pos, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "driftless diff: want two env files: driftless diff [flags] A B")
		return exitError
	}
	key, keySource, err := fingerprintKey(*keyFile)
	if err != nil {
		fmt.Fprintf(stderr, "driftless diff: %v\n", err)
		return exitError
	}
	files, err := envchain.ParseFiles(pos, nil, false)
	if err != nil {
		fmt.Fprintf(stderr, "driftless diff: %v\n", err)
		return exitError
	}
	a := parseRefs(envchain.Merge(nil, files[:1], false, nil).Vars, os.Getenv)
	b := parseRefs(envchain.Merge(nil, files[1:], false, nil).Vars, os.Getenv)
	if *privileges {
		return diffPrivileges(pos, a, b, *asJSON, stdout, stderr)
	}
	if *doResolve {
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		defer cancel()
		both := append(append([]resolved(nil), a...), b...)
		res, err := newResolver(ctx, both, backends.Factories(os.Getenv), resolverOptions(*timeout, false)...)
		if err != nil {
			fmt.Fprintf(stderr, "driftless diff: %v\n", err)
			return exitError
		}
		defer res.Close()
		errs := res.resolve(ctx, both)
		if len(errs) > 0 {
			for _, err := range errs {
				fmt.Fprintf(stderr, "driftless diff: %v\n", err)
			}
			fmt.Fprintf(stderr, "driftless diff: %d reference(s) failed\n", len(errs))
			return exitError
		}
		a, b = both[:len(a)], both[len(a):]
	}
	side := func(r resolved) *diffVal {
		v := &diffVal{Source: r.Source.String()}
		val := r.Value
		if r.IsRef {
			v.Reference = r.Ref.String()
			v.Version = r.Version
			if !*doResolve {
				val = r.Var.Value // compare the references themselves
			}
		}
		v.Fingerprint = driftless.NewSecret(val).Fingerprint(key)
		return v
	}
	am, bm := map[string]resolved{}, map[string]resolved{}
	var keys []string
	for _, r := range a {
		am[r.Key] = r
		keys = append(keys, r.Key)
	}
	for _, r := range b {
		bm[r.Key] = r
		if _, ok := am[r.Key]; !ok {
			keys = append(keys, r.Key)
		}
	}
	slices.Sort(keys)
	var rows []diffRow
	same := 0
	for _, k := range keys {
		ra, okA := am[k]
		rb, okB := bm[k]
		switch {
		case okA && !okB:
			rows = append(rows, diffRow{Key: k, Change: "only-a", A: side(ra)})
		case !okA && okB:
			rows = append(rows, diffRow{Key: k, Change: "only-b", B: side(rb)})
		default:
			sa, sb := side(ra), side(rb)
			if sa.Fingerprint == sb.Fingerprint {
				same++
				continue
			}
			rows = append(rows, diffRow{Key: k, Change: "different", A: sa, B: sb})
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []diffRow{}
		}
		if err := enc.Encode(map[string]any{"a": pos[0], "b": pos[1], "fingerprint_key": keySource, "same": same, "differences": rows}); err != nil {
			fmt.Fprintf(stderr, "driftless diff: %v\n", err)
			return exitError
		}
	} else {
		var onlyA, onlyB, diff int
		for _, r := range rows {
			switch r.Change {
			case "only-a":
				onlyA++
				fmt.Fprintf(stdout, "- %s\tonly in A (%s)\n", r.Key, r.A.Source)
			case "only-b":
				onlyB++
				fmt.Fprintf(stdout, "+ %s\tonly in B (%s)\n", r.Key, r.B.Source)
			default:
				diff++
				fmt.Fprintf(stdout, "~ %s\t%s  !=  %s\n", r.Key, r.A, r.B)
			}
		}
		fmt.Fprintf(stdout, "%s: %d only in A (%s), %d only in B (%s), %d different, %d same (fingerprints keyed with %s)\n",
			strings.TrimSpace(map[bool]string{true: "same", false: "different"}[len(rows) == 0]),
			onlyA, pos[0], onlyB, pos[1], diff, same, keySource)
	}
	if len(rows) > 0 {
		return exitFindings
	}
	return exitOK
}
