package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// grant is one permission an environment needs: reading a secret, and its
// previous version where a field rotates.
type grant struct {
	Ref      string   `json:"reference"`
	Previous bool     `json:"previous,omitempty"`
	Keys     []string `json:"keys"` // the variables that read it
}

func (g grant) id() string {
	if g.Previous {
		return g.Ref + " (and its previous version)"
	}
	return g.Ref
}

// grants returns the grants that vars need, by id.
func grants(vars []resolved) (map[string]grant, []error) {
	reads, errs := policyReads(vars)
	out := make(map[string]grant, len(reads))
	for _, r := range reads {
		g := grant{Ref: r.Ref.String(), Previous: r.Previous, Keys: r.Fields}
		out[g.id()] = g
	}
	return out, errs
}

// diffPrivileges prints the grants B needs and A does not (+) and those A
// needs and B does not (-), and exits 1 when B needs more.
func diffPrivileges(pos []string, a, b []resolved, asJSON bool, stdout, stderr io.Writer) int {
	ga, errA := grants(a)
	gb, errB := grants(b)
	if errs := append(errA, errB...); len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintf(stderr, "driftless diff: %v\n", err)
		}
		return exitError
	}
	var added, removed []grant
	for id, g := range gb {
		if _, ok := ga[id]; !ok {
			added = append(added, g)
		}
	}
	for id, g := range ga {
		if _, ok := gb[id]; !ok {
			removed = append(removed, g)
		}
	}
	byID := func(x, y grant) int { return strings.Compare(x.id(), y.id()) }
	slices.SortFunc(added, byID)
	slices.SortFunc(removed, byID)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"a": pos[0], "b": pos[1], "added": nonNil(added), "removed": nonNil(removed), "unchanged": len(ga) - len(removed)}); err != nil {
			fmt.Fprintf(stderr, "driftless diff: %v\n", err)
			return exitError
		}
	} else {
		for _, g := range added {
			fmt.Fprintf(stdout, "+ read %s\tneeded by B only (%s)\n", g.id(), strings.Join(g.Keys, ", "))
		}
		for _, g := range removed {
			fmt.Fprintf(stdout, "- read %s\tneeded by A only (%s)\n", g.id(), strings.Join(g.Keys, ", "))
		}
		verdict := "the permission surface does not grow"
		if len(added) > 0 {
			verdict = "the permission surface grows"
		}
		fmt.Fprintf(stdout, "%s: %d grant(s) added in %s, %d removed, %d unchanged\n", verdict, len(added), pos[1], len(removed), len(ga)-len(removed))
	}
	if len(added) > 0 {
		return exitFindings
	}
	return exitOK
}

func nonNil(g []grant) []grant {
	if g == nil {
		return []grant{}
	}
	return g
}
