module github.com/driftless/driftless

go 1.25
