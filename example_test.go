package driftless_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/drifttest"
)

type exampleConfig struct {
	ModelName string           `env:"MODEL_NAME" default:"gpt-4-turbo" desc:"model to serve"`
	OpenAIKey driftless.Secret `env:"OPENAI_API_KEY" required:"true" desc:"API key for the model provider"`
	Timeout   time.Duration    `env:"TIMEOUT" default:"30s"`
	Hosts     []string         `env:"HOSTS" sep:","`
	DB        struct {
		Host     string           `env:"HOST" default:"localhost"`
		Password driftless.Secret `env:"PASSWORD" default:"mem://prod/database#password"`
	} `prefix:"DB_"`
}

func ExampleLoad() {
	// In production the environment is the process's; here it is a map.
	env := map[string]string{"OPENAI_API_KEY": "sk-example", "HOSTS": "a.internal,b.internal"}
	secrets := drifttest.NewProvider()
	secrets.Set("prod/database", `{"password":"db-pass"}`)

	var cfg exampleConfig
	err := driftless.Load(context.Background(), &cfg,
		driftless.WithEnv(env),
		driftless.WithProvider("mem", secrets))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.ModelName, cfg.Timeout, cfg.Hosts, cfg.DB.Host)
	fmt.Println("key:", cfg.OpenAIKey, "password:", cfg.DB.Password)
	fmt.Println(len(cfg.DB.Password.Value()), "bytes of password, read explicitly")
	// Output:
	// gpt-4-turbo 30s [a.internal b.internal] localhost
	// key: [REDACTED] password: [REDACTED]
	// 7 bytes of password, read explicitly
}

func ExampleLoad_errors() {
	// No provider is registered for the mem:// default: a secret field
	// never takes a reference it cannot resolve as a literal string.
	env := map[string]string{"TIMEOUT": "soon"}
	err := driftless.Load(context.Background(), &exampleConfig{}, driftless.WithEnv(env))
	fmt.Println(err)
	// Output:
	// driftless: loading driftless_test.exampleConfig: 3 problems
	// 	OpenAIKey (OPENAI_API_KEY): required value missing: set OPENAI_API_KEY (or OPENAI_API_KEY_FILE)
	// 	Timeout (TIMEOUT from env): cannot decode as time.Duration: want a duration such as "30s" or "1h30m"
	// 	DB.Password (DB_PASSWORD from default): unknown reference scheme: the value has a scheme no provider serves (registered: file; tag the field ref:"false" if the value is a literal URL)
}

func ExampleWriteExample() {
	_ = driftless.WriteExample(os.Stdout, exampleConfig{})
	// Output:
	// # model to serve
	// MODEL_NAME=gpt-4-turbo
	//
	// # API key for the model provider
	// OPENAI_API_KEY= # required, secret
	//
	// TIMEOUT=30s
	//
	// HOSTS=
	//
	// DB_HOST=localhost
	//
	// DB_PASSWORD= # secret
}

func ExampleSecret() {
	key := driftless.NewSecret("sk-123")
	fmt.Printf("%v %s %q %#v\n", key, key, key, key)
	fmt.Println(key.Value() == "sk-123")
	// Output:
	// [REDACTED] [REDACTED] [REDACTED] driftless.Secret([REDACTED])
	// true
}

func ExampleNewHandle() {
	ctx := context.Background()
	secrets := drifttest.NewProvider()
	secrets.Set("openai", "sk-v1")
	type Config struct {
		Key driftless.Secret `env:"OPENAI_API_KEY" default:"mem://openai"`
	}
	h, err := driftless.NewHandle[Config](ctx, driftless.WithEnv(nil), driftless.WithProvider("mem", secrets))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	h.OnChange(func(c driftless.Change[Config]) { fmt.Println("changed:", c.Paths) })
	_ = h.Start(ctx) // background refresh: TTL per provider, jitter, backoff

	secrets.Set("openai", "sk-v2") // rotated upstream
	_ = h.ForceRefresh(ctx)        // e.g. after the model API answered 401
	fmt.Println(h.Current().Key.Value() == "sk-v2")
	// Output:
	// changed: [Key]
	// true
}

func ExampleExplain() {
	var cfg exampleConfig
	rep, _ := driftless.Explain(context.Background(), &cfg,
		driftless.WithEnv(map[string]string{"OPENAI_API_KEY": "sk-example"}),
		driftless.WithProvider("mem", drifttest.NewProvider()))
	for _, f := range rep.Fields {
		fmt.Printf("%s %s secret=%v\n", f.Key, f.Source, f.Secret)
	}
	// Output:
	// MODEL_NAME default secret=false
	// OPENAI_API_KEY env secret=true
	// TIMEOUT default secret=false
	// HOSTS unset secret=false
	// DB_HOST default secret=false
	// DB_PASSWORD default secret=true
}
