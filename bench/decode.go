package bench

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/driftless/driftless"
	"github.com/go-viper/mapstructure/v2"
	kelsey "github.com/kelseyhightower/envconfig"
	koanfenv "github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/v2"
	"github.com/nil-go/konf"
	konfenv "github.com/nil-go/konf/provider/env"
	"github.com/sethvargo/go-envconfig"
	"github.com/spf13/viper"
)

// FiftyEnv is the environment every decoder reads: all 50 keys set, none
// equal to its default, so that a library that skipped a key is caught.
var FiftyEnv = map[string]string{
	"SERVICE_NAME": "inference", "ENVIRONMENT": "prod", "PORT": "8081", "METRICS_PORT": "9091",
	"LOG_LEVEL": "warn", "DEBUG": "true", "MODEL_NAME": "gpt-4o", "MODEL_VERSION": "2024-04-09",
	"MAX_TOKENS": "8192", "TEMPERATURE": "0.2", "TOP_P": "0.95", "TIMEOUT": "31s", "READ_TIMEOUT": "6s",
	"WRITE_TIMEOUT": "11s", "IDLE_TIMEOUT": "2m", "SHUTDOWN_GRACE": "16s", "WORKERS": "8",
	"QUEUE_SIZE": "1001", "BATCH_SIZE": "16", "RATE_LIMIT": "250.5", "BURST": "50",
	"ALLOWED_ORIGINS": "https://a.example.com,https://b.example.com", "TRUSTED_PROXIES": "10.0.0.1,10.0.0.2",
	"FEATURE_FLAGS": "stream,cache,retry", "OPENAI_API_KEY": "sk-proj-abcdefghijklmnopqrstuvwxyz",
	"ANTHROPIC_API_KEY": "sk-ant-abcdefghijklmnop", "HF_TOKEN": "hf_abcdefghijklmnop", "DB_HOST": "db.internal",
	"DB_PORT": "5433", "DB_USER": "inference", "DB_PASSWORD": "correct-horse-battery", "DB_NAME": "inference",
	"DB_SSLMODE": "verify-full", "DB_MAX_CONNS": "50", "DB_MIN_CONNS": "5", "DB_CONN_LIFETIME": "30m",
	"REDIS_ADDR": "redis.internal:6379", "REDIS_PASSWORD": "redis-pass", "REDIS_DB": "2", "CACHE_TTL": "10m",
	"S3_BUCKET": "models-prod", "S3_REGION": "eu-west-1", "OTLP_ENDPOINT": "http://otel:4317",
	"TRACE_SAMPLE": "0.05", "GPU_COUNT": "4", "GPU_MEM_FRACTION": "0.85", "MODEL_PATH": "/mnt/models",
	"MAX_UPLOAD_MB": "100", "ENABLE_STREAMING": "false", "REGION": "eu-central-1",
}

// FiftyWant is the config every library must produce from FiftyEnv.
func FiftyWant() Fifty {
	return Fifty{
		ServiceName: "inference", Environment: "prod", Port: 8081, MetricsPort: 9091,
		LogLevel: "warn", Debug: true, ModelName: "gpt-4o", ModelVersion: "2024-04-09",
		MaxTokens: 8192, Temperature: 0.2, TopP: 0.95, Timeout: 31 * time.Second, ReadTimeout: 6 * time.Second,
		WriteTimeout: 11 * time.Second, IdleTimeout: 2 * time.Minute, ShutdownGrace: 16 * time.Second, Workers: 8,
		QueueSize: 1001, BatchSize: 16, RateLimit: 250.5, Burst: 50,
		AllowedOrigins: []string{"https://a.example.com", "https://b.example.com"},
		TrustedProxies: []string{"10.0.0.1", "10.0.0.2"},
		FeatureFlags:   []string{"stream", "cache", "retry"}, OpenAIKey: "sk-proj-abcdefghijklmnopqrstuvwxyz",
		AnthropicKey: "sk-ant-abcdefghijklmnop", HFToken: "hf_abcdefghijklmnop", DBHost: "db.internal",
		DBPort: 5433, DBUser: "inference", DBPassword: "correct-horse-battery", DBName: "inference",
		DBSSLMode: "verify-full", DBMaxConns: 50, DBMinConns: 5, DBConnLifetime: 30 * time.Minute,
		RedisAddr: "redis.internal:6379", RedisPassword: "redis-pass", RedisDB: 2, CacheTTL: 10 * time.Minute,
		S3Bucket: "models-prod", S3Region: "eu-west-1", OTLPEndpoint: "http://otel:4317",
		TraceSample: 0.05, GPUCount: 4, GPUMemFrac: 0.85, ModelPath: "/mnt/models",
		MaxUploadMB: 100, EnableStream: false, Region: "eu-central-1",
	}
}

// Canon copies a value of any of the Fifty* types into a Fifty, field by
// field, so that results of different libraries can be compared.
func Canon(v any) Fifty {
	var out Fifty
	src := reflect.Indirect(reflect.ValueOf(v))
	dst := reflect.ValueOf(&out).Elem()
	for i := range dst.NumField() {
		dst.Field(i).Set(src.Field(i))
	}
	return out
}

// Decoder runs one library on the 50-field config.
type Decoder struct {
	// Name is the library, as the benchmarks and BENCHMARKS.md name it.
	Name string
	// Map decodes from the given environment without reading the process
	// environment; nil when the library cannot be given one.
	Map func(ctx context.Context, env map[string]string) (Fifty, error)
	// Process decodes from the process environment.
	Process func(ctx context.Context) (Fifty, error)
}

// Decoders lists driftless first, then the alternatives.
var Decoders = []Decoder{
	{
		Name: "driftless",
		Map: func(ctx context.Context, m map[string]string) (Fifty, error) {
			var c Fifty
			err := driftless.Load(ctx, &c, driftless.WithEnv(m))
			return c, err
		},
		Process: func(ctx context.Context) (Fifty, error) {
			var c Fifty
			err := driftless.Load(ctx, &c)
			return c, err
		},
	},
	{
		Name: "caarlos0-env",
		Map: func(_ context.Context, m map[string]string) (Fifty, error) {
			var c FiftyCaarlos
			err := env.ParseWithOptions(&c, env.Options{Environment: m})
			return Canon(c), err
		},
		Process: func(context.Context) (Fifty, error) {
			var c FiftyCaarlos
			err := env.Parse(&c)
			return Canon(c), err
		},
	},
	{
		Name: "sethvargo-go-envconfig",
		Map: func(ctx context.Context, m map[string]string) (Fifty, error) {
			var c FiftySethvargo
			err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &c, Lookuper: envconfig.MapLookuper(m)})
			return Canon(c), err
		},
		Process: func(ctx context.Context) (Fifty, error) {
			var c FiftySethvargo
			err := envconfig.Process(ctx, &c)
			return Canon(c), err
		},
	},
	{
		Name: "kelseyhightower-envconfig",
		Process: func(context.Context) (Fifty, error) {
			var c FiftyKelsey
			err := kelsey.Process("", &c)
			return Canon(c), err
		},
	},
	{
		Name: "koanf",
		Map: func(_ context.Context, m map[string]string) (Fifty, error) {
			environ := make([]string, 0, len(m))
			for k, v := range m {
				environ = append(environ, k+"="+v)
			}
			return koanfLoad(koanfenv.Opt{EnvironFunc: func() []string { return environ }})
		},
		Process: func(context.Context) (Fifty, error) { return koanfLoad(koanfenv.Opt{}) },
	},
	{
		Name: "konf",
		Process: func(context.Context) (Fifty, error) {
			var c FiftyKonf
			err := konfLoad(&c)
			return Canon(c), err
		},
	},
	{
		Name: "viper",
		Process: func(context.Context) (Fifty, error) {
			v := viper.New()
			v.AutomaticEnv()
			for _, k := range FiftyKeys {
				if err := v.BindEnv(k); err != nil {
					return Fifty{}, err
				}
			}
			var c FiftyViper
			err := v.Unmarshal(&c)
			return Canon(c), err
		},
	},
}

// koanfLoad is koanf's documented env path: the env provider into a
// koanf instance, then Unmarshal. Keys contain no "." so they stay flat.
// koanf's default Unmarshal does not split "a,b" into a slice, so the
// decoder config adds mapstructure's string-to-slice hook (as viper's
// default does).
func koanfLoad(o koanfenv.Opt) (Fifty, error) {
	k := koanf.New(".")
	if err := k.Load(koanfenv.Provider(".", o), nil); err != nil {
		return Fifty{}, fmt.Errorf("koanf load: %w", err)
	}
	var c FiftyKoanf
	err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{DecoderConfig: &mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(), mapstructure.StringToSliceHookFunc(",")),
		WeaklyTypedInput: true,
		Result:           &c,
	}})
	return Canon(c), err
}

// konfFlat keeps an environment variable's name whole: konf's env provider
// splits names at "_" into nested keys by default, which would turn the flat
// DB_HOST into db.host.
func konfFlat(name string) []string { return []string{name} }

// konfLoad is konf's documented path: the env provider loaded into a
// Config, then Unmarshal of the whole tree into target. konf's default
// decode hooks turn "31s" into a time.Duration and "a,b" into a slice.
func konfLoad(target any) error {
	c := konf.New()
	if err := c.Load(konfenv.New(konfenv.WithNameSplitter(konfFlat))); err != nil {
		return fmt.Errorf("konf load: %w", err)
	}
	return c.Unmarshal("", target)
}
