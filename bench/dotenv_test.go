package bench

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	compose "github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/driftless/driftless/envfile"
	"github.com/joho/godotenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/subosito/gotenv"
)

// realisticEnv returns a .env file of at least n lines in the style of a
// service's: comments, export, inline comments, single and double quotes
// with escapes, ${VAR} and ${VAR:-default} expansion, a multi-line PEM
// value, JSON in single quotes and lists.
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

// noEnv is the process environment the parsers see: empty, so that
// ${MODEL_OVERRIDE:-...} takes its default whatever the machine has set.
func noEnv(string) (string, bool) { return "", false }

// dotenvParser is one library's parse of a whole .env file to a map.
type dotenvParser struct {
	name  string
	parse func(data []byte) (map[string]string, error)
	// differsOn lists the key families (key less its numeric suffix) where
	// the library is known to disagree with driftless on realisticEnv.
	differsOn map[string]bool
}

// noDefaultSyntax: the library does not know ${VAR:-default}; for
// ${MODEL_OVERRIDE:-gpt-4-turbo} both godotenv and gotenv return
// ":-gpt-4-turbo}" instead of "gpt-4-turbo".
var noDefaultSyntax = map[string]bool{"MODEL_NAME_": true}

var dotenvParsers = []dotenvParser{
	{"driftless-envfile", func(d []byte) (map[string]string, error) {
		f, err := envfile.Parse(bytes.NewReader(d), ".env", envfile.WithLookup(noEnv))
		if err != nil {
			return nil, err
		}
		return f.Map(), nil
	}, nil},
	{"joho-godotenv", func(d []byte) (map[string]string, error) { return godotenv.Parse(bytes.NewReader(d)) }, noDefaultSyntax},
	{"subosito-gotenv", func(d []byte) (map[string]string, error) { return gotenv.StrictParse(bytes.NewReader(d)) }, noDefaultSyntax},
	{"compose-go-dotenv", func(d []byte) (map[string]string, error) {
		return compose.ParseWithLookup(bytes.NewReader(d), noEnv)
	}, nil},
}

// TestDotenvParsersAgree parses the 50-line file with each library and
// compares every key with driftless's result. The keys where a library
// is known to differ are listed (and reported in BENCHMARKS.md); any other
// difference fails.
func TestDotenvParsersAgree(t *testing.T) {
	t.Parallel()
	data := realisticEnv(50)
	want, err := dotenvParsers[0].parse(data)
	require.NoError(t, err)
	require.Equal(t, "p@ss\"w0rd\n", want["DB_PASSWORD_0"])
	require.Equal(t, "postgres://svc_user@db0.internal.example.com:5432/app?sslmode=require", want["DATABASE_URL_0"])
	require.Equal(t, "gpt-4-turbo", want["MODEL_NAME_0"])
	for _, p := range dotenvParsers[1:] {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.parse(data)
			require.NoError(t, err)
			assert.Len(t, got, len(want))
			for k, v := range want {
				if !assert.Contains(t, got, k) {
					continue
				}
				if p.differsOn[strings.TrimRight(k, "0123456789")] {
					assert.NotEqual(t, v, got[k], "%s: %s is listed as a known difference but agrees", p.name, k)
					continue
				}
				assert.Equal(t, v, got[k], "%s: %s", p.name, k)
			}
		})
	}
}

// BenchmarkDotenv parses a 50-line and a 10,000-line .env file with each
// library; MB/s is the file size over the parse time.
func BenchmarkDotenv(b *testing.B) {
	for _, size := range []struct {
		name  string
		lines int
	}{{"50-lines", 50}, {"10k-lines", 10000}} {
		data := realisticEnv(size.lines)
		b.Run(size.name, func(b *testing.B) {
			for _, p := range dotenvParsers {
				b.Run(p.name, func(b *testing.B) {
					b.SetBytes(int64(len(data)))
					b.ReportAllocs()
					for b.Loop() {
						if _, err := p.parse(data); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
