package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	in := flag.String("in", "", "raw output of the benchmark runs")
	out := flag.String("out", "BENCHMARKS.md", "file to write")
	command := flag.String("command", "make bench", "the command that produced the input")
	goVersion := flag.String("go", runtime.Version(), "Go version line")
	count := flag.Int("count", 0, "the -count the benchmarks ran with")
	plotDir := flag.String("plots", "plots", "directory to write the SVG plots to")
	plotRef := flag.String("plotref", "bench/plots/", "prefix of the plots' links in the output")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	res, err := parse(f)
	if err != nil {
		fail(err)
	}
	var b strings.Builder
	plots := write(&b, res, meta{command: *command, goVersion: *goVersion, count: *count, cpu: cpuModel(), ncpu: runtime.NumCPU(), when: time.Now().UTC(), plotRef: *plotRef})
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fail(err)
	}
	if err := os.MkdirAll(*plotDir, 0o755); err != nil {
		fail(err)
	}
	for name, svg := range plots {
		if err := os.WriteFile(filepath.Join(*plotDir, name), []byte(svg), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

// results holds every sample of every metric, by benchmark name (without
// the -GOMAXPROCS suffix) and unit, and the RESULT lines by kind.
type results struct {
	samples map[string]map[string][]float64
	extra   map[string][]map[string]string
}

func parse(r io.Reader) (*results, error) {
	res := &results{samples: map[string]map[string][]float64{}, extra: map[string][]map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				continue
			}
			kv := map[string]string{}
			for _, f := range fields[1:] {
				k, v, _ := strings.Cut(f, "=")
				kv[k] = v
			}
			res.extra[fields[0]] = append(res.extra[fields[0]], kv)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || len(fields)%2 != 0 {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		m := res.samples[name]
		if m == nil {
			m = map[string][]float64{}
			res.samples[name] = m
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			m[fields[i+1]] = append(m[fields[i+1]], v)
		}
	}
	return res, sc.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// get returns the median of unit for the benchmark name, and whether any
// sample exists.
func (r *results) get(name, unit string) (float64, bool) {
	xs := r.samples[name][unit]
	return median(xs), len(xs) > 0
}

// group returns the benchmark names under prefix+"/", in first-seen order
// of their last element.
func (r *results) group(prefix string) []string {
	var names []string
	for n := range r.samples {
		if rest, ok := strings.CutPrefix(n, prefix+"/"); ok && !strings.Contains(rest, "/") {
			names = append(names, rest)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		// driftless first, then alphabetical.
		da, db := strings.HasPrefix(a, "driftless"), strings.HasPrefix(b, "driftless")
		if da != db {
			if da {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

type meta struct {
	command, goVersion, cpu, plotRef string
	count, ncpu                      int
	when                             time.Time
}
