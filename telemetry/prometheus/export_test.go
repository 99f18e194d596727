package driftlessprom

import "github.com/prometheus/client_golang/prometheus"

// SnapshotAgeForTest and SnapshotErrorsForTest expose the snapshot metrics
// to the tests.
func (c *Collector) SnapshotAgeForTest() prometheus.Gauge      { return c.snapshotAge }
func (c *Collector) SnapshotErrorsForTest() prometheus.Counter { return c.snapshotErrors }
