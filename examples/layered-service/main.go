// Command layered-service loads one config struct from every layer a
// service with a config file has, on built-in fakes (no cloud account, no
// network beyond loopback):
//
//	flags > env > .env > config.yaml + config.prod.yaml > Parameter Store > default
//
// with its API key in Secrets Manager, referenced from config.yaml. It
// prints where each value came from (the file and line, the flag, the
// parameter), then edits config.prod.yaml under a running Handle and shows
// the swap.
//
//	go run ./layered-service            (from the examples module)
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/driftless/driftless"
	driftlessyaml "github.com/driftless/driftless/formats/yaml"
	"github.com/driftless/driftless/providers/awsps"
	"github.com/driftless/driftless/providers/awsps/awspstest"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/awssm/awssmtest"
)

// Config is the whole configuration of the service.
type Config struct {
	ModelName string           `env:"MODEL_NAME" default:"tiny" desc:"the model to serve"`
	Port      int              `env:"PORT" default:"8080" desc:"listen port"`
	LogLevel  string           `env:"LOG_LEVEL" default:"info"`
	Routes    []string         `env:"ROUTES" desc:"the routes served"`
	Replicas  map[string]int   `env:"REPLICAS" desc:"replicas per accelerator"`
	Timeout   time.Duration    `env:"TIMEOUT" default:"10s"`
	Region    string           `env:"REGION" secret:"false" desc:"from Parameter Store (not a secret: shown)"`
	Endpoint  string           `env:"UPSTREAM_ENDPOINT" secret:"false" desc:"from Parameter Store (not a secret: shown)"`
	APIKey    driftless.Secret `env:"API_KEY" required:"true" desc:"upstream API key"`
	Catalog   Catalog          `env:"CATALOG" desc:"the model catalog"`
	Batch     struct {
		MaxSize int           `env:"MAX_SIZE" default:"1"`
		MaxWait time.Duration `env:"MAX_WAIT" default:"1ms"`
	} `prefix:"BATCH_"`
}

// Catalog is the model catalog, a native YAML map in config.yaml.
type Catalog struct {
	Models []struct {
		Name    string `json:"name"`
		Context int    `json:"context"`
	} `json:"models"`
}

// committed holds the committed config files (config/*.yaml).
//
//go:embed config/*.yaml
var committed embed.FS

func main() {
	if err := run(context.Background(), os.Stdout, os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}

// backends are the fakes the demo runs on, with what production would hold.
type backends struct {
	sm *awssmtest.Server
	ps *awspstest.Server
}

func startBackends(ctx context.Context) (*backends, error) {
	b := &backends{sm: awssmtest.NewServer(), ps: awspstest.NewServer()}
	if err := b.sm.Put(ctx, "prod/inference", []byte(`{"api_key":"sk-demo-0000"}`)); err != nil {
		b.close()
		return nil, err
	}
	b.ps.PutParameter("/prod/inference/region", "eu-west-1", awspstest.String)
	b.ps.PutParameter("/prod/inference/upstream-endpoint", "https://models.internal", awspstest.String)
	return b, nil
}

func (b *backends) close() { b.sm.Close(); b.ps.Close() }

// options is the chain: every layer of it.
func options(b *backends, fs *flag.FlagSet, dir string) []driftless.Option {
	return []driftless.Option{
		driftless.WithFlags(fs),
		driftless.WithEnvFiles(filepath.Join(dir, ".env")),
		driftless.WithConfigFiles(driftlessyaml.Format,
			filepath.Join(dir, "config.yaml"), filepath.Join(dir, "config.prod.yaml")),
		driftless.WithKeySource(awsps.Path("/prod/inference", awsps.LowerDashed())),
		driftless.WithProvider("awsps", awsps.New(b.ps.Client())),
		driftless.WithProvider("awssm", awssm.New(b.sm.Client())),
		driftless.WithFileWatchInterval(100 * time.Millisecond),
	}
}

func run(ctx context.Context, out io.Writer, args []string) error {
	b, err := startBackends(ctx)
	if err != nil {
		return err
	}
	defer b.close()

	// The committed config files are copied to a scratch directory so the
	// demo can edit one; the .env file is written here: it is never
	// committed.
	dir, err := os.MkdirTemp("", "driftless-layered-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"config.yaml", "config.prod.yaml"} {
		data, err := committed.ReadFile("config/" + name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("LOG_LEVEL=debug\n"), 0o600); err != nil {
		return err
	}

	var cfg Config
	fs := flag.NewFlagSet("layered-service", flag.ContinueOnError)
	if err := driftless.BindFlags(fs, &cfg); err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"--port=9090"}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := options(b, fs, dir)
	rep, err := driftless.Explain(ctx, &cfg, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "== where each value came from (never a secret's value)")
	if err := rep.WriteTable(out); err != nil {
		return err
	}

	// A running Handle reloads when a config file changes.
	h, err := driftless.NewHandle[Config](ctx, opts...)
	if err != nil {
		return err
	}
	defer h.Close()
	swapped := make(chan []string, 1)
	h.OnChange(func(c driftless.Change[Config]) {
		select {
		case swapped <- c.Paths:
		default:
		}
	})
	if err := h.Start(ctx); err != nil {
		return err
	}
	edit := "model_name: large\nbatch:\n  max_size: 64\n"
	if err := os.WriteFile(filepath.Join(dir, "config.prod.yaml"), []byte(edit), 0o600); err != nil {
		return err
	}
	select {
	case paths := <-swapped:
		fmt.Fprintf(out, "\n== config.prod.yaml edited: swapped %v; batch max size now %d\n", paths, h.Current().Batch.MaxSize)
	case <-time.After(10 * time.Second):
		return fmt.Errorf("the edit of config.prod.yaml was not picked up")
	}
	return nil
}
