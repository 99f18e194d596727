module github.com/driftless/driftless/examples

go 1.25

require github.com/driftless/driftless v0.0.0

replace github.com/driftless/driftless => ../
