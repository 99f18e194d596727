module github.com/driftless/driftless/flags/pflag

go 1.25

require (
	github.com/driftless/driftless v0.1.0
	github.com/spf13/pflag v1.0.10
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
