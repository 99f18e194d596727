package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestDemoRotatesWithoutLeaking(t *testing.T) {
	var out, logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	if err := runDemo(t.Context(), logger, &out); err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out.String(), logs.String())
	}
	all := out.String() + logs.String()
	for _, secret := range []string{"demo-key-v1", "demo-key-v2"} {
		if strings.Contains(all, secret) {
			t.Errorf("output contains a secret value")
		}
	}
	for _, want := range []string{"model: gpt-4-turbo says: hello", "model: gpt-4-turbo says: hello again", "OPENAI_API_KEY"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(logs.String(), "config changed") {
		t.Errorf("the change hook did not fire:\n%s", logs.String())
	}
}
