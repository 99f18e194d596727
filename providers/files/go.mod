module github.com/driftless/driftless/providers/files

go 1.25

require (
	github.com/driftless/driftless v0.1.0
	github.com/fsnotify/fsnotify v1.10.1
	github.com/stretchr/testify v1.12.1
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.13.0 // indirect
)
