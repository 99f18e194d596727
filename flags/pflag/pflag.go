package driftlesspflag

import (
	"errors"
	"flag"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/driftless/driftless"
)

// Bind defines on fs one flag per field of the config struct that cfg
// points to, named and described as driftless.BindFlags names and
// describes them; a bool field's flag may be given alone (--debug).
func Bind(fs *pflag.FlagSet, cfg any) error {
	gfs := flag.NewFlagSet("driftless", flag.ContinueOnError)
	if err := driftless.BindFlags(gfs, cfg); err != nil {
		return err
	}
	var errs []error
	gfs.VisitAll(func(f *flag.Flag) {
		if fs.Lookup(f.Name) != nil {
			errs = append(errs, fmt.Errorf("driftless: flag --%s is already defined", f.Name))
		}
	})
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	fs.AddGoFlagSet(gfs)
	return nil
}

// Option makes driftless.Load, Explain and NewHandle read the flags of fs
// set on the command line before any other source (driftless.WithFlags
// for pflag). Use it once fs is parsed.
func Option(fs *pflag.FlagSet) driftless.Option {
	return driftless.WithFlagValues(func(visit func(name, value string)) {
		fs.Visit(func(f *pflag.Flag) { visit(f.Name, f.Value.String()) })
	})
}
