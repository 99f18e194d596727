package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/cmd/driftless/internal/backends"
	"github.com/driftless/driftless/cmd/driftless/internal/envchain"
)

const explainText = `Lists every key the env files set, and every variable of the process
environment that holds a reference: where its value comes from (env, or
file:line; a value the environment overrides is shown as "overrides
FILE:LINE"), and whether it is a reference. Plain values are shown only as
a keyed fingerprint (hmac:...); with --resolve, references are fetched and
the provider, the version served and a fingerprint of the secret are shown.
Never a value.

Fingerprints are keyed with DRIFTLESS_FINGERPRINT_KEY, or a random key for
this run (then they only compare values within one run).

Without --env-file, ./.env is used when it exists.

Exit codes: 0 success, 1 a reference is invalid or did not resolve,
2 usage or I/O error.
`

// explainRow is one key of explain's report.
type explainRow struct {
	Key         string   `json:"key"`
	Source      string   `json:"source"`
	Overrides   []string `json:"overrides,omitempty"`
	Reference   string   `json:"reference,omitempty"`
	Provider    string   `json:"provider,omitempty"`
	Version     string   `json:"version,omitempty"`
	Fingerprint string   `json:"fingerprint,omitempty"`
	Empty       bool     `json:"empty,omitempty"`
	Error       string   `json:"error,omitempty"`
}

func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explain", "[--env-file FILE]... [--resolve] [--json]", explainText, stdout, stderr)
	var envFiles stringList
	fs.Var(&envFiles, "env-file", "a .env file to merge under the environment (repeatable; first listed wins)")
	doResolve := fs.Bool("resolve", false, "fetch references and show provider, version and fingerprint")
	asJSON := fs.Bool("json", false, "write the report as JSON to stdout")
	timeout := fs.Duration("timeout", defaultTimeout, "bound on resolving the references")
	extra, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(extra) > 0 {
		fmt.Fprintf(stderr, "driftless explain: unexpected argument %q (env files are given with --env-file)\n", extra[0])
		return exitError
	}
	paths, optional := []string(envFiles), false
	if len(paths) == 0 {
		paths, optional = []string{".env"}, true
	}
	files, err := envchain.ParseFiles(paths, os.LookupEnv, optional)
	if err != nil {
		fmt.Fprintf(stderr, "driftless explain: %v\n", err)
		return exitError
	}
	key, _, err := fingerprintKey("")
	if err != nil {
		fmt.Fprintf(stderr, "driftless explain: %v\n", err)
		return exitError
	}
	set := envchain.Merge(os.Environ(), files, true, func(_, v string) bool { return backends.IsRef(v) })
	vars := parseRefs(set.Vars, os.Getenv)
	if *doResolve {
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		defer cancel()
		res, err := newResolver(ctx, vars, backends.Factories(os.Getenv), resolverOptions(*timeout, false)...)
		if err != nil {
			fmt.Fprintf(stderr, "driftless explain: %v\n", err)
			return exitError
		}
		defer res.Close()
		res.resolve(ctx, vars)
	}
	rows := make([]explainRow, 0, len(vars))
	failed := 0
	for _, v := range vars {
		row := explainRow{Key: v.Key, Source: v.Source.String()}
		for _, s := range v.Shadowed {
			row.Overrides = append(row.Overrides, s.String())
		}
		switch {
		case v.Err != nil:
			failed++
			row.Error = v.Err.Error()
			if v.Ref.Scheme != "" {
				row.Reference, row.Provider = v.Ref.String(), v.Ref.Scheme
			}
		case v.IsRef:
			row.Reference, row.Provider = v.Ref.String(), v.Ref.Scheme
			if *doResolve {
				row.Version = v.Version
				row.Fingerprint = driftless.NewSecret(v.Value).Fingerprint(key)
				row.Empty = v.Value == ""
			}
		default:
			row.Fingerprint = driftless.NewSecret(v.Value).Fingerprint(key)
			row.Empty = v.Value == ""
		}
		rows = append(rows, row)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"keys": rows}); err != nil {
			fmt.Fprintf(stderr, "driftless explain: %v\n", err)
			return exitError
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tSOURCE\tREFERENCE\tVERSION\tFINGERPRINT")
		for _, r := range rows {
			src := r.Source
			if len(r.Overrides) > 0 {
				src += " (overrides " + strings.Join(r.Overrides, ", ") + ")"
			}
			fp := r.Fingerprint
			if r.Empty {
				fp += " (empty)"
			}
			if r.Error != "" {
				fp = "ERROR"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Key, src, dash(r.Reference), dash(r.Version), dash(fp))
		}
		_ = tw.Flush()
		for _, r := range rows {
			if r.Error != "" {
				fmt.Fprintf(stderr, "driftless explain: %s\n", r.Error)
			}
		}
	}
	if failed > 0 {
		return exitFindings
	}
	return exitOK
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
