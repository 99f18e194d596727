// Every type here has the same 50 fields in the same order (the shape of the
// root module's BenchmarkLoad); each carries the tags of one library.

package bench

import "time"

// Fifty is the 50-field service config read by driftless (the shape of the root module's BenchmarkLoad).
type Fifty struct {
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

// FiftyCaarlos is Fifty tagged for github.com/caarlos0/env/v11.
type FiftyCaarlos struct {
	ServiceName    string        `env:"SERVICE_NAME" envDefault:"inference"`
	Environment    string        `env:"ENVIRONMENT" envDefault:"dev"`
	Port           int           `env:"PORT" envDefault:"8080"`
	MetricsPort    int           `env:"METRICS_PORT" envDefault:"9090"`
	LogLevel       string        `env:"LOG_LEVEL" envDefault:"info"`
	Debug          bool          `env:"DEBUG"`
	ModelName      string        `env:"MODEL_NAME" envDefault:"gpt-4-turbo"`
	ModelVersion   string        `env:"MODEL_VERSION"`
	MaxTokens      int           `env:"MAX_TOKENS" envDefault:"4096"`
	Temperature    float64       `env:"TEMPERATURE" envDefault:"0.7"`
	TopP           float64       `env:"TOP_P" envDefault:"1"`
	Timeout        time.Duration `env:"TIMEOUT" envDefault:"30s"`
	ReadTimeout    time.Duration `env:"READ_TIMEOUT" envDefault:"5s"`
	WriteTimeout   time.Duration `env:"WRITE_TIMEOUT" envDefault:"10s"`
	IdleTimeout    time.Duration `env:"IDLE_TIMEOUT" envDefault:"60s"`
	ShutdownGrace  time.Duration `env:"SHUTDOWN_GRACE" envDefault:"15s"`
	Workers        int           `env:"WORKERS" envDefault:"4"`
	QueueSize      int           `env:"QUEUE_SIZE" envDefault:"1000"`
	BatchSize      int           `env:"BATCH_SIZE" envDefault:"8"`
	RateLimit      float64       `env:"RATE_LIMIT" envDefault:"100"`
	Burst          int           `env:"BURST" envDefault:"20"`
	AllowedOrigins []string      `env:"ALLOWED_ORIGINS"`
	TrustedProxies []string      `env:"TRUSTED_PROXIES"`
	FeatureFlags   []string      `env:"FEATURE_FLAGS"`
	OpenAIKey      string        `env:"OPENAI_API_KEY"`
	AnthropicKey   string        `env:"ANTHROPIC_API_KEY"`
	HFToken        string        `env:"HF_TOKEN"`
	DBHost         string        `env:"DB_HOST" envDefault:"localhost"`
	DBPort         int           `env:"DB_PORT" envDefault:"5432"`
	DBUser         string        `env:"DB_USER" envDefault:"app"`
	DBPassword     string        `env:"DB_PASSWORD"`
	DBName         string        `env:"DB_NAME" envDefault:"app"`
	DBSSLMode      string        `env:"DB_SSLMODE" envDefault:"require"`
	DBMaxConns     int           `env:"DB_MAX_CONNS" envDefault:"20"`
	DBMinConns     int           `env:"DB_MIN_CONNS" envDefault:"2"`
	DBConnLifetime time.Duration `env:"DB_CONN_LIFETIME" envDefault:"1h"`
	RedisAddr      string        `env:"REDIS_ADDR" envDefault:"localhost:6379"`
	RedisPassword  string        `env:"REDIS_PASSWORD"`
	RedisDB        int           `env:"REDIS_DB" envDefault:"0"`
	CacheTTL       time.Duration `env:"CACHE_TTL" envDefault:"5m"`
	S3Bucket       string        `env:"S3_BUCKET"`
	S3Region       string        `env:"S3_REGION" envDefault:"us-east-1"`
	OTLPEndpoint   string        `env:"OTLP_ENDPOINT"`
	TraceSample    float64       `env:"TRACE_SAMPLE" envDefault:"0.1"`
	GPUCount       int           `env:"GPU_COUNT" envDefault:"1"`
	GPUMemFrac     float64       `env:"GPU_MEM_FRACTION" envDefault:"0.9"`
	ModelPath      string        `env:"MODEL_PATH" envDefault:"/models"`
	MaxUploadMB    int64         `env:"MAX_UPLOAD_MB" envDefault:"25"`
	EnableStream   bool          `env:"ENABLE_STREAMING" envDefault:"true"`
	Region         string        `env:"REGION" envDefault:"eu-west-1"`
}

// FiftySethvargo is Fifty tagged for github.com/sethvargo/go-envconfig.
type FiftySethvargo struct {
	ServiceName    string        `env:"SERVICE_NAME, default=inference"`
	Environment    string        `env:"ENVIRONMENT, default=dev"`
	Port           int           `env:"PORT, default=8080"`
	MetricsPort    int           `env:"METRICS_PORT, default=9090"`
	LogLevel       string        `env:"LOG_LEVEL, default=info"`
	Debug          bool          `env:"DEBUG"`
	ModelName      string        `env:"MODEL_NAME, default=gpt-4-turbo"`
	ModelVersion   string        `env:"MODEL_VERSION"`
	MaxTokens      int           `env:"MAX_TOKENS, default=4096"`
	Temperature    float64       `env:"TEMPERATURE, default=0.7"`
	TopP           float64       `env:"TOP_P, default=1"`
	Timeout        time.Duration `env:"TIMEOUT, default=30s"`
	ReadTimeout    time.Duration `env:"READ_TIMEOUT, default=5s"`
	WriteTimeout   time.Duration `env:"WRITE_TIMEOUT, default=10s"`
	IdleTimeout    time.Duration `env:"IDLE_TIMEOUT, default=60s"`
	ShutdownGrace  time.Duration `env:"SHUTDOWN_GRACE, default=15s"`
	Workers        int           `env:"WORKERS, default=4"`
	QueueSize      int           `env:"QUEUE_SIZE, default=1000"`
	BatchSize      int           `env:"BATCH_SIZE, default=8"`
	RateLimit      float64       `env:"RATE_LIMIT, default=100"`
	Burst          int           `env:"BURST, default=20"`
	AllowedOrigins []string      `env:"ALLOWED_ORIGINS"`
	TrustedProxies []string      `env:"TRUSTED_PROXIES"`
	FeatureFlags   []string      `env:"FEATURE_FLAGS"`
	OpenAIKey      string        `env:"OPENAI_API_KEY"`
	AnthropicKey   string        `env:"ANTHROPIC_API_KEY"`
	HFToken        string        `env:"HF_TOKEN"`
	DBHost         string        `env:"DB_HOST, default=localhost"`
	DBPort         int           `env:"DB_PORT, default=5432"`
	DBUser         string        `env:"DB_USER, default=app"`
	DBPassword     string        `env:"DB_PASSWORD"`
	DBName         string        `env:"DB_NAME, default=app"`
	DBSSLMode      string        `env:"DB_SSLMODE, default=require"`
	DBMaxConns     int           `env:"DB_MAX_CONNS, default=20"`
	DBMinConns     int           `env:"DB_MIN_CONNS, default=2"`
	DBConnLifetime time.Duration `env:"DB_CONN_LIFETIME, default=1h"`
	RedisAddr      string        `env:"REDIS_ADDR, default=localhost:6379"`
	RedisPassword  string        `env:"REDIS_PASSWORD"`
	RedisDB        int           `env:"REDIS_DB, default=0"`
	CacheTTL       time.Duration `env:"CACHE_TTL, default=5m"`
	S3Bucket       string        `env:"S3_BUCKET"`
	S3Region       string        `env:"S3_REGION, default=us-east-1"`
	OTLPEndpoint   string        `env:"OTLP_ENDPOINT"`
	TraceSample    float64       `env:"TRACE_SAMPLE, default=0.1"`
	GPUCount       int           `env:"GPU_COUNT, default=1"`
	GPUMemFrac     float64       `env:"GPU_MEM_FRACTION, default=0.9"`
	ModelPath      string        `env:"MODEL_PATH, default=/models"`
	MaxUploadMB    int64         `env:"MAX_UPLOAD_MB, default=25"`
	EnableStream   bool          `env:"ENABLE_STREAMING, default=true"`
	Region         string        `env:"REGION, default=eu-west-1"`
}

// FiftyKelsey is Fifty tagged for github.com/kelseyhightower/envconfig.
type FiftyKelsey struct {
	ServiceName    string        `envconfig:"SERVICE_NAME" default:"inference"`
	Environment    string        `envconfig:"ENVIRONMENT" default:"dev"`
	Port           int           `envconfig:"PORT" default:"8080"`
	MetricsPort    int           `envconfig:"METRICS_PORT" default:"9090"`
	LogLevel       string        `envconfig:"LOG_LEVEL" default:"info"`
	Debug          bool          `envconfig:"DEBUG"`
	ModelName      string        `envconfig:"MODEL_NAME" default:"gpt-4-turbo"`
	ModelVersion   string        `envconfig:"MODEL_VERSION"`
	MaxTokens      int           `envconfig:"MAX_TOKENS" default:"4096"`
	Temperature    float64       `envconfig:"TEMPERATURE" default:"0.7"`
	TopP           float64       `envconfig:"TOP_P" default:"1"`
	Timeout        time.Duration `envconfig:"TIMEOUT" default:"30s"`
	ReadTimeout    time.Duration `envconfig:"READ_TIMEOUT" default:"5s"`
	WriteTimeout   time.Duration `envconfig:"WRITE_TIMEOUT" default:"10s"`
	IdleTimeout    time.Duration `envconfig:"IDLE_TIMEOUT" default:"60s"`
	ShutdownGrace  time.Duration `envconfig:"SHUTDOWN_GRACE" default:"15s"`
	Workers        int           `envconfig:"WORKERS" default:"4"`
	QueueSize      int           `envconfig:"QUEUE_SIZE" default:"1000"`
	BatchSize      int           `envconfig:"BATCH_SIZE" default:"8"`
	RateLimit      float64       `envconfig:"RATE_LIMIT" default:"100"`
	Burst          int           `envconfig:"BURST" default:"20"`
	AllowedOrigins []string      `envconfig:"ALLOWED_ORIGINS"`
	TrustedProxies []string      `envconfig:"TRUSTED_PROXIES"`
	FeatureFlags   []string      `envconfig:"FEATURE_FLAGS"`
	OpenAIKey      string        `envconfig:"OPENAI_API_KEY"`
	AnthropicKey   string        `envconfig:"ANTHROPIC_API_KEY"`
	HFToken        string        `envconfig:"HF_TOKEN"`
	DBHost         string        `envconfig:"DB_HOST" default:"localhost"`
	DBPort         int           `envconfig:"DB_PORT" default:"5432"`
	DBUser         string        `envconfig:"DB_USER" default:"app"`
	DBPassword     string        `envconfig:"DB_PASSWORD"`
	DBName         string        `envconfig:"DB_NAME" default:"app"`
	DBSSLMode      string        `envconfig:"DB_SSLMODE" default:"require"`
	DBMaxConns     int           `envconfig:"DB_MAX_CONNS" default:"20"`
	DBMinConns     int           `envconfig:"DB_MIN_CONNS" default:"2"`
	DBConnLifetime time.Duration `envconfig:"DB_CONN_LIFETIME" default:"1h"`
	RedisAddr      string        `envconfig:"REDIS_ADDR" default:"localhost:6379"`
	RedisPassword  string        `envconfig:"REDIS_PASSWORD"`
	RedisDB        int           `envconfig:"REDIS_DB" default:"0"`
	CacheTTL       time.Duration `envconfig:"CACHE_TTL" default:"5m"`
	S3Bucket       string        `envconfig:"S3_BUCKET"`
	S3Region       string        `envconfig:"S3_REGION" default:"us-east-1"`
	OTLPEndpoint   string        `envconfig:"OTLP_ENDPOINT"`
	TraceSample    float64       `envconfig:"TRACE_SAMPLE" default:"0.1"`
	GPUCount       int           `envconfig:"GPU_COUNT" default:"1"`
	GPUMemFrac     float64       `envconfig:"GPU_MEM_FRACTION" default:"0.9"`
	ModelPath      string        `envconfig:"MODEL_PATH" default:"/models"`
	MaxUploadMB    int64         `envconfig:"MAX_UPLOAD_MB" default:"25"`
	EnableStream   bool          `envconfig:"ENABLE_STREAMING" default:"true"`
	Region         string        `envconfig:"REGION" default:"eu-west-1"`
}

// FiftyKoanf is Fifty tagged for github.com/knadh/koanf/v2 (koanf has no default tag: every key is set in FiftyEnv).
type FiftyKoanf struct {
	ServiceName    string        `koanf:"SERVICE_NAME"`
	Environment    string        `koanf:"ENVIRONMENT"`
	Port           int           `koanf:"PORT"`
	MetricsPort    int           `koanf:"METRICS_PORT"`
	LogLevel       string        `koanf:"LOG_LEVEL"`
	Debug          bool          `koanf:"DEBUG"`
	ModelName      string        `koanf:"MODEL_NAME"`
	ModelVersion   string        `koanf:"MODEL_VERSION"`
	MaxTokens      int           `koanf:"MAX_TOKENS"`
	Temperature    float64       `koanf:"TEMPERATURE"`
	TopP           float64       `koanf:"TOP_P"`
	Timeout        time.Duration `koanf:"TIMEOUT"`
	ReadTimeout    time.Duration `koanf:"READ_TIMEOUT"`
	WriteTimeout   time.Duration `koanf:"WRITE_TIMEOUT"`
	IdleTimeout    time.Duration `koanf:"IDLE_TIMEOUT"`
	ShutdownGrace  time.Duration `koanf:"SHUTDOWN_GRACE"`
	Workers        int           `koanf:"WORKERS"`
	QueueSize      int           `koanf:"QUEUE_SIZE"`
	BatchSize      int           `koanf:"BATCH_SIZE"`
	RateLimit      float64       `koanf:"RATE_LIMIT"`
	Burst          int           `koanf:"BURST"`
	AllowedOrigins []string      `koanf:"ALLOWED_ORIGINS"`
	TrustedProxies []string      `koanf:"TRUSTED_PROXIES"`
	FeatureFlags   []string      `koanf:"FEATURE_FLAGS"`
	OpenAIKey      string        `koanf:"OPENAI_API_KEY"`
	AnthropicKey   string        `koanf:"ANTHROPIC_API_KEY"`
	HFToken        string        `koanf:"HF_TOKEN"`
	DBHost         string        `koanf:"DB_HOST"`
	DBPort         int           `koanf:"DB_PORT"`
	DBUser         string        `koanf:"DB_USER"`
	DBPassword     string        `koanf:"DB_PASSWORD"`
	DBName         string        `koanf:"DB_NAME"`
	DBSSLMode      string        `koanf:"DB_SSLMODE"`
	DBMaxConns     int           `koanf:"DB_MAX_CONNS"`
	DBMinConns     int           `koanf:"DB_MIN_CONNS"`
	DBConnLifetime time.Duration `koanf:"DB_CONN_LIFETIME"`
	RedisAddr      string        `koanf:"REDIS_ADDR"`
	RedisPassword  string        `koanf:"REDIS_PASSWORD"`
	RedisDB        int           `koanf:"REDIS_DB"`
	CacheTTL       time.Duration `koanf:"CACHE_TTL"`
	S3Bucket       string        `koanf:"S3_BUCKET"`
	S3Region       string        `koanf:"S3_REGION"`
	OTLPEndpoint   string        `koanf:"OTLP_ENDPOINT"`
	TraceSample    float64       `koanf:"TRACE_SAMPLE"`
	GPUCount       int           `koanf:"GPU_COUNT"`
	GPUMemFrac     float64       `koanf:"GPU_MEM_FRACTION"`
	ModelPath      string        `koanf:"MODEL_PATH"`
	MaxUploadMB    int64         `koanf:"MAX_UPLOAD_MB"`
	EnableStream   bool          `koanf:"ENABLE_STREAMING"`
	Region         string        `koanf:"REGION"`
}

// FiftyKonf is Fifty tagged for github.com/nil-go/konf (konf has no default tag: every key is set in FiftyEnv).
type FiftyKonf struct {
	ServiceName    string        `konf:"SERVICE_NAME"`
	Environment    string        `konf:"ENVIRONMENT"`
	Port           int           `konf:"PORT"`
	MetricsPort    int           `konf:"METRICS_PORT"`
	LogLevel       string        `konf:"LOG_LEVEL"`
	Debug          bool          `konf:"DEBUG"`
	ModelName      string        `konf:"MODEL_NAME"`
	ModelVersion   string        `konf:"MODEL_VERSION"`
	MaxTokens      int           `konf:"MAX_TOKENS"`
	Temperature    float64       `konf:"TEMPERATURE"`
	TopP           float64       `konf:"TOP_P"`
	Timeout        time.Duration `konf:"TIMEOUT"`
	ReadTimeout    time.Duration `konf:"READ_TIMEOUT"`
	WriteTimeout   time.Duration `konf:"WRITE_TIMEOUT"`
	IdleTimeout    time.Duration `konf:"IDLE_TIMEOUT"`
	ShutdownGrace  time.Duration `konf:"SHUTDOWN_GRACE"`
	Workers        int           `konf:"WORKERS"`
	QueueSize      int           `konf:"QUEUE_SIZE"`
	BatchSize      int           `konf:"BATCH_SIZE"`
	RateLimit      float64       `konf:"RATE_LIMIT"`
	Burst          int           `konf:"BURST"`
	AllowedOrigins []string      `konf:"ALLOWED_ORIGINS"`
	TrustedProxies []string      `konf:"TRUSTED_PROXIES"`
	FeatureFlags   []string      `konf:"FEATURE_FLAGS"`
	OpenAIKey      string        `konf:"OPENAI_API_KEY"`
	AnthropicKey   string        `konf:"ANTHROPIC_API_KEY"`
	HFToken        string        `konf:"HF_TOKEN"`
	DBHost         string        `konf:"DB_HOST"`
	DBPort         int           `konf:"DB_PORT"`
	DBUser         string        `konf:"DB_USER"`
	DBPassword     string        `konf:"DB_PASSWORD"`
	DBName         string        `konf:"DB_NAME"`
	DBSSLMode      string        `konf:"DB_SSLMODE"`
	DBMaxConns     int           `konf:"DB_MAX_CONNS"`
	DBMinConns     int           `konf:"DB_MIN_CONNS"`
	DBConnLifetime time.Duration `konf:"DB_CONN_LIFETIME"`
	RedisAddr      string        `konf:"REDIS_ADDR"`
	RedisPassword  string        `konf:"REDIS_PASSWORD"`
	RedisDB        int           `konf:"REDIS_DB"`
	CacheTTL       time.Duration `konf:"CACHE_TTL"`
	S3Bucket       string        `konf:"S3_BUCKET"`
	S3Region       string        `konf:"S3_REGION"`
	OTLPEndpoint   string        `konf:"OTLP_ENDPOINT"`
	TraceSample    float64       `konf:"TRACE_SAMPLE"`
	GPUCount       int           `konf:"GPU_COUNT"`
	GPUMemFrac     float64       `konf:"GPU_MEM_FRACTION"`
	ModelPath      string        `konf:"MODEL_PATH"`
	MaxUploadMB    int64         `konf:"MAX_UPLOAD_MB"`
	EnableStream   bool          `konf:"ENABLE_STREAMING"`
	Region         string        `konf:"REGION"`
}

// FiftyViper is Fifty tagged for github.com/spf13/viper (mapstructure tags, lower case as viper keys are).
type FiftyViper struct {
	ServiceName    string        `mapstructure:"service_name"`
	Environment    string        `mapstructure:"environment"`
	Port           int           `mapstructure:"port"`
	MetricsPort    int           `mapstructure:"metrics_port"`
	LogLevel       string        `mapstructure:"log_level"`
	Debug          bool          `mapstructure:"debug"`
	ModelName      string        `mapstructure:"model_name"`
	ModelVersion   string        `mapstructure:"model_version"`
	MaxTokens      int           `mapstructure:"max_tokens"`
	Temperature    float64       `mapstructure:"temperature"`
	TopP           float64       `mapstructure:"top_p"`
	Timeout        time.Duration `mapstructure:"timeout"`
	ReadTimeout    time.Duration `mapstructure:"read_timeout"`
	WriteTimeout   time.Duration `mapstructure:"write_timeout"`
	IdleTimeout    time.Duration `mapstructure:"idle_timeout"`
	ShutdownGrace  time.Duration `mapstructure:"shutdown_grace"`
	Workers        int           `mapstructure:"workers"`
	QueueSize      int           `mapstructure:"queue_size"`
	BatchSize      int           `mapstructure:"batch_size"`
	RateLimit      float64       `mapstructure:"rate_limit"`
	Burst          int           `mapstructure:"burst"`
	AllowedOrigins []string      `mapstructure:"allowed_origins"`
	TrustedProxies []string      `mapstructure:"trusted_proxies"`
	FeatureFlags   []string      `mapstructure:"feature_flags"`
	OpenAIKey      string        `mapstructure:"openai_api_key"`
	AnthropicKey   string        `mapstructure:"anthropic_api_key"`
	HFToken        string        `mapstructure:"hf_token"`
	DBHost         string        `mapstructure:"db_host"`
	DBPort         int           `mapstructure:"db_port"`
	DBUser         string        `mapstructure:"db_user"`
	DBPassword     string        `mapstructure:"db_password"`
	DBName         string        `mapstructure:"db_name"`
	DBSSLMode      string        `mapstructure:"db_sslmode"`
	DBMaxConns     int           `mapstructure:"db_max_conns"`
	DBMinConns     int           `mapstructure:"db_min_conns"`
	DBConnLifetime time.Duration `mapstructure:"db_conn_lifetime"`
	RedisAddr      string        `mapstructure:"redis_addr"`
	RedisPassword  string        `mapstructure:"redis_password"`
	RedisDB        int           `mapstructure:"redis_db"`
	CacheTTL       time.Duration `mapstructure:"cache_ttl"`
	S3Bucket       string        `mapstructure:"s3_bucket"`
	S3Region       string        `mapstructure:"s3_region"`
	OTLPEndpoint   string        `mapstructure:"otlp_endpoint"`
	TraceSample    float64       `mapstructure:"trace_sample"`
	GPUCount       int           `mapstructure:"gpu_count"`
	GPUMemFrac     float64       `mapstructure:"gpu_mem_fraction"`
	ModelPath      string        `mapstructure:"model_path"`
	MaxUploadMB    int64         `mapstructure:"max_upload_mb"`
	EnableStream   bool          `mapstructure:"enable_streaming"`
	Region         string        `mapstructure:"region"`
}

// FiftyKeys lists the environment keys of Fifty in field order.
var FiftyKeys = []string{
	"SERVICE_NAME",
	"ENVIRONMENT",
	"PORT",
	"METRICS_PORT",
	"LOG_LEVEL",
	"DEBUG",
	"MODEL_NAME",
	"MODEL_VERSION",
	"MAX_TOKENS",
	"TEMPERATURE",
	"TOP_P",
	"TIMEOUT",
	"READ_TIMEOUT",
	"WRITE_TIMEOUT",
	"IDLE_TIMEOUT",
	"SHUTDOWN_GRACE",
	"WORKERS",
	"QUEUE_SIZE",
	"BATCH_SIZE",
	"RATE_LIMIT",
	"BURST",
	"ALLOWED_ORIGINS",
	"TRUSTED_PROXIES",
	"FEATURE_FLAGS",
	"OPENAI_API_KEY",
	"ANTHROPIC_API_KEY",
	"HF_TOKEN",
	"DB_HOST",
	"DB_PORT",
	"DB_USER",
	"DB_PASSWORD",
	"DB_NAME",
	"DB_SSLMODE",
	"DB_MAX_CONNS",
	"DB_MIN_CONNS",
	"DB_CONN_LIFETIME",
	"REDIS_ADDR",
	"REDIS_PASSWORD",
	"REDIS_DB",
	"CACHE_TTL",
	"S3_BUCKET",
	"S3_REGION",
	"OTLP_ENDPOINT",
	"TRACE_SAMPLE",
	"GPU_COUNT",
	"GPU_MEM_FRACTION",
	"MODEL_PATH",
	"MAX_UPLOAD_MB",
	"ENABLE_STREAMING",
	"REGION",
}
