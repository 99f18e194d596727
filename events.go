package driftless

import (
	"context"
	"log/slog"
	"time"
)

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds.
const (
	EventFetch     EventKind = iota + 1 // one call to a backend (Err set on failure)
	EventCacheHit                       // a value served from the cache
	EventCacheMiss                      // a value that had to be fetched
	EventRefresh                        // one refresh pass (Err set when it was rejected)
	EventSwap                           // a new snapshot was published (Changed lists the paths)
	EventSnapshot                       // the WithSnapshot file was used (Duration is its age) or could not be (Err)
	EventRejected                       // a Gate refused a candidate config (Err says why, Changed lists its changed paths)
)

// String returns the kind's name in snake case ("fetch", "cache_hit", ...).
func (k EventKind) String() string {
	switch k {
	case EventFetch:
		return "fetch"
	case EventCacheHit:
		return "cache_hit"
	case EventCacheMiss:
		return "cache_miss"
	case EventRefresh:
		return "refresh"
	case EventSwap:
		return "swap"
	case EventSnapshot:
		return "snapshot"
	case EventRejected:
		return "rejected"
	}
	return "unknown"
}

// Event is what the metrics hook receives. It never holds a value.
type Event struct {
	Kind     EventKind
	Scheme   string        // provider scheme, for fetch and cache events
	Refs     int           // references in a fetch (more than 1 for a batch)
	Duration time.Duration // latency of a fetch or a refresh
	Err      error
	Changed  []string // field paths, for swaps and rejected candidates
}

// emitEvent calls the WithMetrics hook, if any. A panic in it is logged
// (the hook is called from fetch goroutines, where it would crash the
// process) and otherwise ignored: metrics never fail a load.
func emitEvent(ctx context.Context, o *options, e Event) {
	if o.metrics == nil {
		return
	}
	if err := callHook("the WithMetrics hook", func() { o.metrics(e) }); err != nil && o.logger != nil {
		o.logger.LogAttrs(ctx, slog.LevelError, "driftless: metrics hook panicked", slog.String("error", err.Error()))
	}
}
