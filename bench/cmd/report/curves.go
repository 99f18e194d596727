package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// curveSet is a family of benchmarks named prefix/<name>/<key>=<x> or
// prefix/<key>=<x>/<name>: one series per name, one point per x.
type curveSet struct {
	names []string
	xs    []float64
	bench map[string]map[float64]string // name -> x -> benchmark name
}

// curve collects the benchmarks under prefix whose name has a key=<x> part.
func (r *results) curve(prefix, key string) curveSet {
	c := curveSet{bench: map[string]map[float64]string{}}
	for full := range r.samples {
		rest, ok := strings.CutPrefix(full, prefix+"/")
		if !ok {
			continue
		}
		parts := strings.Split(rest, "/")
		if len(parts) != 2 {
			continue
		}
		name, param := parts[0], parts[1]
		if strings.HasPrefix(name, key+"=") {
			name, param = param, name
		}
		v, ok := strings.CutPrefix(param, key+"=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			continue
		}
		if c.bench[name] == nil {
			c.bench[name] = map[float64]string{}
			c.names = append(c.names, name)
		}
		c.bench[name][x] = full
		if !slices.Contains(c.xs, x) {
			c.xs = append(c.xs, x)
		}
	}
	slices.Sort(c.xs)
	slices.SortFunc(c.names, driftlessFirst)
	return c
}

// get returns the median of unit for name at x.
func (c curveSet) get(r *results, name string, x float64, unit string) (float64, bool) {
	b, ok := c.bench[name][x]
	if !ok {
		return 0, false
	}
	return r.get(b, unit)
}

// series returns one chart series per name of unit.
func (c curveSet) series(r *results, unit string) []series {
	var out []series
	for _, name := range c.names {
		s := series{name: name}
		for _, x := range c.xs {
			if v, ok := c.get(r, name, x, unit); ok {
				s.x, s.y = append(s.x, x), append(s.y, v)
			}
		}
		out = append(out, s)
	}
	return out
}

func driftlessFirst(a, b string) int {
	da, db := strings.HasPrefix(a, "driftless"), strings.HasPrefix(b, "driftless")
	if da != db {
		if da {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// slope is the exponent k of y ∝ x^k between two points.
func slope(x0, y0, x1, y1 float64) float64 {
	if x0 <= 0 || y0 <= 0 || x1 <= 0 || y1 <= 0 || x0 == x1 {
		return math.NaN()
	}
	return math.Log(y1/y0) / math.Log(x1/x0)
}

// growth describes how s grows: its overall log-log slope and the segment
// where the slope is largest and smallest, so a reader sees where it bends.
func growth(s series, xName string) string {
	if len(s.x) < 2 {
		return ""
	}
	n := len(s.x) - 1
	total := slope(s.x[0], s.y[0], s.x[n], s.y[n])
	text := fmt.Sprintf("slope %.2f from %s to %s %s", total, grouped(s.x[0]), grouped(s.x[n]), xName)
	if n < 2 {
		return text
	}
	var segs []string
	for i := range n {
		segs = append(segs, fmt.Sprintf("%.2f", slope(s.x[i], s.y[i], s.x[i+1], s.y[i+1])))
	}
	return text + " (by segment: " + strings.Join(segs, ", ") + ")"
}

// fleetRow is the median of the fleet runs at one replica count.
type fleetRow struct {
	replicas               float64
	mean, peak, peakToMean float64
	callsPerHour           float64
}

func (r *results) fleetRows() []fleetRow {
	by := map[float64][]map[string]string{}
	for _, kv := range r.extra["fleet"] {
		n, err := strconv.ParseFloat(kv["replicas"], 64)
		if err != nil {
			continue
		}
		by[n] = append(by[n], kv)
	}
	var rows []fleetRow
	for n, kvs := range by {
		med := func(k string) float64 {
			var xs []float64
			for _, kv := range kvs {
				if v, err := strconv.ParseFloat(kv[k], 64); err == nil {
					xs = append(xs, v)
				}
			}
			return median(xs)
		}
		rows = append(rows, fleetRow{replicas: n, mean: med("mean_per_s"), peak: med("peak_per_s"),
			peakToMean: med("peak_to_mean"), callsPerHour: med("calls_per_hour")})
	}
	slices.SortFunc(rows, func(a, b fleetRow) int { return int(a.replicas - b.replicas) })
	return rows
}

// refreshCell is the median of the refresh runs of one approach at one
// secret count.
type refreshCell struct{ calls, cpuMS float64 }

// refreshTable returns the approaches (driftless first), the secret
// counts, and the cells.
func (r *results) refreshTable() ([]string, []float64, map[string]map[float64]refreshCell) {
	type key struct {
		approach string
		n        float64
	}
	samples := map[key][2][]float64{}
	var names []string
	var ns []float64
	for _, kv := range r.extra["refresh"] {
		n, err := strconv.ParseFloat(kv["secrets"], 64)
		if err != nil {
			continue
		}
		calls, err1 := strconv.ParseFloat(kv["calls_per_hour"], 64)
		cpu, err2 := strconv.ParseFloat(kv["cpu_ms_per_hour"], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		k := key{kv["approach"], n}
		s := samples[k]
		s[0], s[1] = append(s[0], calls), append(s[1], cpu)
		samples[k] = s
		if !slices.Contains(names, k.approach) {
			names = append(names, k.approach)
		}
		if !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.SortFunc(names, driftlessFirst)
	slices.Sort(ns)
	cells := map[string]map[float64]refreshCell{}
	for k, s := range samples {
		if cells[k.approach] == nil {
			cells[k.approach] = map[float64]refreshCell{}
		}
		cells[k.approach][k.n] = refreshCell{calls: median(s[0]), cpuMS: median(s[1])}
	}
	return names, ns, cells
}
