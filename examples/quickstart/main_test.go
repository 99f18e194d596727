package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestQuickstartPrintsNoSecret(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), f); err != nil {
		t.Fatalf("quickstart failed: %v", err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, secret := range []string{"sk-demo-not-a-real-key", "demo-db-password"} {
		if strings.Contains(out, secret) {
			t.Errorf("output contains a secret value")
		}
	}
	for _, want := range []string{"serving gpt-4-turbo", "OPENAI_API_KEY", "demo.env:2", "DB_PASSWORD_FILE", "[REDACTED] hmac:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
