package faults_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/driftless/driftless"
	"github.com/driftless/driftless/providers/files"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kubeVolume is a directory updated the way the kubelet's AtomicWriter
// updates a Secret volume: the files go into a new timestamped directory,
// a symlink ..data_tmp to it is renamed over ..data (the atomic step), each
// key is a symlink key -> ..data/key, and the old directory is removed.
type kubeVolume struct {
	t   *testing.T
	dir string
}

func newKubeVolume(t *testing.T, payload map[string]string) *kubeVolume {
	v := &kubeVolume{t: t, dir: t.TempDir()}
	v.write(payload)
	for key := range payload {
		require.NoError(t, os.Symlink(filepath.Join("..data", key), filepath.Join(v.dir, key)))
	}
	return v
}

func (v *kubeVolume) path(key string) string { return filepath.Join(v.dir, key) }

func (v *kubeVolume) write(payload map[string]string) {
	t := v.t
	dataLink := filepath.Join(v.dir, "..data")
	old, _ := os.Readlink(dataLink)
	ts, err := os.MkdirTemp(v.dir, time.Now().UTC().Format("..2006_01_02_15_04_05."))
	require.NoError(t, err)
	require.NoError(t, os.Chmod(ts, 0o755))
	for key, data := range payload {
		require.NoError(t, os.WriteFile(filepath.Join(ts, key), []byte(data), 0o644))
	}
	tmp := filepath.Join(v.dir, "..data_tmp")
	require.NoError(t, os.Symlink(filepath.Base(ts), tmp))
	require.NoError(t, os.Rename(tmp, dataLink))
	if old != "" {
		require.NoError(t, os.RemoveAll(filepath.Join(v.dir, old)))
	}
}

const certSize = 64 << 10

// kubePayload is generation n of the volume: a 64 KiB certificate made of
// one letter and ending with its generation, a JSON credentials file whose
// two keys carry the generation, and a token file.
func kubePayload(n int) map[string]string {
	s := strconv.Itoa(n)
	return map[string]string{
		"tls.crt":    strings.Repeat(string(rune('a'+n%26)), certSize) + "-gen-" + s,
		"creds.json": `{"user":"user-` + s + `","password":"pw-` + s + `"}`,
		"token":      "token-" + s,
	}
}

type kubeConfig struct {
	Cert     driftless.Secret `env:"TLS_CERT" required:"true"`
	User     string           `env:"DB_USER" required:"true"`
	Password driftless.Secret `env:"DB_PASSWORD" required:"true"`
	Token    driftless.Secret `env:"TOKEN" required:"true"`
}

// checkKube returns "" when every value of c is a whole value of some
// generation and the two keys of creds.json belong to the same one.
func checkKube(c *kubeConfig) string {
	cert := c.Cert.Value()
	i := strings.LastIndex(cert, "-gen-")
	if i != certSize {
		return fmt.Sprintf("Cert has %d bytes before its generation, want %d", i, certSize)
	}
	n, err := strconv.Atoi(cert[i+len("-gen-"):])
	if err != nil {
		return "Cert generation unreadable"
	}
	if strings.Trim(cert[:i], string(rune('a'+n%26))) != "" {
		return fmt.Sprintf("Cert of generation %d mixes letters", n)
	}
	u, ok := strings.CutPrefix(c.User, "user-")
	if !ok || "pw-"+u != c.Password.Value() {
		return "User and Password (one JSON file) are of different generations"
	}
	if !strings.HasPrefix(c.Token.Value(), "token-") {
		return "Token incomplete"
	}
	return ""
}

// sameSwap reports whether the files behind c all come from one swap.
func sameSwap(c *kubeConfig) bool {
	cert := c.Cert.Value()
	g := cert[strings.LastIndex(cert, "-gen-")+len("-gen-"):]
	return c.Token.Value() == "token-"+g && c.User == "user-"+g
}

// kubeStats is what readers of a Handle saw while a volume was swapped.
type kubeStats struct {
	reads, bad, mixed, failedRefreshes, swaps int64
	firstBad                                  any
}

// runKubelet swaps a volume awaited times (each awaited until Current
// shows it) and then burst times in a row, while 8 readers check every
// snapshot of a Handle watching the volume; it waits for the last swap to
// reach every field.
func runKubelet(t *testing.T, awaited, burst int) kubeStats {
	vol := newKubeVolume(t, kubePayload(1))
	p := files.New(files.WithDebounce(5 * time.Millisecond))
	t.Cleanup(func() { _ = p.Close() })
	env := map[string]string{
		"TLS_CERT":    "file://" + vol.path("tls.crt"),
		"DB_USER":     "file://" + vol.path("creds.json") + "#user",
		"DB_PASSWORD": "file://" + vol.path("creds.json") + "#password",
		"TOKEN":       "file://" + vol.path("token"),
	}
	h, err := driftless.NewHandle[kubeConfig](t.Context(), driftless.WithEnv(env),
		driftless.WithProvider("file", p), driftless.WithRefreshInterval(time.Hour))
	require.NoError(t, err)
	defer h.Close()
	var hookErrs atomic.Int64
	h.OnError(func(error) { hookErrs.Add(1) })
	require.NoError(t, h.Start(t.Context()))
	require.Empty(t, checkKube(h.Current()))

	var (
		done     atomic.Bool
		reads    atomic.Int64
		bad      atomic.Int64
		mixed    atomic.Int64 // snapshots whose files come from different swaps
		firstBad atomic.Value
		wg       sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !done.Load(); i++ {
				c := h.Current()
				if msg := checkKube(c); msg != "" {
					bad.Add(1)
					firstBad.CompareAndSwap(nil, msg)
				} else if !sameSwap(c) {
					mixed.Add(1)
				}
				reads.Add(1)
				if i%64 == 63 {
					runtime.Gosched()
				}
			}
		}()
	}
	gen := 1
	const bound = 10 * time.Second
	for range awaited {
		gen++
		vol.write(kubePayload(gen))
		want := "token-" + strconv.Itoa(gen)
		require.Eventually(t, func() bool { return h.Current().Token.Value() == want }, bound, time.Millisecond,
			"swap %d reached Current", gen)
	}
	for range burst {
		gen++
		vol.write(kubePayload(gen))
	}
	last := kubePayload(gen)
	require.Eventually(t, func() bool {
		c := h.Current()
		return c.Token.Value() == last["token"] && c.Cert.Value() == last["tls.crt"] && c.Password.Value() == "pw-"+strconv.Itoa(gen)
	}, bound, time.Millisecond, "the last swap of the burst reaches every field")
	done.Store(true)
	wg.Wait()
	st := kubeStats{reads: reads.Load(), bad: bad.Load(), mixed: mixed.Load(), failedRefreshes: hookErrs.Load(), swaps: int64(gen - 1), firstBad: firstBad.Load()}
	t.Logf("%d reads during %d swaps, %d failed refreshes, %d reads of a snapshot mixing files of two swaps", st.reads, st.swaps, st.failedRefreshes, st.mixed)
	return st
}

// TestKubeletSwapDuringReads is the row "Kubelet-style swap during reads":
// while the kubelet swaps a Secret volume again and again, readers of a
// Handle that watches it never see a torn value, nor the two keys of one
// JSON file from different swaps, no refresh fails, and the last swap
// reaches Current.
func TestKubeletSwapDuringReads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		awaited, burst int
	}{
		{name: "20 awaited swaps then a burst of 20", awaited: 20, burst: 20},
		{name: "a burst of 40", burst: 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := runKubelet(t, tc.awaited, tc.burst)
			assert.Zero(t, st.bad, "torn reads (first: %v)", st.firstBad)
			assert.Zero(t, st.failedRefreshes, "no refresh failed because of a swap")
		})
	}
}

// TestKubeletSwapKeepsFilesOfOneVolumeTogether is the row "Kubelet swap:
// files of one volume stay together". The kubelet swaps all files of a
// volume at once (tls.crt with tls.key); a refresh must publish them
// together: providers/files reads a volume's files in one batch checked
// against the ..data link, and a watch report re-reads every file.
func TestKubeletSwapKeepsFilesOfOneVolumeTogether(t *testing.T) {
	t.Parallel()
	st := runKubelet(t, 20, 20)
	assert.Zero(t, st.mixed, "snapshots mixing files of two swaps")
}
