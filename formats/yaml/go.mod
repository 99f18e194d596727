module github.com/driftless/driftless/formats/yaml

go 1.25

require (
	github.com/driftless/driftless v0.1.0
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.6
)
