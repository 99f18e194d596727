package mask_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/driftless/driftless/cmd/driftless/internal/mask"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func maskAll(t *testing.T, values []string, chunks ...string) string {
	t.Helper()
	var out bytes.Buffer
	w := mask.NewWriter(&out, values)
	for _, c := range chunks {
		n, err := w.Write([]byte(c))
		require.NoError(t, err)
		require.Equal(t, len(c), n)
	}
	require.NoError(t, w.Close())
	return out.String()
}

func TestWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		in     string
		want   string
	}{
		{"no values", nil, "hello", "hello"},
		{"one value", []string{"s3cr3t"}, "key=s3cr3t\n", "key=[MASKED]\n"},
		{"repeated", []string{"s3cr3t"}, "s3cr3ts3cr3t s3cr3t", "[MASKED][MASKED] [MASKED]"},
		{"longest wins", []string{"abcd", "abcdefgh"}, "abcdefgh abcd", "[MASKED] [MASKED]"},
		{"prefix of a value at the end is released on close", []string{"s3cr3t"}, "ends with s3c", "ends with s3c"},
		{"short values are not masked", []string{"on", "1"}, "on 1 on", "on 1 on"},
		{"each line of a multi-line value", []string{"line-one\nline-two"}, "x line-two y", "x [MASKED] y"},
		{"overlapping values", []string{"aaab", "abab"}, "aaabab", "[MASKED]ab"},
		{"binary", []string{"\x00\x01\x02\x03"}, "a\x00\x01\x02\x03b", "a[MASKED]b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, maskAll(t, tt.values, tt.in))
			// Every way of splitting the input in two writes gives the same output.
			for i := 0; i <= len(tt.in); i++ {
				assert.Equal(t, tt.want, maskAll(t, tt.values, tt.in[:i], tt.in[i:]), "split at %d", i)
			}
			// One byte per write.
			assert.Equal(t, tt.want, maskAll(t, tt.values, strings.Split(tt.in, "")...))
		})
	}
}

func TestWriterPassesPlainBytesAtOnce(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := mask.NewWriter(&out, []string{"password123"})
	_, err := w.Write([]byte("log line\n"))
	require.NoError(t, err)
	assert.Equal(t, "log line\n", out.String(), "nothing that cannot start a value is held back")
	_, err = w.Write([]byte("pass"))
	require.NoError(t, err)
	assert.Equal(t, "log line\n", out.String(), "a possible start of a value is held back")
	_, err = w.Write([]byte("port\n"))
	require.NoError(t, err)
	assert.Equal(t, "log line\npassport\n", out.String())
}

func TestSetValuesKeepsMasking(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := mask.NewWriter(&out, []string{"old-value"})
	_, _ = w.Write([]byte("old-val"))
	w.SetValues([]string{"old-value", "new-value"})
	_, _ = w.Write([]byte("ue new-value"))
	require.NoError(t, w.Close())
	assert.Equal(t, "[MASKED] [MASKED]", out.String())
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := mask.NewWriter(&out, []string{"s3cr3t-value"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				_, _ = w.Write([]byte("s3cr3t-value\n"))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, w.Close())
	assert.NotContains(t, out.String(), "s3cr3t")
	assert.Equal(t, 800, strings.Count(out.String(), "[MASKED]\n"))
}

// FuzzWriter checks that however the stream is cut into writes, the output
// is that of replacing every occurrence of the value in the whole stream.
func FuzzWriter(f *testing.F) {
	f.Add("prefix s3cr3t suffix", "s3cr3t", uint8(3))
	f.Add("aaaab", "aaab", uint8(1))
	f.Add("xyzxyzxy", "zxyz", uint8(2))
	f.Fuzz(func(t *testing.T, in, value string, step uint8) {
		if len(value) < mask.MinLen || strings.ContainsAny(value, "\r\n") {
			t.Skip()
		}
		whole := maskAll(t, []string{value}, in)
		n := int(step%16) + 1
		var chunks []string
		for i := 0; i < len(in); i += n {
			chunks = append(chunks, in[i:min(i+n, len(in))])
		}
		got := maskAll(t, []string{value}, chunks...)
		if got != whole {
			t.Fatalf("chunked output differs from whole-stream output (chunk size %d)", n)
		}
		// With one value, masking is exactly a leftmost, non-overlapping replacement.
		if got != strings.ReplaceAll(in, value, mask.Replacement) {
			t.Fatal("output differs from replacing every occurrence of the value")
		}
	})
}
