module github.com/driftless/driftless/internal/migration

go 1.25

replace github.com/driftless/driftless => ../..

require (
	github.com/caarlos0/env/v11 v11.4.1
	github.com/driftless/driftless v0.0.0-00010101000000-000000000000
	github.com/joho/godotenv v1.5.1
	github.com/sethvargo/go-envconfig v1.4.3
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
