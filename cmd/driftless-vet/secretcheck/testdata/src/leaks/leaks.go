package leaks

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"

	"github.com/driftless/driftless"
)

type Config struct {
	APIKey  driftless.Secret
	Webhook driftless.Rotating
}

func direct(c Config, l *slog.Logger, lg *log.Logger) error {
	fmt.Println(c.APIKey.Value())                          // want `a secret value reaches fmt.Println`
	fmt.Printf("key=%s\n", c.APIKey.Value())               // want `a secret value reaches fmt.Printf`
	_ = fmt.Sprintf("%x", c.APIKey.Bytes())                // want `a secret value reaches fmt.Sprintf`
	fmt.Fprintln(os.Stderr, c.APIKey.Value())              // want `a secret value reaches fmt.Fprintln`
	log.Printf("key %s", c.APIKey.Value())                 // want `a secret value reaches log.Printf`
	lg.Println(c.APIKey.Value())                           // want `a secret value reaches \(\*log.Logger\).Println`
	slog.Info("loaded", "key", c.APIKey.Value())           // want `a secret value reaches slog.Info`
	l.Warn("loaded", slog.String("key", c.APIKey.Value())) // want `a secret value reaches slog.String`
	l.Error(c.APIKey.Value())                              // want `a secret value reaches \(\*slog.Logger\).Error`
	_ = errors.New(c.APIKey.Value())                       // want `a secret value reaches errors.New`
	if c.APIKey.Len() == 0 {
		panic(c.APIKey.Value()) // want `a secret value reaches panic`
	}
	fmt.Println(c.Webhook.Current().Value()) // want `a secret value reaches fmt.Println`
	for _, s := range c.Webhook.Values() {
		log.Print(s.Value()) // want `a secret value reaches log.Print`
	}
	p := &c.APIKey
	fmt.Println(p.Value())                            // want `a secret value reaches fmt.Println`
	return fmt.Errorf("bad key %q", c.APIKey.Value()) // want `a secret value reaches fmt.Errorf`
}

var global = driftless.NewSecret("x").Value()

func throughVariables(c Config) {
	v := c.APIKey.Value()
	w := v
	var b []byte = c.APIKey.Bytes()
	fmt.Println(w)                                    // want `a secret value reaches fmt.Println`
	fmt.Println(string(b))                            // want `a secret value reaches fmt.Println`
	fmt.Println("prefix " + v)                        // want `a secret value reaches fmt.Println`
	fmt.Println(v[:4])                                // want `a secret value reaches fmt.Println`
	fmt.Println(v[0])                                 // want `a secret value reaches fmt.Println`
	fmt.Println(strings.TrimSpace(v))                 // want `a secret value reaches fmt.Println`
	fmt.Println(base64.StdEncoding.EncodeToString(b)) // want `a secret value reaches fmt.Println`
	args := []any{"key", v}
	slog.Info("x", args...) // want `a secret value reaches slog.Info`
	var msg string
	msg += v
	log.Fatal(msg) // want `a secret value reaches log.Fatal`
	for _, r := range v {
		print(r) // want `a secret value reaches print`
	}
	fmt.Println(global) // want `a secret value reaches fmt.Println`
	var sb strings.Builder
	sb.WriteString("x")
	c.Webhook.Match(func(value string) bool {
		log.Println("trying", value) // want `a secret value reaches log.Println`
		return value == "x"
	})
}

func fine(c Config, w io.Writer) {
	fmt.Println(c.APIKey)                  // the Secret prints redacted
	fmt.Println(c.APIKey.Fingerprint(nil)) // a fingerprint is not the value
	fmt.Println(c.APIKey.Len(), len(c.APIKey.Value()))
	fmt.Println(c.APIKey.Value() == "x", strings.HasPrefix(c.APIKey.Value(), "sk-"))
	slog.Info("loaded", "key", c.APIKey)
	v := c.APIKey.Value()
	io.WriteString(w, v) // a deliberate write
	w.Write([]byte(v))
	os.Setenv("KEY", v)
	var n int
	fmt.Sscan(v, &n) // parsing is not printing
	fmt.Println(n)
	other := "plain"
	fmt.Println(other)
	c.Webhook.Match(func(value string) bool { return value == "x" })
}
