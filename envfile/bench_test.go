package envfile_test

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/driftless/driftless/envfile"
)

// realisticEnv returns a .env of about n lines that uses the whole grammar
// in the proportions of a real service's file: comments, blank lines,
// export, plain and URL values, inline comments, single and double quotes,
// escapes, a multi-line PEM value and every expansion form.
func realisticEnv(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() == 0 || strings.Count(b.String(), "\n") < n; i++ {
		s := strconv.Itoa(i)
		b.WriteString("# --- service " + s + " ---\n")
		b.WriteString("export APP_NAME_" + s + "=inference-api\n")
		b.WriteString("DB_HOST_" + s + "=db" + s + ".internal.example.com # primary\n")
		b.WriteString("DB_PORT_" + s + "=5432\n")
		b.WriteString("DB_USER_" + s + "='svc_user'\n")
		b.WriteString("DB_PASSWORD_" + s + "=\"p@ss\\\"w0rd\\n\" # escaped\n")
		b.WriteString("DATABASE_URL_" + s + "=\"postgres://${DB_USER_" + s + "}@${DB_HOST_" + s + "}:$DB_PORT_" + s + "/app?sslmode=require\"\n")
		b.WriteString("MODEL_NAME_" + s + "=${MODEL_OVERRIDE:-gpt-4-turbo}\n")
		b.WriteString("TIMEOUT_" + s + "=30s\n")
		b.WriteString("\n")
		b.WriteString("TLS_CERT_" + s + "=\"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2hhbmdlTWVOb3RBUmVhbENlcnQwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\"\n")
		b.WriteString("HOSTS_" + s + "=a.example.com,b.example.com,c.example.com\n")
		b.WriteString("FEATURE_FLAGS_" + s + "='{\"beta\": true, \"limit\": 100}'\n")
		b.WriteString("LOG_LEVEL_" + s + "=info\n")
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func benchmarkParse(b *testing.B, lines int) {
	data := realisticEnv(lines)
	lookup := func(string) (string, bool) { return "", false }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := envfile.Parse(bytes.NewReader(data), "bench.env", envfile.WithLookup(lookup))
		if err != nil || f.Len() == 0 {
			b.Fatal("parse failed")
		}
	}
}

// BenchmarkParse50Lines parses a 50-line .env, the size of a typical service.
func BenchmarkParse50Lines(b *testing.B) { benchmarkParse(b, 50) }

// BenchmarkParse10kLines parses a 10,000-line .env.
func BenchmarkParse10kLines(b *testing.B) { benchmarkParse(b, 10000) }

// BenchmarkParseHeapPerInputByte parses 16 MiB of "K=v" lines, the input
// with the most entries per byte, and reports the bytes allocated per byte
// of input (heapB/inB): parsing memory must stay a small multiple of the
// input, however hostile the file.
func BenchmarkParseHeapPerInputByte(b *testing.B) {
	data := strings.Repeat("K=v\n", 4<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		f, err := envfile.Parse(strings.NewReader(data), "bench.env")
		if err != nil || f.Len() != 4<<20 {
			b.Fatal("parse failed")
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(data)), "heapB/inB")
}
