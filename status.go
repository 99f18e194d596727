package driftless

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/driftless/driftless/driver"
)

// Status describes what a Handle serves and how fresh it is: per secret,
// when it was fetched, its version, its lease, the next refresh and the
// last error; per field, where its value came from. It holds metadata
// only, never a value, and every error in it is value-free (as every
// driftless error is). Durations are in nanoseconds in its JSON form, as
// time.Duration marshals.
type Status struct {
	Type string    `json:"type"` // the config type, "main.Config"
	Now  time.Time `json:"now"`  // when the status was taken; ages are counted to it

	// Running reports that the background refresh (Start) runs; Closed
	// that Close was called.
	Running bool `json:"running"`
	Closed  bool `json:"closed,omitempty"`

	LoadedAt    time.Time `json:"loaded_at"`              // the first load, when the Handle was made
	LastRefresh time.Time `json:"last_refresh,omitzero"`  // when the last refresh pass ended
	LastSuccess time.Time `json:"last_success"`           // when the last pass (or the first load) succeeded
	LastError   string    `json:"last_error,omitempty"`   // the last pass's error, if it failed
	Failures    int       `json:"failures,omitempty"`     // consecutive failed passes
	Refreshing  time.Time `json:"refreshing,omitzero"`    // when the pass in flight began, if one is
	NextRefresh time.Time `json:"next_refresh,omitzero"`  // when the background refresh runs next (when Running)
	Interval    Duration  `json:"interval"`               // the default refresh interval (WithRefreshInterval)
	StaleAfter  Duration  `json:"stale_after"`            // the degraded bound of WithStaleAfter (0: 3 refresh periods)
	FailAfter   Duration  `json:"fail_after,omitempty"`   // the failed bound of WithStaleAfter (0: never)
	Refused     int       `json:"refused_refs,omitempty"` // references the provider refused as malformed, not listed
	// Snapshot is, when values come from the snapshot of WithSnapshot
	// because providers were unreachable, when that snapshot was written.
	Snapshot time.Time `json:"snapshot,omitzero"`

	Secrets []SecretStatus `json:"secrets"`
	Fields  []FieldStatus  `json:"fields"`
}

// Duration is a time.Duration that marshals to JSON as its string form
// ("1m30s") and unmarshals from it, for the JSON of Status.
type Duration time.Duration

// MarshalText returns d in time.Duration's string form.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText parses the string form of a time.Duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("driftless: a duration in a status: %w", err)
	}
	*d = Duration(v)
	return nil
}

// SecretStatus describes one cached secret (one fetch: a reference
// without its #key, and the version selector).
type SecretStatus struct {
	Ref         string    `json:"ref"`                   // "awssm://prod/db", never a value
	Provider    string    `json:"provider"`              // its scheme
	Previous    bool      `json:"previous,omitempty"`    // the previous version (for a Rotating field)
	Version     string    `json:"version,omitempty"`     // the version of the last good value
	FetchedAt   time.Time `json:"fetched_at,omitzero"`   // when the last good value was fetched
	Age         Duration  `json:"age,omitempty"`         // Now minus FetchedAt
	Expires     time.Time `json:"expires,omitzero"`      // the last good value's lease end or expiry
	NextRefresh time.Time `json:"next_refresh,omitzero"` // when it is due again
	Period      Duration  `json:"period,omitempty"`      // its refresh interval
	Fetching    bool      `json:"fetching,omitempty"`    // a fetch is in flight
	Failures    int       `json:"failures,omitempty"`    // consecutive failed fetches
	LastError   string    `json:"last_error,omitempty"`  // the last fetch's error, if it failed
	NotFound    bool      `json:"not_found,omitempty"`   // the last fetch found no such secret
	Fields      []string  `json:"fields,omitempty"`      // the field paths that read it
}

// FieldStatus describes one field of the config served: where its value
// came from, never the value.
type FieldStatus struct {
	Path     string    `json:"path"`
	Key      string    `json:"key"`
	Source   string    `json:"source"`
	Secret   bool      `json:"secret"`
	Ref      string    `json:"ref,omitempty"`
	Provider string    `json:"provider,omitempty"`
	Version  string    `json:"version,omitempty"`
	Expires  time.Time `json:"expires,omitzero"`
}

// passLog records what the refresh passes of a Handle did, for Status. It
// has its own lock so that Status never waits for a pass in flight.
type passLog struct {
	mu        sync.Mutex // guards the fields below
	loadedAt  time.Time
	passStart time.Time // the pass in flight began; zero when none is
	lastEnd   time.Time
	lastOK    time.Time
	lastErr   string
	failures  int
	retryAt   time.Time // Handle.retryAt, copied at the end of each pass
	fnDue     time.Time // Handle.fnDue, likewise
}

// loaded records the first load.
func (p *passLog) loaded(now, fnDue time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.loadedAt, p.lastOK, p.fnDue = now, now, fnDue
}

// begin records that a pass began. Called with Handle.passMu held.
func (p *passLog) begin(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.passStart = now
}

// end records the end of a pass and the Handle's schedule after it; a
// pass stopped by its context is not a result. Called with Handle.passMu
// held.
func (p *passLog) end(now time.Time, stopped bool, err error, failures int, retryAt, fnDue time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.passStart = time.Time{}
	p.retryAt, p.fnDue = retryAt, fnDue
	if stopped {
		return
	}
	p.lastEnd, p.failures = now, failures
	if err != nil {
		p.lastErr = err.Error()
		return
	}
	p.lastOK, p.lastErr = now, ""
}

// Status returns the Handle's status now. It never waits for a refresh in
// flight and never holds a value. A zero Handle has an empty status.
func (h *Handle[T]) Status() *Status {
	now := time.Now()
	if h.l == nil {
		return &Status{Now: now}
	}
	o := h.l.o
	s := &Status{Type: h.l.typ.String(), Now: now, Interval: Duration(o.defaultTTL), StaleAfter: Duration(o.staleAfter), FailAfter: Duration(o.failAfter)}
	h.runMu.Lock()
	s.Running, s.Closed = h.done != nil && !h.closed, h.closed
	h.runMu.Unlock()

	h.st.mu.Lock()
	s.LoadedAt, s.LastRefresh, s.LastSuccess = h.st.loadedAt, h.st.lastEnd, h.st.lastOK
	s.LastError, s.Failures, s.Refreshing = h.st.lastErr, h.st.failures, h.st.passStart
	retryAt, fnDue := h.st.retryAt, h.st.fnDue
	h.st.mu.Unlock()

	// The next pass, as nextPass computes it, without Handle.passMu.
	next := fnDue
	if h.fn == nil {
		next = h.l.cache.earliestDue()
	}
	if !retryAt.IsZero() && (next.IsZero() || retryAt.Before(next)) {
		next = retryAt
	}
	if s.Running {
		s.NextRefresh = next
	}

	rep := h.rep.Load()
	s.Secrets, s.Refused = h.l.cache.status(now)
	if rep != nil {
		s.Fields, s.Snapshot = fieldStatuses(rep), rep.Snapshot
		linkFields(s.Secrets, rep)
	}
	return s
}

// status describes the cached secrets, sorted by reference, leaving out
// those whose fetch failed as a malformed reference (the text may not be
// a reference at all); it returns how many it left out.
func (c *cache) status(now time.Time) ([]SecretStatus, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]SecretStatus, 0, len(c.entries))
	refused := 0
	for k, e := range c.entries {
		ss := SecretStatus{
			Ref: k.ref.String(), Provider: k.ref.Scheme, Previous: k.previous,
			NextRefresh: e.due, Period: Duration(e.period), Failures: e.failures,
		}
		good := e.prev
		select {
		case <-e.done:
			if e.err == nil {
				good = e.val
			} else {
				if errors.Is(e.err, driver.ErrInvalidRef) {
					refused++
					continue
				}
				ss.LastError = e.err.Error()
				ss.NotFound = errors.Is(e.err, ErrNotFound)
			}
		default:
			ss.Fetching = true
		}
		if !e.okAt.IsZero() {
			ss.Version, ss.Expires, ss.FetchedAt = good.Version, good.Expires, e.okAt
			ss.Age = Duration(now.Sub(e.okAt))
		}
		out = append(out, ss)
	}
	slices.SortFunc(out, func(a, b SecretStatus) int {
		if c := strings.Compare(a.Ref, b.Ref); c != 0 {
			return c
		}
		switch {
		case a.Previous == b.Previous:
			return 0
		case b.Previous:
			return -1
		}
		return 1
	})
	return out, refused
}

// fieldStatuses describes the fields of a report without their values.
func fieldStatuses(rep *Report) []FieldStatus {
	out := make([]FieldStatus, len(rep.Fields))
	for i, f := range rep.Fields {
		out[i] = FieldStatus{Path: f.Path, Key: f.Key, Source: f.Source, Secret: f.Secret,
			Ref: f.Ref, Provider: f.Provider, Version: f.Version, Expires: f.Expires}
	}
	return out
}

// linkFields lists, in each secret, the fields that read it.
func linkFields(secrets []SecretStatus, rep *Report) {
	idx := map[string]int{}
	for i, s := range secrets {
		if !s.Previous {
			idx[s.Ref] = i
		}
	}
	for _, f := range rep.Fields {
		if f.Ref == "" {
			continue
		}
		r, err := driver.ParseRef(f.Ref)
		if err != nil {
			continue
		}
		if i, ok := idx[r.Secret().String()]; ok {
			secrets[i].Fields = append(secrets[i].Fields, f.Path)
		}
	}
}

// WriteTable writes the status as human-readable text: a line per secret
// and a line per field. It never writes a value.
func (s *Status) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s  running=%t  last success %s  next refresh %s\n", s.Type, s.Running, when(s.LastSuccess, s.Now), when(s.NextRefresh, s.Now))
	if s.LastError != "" {
		fmt.Fprintf(tw, "last refresh failed (%d in a row): %s\n", s.Failures, oneLine(s.LastError))
	}
	if len(s.Secrets) > 0 {
		fmt.Fprintln(tw, "\nSECRET\tVERSION\tAGE\tEXPIRES\tNEXT\tFAILURES\tFIELDS\tERROR")
		for _, x := range s.Secrets {
			ref := x.Ref
			if x.Previous {
				ref += " (previous)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", ref, x.Version, time.Duration(x.Age).Round(time.Second),
				when(x.Expires, s.Now), when(x.NextRefresh, s.Now), x.Failures, strings.Join(x.Fields, ","), oneLine(x.LastError))
		}
	}
	if len(s.Fields) > 0 {
		fmt.Fprintln(tw, "\nFIELD\tKEY\tSOURCE\tVERSION")
		for _, f := range s.Fields {
			src := f.Source
			if f.Ref != "" {
				src += " → " + f.Ref
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Path, f.Key, src, f.Version)
		}
	}
	return tw.Flush()
}

// when renders t relative to now: "-", "in 1m30s" or "2m ago".
func when(t, now time.Time) string {
	switch {
	case t.IsZero():
		return "-"
	case t.After(now):
		return "in " + t.Sub(now).Round(time.Second).String()
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}
