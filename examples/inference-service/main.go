// Command inference-service is a small HTTP service that calls a model API
// with a key it gets from driftless. It shows the whole runtime path:
//
//   - the config is one struct, loaded once at boot by a driftless.Handle;
//   - the request path reads it with Handle.Current (one atomic load);
//   - a change hook rebuilds the model client when the key rotates;
//   - when the upstream answers 401, the service forces a refresh and
//     retries once, so a rotated key is picked up at once;
//   - an admin port serves readiness and liveness probes and the driftless
//     metrics (admin.go), and a sealed snapshot lets the service boot
//     through an outage of its secrets manager (outage.go).
//
// With no arguments (`make demo`) it runs a self-contained demo on built-in
// defaults: a fake model API on 127.0.0.1, and the API key in a generated
// secret file read through a file:// reference, rotated mid-demo. Against a
// real backend the same binary needs only the environment, for example:
//
//	OPENAI_API_KEY='awssm://prod/inference#openai' MODEL_API_URL=https://api.openai.com inference-service -serve
//	OPENAI_API_KEY='vault://secret/inference#openai' VAULT_ADDR=... inference-service -serve
//	OPENAI_API_KEY_FILE=/var/run/secrets/app/openai-api-key inference-service -serve   (Kubernetes volume)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/awssm"
	"github.com/driftless/driftless/providers/files"
)

// Config is the service's whole configuration.
type Config struct {
	Listen      string           `env:"LISTEN" default:"127.0.0.1:8080" desc:"address to serve on"`
	AdminListen string           `env:"ADMIN_LISTEN" default:"127.0.0.1:9090" desc:"address of the health probes and /metrics (internal only)"`
	ModelAPIURL string           `env:"MODEL_API_URL" required:"true" desc:"base URL of the model API"`
	APIKey      driftless.Secret `env:"OPENAI_API_KEY" required:"true" desc:"model API key (a reference in production)"`
	Model       string           `env:"MODEL_NAME" default:"gpt-4-turbo" desc:"model to serve"`
	Timeout     time.Duration    `env:"UPSTREAM_TIMEOUT" default:"10s" desc:"upstream request timeout"`
}

// modelClient calls the model API with one key. It is rebuilt when the key
// rotates, never mutated.
type modelClient struct {
	base   string
	key    driftless.Secret
	model  string
	client *http.Client
}

func newModelClient(c *Config) *modelClient {
	return &modelClient{base: c.ModelAPIURL, key: c.APIKey, model: c.Model, client: &http.Client{Timeout: c.Timeout}}
}

var errUnauthorized = errors.New("upstream answered 401")

func (m *modelClient) complete(ctx context.Context, prompt string) (string, error) {
	body, _ := json.Marshal(map[string]string{"model": m.model, "prompt": prompt})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.base+"/v1/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+m.key.Value())
	resp, err := m.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return "", errUnauthorized
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("upstream answered %s", resp.Status)
	}
	var out struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.Text, nil
}

// service is the HTTP service.
type service struct {
	cfg    *driftless.Handle[Config]
	client atomic.Pointer[modelClient]
	log    *slog.Logger
}

func newService(ctx context.Context, logger *slog.Logger, opts ...driftless.Option) (*service, error) {
	h, err := driftless.NewHandle[Config](ctx, append(opts, driftless.WithLogger(logger))...)
	if err != nil {
		return nil, err
	}
	s := &service{cfg: h, log: logger}
	s.client.Store(newModelClient(h.Current()))
	h.OnChange(func(c driftless.Change[Config]) {
		logger.Info("config changed", "fields", c.Paths) // paths only, never values
		s.client.Store(newModelClient(c.New))
	})
	h.OnError(func(err error) { logger.Warn("refresh failed; keeping the last good config", "error", err) })
	return s, nil
}

// complete calls the model; on 401 it forces a refresh (coalesced and
// rate-limited by driftless) and retries once with the new key.
func (s *service) complete(ctx context.Context, prompt string) (string, error) {
	text, err := s.client.Load().complete(ctx, prompt)
	if !errors.Is(err, errUnauthorized) {
		return text, err
	}
	s.log.Info("upstream answered 401; forcing a config refresh")
	if ferr := s.cfg.ForceRefresh(ctx); ferr != nil {
		return "", fmt.Errorf("%w; refresh failed: %w", err, ferr)
	}
	return s.client.Load().complete(ctx, prompt)
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Current() // hot path: one atomic load
	ctx, cancel := context.WithTimeout(r.Context(), cfg.Timeout)
	defer cancel()
	prompt, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	text, err := s.complete(ctx, string(prompt))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, text)
}

func main() {
	serve := flag.Bool("serve", false, "serve with the configuration from the environment (default: run the self-contained demo)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stdout, nil))
	var err error
	if *serve {
		err = runServe(ctx, logger)
	} else {
		err = runDemo(ctx, logger, os.Stdout)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// runServe serves until interrupted, with the file provider (mounted
// secrets, watched) and AWS Secrets Manager (the SDK's default chain: the
// pod's IAM role, AWS_REGION, ...) registered; other providers are
// registered the same way.
func runServe(ctx context.Context, logger *slog.Logger) error {
	fp := files.New()
	defer fp.Close()
	reg, metrics, err := newMetrics()
	if err != nil {
		return err
	}
	opts := []driftless.Option{
		driftless.WithEnvFiles(".env"), // Level 1 on a laptop; skipped when absent
		driftless.WithProvider("file", fp),
		metrics,
	}
	if snap, err := snapshotOption(); err != nil {
		return err
	} else if snap != nil {
		opts = append(opts, snap)
	}
	if aws, err := awssm.NewFromConfig(ctx); err == nil {
		opts = append(opts, driftless.WithProvider("awssm", aws))
	} else {
		logger.Warn("AWS Secrets Manager not configured; awssm:// references will fail", "error", err)
	}
	s, err := newService(ctx, logger, opts...)
	if err != nil {
		return err
	}
	defer s.cfg.Close()
	if err := s.cfg.Start(ctx); err != nil {
		return err
	}
	srv := &http.Server{Addr: s.cfg.Current().Listen, Handler: s}
	admin := &http.Server{Addr: s.cfg.Current().AdminListen, Handler: s.adminHandler(reg)}
	go func() { <-ctx.Done(); srv.Close(); admin.Close() }()
	go func() {
		if err := admin.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin server failed", "addr", admin.Addr, "error", err)
		}
	}()
	logger.Info("serving", "addr", srv.Addr, "admin", admin.Addr, "model", s.cfg.Current().Model)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// fakeModelAPI accepts one key at a time, like a provider whose key was
// rotated.
type fakeModelAPI struct{ key atomic.Value }

func (f *fakeModelAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.key.Load().(string) {
		http.Error(w, "invalid api key", http.StatusUnauthorized)
		return
	}
	var req struct{ Model, Prompt string }
	_ = json.NewDecoder(r.Body).Decode(&req)
	_ = json.NewEncoder(w).Encode(map[string]string{"text": req.Model + " says: " + req.Prompt})
}

// runDemo runs the service against a fake model API on loopback, rotates the
// key, and shows the 401 → forced refresh → retry path. No network, no
// cloud account; the key lives in a generated temporary file.
func runDemo(ctx context.Context, logger *slog.Logger, out io.Writer) error {
	dir, err := os.MkdirTemp("", "inference-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	keyFile := filepath.Join(dir, "openai-api-key")
	if err := os.WriteFile(keyFile, []byte("demo-key-v1"), 0o600); err != nil {
		return err
	}

	upstream := &fakeModelAPI{}
	upstream.key.Store("demo-key-v1")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	api := &http.Server{Handler: upstream}
	go api.Serve(ln)
	defer api.Close()

	env := map[string]string{
		"MODEL_API_URL":  "http://" + ln.Addr().String(),
		"OPENAI_API_KEY": "file://" + keyFile, // a reference, as in production
	}
	fp := files.New()
	defer fp.Close()
	reg, metrics, err := newMetrics()
	if err != nil {
		return err
	}
	s, err := newService(ctx, logger, driftless.WithEnv(env), driftless.WithProvider("file", fp),
		driftless.WithForceRefreshLimit(time.Second), metrics)
	if err != nil {
		return err
	}
	defer s.cfg.Close()
	if err := s.cfg.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out, "== configuration (secrets redacted)")
	if err := s.cfg.Report().WriteTable(out); err != nil {
		return err
	}

	ask := func(prompt string) error {
		text, err := s.complete(ctx, prompt)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "model:", text)
		return nil
	}
	fmt.Fprintln(out, "\n== request with the current key")
	if err := ask("hello"); err != nil {
		return err
	}

	fmt.Fprintln(out, "\n== the key is rotated upstream and in the secret store")
	upstream.key.Store("demo-key-v2")
	if err := os.WriteFile(keyFile, []byte("demo-key-v2"), 0o600); err != nil {
		return err
	}
	// The next request meets a 401 if the watch has not delivered the new key
	// yet; the service then forces a refresh and retries.
	if err := ask("hello again"); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nkey in use: %v (rotations reach the service without a restart)\n", s.cfg.Current().APIKey)

	fmt.Fprintln(out, "\n== admin endpoints (ADMIN_LISTEN)")
	return showAdmin(out, s.adminHandler(reg))
}
