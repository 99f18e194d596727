package driftless

import "github.com/driftless/driftless/driver"

// Well-known schemes. A value is treated as a reference only when its scheme
// is one of these or one registered with a provider, so ordinary URLs
// (https://, postgres://) are never mistaken for references. The grammar
// of each belongs to its provider (driver.RefChecker).
var knownSchemes = map[string]bool{"awssm": true, "gcpsm": true, "azkv": true, "vault": true, "file": true}

// IsKnownRef reports whether s starts with one of the five well-known
// schemes (in any letter case).
func IsKnownRef(s string) bool { return knownSchemes[driver.Scheme(s)] }
