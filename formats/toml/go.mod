module github.com/driftless/driftless/formats/toml

go 1.25

require (
	github.com/driftless/driftless v0.1.0
	github.com/pelletier/go-toml/v2 v2.4.3
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
