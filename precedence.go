package driftless

import (
	"fmt"
	"slices"
	"strings"
)

// Source names one layer of the chain, for WithPrecedence.
type Source uint8

// The layers of the chain, in their default order of precedence. The
// default tag always comes last.
const (
	FromFlags       Source = iota + 1 // the flags set on the command line (WithFlags)
	FromEnv                           // the process environment, NAME_FILE included
	FromEnvFiles                      // the .env files (WithEnvFiles)
	FromConfigFiles                   // the config files (WithConfigFiles)
	FromKeySources                    // the key-value sources (WithKeySource)
)

var sourceNames = [...]string{FromFlags: "flags", FromEnv: "env", FromEnvFiles: ".env files", FromConfigFiles: "config files", FromKeySources: "key-value sources"}

// String names the layer: "flags", "env", ".env files", "config files",
// "key-value sources".
func (s Source) String() string {
	if s >= FromFlags && int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return fmt.Sprintf("Source(%d)", uint8(s))
}

// defaultOrder is the chain's order unless WithPrecedence changes it.
var defaultOrder = []Source{FromFlags, FromEnv, FromEnvFiles, FromConfigFiles, FromKeySources}

// WithPrecedence sets the order of the chain for the whole struct, highest
// first; it must name each of the five layers once. The default is
//
//	FromFlags, FromEnv, FromEnvFiles, FromConfigFiles, FromKeySources
//
// (then the default tag): what is set closest to the process wins. A
// platform team that wants a secrets manager to win over anything a
// deployment sets would write
//
//	WithPrecedence(FromKeySources, FromFlags, FromEnv, FromEnvFiles, FromConfigFiles)
//
// A layer below a key-value source is still read: it is used when no source
// has the key, and a reference it holds is fetched in the same round trip.
func WithPrecedence(order ...Source) Option {
	return func(o *options) {
		if err := checkOrder(order); err != nil {
			o.optErrs = append(o.optErrs, err)
			return
		}
		o.order = slices.Clone(order)
	}
}

func checkOrder(order []Source) error {
	var missing []string
	for _, s := range defaultOrder {
		if n := countOf(order, s); n != 1 {
			missing = append(missing, fmt.Sprintf("%s (%d times)", s, n))
		}
	}
	for _, s := range order {
		if !slices.Contains(defaultOrder, s) {
			return fmt.Errorf("driftless: WithPrecedence: unknown layer %s", s)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("driftless: WithPrecedence must name each of the five layers once: %s", strings.Join(missing, ", "))
	}
	return nil
}

func countOf(order []Source, s Source) (n int) {
	for _, x := range order {
		if x == s {
			n++
		}
	}
	return n
}

// chainOrder returns the order of the chain.
func (o *options) chainOrder() []Source {
	if o.order == nil {
		return defaultOrder
	}
	return o.order
}

// below reports whether a value from origin kind k ranks below the
// key-value sources, which must then be consulted first.
func (o *options) belowSources(k originKind) bool {
	if o.order == nil {
		return false
	}
	var s Source
	switch k {
	case fromFlag:
		s = FromFlags
	case fromEnv:
		s = FromEnv
	case fromEnvFile:
		s = FromEnvFiles
	case fromConfigFile:
		s = FromConfigFiles
	default:
		return false
	}
	return slices.Index(o.order, s) > slices.Index(o.order, FromKeySources)
}
