package mask_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/driftless/driftless/cmd/driftless/internal/mask"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maskAll writes chunks to a Writer of values, closes it and returns what
// came out.
func maskAll(t testing.TB, values []string, chunks ...string) string {
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

// reference masks text the slow, obvious way: at each position, the
// longest pattern that starts there is replaced, and the scan goes on
// after it.
func reference(patterns []string, text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		n := 0
		for _, p := range patterns {
			if len(p) > n && strings.HasPrefix(text[i:], p) {
				n = len(p)
			}
		}
		if n == 0 {
			b.WriteByte(text[i])
			i++
			continue
		}
		b.WriteString(mask.Replacement)
		i += n
	}
	return b.String()
}

// splits returns the ways of cutting s tested everywhere: whole, in two
// at every byte, and one byte per write.
func splits(s string) [][]string {
	out := [][]string{{s}, strings.Split(s, "")}
	for i := 0; i <= len(s); i++ {
		out = append(out, []string{s[:i], s[i:]})
	}
	return out
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
		{"leftmost wins", []string{"bcdefg", "abcd"}, "abcdefg", "[MASKED]efg"},
		{"a longer value from an earlier start", []string{"cdef", "abcdefgh"}, "abcdefgh abcdefgX", "[MASKED] ab[MASKED]gX"},
		{"prefix of a value at the end is released on close", []string{"s3cr3t"}, "ends with s3c", "ends with s3c"},
		{"short values are not masked", []string{"on", "1", "abc"}, "on 1 abc", "on 1 abc"},
		{"white space is not masked", []string{"    ", "\n\n\t\n"}, "a    b\n\n\t\n", "a    b\n\n\t\n"},
		{"each line of a multi-line value", []string{"line-one\nline-two"}, "x line-two y", "x [MASKED] y"},
		{"overlapping values", []string{"aaab", "abab"}, "aaabab", "[MASKED]ab"},
		{"binary", []string{"\x00\x01\x02\x03"}, "a\x00\x01\x02\x03b", "a[MASKED]b"},
		{"JSON member", []string{`{"user":"app","password":"hunter2!"}`}, "password=hunter2! user=app", "password=[MASKED] user=app"},
		{"nested JSON members", []string{`{"a":{"b":["x1y2z3"]},"n":12345}`}, "x1y2z3 12345", "[MASKED] 12345"},
		{"base64", []string{"s3cr3t-value"}, "Authorization: czNjcjN0LXZhbHVl", "Authorization: [MASKED]"},
		{"hex", []string{"s3cr3t"}, "733363723374 733363723374", "[MASKED] [MASKED]"},
		{"URL-encoded", []string{"p@ss w/rd"}, "?pw=p%40ss+w%2Frd /p@ss%20w%2Frd", "?pw=[MASKED] /[MASKED]"},
		{"JSON-escaped", []string{"a\"b\\c\nd"}, `{"v":"a\"b\\c\nd"}`, `{"v":"[MASKED]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, chunks := range splits(tt.in) {
				assert.Equal(t, tt.want, maskAll(t, tt.values, chunks...), "chunks %q", chunks)
			}
			assert.Equal(t, tt.want, reference(mask.Patterns(tt.values), tt.in), "the reference agrees")
		})
	}
}

// canaries are values with the characters that encoders treat specially:
// quotes, backslashes, newlines, %, +, /, <>&, unicode (outside the BMP
// too) and JSON metacharacters.
var canaries = []string{
	`canary-"quoted"-\back\slash-Zq7`,
	"canary-multi\nline\r\nvalue\t-Zq7",
	"canary-100%+/=?&#-Zq7",
	"canary-ünïcødé-😀-\u2028-Zq7",
	`canary-{"json":[1,true,null]}<&>-Zq7`,
	"canary-\x01ctl\x7f-Zq7",
}

// jsonSecret is a whole-JSON secret: its string members are masked.
const jsonSecret = `{"user":"canary-user-Zq7","password":"canary-p\"w\\d-Zq7","nested":{"token":"canary-tøken-Zq7","list":["canary-item-Zq7",42]},"port":5432}`

var jsonMembers = []string{"canary-user-Zq7", `canary-p"w\d-Zq7`, "canary-tøken-Zq7", "canary-item-Zq7"}

// encodings computes, with the standard library and independently of the
// package, the forms a program commonly prints v in.
func encodings(t *testing.T, v string) map[string]string {
	t.Helper()
	quoted := func(html bool) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		require.NoError(t, enc.Encode(v))
		s := strings.TrimSuffix(b.String(), "\n")
		return s[1 : len(s)-1]
	}
	return map[string]string{
		"raw":          v,
		"json":         quoted(false),
		"json-html":    quoted(true),
		"base64":       base64.StdEncoding.EncodeToString([]byte(v)),
		"base64-raw":   base64.RawStdEncoding.EncodeToString([]byte(v)),
		"base64url":    base64.URLEncoding.EncodeToString([]byte(v)),
		"base64url-rw": base64.RawURLEncoding.EncodeToString([]byte(v)),
		"hex":          hex.EncodeToString([]byte(v)),
		"HEX":          strings.ToUpper(hex.EncodeToString([]byte(v))),
		"query":        url.QueryEscape(v),
		"path":         url.PathEscape(v),
	}
}

func TestPatterns(t *testing.T) {
	t.Parallel()
	ps := mask.Patterns(append([]string{jsonSecret}, canaries...))
	for _, v := range append(append([]string{jsonSecret}, canaries...), jsonMembers...) {
		for name, form := range encodings(t, v) {
			assert.Contains(t, ps, form, "%s form of %q", name, v)
		}
	}
	for _, line := range []string{"canary-multi", "line", "value\t-Zq7"} {
		assert.Contains(t, ps, line)
	}
	assert.NotContains(t, ps, "5432", "numbers are not string members")

	forms := mask.Forms("é😀</>")
	for _, want := range []string{
		`\u00e9\ud83d\ude00</>`,       // Python's json.dumps
		`é😀\u003c/\u003e`,             // Go's encoding/json
		`\u00e9\ud83d\ude00<\/>`,      // PHP's json_encode
		"%C3%A9%F0%9F%98%80%3C%2F%3E", // every reserved byte escaped
		"c3a9f09f98803c2f3e",          // hex
	} {
		assert.Contains(t, forms, want)
	}
	ps = mask.Patterns([]string{"abc", "    ", "", `{"a":"b"}`})
	assert.Equal(t, mask.Forms(`{"a":"b"}`), ps, "short and blank values, and short members, are left out")
}

// TestWriterMasksEveryFormSplitAnywhere writes every encoded form of each
// canary, and of each member of a JSON secret, between other text, cut at
// every byte boundary: each is masked, whatever the cut. Then all of them
// at once, with every value masked, in one-byte and in random writes.
func TestWriterMasksEveryFormSplitAnywhere(t *testing.T) {
	t.Parallel()
	type form struct{ value, name, text string }
	var forms []form
	for _, v := range canaries {
		for name, f := range encodings(t, v) {
			forms = append(forms, form{v, name, f})
		}
	}
	for _, m := range jsonMembers {
		for name, f := range encodings(t, m) {
			forms = append(forms, form{jsonSecret, "member " + name, f})
		}
	}
	for name, f := range encodings(t, jsonSecret) {
		forms = append(forms, form{jsonSecret, "whole " + name, f})
	}
	var all, want strings.Builder
	for _, f := range forms {
		in := "before: " + f.text + " :after\n"
		all.WriteString(in)
		want.WriteString("before: [MASKED] :after\n")
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			for _, chunks := range splits(in) {
				got := maskAll(t, []string{f.value}, chunks...)
				assert.Equal(t, "before: [MASKED] :after\n", got, "%s form cut in %d chunk(s)", f.name, len(chunks))
			}
		})
	}
	values := append([]string{jsonSecret}, canaries...)
	assert.Equal(t, want.String(), maskAll(t, values, strings.Split(all.String(), "")...))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		var chunks []string
		for rest := all.String(); rest != ""; {
			n := min(1+rng.IntN(64), len(rest))
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
		assert.Equal(t, want.String(), maskAll(t, values, chunks...))
	}
}

// TestWriterMatchesReference compares the Writer, fed in random chunks,
// with the slow reference on random text over a small alphabet (so that
// values overlap, nest and repeat).
func TestWriterMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for i := range 500 {
		var values []string
		for range 1 + rng.IntN(6) {
			values = append(values, word("ab", 4+rng.IntN(8)))
		}
		ps := mask.Patterns(values)
		text := word("abc", rng.IntN(200))
		// Some encoded forms too.
		if len(ps) > 0 {
			text += ps[rng.IntN(len(ps))] + word("ab", rng.IntN(5))
		}
		want := reference(ps, text)
		var chunks []string
		for rest := text; rest != ""; {
			n := min(1+rng.IntN(16), len(rest))
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
		require.Equal(t, want, maskAll(t, values, chunks...), "case %d", i)
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
	_, err = w.Write([]byte("password123"))
	require.NoError(t, err)
	assert.Equal(t, "log line\npassport\n[MASKED]", out.String(), "a match no longer value can extend goes out at once")
}

func TestWriterHoldsBoundedTail(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100) + "!"
	var out bytes.Buffer
	w := mask.NewWriter(&out, []string{long})
	_, err := w.Write([]byte(strings.Repeat("x", 1000)))
	require.NoError(t, err)
	assert.Equal(t, 900, out.Len(), "only the last 100 bytes (the longest value less one) are held")
	_, err = w.Write([]byte("!"))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("x", 900)+"[MASKED]", out.String())
}

// TestWriterFlushesWhenQuiet: held bytes go out after the flush delay
// without input; a value whose first bytes went out that way still has the
// rest masked.
func TestWriterFlushesWhenQuiet(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var out syncBuffer
		w := mask.NewWriterDelay(&out, []string{"abcd1234", "abcd1234-longer"}, 100*time.Millisecond)

		_, err := w.Write([]byte("prompt: abcd"))
		require.NoError(t, err)
		assert.Equal(t, "prompt: ", out.String())
		time.Sleep(99 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, "prompt: ", out.String(), "held while the delay runs")
		time.Sleep(2 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, "prompt: abcd", out.String(), "written out once quiet")

		_, err = w.Write([]byte("1234 "))
		require.NoError(t, err)
		assert.Equal(t, "prompt: abcd[MASKED] ", out.String(), "the rest of the value is masked")

		// A complete match that a longer value could extend.
		_, err = w.Write([]byte("abcd1234"))
		require.NoError(t, err)
		assert.Equal(t, "prompt: abcd[MASKED] ", out.String())
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, "prompt: abcd[MASKED] [MASKED]", out.String())
		_, err = w.Write([]byte("-longer!"))
		require.NoError(t, err)
		assert.Equal(t, "prompt: abcd[MASKED] [MASKED][MASKED]!", out.String())

		// Writes keep the held bytes back: the delay counts from the last one.
		_, err = w.Write([]byte(" ab"))
		require.NoError(t, err)
		time.Sleep(60 * time.Millisecond)
		_, err = w.Write([]byte("cd12"))
		require.NoError(t, err)
		time.Sleep(60 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, "prompt: abcd[MASKED] [MASKED][MASKED]! ", out.String())
		_, err = w.Write([]byte("34\n"))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, "prompt: abcd[MASKED] [MASKED][MASKED]! [MASKED]\n", out.String())
	})
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
		wg.Go(func() {
			for range 100 {
				_, _ = w.Write([]byte("s3cr3t-value\n"))
			}
		})
	}
	wg.Wait()
	require.NoError(t, w.Close())
	assert.NotContains(t, out.String(), "s3cr3t")
	assert.Equal(t, 800, strings.Count(out.String(), "[MASKED]\n"))
}

// FuzzWriter checks that however the stream is cut into writes, the output
// is the reference masking of the whole stream.
func FuzzWriter(f *testing.F) {
	f.Add("prefix s3cr3t suffix", "s3cr3t", uint8(3))
	f.Add("aaaab", "aaab", uint8(1))
	f.Add("xyzxyzxy", "zxyz", uint8(2))
	f.Add(`{"k":"v\"al"} dl8iYWw=`, `{"k":"v\"al"}`, uint8(5))
	f.Fuzz(func(t *testing.T, in, value string, step uint8) {
		n := int(step%16) + 1
		var chunks []string
		for i := 0; i < len(in); i += n {
			chunks = append(chunks, in[i:min(i+n, len(in))])
		}
		got := maskAll(t, []string{value}, chunks...)
		// Not require.Equal: the output may hold the value.
		require.Truef(t, got == reference(mask.Patterns([]string{value}), in), "output differs from the reference (chunk size %d)", n)
	})
}

// syncBuffer is a bytes.Buffer safe for a timed flush and a test reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
