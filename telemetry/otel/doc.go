// Package driftlessotel reports driftless's metrics hook
// (driftless.WithMetrics) through the OpenTelemetry API: metrics, and a span
// for each backend call and each refresh pass.
//
//	tel, err := driftlessotel.New(otel.GetMeterProvider(), otel.GetTracerProvider())
//	if err != nil {
//		return err
//	}
//	h, err := driftless.NewHandle[Config](ctx, tel.Option(), driftless.WithProvider("awssm", sm))
//
// One Recorder serves every Load and Handle of a process: create it once
// and pass its Option to each.
//
// # Metrics
//
// The instrumentation scope is "github.com/driftless/driftless/telemetry/otel".
// The names, units and attributes are stable:
//
//	driftless.fetch.duration            histogram, s       driftless.provider, driftless.outcome, error.type: one backend call (a batch is one)
//	driftless.fetch.errors              counter, {call}    driftless.provider, error.type: failed backend calls
//	driftless.fetch.refs                counter, {ref}     driftless.provider: references asked for (a batch counts each)
//	driftless.cache.hits                counter, {value}   driftless.provider: values served from the cache
//	driftless.cache.misses              counter, {value}   driftless.provider: values that had to be fetched
//	driftless.refreshes                 counter, {pass}    driftless.outcome: refresh passes of a Handle
//	driftless.refresh.errors            counter, {pass}    error.type: failed refresh passes (the last good config kept)
//	driftless.swaps                     counter, {swap}    new snapshots published
//	driftless.candidates.rejected       counter, {config}  candidate configs refused by a driftless.Gate
//	driftless.snapshot.age              gauge, s           age of the sealed snapshot (WithSnapshot) a load last booted from
//	driftless.snapshot.errors           counter, {snapshot} sealed snapshots refused or not written
//	driftless.fetch.time_since_success  gauge, s           driftless.provider: time since the provider's last successful call
//	driftless.refresh.time_since_success gauge, s          time since the last successful refresh pass
//
// driftless.provider is the reference scheme the provider is registered
// under ("awssm", "vault", ...); driftless.outcome is "ok" or "error";
// error.type is set on failures only. The two gauges are observed at each
// collection, and only once there was a success: a provider that never
// answered has no series (its errors are counted). The initial load of
// NewHandle is not a refresh pass: the refresh instruments start with the
// first Refresh, ForceRefresh or background pass.
//
// Exported to Prometheus (go.opentelemetry.io/otel/exporters/prometheus),
// the names become driftless_fetch_duration_seconds and so on; the
// telemetry/prometheus module exports the same measurements with
// Prometheus's own client.
//
// # Spans
//
// Each backend call is a span "driftless.fetch" (kind client) with the
// attributes driftless.provider, driftless.refs (the number of references
// in the call: more than 1 for a batch) and, on failure, error.type and an
// Error status whose description is the error class. Each refresh pass is a
// span "driftless.refresh" with driftless.outcome and, on failure, the same
// error.type and status. The metrics hook reports an event when it is over,
// with its duration: the spans are created afterwards with explicit start
// and end times, and each is the root of its own trace (the hook receives
// no context to take a parent from).
//
// # Error classes
//
// error.type says which driftless sentinel an error wraps (errors.Is), the
// first of: rejected (ErrRejected: a Gate refused the candidate config),
// validation (ErrValidation: a validator rejected a refreshed
// config), no_credentials (ErrNoCredentials), permission (ErrPermission),
// unavailable (ErrUnavailable), timeout (context.DeadlineExceeded),
// canceled (context.Canceled), not_found (ErrNotFound), invalid_ref
// (ErrInvalidRef); anything else is other. No attribute or status ever
// holds a value, a reference or an error message.
package driftlessotel
