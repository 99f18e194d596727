package fields

import (
	"time"

	"github.com/driftless/driftless"
)

type Token string

type Redacted string

func (Redacted) String() string { return "[REDACTED]" }

type Config struct {
	// Secret-looking keys in plain strings.
	OpenAIKey  string  `env:"OPENAI_API_KEY"`     // want `field OpenAIKey \(env "OPENAI_API_KEY"\) looks secret but is a plain string: use driftless.Secret`
	GitHub     string  `env:"GITHUB_TOKEN"`       // want `field GitHub .* looks secret but is a plain string`
	DBPass     *string `env:"DB_PASSWORD"`        // want `field DBPass .* plain \*string`
	Signing    []byte  `env:"JWT_SECRET"`         // want `field Signing .* plain \[\]byte`
	SMTP       string  `env:"SMTP_PASS"`          // want `field SMTP .* looks secret`
	Mysql      string  `env:"MYSQL_PWD"`          // want `field Mysql .* looks secret`
	Client     string  `env:"CLIENT_SECRET"`      // want `field Client .* looks secret`
	Webhook    Token   `env:"WEBHOOK_TOKEN"`      // want `field Webhook .* plain string type Token`
	Passphrase string  `env:"GPG_PASSPHRASE"`     // want `field Passphrase .* looks secret`
	Private    string  `env:"TLS_PRIVATE_KEY"`    // want `field Private .* looks secret`
	A, B       string  `env:"SHARED_SECRET"`      // want `field A .* looks secret` `field B .* looks secret`
	Comma      string  `env:"API_TOKEN,required"` // want `field Comma \(env "API_TOKEN"\) looks secret`

	// The key says nothing either way: the field name decides.
	APIToken   string `env:"UPSTREAM_AUTH"` // want `field APIToken \(env "UPSTREAM_AUTH"\) looks secret`
	DBPassword string `env:"DB_CRED"`       // want `field DBPassword .* looks secret`
	Endpoint   string `env:"UPSTREAM"`

	// A DSN with a password in its default.
	DSN    string `env:"DATABASE_URL" default:"postgres://app:hunter2@db:5432/app"` // want `field DSN \(env "DATABASE_URL"\) is a plain string but its default holds a password`
	MySQL  string `env:"MYSQL_DSN" default:"app:pw@tcp(db:3306)/app"`               // want `field MySQL .* default holds a password`
	KV     string `env:"PG_CONN" default:"host=db user=app password=pw"`            // want `field KV .* default holds a password`
	NoPass string `env:"CACHE_URL" default:"redis://cache:6379/0"`
	User   string `env:"BROKER_URL" default:"amqp://guest@broker/"`
	Ref    string `env:"REPORT_URL" default:"awssm://prod/report-url"`

	// Not secrets: descriptors, public kinds of key, other types.
	PasswordFile string        `env:"DB_PASSWORD_FILE"`
	SecretName   string        `env:"SECRET_NAME"`
	AccessKeyID  string        `env:"AWS_ACCESS_KEY_ID"`
	PublicKey    string        `env:"JWT_PUBLIC_KEY"`
	CacheKey     string        `env:"CACHE_KEY"`
	Key          string        `env:"PARTITION_KEY"`
	TokenURL     string        `env:"OAUTH_TOKEN_URL"`
	WorkDir      string        `env:"PWD"`
	Host         string        `env:"DB_HOST"`
	TokenTTL     time.Duration `env:"TOKEN_TTL"`
	MaxTokens    int           `env:"MAX_TOKENS"`
	Pretty       Redacted      `env:"PRETTY_TOKEN"`
	NoEnv        string
	NotEnvTagged string `json:"password"`

	// Secret types and the secret tag.
	Good     driftless.Secret   `env:"STRIPE_API_KEY"`
	GoodPtr  *driftless.Secret  `env:"SENTRY_TOKEN"`
	Rotating driftless.Rotating `env:"WEBHOOK_SECRET"`
	Tagged   string             `env:"LEGACY_TOKEN" secret:"true"`
	Public   string             `env:"PUBLISHABLE_KEY" secret:"false"`
	TaggedDB string             `env:"DATABASE_URL" default:"postgres://app:pw@db/app" secret:"true"`
}

// Prefixes: the keys of a nested struct are judged with the prefix.
type Outer struct {
	Cache  Inner `prefix:"CACHE_"`
	OpenAI struct {
		Key string `env:"KEY"` // want `field Key \(env "KEY"\) looks secret`
	} `prefix:"OPENAI_"`
	Partition struct {
		Key string `env:"KEY"`
	} `prefix:"PARTITION_"`
}

type Inner struct {
	Key  string `env:"KEY"`
	Pass string `env:"PASS"` // want `field Pass \(env "PASS"\) looks secret`
}
