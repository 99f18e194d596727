package driftless

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless/driver"
)

// Trigger asks the background refresh (Start) to re-fetch the secrets that
// names designate at once, for a service that learns of a rotation by push:
// a handler wired to SNS or EventBridge, Pub/Sub, Event Grid, or an admin
// endpoint calls it. Each name is a field path ("DB.Password"), a key
// ("DB_PASSWORD"), the path of a nested struct ("DB"), or a reference as
// Report and Status show it ("awssm://prod/db", with or without its #key);
// no names means every secret. A NewHandleFunc Handle calls its load
// function.
//
// Trigger does not wait: it marks the secrets due and wakes the
// background refresh. Triggers are coalesced with each other and with the
// periodic schedule: any number of them before the next pass cause one
// pass, which fetches each named secret once; a trigger that arrives while
// its secret is being fetched makes it fetched again right after (the
// fetch in flight may have read the old version). Trigger is not
// rate-limited the way ForceRefresh is, since it re-fetches only what it
// names and only from the background goroutine: bound the rate of the
// endpoint that calls it if its callers are not trusted. To wait for the
// new values, use RefreshNow.
//
// A name that designates nothing, or only fields that read no secret
// (plain environment values do not change while a process runs), is an
// error wrapping ErrUnknownName, and nothing is triggered. Without Start,
// Trigger returns an error (the secrets are still marked due, and fetched
// by the next Refresh).
func (h *Handle[T]) Trigger(names ...string) error {
	if err := h.mark(names); err != nil {
		return err
	}
	h.runMu.Lock()
	running := h.done != nil
	h.runMu.Unlock()
	if !running {
		return errors.New("driftless: Trigger: the background refresh is not running (call Start, or RefreshNow to refresh now)")
	}
	select {
	case h.wake <- struct{}{}:
	default: // a wake-up is already pending: coalesced
	}
	return nil
}

// RefreshNow re-fetches the secrets that names designate (as Trigger
// takes them; none means every secret) in a refresh pass run now, and
// returns once the snapshot has been swapped, if anything changed, and the
// change hooks have run. Like Trigger, it is not rate-limited (ForceRefresh
// is); concurrent calls whose secrets a pass in flight will fetch share
// that fetch. On failure the last good snapshot is kept and the error
// returned.
func (h *Handle[T]) RefreshNow(ctx context.Context, names ...string) error {
	if err := h.mark(names); err != nil {
		return err
	}
	return h.pass(ctx, false)
}

// mark marks the secrets that names designate due now.
func (h *Handle[T]) mark(names []string) error {
	if err := h.usable(); err != nil {
		return err
	}
	if h.fn != nil {
		// One load function: every name that designates a field selects it.
		return h.names.check(h.l.typ.String(), names)
	}
	if len(names) == 0 {
		h.l.cache.invalidate(nil, time.Now())
		return nil
	}
	refs, schemes, err := h.targets(names)
	if err != nil {
		return err
	}
	h.l.cache.invalidate(func(r driver.Ref) bool { return refs[r] || schemes[r.Scheme] }, time.Now())
	return nil
}

// targets resolves names to the cached secrets they designate: refs by
// reference, and schemes whose every secret is meant (a field read through
// a provider without a reference in the report: a NAME_FILE file, a key
// source).
func (h *Handle[T]) targets(names []string) (refs map[driver.Ref]bool, schemes map[string]bool, err error) {
	refs, schemes = map[driver.Ref]bool{}, map[string]bool{}
	cached := map[driver.Ref]bool{}
	for _, k := range h.l.cache.keys() {
		cached[k.ref] = true
	}
	byPath := map[string]FieldReport{}
	if rep := h.rep.Load(); rep != nil {
		for _, f := range rep.Fields {
			byPath[f.Path] = f
		}
	}
	var errs []error
	for i, name := range names {
		if driver.Scheme(name) != "" {
			// A reference: named back only by position, as a malformed
			// one may not be a reference at all.
			r, perr := driver.ParseRef(name)
			if perr != nil || !cached[r.Secret()] {
				errs = append(errs, fmt.Errorf("%w: Trigger: name %d is a reference that no secret of %s uses", ErrUnknownName, i+1, h.l.typ.String()))
				continue
			}
			refs[r.Secret()] = true
			continue
		}
		found := false
		if paths, ok := h.names.index[name]; ok {
			for _, p := range paths {
				f := byPath[p]
				switch {
				case f.Ref != "":
					if r, perr := driver.ParseRef(f.Ref); perr == nil {
						refs[r.Secret()], found = true, true
					}
				case f.Provider != "":
					schemes[f.Provider], found = true, true
				}
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("%w: Trigger(%q): no secret of %s is read through that name%s", ErrUnknownName, name, h.l.typ.String(), h.names.hint(name)))
		}
	}
	return refs, schemes, errors.Join(errs...)
}
