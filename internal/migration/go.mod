module github.com/driftless/driftless/internal/migration

go 1.25

require (
	github.com/caarlos0/env/v11 v11.4.1
	github.com/driftless/driftless v0.1.0
	github.com/joho/godotenv v1.5.1
	github.com/sethvargo/go-envconfig v1.4.3
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
