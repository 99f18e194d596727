package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// series is one line of a chart: points (x[i], y[i]) in order of x.
type series struct {
	name string
	x, y []float64
}

// chart is a line chart written as SVG with the standard library: axes
// with ticks, grid lines, log or linear scales, one coloured line with
// markers per series and a legend on the right.
type chart struct {
	title, xLabel, yLabel string
	logX, logY            bool
	// yZero starts a linear y axis at zero.
	yZero  bool
	xFmt   func(float64) string
	yFmt   func(float64) string
	series []series
}

// palette is colour-blind friendly (Okabe-Ito); driftless series come first.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}

const (
	svgW, svgH                 = 900, 440
	plotL, plotR, plotT, plotB = 80, 640, 50, 380
)

// axis maps data values to pixels along one direction.
type axis struct {
	log      bool
	min, max float64 // in data units (min > 0 when log)
	lo, hi   float64 // pixel positions of min and max
}

func (a axis) pos(v float64) float64 {
	if a.log {
		return a.lo + (math.Log10(v)-math.Log10(a.min))/(math.Log10(a.max)-math.Log10(a.min))*(a.hi-a.lo)
	}
	return a.lo + (v-a.min)/(a.max-a.min)*(a.hi-a.lo)
}

// ticks returns the tick values: each power of ten on a log axis (with 2
// and 5 between when there are few decades), "nice" steps on a linear one.
func (a axis) ticks() []float64 {
	var out []float64
	if a.log {
		decades := math.Log10(a.max) - math.Log10(a.min)
		for e := math.Floor(math.Log10(a.min)); e <= math.Ceil(math.Log10(a.max)); e++ {
			for _, m := range []float64{1, 2, 5} {
				if m != 1 && decades > 3 {
					continue
				}
				v := m * math.Pow(10, e)
				if v >= a.min*(1-1e-9) && v <= a.max*(1+1e-9) {
					out = append(out, v)
				}
			}
		}
		return out
	}
	step := niceStep((a.max - a.min) / 5)
	for v := math.Ceil(a.min/step) * step; v <= a.max+step*1e-9; v += step {
		out = append(out, v)
	}
	return out
}

func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// bounds returns the axis range of vals: whole decades on a log axis,
// nice steps on a linear one.
func bounds(vals []float64, log, zero bool) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if log && v <= 0 {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if math.IsInf(lo, 1) {
		return 1, 10
	}
	if log {
		lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
		if lo == hi {
			hi = lo * 10
		}
		return lo, hi
	}
	if zero {
		lo = math.Min(lo, 0)
	}
	if lo == hi {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 5)
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step
}

// svg renders the chart.
func (c chart) svg() string {
	var xs, ys []float64
	for _, s := range c.series {
		xs = append(xs, s.x...)
		ys = append(ys, s.y...)
	}
	x := axis{log: c.logX, lo: plotL, hi: plotR}
	x.min, x.max = bounds(xs, c.logX, false)
	y := axis{log: c.logY, lo: plotB, hi: plotT}
	y.min, y.max = bounds(ys, c.logY, c.yZero)
	xf, yf := c.xFmt, c.yFmt
	if xf == nil {
		xf = num
	}
	if yf == nil {
		yf = num
	}

	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", svgW, svgH, svgW, svgH)
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	p(`<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", plotL, html.EscapeString(c.title))
	// Grid and ticks.
	for _, t := range x.ticks() {
		px := x.pos(t)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e5e5e5"/>`+"\n", px, plotT, px, plotB)
		p(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", px, plotB+18, html.EscapeString(xf(t)))
	}
	for _, t := range y.ticks() {
		py := y.pos(t)
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e5e5e5"/>`+"\n", plotL, py, plotR, py)
		p(`<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", plotL-6, py, html.EscapeString(yf(t)))
	}
	p(`<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", plotL, plotT, plotR-plotL, plotB-plotT)
	scale := func(log bool) string {
		if log {
			return " (log scale)"
		}
		return ""
	}
	p(`<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", (plotL+plotR)/2, plotB+40, html.EscapeString(c.xLabel+scale(c.logX)))
	p(`<text transform="translate(18 %d) rotate(-90)" text-anchor="middle">%s</text>`+"\n", (plotT+plotB)/2, html.EscapeString(c.yLabel+scale(c.logY)))
	// Lines, markers and legend.
	for i, s := range c.series {
		color := palette[i%len(palette)]
		width := 2.0
		if strings.HasPrefix(s.name, "driftless") {
			width = 3
		}
		var pts []string
		for j := range s.x {
			if (c.logX && s.x[j] <= 0) || (c.logY && s.y[j] <= 0) {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x.pos(s.x[j]), y.pos(s.y[j])))
		}
		if len(pts) > 1 {
			p(`<polyline fill="none" stroke="%s" stroke-width="%.0f" points="%s"/>`+"\n", color, width, strings.Join(pts, " "))
		}
		for _, pt := range pts {
			cx, cy, _ := strings.Cut(pt, ",")
			p(`<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", cx, cy, color)
		}
		ly := plotT + 10 + i*20
		p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%.0f"/>`+"\n", plotR+16, ly, plotR+40, ly, color, width)
		p(`<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", plotR+46, ly, html.EscapeString(s.name))
	}
	p("</svg>\n")
	return b.String()
}

// num formats an axis value compactly: 1, 20, 1k, 10k, 0.5.
func num(v float64) string {
	switch {
	case v >= 1e6 && math.Mod(v, 1e6) == 0:
		return fmt.Sprintf("%.0fM", v/1e6)
	case v >= 1e3 && math.Mod(v, 1e3) == 0:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%g", v)
	}
}

// durAxis formats nanoseconds as an axis label.
func durAxis(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%gs", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%gms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%gµs", ns/1e3)
	default:
		return fmt.Sprintf("%gns", ns)
	}
}
