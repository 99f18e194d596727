package driftless

import (
	"fmt"
	"time"
)

// WithStaleAfter sets how old a Handle's secrets may grow before its
// Health says so: older than degraded, the verdict is degraded; older than
// failed, it is failed. Age is counted from a secret's last successful
// fetch (for a NewHandleFunc Handle, from the last successful load), and
// judged only while the background refresh runs (Start): without it,
// values are meant to stay as loaded. The degraded bound also says when the
// background refresh counts as wedged (see Health.Live).
//
// The default degraded bound is three refresh periods of each secret (see
// WithRefreshInterval); the default failed bound is 0, never: a service
// whose secrets manager is down keeps serving its last good config and
// stays ready, degraded, rather than taking a whole fleet out of
// rotation. Set failed when serving a value older than that is worse than
// not serving.
func WithStaleAfter(degraded, failed time.Duration) Option {
	return func(o *options) {
		if degraded < 0 || failed < 0 || failed > 0 && degraded > 0 && failed < degraded {
			o.optErrs = append(o.optErrs, fmt.Errorf("driftless: WithStaleAfter(%s, %s): the bounds must not be negative, and failed (0: never) must not be below degraded", degraded, failed))
			return
		}
		o.staleAfter, o.failAfter = degraded, failed
	}
}

// Verdict is the outcome of a health check.
type Verdict string

// The verdicts of Health, from best to worst.
const (
	// HealthOK: every secret was refreshed on time and the last refresh
	// succeeded.
	HealthOK Verdict = "ok"
	// HealthDegraded: the config served is good but something needs
	// attention: a refresh failed and the last good value is served,
	// values come from the snapshot of WithSnapshot, a secret is older
	// than the degraded bound of WithStaleAfter, a lease ends before its
	// next renewal, or the Handle was closed.
	HealthDegraded Verdict = "degraded"
	// HealthFailed: there is no good config (a zero Handle), a lease
	// already ended, or a secret is older than the failed bound of
	// WithStaleAfter.
	HealthFailed Verdict = "failed"
)

// Health is a Handle's health verdict, with the reasons for a verdict
// other than ok. Reasons name fields, secret references and value-free
// errors, never a value.
type Health struct {
	Verdict Verdict  `json:"verdict"`
	Reasons []string `json:"reasons,omitempty"`
	// Live is false when the background refresh is wedged: a refresh due
	// for longer than the degraded bound of WithStaleAfter has not run (a
	// pass stuck in a backend call or in a change hook). A liveness probe
	// restarts the process then.
	Live bool `json:"live"`
}

// Health returns the Handle's health verdict now, from its Status. It
// never waits for a refresh in flight.
func (h *Handle[T]) Health() Health {
	return h.Status().Health()
}

// Health judges s: see HealthOK, HealthDegraded and HealthFailed.
func (s *Status) Health() Health {
	h := Health{Verdict: HealthOK, Live: true}
	degrade := func(format string, args ...any) {
		if h.Verdict == HealthOK {
			h.Verdict = HealthDegraded
		}
		h.Reasons = append(h.Reasons, fmt.Sprintf(format, args...))
	}
	fail := func(format string, args ...any) {
		h.Verdict = HealthFailed
		h.Reasons = append(h.Reasons, fmt.Sprintf(format, args...))
	}
	if s.Type == "" {
		fail("no config: a zero Handle")
		return h
	}
	if s.Closed {
		degrade("closed: the config is no longer refreshed")
	}
	if s.LastError != "" {
		degrade("the last refresh failed (%d in a row); serving the last good config: %s", s.Failures, s.LastError)
	}
	if !s.Snapshot.IsZero() {
		degrade("providers unreachable: serving values from the snapshot written %s ago", s.Now.Sub(s.Snapshot).Round(time.Second))
		if s.Running {
			s.judgeAge("the snapshot", s.Snapshot, 0, degrade, fail)
		}
	}
	staleAfter := time.Duration(s.StaleAfter)
	if s.Running && len(s.Secrets) == 0 {
		// A NewHandleFunc Handle, or a config without secrets: the age of
		// the config is that of its last successful load.
		s.judgeAge("the config", s.LastSuccess, 0, degrade, fail)
	}
	for _, x := range s.Secrets {
		name := "secret " + x.Ref
		if x.Previous {
			name += " (previous version)"
		}
		if x.Failures > 0 && x.LastError != "" {
			degrade("%s: %d failed fetches; serving the last good value: %s", name, x.Failures, x.LastError)
		}
		if !x.Expires.IsZero() {
			switch {
			case !s.Now.Before(x.Expires):
				fail("%s: its lease ended %s ago", name, s.Now.Sub(x.Expires).Round(time.Second))
			case !x.NextRefresh.IsZero() && x.NextRefresh.After(x.Expires):
				degrade("%s: its lease ends in %s, before its next renewal", name, x.Expires.Sub(s.Now).Round(time.Second))
			}
		}
		if s.Running && !x.FetchedAt.IsZero() {
			s.judgeAge(name, x.FetchedAt, time.Duration(x.Period), degrade, fail)
		}
	}
	if s.Running && !s.NextRefresh.IsZero() {
		bound := staleAfter
		if bound == 0 {
			bound = 3 * s.longestPeriod()
		}
		if late := s.Now.Sub(s.NextRefresh); bound > 0 && late > bound {
			h.Live = false
			degrade("the background refresh is wedged: a refresh due %s ago has not run", late.Round(time.Second))
		}
	}
	return h
}

// judgeAge reports what was fetched at as degraded or failed when older
// than the bounds of WithStaleAfter (the degraded bound defaults to three
// times period).
func (s *Status) judgeAge(name string, at time.Time, period time.Duration, degrade, fail func(string, ...any)) {
	age := s.Now.Sub(at)
	bound := time.Duration(s.StaleAfter)
	if bound == 0 {
		if period == 0 {
			period = s.longestPeriod()
		}
		bound = 3 * period
	}
	switch {
	case s.FailAfter > 0 && age > time.Duration(s.FailAfter):
		fail("%s is stale: fetched %s ago, beyond the failed bound of %s", name, age.Round(time.Second), time.Duration(s.FailAfter))
	case bound > 0 && age > bound:
		degrade("%s is stale: fetched %s ago, beyond %s", name, age.Round(time.Second), bound)
	}
}

// longestPeriod returns the longest refresh period among the secrets, or
// the default refresh interval recorded in the status.
func (s *Status) longestPeriod() time.Duration {
	var p time.Duration
	for _, x := range s.Secrets {
		p = max(p, time.Duration(x.Period))
	}
	if p == 0 {
		p = time.Duration(s.Interval)
	}
	return p
}
