// Package driftlessprom exports driftless's metrics hook (driftless.WithMetrics)
// as Prometheus collectors:
//
//	c, err := driftlessprom.New(prometheus.DefaultRegisterer)
//	if err != nil {
//		return err
//	}
//	h, err := driftless.NewHandle[Config](ctx, c.Option(), driftless.WithProvider("awssm", sm))
//
// One Collector serves every Load and Handle of a process: create it once
// per registry and pass its Option to each.
//
// # Metrics
//
// The names and labels are stable:
//
//	driftless_fetch_duration_seconds{provider,outcome}     histogram: one backend call (a batch is one), outcome "ok" or "error"
//	driftless_fetch_errors_total{provider,class}           counter: failed backend calls, by error class
//	driftless_fetched_refs_total{provider}                 counter: references asked for (a batch counts each)
//	driftless_cache_hits_total{provider}                   counter: values served from the cache
//	driftless_cache_misses_total{provider}                 counter: values that had to be fetched
//	driftless_refreshes_total{outcome}                     counter: refresh passes of a Handle, "ok" or "error"
//	driftless_refresh_errors_total{class}                  counter: failed refresh passes (the last good config kept), by error class
//	driftless_swaps_total                                  counter: new snapshots published (a refresh that changed something)
//	driftless_candidates_rejected_total                    counter: candidate configs refused by a driftless.Gate (at boot or on a refresh)
//	driftless_snapshot_age_seconds                         gauge: age of the sealed snapshot (WithSnapshot) a load last booted from
//	driftless_snapshot_errors_total                        counter: sealed snapshots refused or not written
//	driftless_last_success_timestamp_seconds{provider}     gauge: Unix time of the provider's last successful backend call
//	driftless_refresh_last_success_timestamp_seconds       gauge: Unix time of the last successful refresh pass
//
// provider is the reference scheme the provider is registered under
// ("awssm", "vault", ...). The time since the last success is computed in
// PromQL, for example to alert on a backend that has failed for 15 minutes:
//
//	time() - driftless_last_success_timestamp_seconds > 900
//
// The initial load of NewHandle is not a refresh pass: the refresh metrics
// start with the first Refresh, ForceRefresh or background pass.
//
// # Error classes
//
// The class label says which driftless sentinel an error wraps (errors.Is),
// the first of: rejected (ErrRejected: a Gate refused the candidate
// config), validation (ErrValidation: a validator rejected a refreshed
// config), no_credentials (ErrNoCredentials), permission (ErrPermission),
// unavailable (ErrUnavailable), timeout (context.DeadlineExceeded),
// canceled (context.Canceled), not_found (ErrNotFound), invalid_ref
// (ErrInvalidRef); anything else is other. No label ever holds a value, a
// reference or an error message.
package driftlessprom
