package envfile_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/envfile"
)

// corpusEnv is the whole process environment python-dotenv sees, and the
// lookup Parse gets, in the agreement test.
var corpusEnv = map[string]string{
	"HOME":     "/home/tester",
	"USER":     "tester",
	"EMPTY":    "",
	"GREETING": "hello world",
}

func mapLookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// pythonDotenv prints, for each path, the JSON of
// dotenv.dotenv_values(path, interpolate=True), and of the values
// load_dotenv(override=False) would resolve, under a process environment
// replaced by the JSON object in argv[1].
const pythonDotenv = `
import json, os, sys, logging
logging.disable(logging.CRITICAL)
import dotenv
env = json.loads(sys.argv[1])
os.environ.clear()
os.environ.update(env)
out = {}
for p in sys.argv[2:]:
    try:
        out[p] = {
            "values": dotenv.dotenv_values(p, interpolate=True),
            # what load_dotenv(override=False) would set: the environment
            # wins over the file, also inside ${...}
            "env_first": dotenv.main.DotEnv(p, interpolate=True, override=False, encoding="utf-8").dict(),
        }
    except Exception as e:
        out[p] = {"exception": type(e).__name__}
json.dump(out, sys.stdout)
`

// differs describes a corpus case where envfile deliberately differs from
// python-dotenv (see "Differences from python-dotenv" in doc.go).
type differs struct {
	Why   string             `json:"why"`
	Want  map[string]*string `json:"want"`
	Error string             `json:"error"`
}

func corpus(t testing.TB) []string {
	paths, err := filepath.Glob(filepath.Join("testdata", "dotenv", "*.env"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), 60, "the corpus must hold at least 60 cases")
	sort.Strings(paths)
	return paths
}

func runPythonDotenv(t *testing.T, paths []string) map[string]pyResult {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found on PATH: skipping the python-dotenv agreement test")
	}
	if err := exec.Command(python, "-c", "import dotenv").Run(); err != nil {
		t.Skip("python3 has no dotenv module (pip install python-dotenv): skipping the python-dotenv agreement test")
	}
	envJSON, err := json.Marshal(corpusEnv)
	require.NoError(t, err)
	cmd := exec.Command(python, append([]string{"-c", pythonDotenv, string(envJSON)}, paths...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python-dotenv run failed: %s", stderr.String())
	var res map[string]pyResult
	require.NoError(t, json.Unmarshal(out, &res))
	return res
}

type pyResult struct {
	Values    map[string]*string `json:"values"`
	EnvFirst  map[string]*string `json:"env_first"`
	Exception string             `json:"exception"`
}

func ptrMap(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}

// plain makes a result printable: python-dotenv's None becomes nil.
func plain(m map[string]*string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v == nil {
			out[k] = nil
		} else {
			out[k] = *v
		}
	}
	return out
}

// TestPythonDotenvAgreement parses every corpus file with Parse and with
// python-dotenv and compares the results. Cases with a NAME.differs.json
// sidecar are deliberate differences: there Parse must give the sidecar's
// result, and python-dotenv must really give something else.
func TestPythonDotenvAgreement(t *testing.T) {
	paths := corpus(t)
	py := runPythonDotenv(t, paths)
	ndiff := 0
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".env"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			f, perr := envfile.Parse(strings.NewReader(string(data)), name, envfile.WithLookup(mapLookup(corpusEnv)))
			require.NotNil(t, f)
			got := ptrMap(f.Map())
			pyRes, ok := py[path]
			require.True(t, ok, "python-dotenv gave no result")

			side, err := os.ReadFile(strings.TrimSuffix(path, ".env") + ".differs.json")
			if os.IsNotExist(err) {
				require.NoError(t, perr)
				require.Empty(t, pyRes.Exception)
				assert.Equal(t, plain(pyRes.Values), plain(got))

				// WithLookupFirst matches load_dotenv(override=False).
				f, err := envfile.Parse(strings.NewReader(string(data)), name,
					envfile.WithLookup(mapLookup(corpusEnv)), envfile.WithLookupFirst())
				require.NoError(t, err)
				assert.Equal(t, plain(pyRes.EnvFirst), plain(ptrMap(f.Map())), "WithLookupFirst")
				return
			}
			require.NoError(t, err)
			ndiff++
			var d differs
			require.NoError(t, json.Unmarshal(side, &d))
			require.NotEmpty(t, d.Why, "a difference must say why (doc.go section number)")
			if d.Error != "" {
				require.Error(t, perr)
				assert.Equal(t, d.Error, perr.Error())
			} else {
				require.NoError(t, perr)
			}
			if d.Want == nil {
				d.Want = map[string]*string{}
			}
			assert.Equal(t, plain(d.Want), plain(got))
			if d.Error == "" {
				// python-dotenv never fails on a line, so an expected error
				// is a difference in itself.
				assert.NotEqual(t, plain(pyRes.Values), plain(got), "python-dotenv agrees here: remove the .differs.json sidecar")
			}
		})
	}
	t.Logf("%d cases, %d deliberate differences", len(paths), ndiff)
}
