package driftless_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
	"github.com/driftless/driftless/driver"
	"github.com/stretchr/testify/require"
)

// fiftyFields is a realistic 50-field service config, env only.
type fiftyFields struct {
	ServiceName    string        `env:"SERVICE_NAME" default:"inference"`
	Environment    string        `env:"ENVIRONMENT" default:"dev"`
	Port           int           `env:"PORT" default:"8080"`
	MetricsPort    int           `env:"METRICS_PORT" default:"9090"`
	LogLevel       string        `env:"LOG_LEVEL" default:"info"`
	Debug          bool          `env:"DEBUG"`
	ModelName      string        `env:"MODEL_NAME" default:"gpt-4-turbo"`
	ModelVersion   string        `env:"MODEL_VERSION"`
	MaxTokens      int           `env:"MAX_TOKENS" default:"4096"`
	Temperature    float64       `env:"TEMPERATURE" default:"0.7"`
	TopP           float64       `env:"TOP_P" default:"1"`
	Timeout        time.Duration `env:"TIMEOUT" default:"30s"`
	ReadTimeout    time.Duration `env:"READ_TIMEOUT" default:"5s"`
	WriteTimeout   time.Duration `env:"WRITE_TIMEOUT" default:"10s"`
	IdleTimeout    time.Duration `env:"IDLE_TIMEOUT" default:"60s"`
	ShutdownGrace  time.Duration `env:"SHUTDOWN_GRACE" default:"15s"`
	Workers        int           `env:"WORKERS" default:"4"`
	QueueSize      int           `env:"QUEUE_SIZE" default:"1000"`
	BatchSize      int           `env:"BATCH_SIZE" default:"8"`
	RateLimit      float64       `env:"RATE_LIMIT" default:"100"`
	Burst          int           `env:"BURST" default:"20"`
	AllowedOrigins []string      `env:"ALLOWED_ORIGINS"`
	TrustedProxies []string      `env:"TRUSTED_PROXIES"`
	FeatureFlags   []string      `env:"FEATURE_FLAGS"`
	OpenAIKey      string        `env:"OPENAI_API_KEY" secret:"true"`
	AnthropicKey   string        `env:"ANTHROPIC_API_KEY" secret:"true"`
	HFToken        string        `env:"HF_TOKEN" secret:"true"`
	DBHost         string        `env:"DB_HOST" default:"localhost"`
	DBPort         int           `env:"DB_PORT" default:"5432"`
	DBUser         string        `env:"DB_USER" default:"app"`
	DBPassword     string        `env:"DB_PASSWORD" secret:"true"`
	DBName         string        `env:"DB_NAME" default:"app"`
	DBSSLMode      string        `env:"DB_SSLMODE" default:"require"`
	DBMaxConns     int           `env:"DB_MAX_CONNS" default:"20"`
	DBMinConns     int           `env:"DB_MIN_CONNS" default:"2"`
	DBConnLifetime time.Duration `env:"DB_CONN_LIFETIME" default:"1h"`
	RedisAddr      string        `env:"REDIS_ADDR" default:"localhost:6379"`
	RedisPassword  string        `env:"REDIS_PASSWORD" secret:"true"`
	RedisDB        int           `env:"REDIS_DB" default:"0"`
	CacheTTL       time.Duration `env:"CACHE_TTL" default:"5m"`
	S3Bucket       string        `env:"S3_BUCKET"`
	S3Region       string        `env:"S3_REGION" default:"us-east-1"`
	OTLPEndpoint   string        `env:"OTLP_ENDPOINT"`
	TraceSample    float64       `env:"TRACE_SAMPLE" default:"0.1"`
	GPUCount       int           `env:"GPU_COUNT" default:"1"`
	GPUMemFrac     float64       `env:"GPU_MEM_FRACTION" default:"0.9"`
	ModelPath      string        `env:"MODEL_PATH" default:"/models"`
	MaxUploadMB    int64         `env:"MAX_UPLOAD_MB" default:"25"`
	EnableStream   bool          `env:"ENABLE_STREAMING" default:"true"`
	Region         string        `env:"REGION" default:"eu-west-1"`
}

// FiftyEnv is the environment BenchmarkLoad reads: every field set.
var fiftyEnv = map[string]string{
	"SERVICE_NAME": "inference", "ENVIRONMENT": "prod", "PORT": "8080", "METRICS_PORT": "9090",
	"LOG_LEVEL": "info", "DEBUG": "false", "MODEL_NAME": "gpt-4-turbo", "MODEL_VERSION": "2024-04-09",
	"MAX_TOKENS": "4096", "TEMPERATURE": "0.7", "TOP_P": "0.95", "TIMEOUT": "30s", "READ_TIMEOUT": "5s",
	"WRITE_TIMEOUT": "10s", "IDLE_TIMEOUT": "1m", "SHUTDOWN_GRACE": "15s", "WORKERS": "8",
	"QUEUE_SIZE": "1000", "BATCH_SIZE": "16", "RATE_LIMIT": "250.5", "BURST": "50",
	"ALLOWED_ORIGINS": "https://a.example.com,https://b.example.com", "TRUSTED_PROXIES": "10.0.0.1,10.0.0.2",
	"FEATURE_FLAGS": "stream,cache,retry", "OPENAI_API_KEY": "sk-proj-abcdefghijklmnopqrstuvwxyz",
	"ANTHROPIC_API_KEY": "sk-ant-abcdefghijklmnop", "HF_TOKEN": "hf_abcdefghijklmnop", "DB_HOST": "db.internal",
	"DB_PORT": "5432", "DB_USER": "inference", "DB_PASSWORD": "correct-horse-battery", "DB_NAME": "inference",
	"DB_SSLMODE": "verify-full", "DB_MAX_CONNS": "50", "DB_MIN_CONNS": "5", "DB_CONN_LIFETIME": "30m",
	"REDIS_ADDR": "redis.internal:6379", "REDIS_PASSWORD": "redis-pass", "REDIS_DB": "2", "CACHE_TTL": "10m",
	"S3_BUCKET": "models-prod", "S3_REGION": "eu-west-1", "OTLP_ENDPOINT": "http://otel:4317",
	"TRACE_SAMPLE": "0.05", "GPU_COUNT": "4", "GPU_MEM_FRACTION": "0.85", "MODEL_PATH": "/mnt/models",
	"MAX_UPLOAD_MB": "100", "ENABLE_STREAMING": "true", "REGION": "eu-west-1",
}

// BenchmarkLoad measures Load of a 50-field struct from the environment.
// Rerun: go test -run '^$' -bench 'BenchmarkLoad$' -benchmem .
func BenchmarkLoad(b *testing.B) {
	lookup := driftless.WithEnv(fiftyEnv)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		var cfg fiftyFields
		if err := driftless.Load(ctx, &cfg, lookup); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCurrent measures reading the current snapshot on a hot path.
// Rerun: go test -run '^$' -bench 'BenchmarkCurrent' -benchmem .
func BenchmarkCurrent(b *testing.B) {
	h, err := driftless.NewHandle[fiftyFields](b.Context(), driftless.WithEnv(fiftyEnv))
	require.NoError(b, err)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		n := 0
		for pb.Next() {
			n += h.Current().Port
		}
		_ = n
	})
}

// BenchmarkColdStart40Fields20Secrets: 40 fields over 20 distinct secrets on
// a provider with 20 ms per call. Rerun: go test -run '^$' -bench ColdStart -benchmem .
func BenchmarkColdStart40Fields20Secrets(b *testing.B) {
	for _, bc := range []struct {
		name  string
		batch bool
	}{{"concurrent", false}, {"batch20", true}} {
		b.Run(bc.name, func(b *testing.B) {
			mem := drifttest.NewProvider()
			mem.SetLatency(20 * time.Millisecond)
			env := map[string]string{}
			for i := 0; i < 20; i++ {
				mem.Set(secretName(i), `{"a":"x","b":"y"}`)
			}
			for i := 0; i < 40; i++ {
				env[envKey(i)] = "mem://" + secretName(i/2) + "#" + string(rune('a'+i%2))
			}
			var p driver.Provider = mem
			if bc.batch {
				p = mem.Batching(20)
			}
			opts := []driftless.Option{driftless.WithEnv(env), driftless.WithProvider("mem", p)}
			before := mem.Calls()
			start := time.Now()
			for b.Loop() {
				if _, err := driftless.LoadAs[fortyFields](b.Context(), opts...); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(mem.Calls()-before)/float64(b.N), "calls/op")
			b.ReportMetric(float64(elapsed)/float64(b.N)/float64(20*time.Millisecond), "roundtrips/op")
		})
	}
}

// BenchmarkLoadEnvFile measures Load of the 50-field struct from a .env
// file (parsed on every Load, as a refresh would) with an empty process
// environment. Rerun: go test -run '^$' -bench LoadEnvFile -benchmem .
func BenchmarkLoadEnvFile(b *testing.B) {
	var sb strings.Builder
	for k, v := range fiftyEnv {
		fmt.Fprintf(&sb, "%s=%q\n", k, v)
	}
	path := filepath.Join(b.TempDir(), ".env")
	require.NoError(b, os.WriteFile(path, []byte(sb.String()), 0o600))
	opts := []driftless.Option{driftless.WithEnv(nil), driftless.WithEnvFiles(path)}
	b.ReportAllocs()
	for b.Loop() {
		var cfg fiftyFields
		if err := driftless.Load(b.Context(), &cfg, opts...); err != nil {
			b.Fatal(err)
		}
	}
}
