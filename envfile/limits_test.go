package envfile_test

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftless/driftless/envfile"
)

// bomb returns V0=x and n lines Vi=${Vi-1}${Vi-1}: Vn expands to 2^n bytes.
func bomb(n int, quoted bool) string {
	var b strings.Builder
	b.WriteString("V0=x\n")
	for i := 1; i <= n; i++ {
		prev := "${V" + strconv.Itoa(i-1) + "}"
		v := prev + prev
		if quoted {
			v = `"` + v + `"`
		}
		b.WriteString("V" + strconv.Itoa(i) + "=" + v + "\n")
	}
	return b.String()
}

func TestParseExpansionBomb(t *testing.T) {
	t.Parallel()
	for _, quoted := range []bool{false, true} {
		// 549 bytes that would expand to 16 GiB in V34 alone.
		src := bomb(34, quoted)
		f, err := envfile.Parse(strings.NewReader(src), "bomb.env")
		require.Error(t, err)
		assert.ErrorIs(t, err, envfile.ErrLimit)
		assert.ErrorIs(t, err, envfile.ErrSyntax)
		assert.NotContains(t, err.Error(), "xx", "an error never holds value text")
		var pe *envfile.ParseError
		require.ErrorAs(t, err, &pe)
		// 2^16 = 64 KiB is the largest value under the default limit:
		// V17 = ${V16}${V16} crosses it at its second reference.
		col := 11
		if quoted {
			col++
		}
		assert.Equal(t, "bomb.env:18:"+strconv.Itoa(col)+": value exceeds the size limit after expansion", pe.Error())
		v16, ok := f.Lookup("V16")
		require.True(t, ok)
		assert.Len(t, v16.Value, 1<<16)
		total := 0
		for _, e := range f.All() {
			total += len(e.Value)
		}
		assert.LessOrEqual(t, total, 4<<20+len(src), "the per-file limit bounds what expansion produces")
	}
}

func TestParseExpansionLimits(t *testing.T) {
	t.Parallel()
	lookup := envfile.WithLookup(mapLookup(map[string]string{"BIG": strings.Repeat("b", 100)}))
	for _, tc := range []struct {
		name string
		src  string
		opts []envfile.Option
		want []string // errors, "line:col: reason"
		keys int      // entries parsed
	}{
		{"value limit", "A=0123456789\nB=$A$A\nC=${A}\nD=x\n",
			[]envfile.Option{envfile.WithMaxValueSize(15)},
			[]string{"2:5: value exceeds the size limit after expansion"}, 3},
		{"value limit counts the literal text after the last reference", "A=0123456789\nB=\"${A}xxxxxxxxx\"\nC=${A}xxxxx\n",
			[]envfile.Option{envfile.WithMaxValueSize(15)},
			[]string{"2:4: value exceeds the size limit after expansion"}, 2},
		{"literal values are not limited", "A='" + strings.Repeat("a", 100) + "'\nB=\"" + strings.Repeat("b\\n", 50) + "\"\n",
			[]envfile.Option{envfile.WithMaxValueSize(10), envfile.WithMaxExpansionSize(10)}, nil, 2},
		{"lookup values count", "A=$BIG\n",
			[]envfile.Option{lookup, envfile.WithMaxValueSize(99)},
			[]string{"1:3: value exceeds the size limit after expansion"}, 0},
		{"file limit stops parsing", "A=0123456789\nB=$A\nC=$A\nD=${A}\nE=1\n",
			[]envfile.Option{envfile.WithMaxExpansionSize(25)},
			[]string{"4:3: expansions of the file exceed the size limit; parsing stopped"}, 3},
		{"file limit in a multi-line value", "A=0123456789\nB=\"x\n${A}${A}\"\n",
			[]envfile.Option{envfile.WithMaxExpansionSize(15)},
			[]string{"3:5: expansions of the file exceed the size limit; parsing stopped"}, 1},
		{"no limits", bomb(20, false), []envfile.Option{envfile.WithMaxValueSize(-1), envfile.WithMaxExpansionSize(-1)}, nil, 21},
		{"defaults allow 64 KiB values", bomb(16, false), nil, nil, 17},
		{"default file limit", bomb(16, false) + strings.Repeat("W=${V16}\n", 64), nil,
			// V1..V16 insert 2^17-2 bytes, each W 64 KiB: the 63rd W crosses 4 MiB.
			[]string{"80:3: expansions of the file exceed the size limit; parsing stopped"}, 79},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := envfile.Parse(strings.NewReader(tc.src), "l.env", tc.opts...)
			assert.Equal(t, tc.keys, f.Len())
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, envfile.ErrLimit)
			var got []string
			for _, e := range flatten(err) {
				got = append(got, strings.TrimPrefix(e.Error(), "l.env:"))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestParseMemoryBound checks that parsing takes a small multiple of the
// input's size, even for the input with the most entries per byte. It
// does not run in parallel, so that the allocation counter sees only it.
func TestParseMemoryBound(t *testing.T) {
	src := strings.Repeat("K=v\n", 1<<18) // 1 MiB
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, err := envfile.Parse(strings.NewReader(src), "m.env")
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.Equal(t, 1<<18, f.Len())
	perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(src))
	assert.LessOrEqual(t, perByte, 8.0, "bytes allocated per input byte")
}

func TestParseErrorList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		src  string
		want int
	}{
		{"A\n", 1},
		{"A\nB=1\n9=x\nC='x'y\n", 3},
	} {
		_, err := envfile.Parse(strings.NewReader(tc.src), "l.env")
		var list envfile.ErrorList
		require.ErrorAs(t, err, &list, "even a single error comes as an ErrorList")
		assert.Len(t, list, tc.want)
		multi, ok := err.(interface{ Unwrap() []error })
		require.True(t, ok)
		errs := multi.Unwrap()
		require.Len(t, errs, tc.want)
		lines := strings.Split(err.Error(), "\n")
		require.Len(t, lines, tc.want)
		for i, e := range errs {
			var pe *envfile.ParseError
			require.True(t, errors.As(e, &pe))
			assert.Same(t, list[i], pe)
			assert.Equal(t, "l.env", pe.File)
			assert.Equal(t, lines[i], pe.Error())
			assert.ErrorIs(t, e, envfile.ErrSyntax)
			assert.NotErrorIs(t, e, envfile.ErrLimit)
		}
		assert.ErrorIs(t, err, envfile.ErrSyntax)
	}
}

func TestParseUnquotedPEM(t *testing.T) {
	t.Parallel()
	const body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n" +
		"MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n" +
		"NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ==\n" +
		"AAAAAAAAAAAAAAAA=\n"
	for _, tc := range []struct {
		name, src string
		want      map[string]string
		errs      []string
	}{
		{"with end", "A=1\nKEY=-----BEGIN PRIVATE KEY-----\n" + body + "  -----END PRIVATE KEY-----\nB=2\n",
			map[string]string{"A": "1", "B": "2"}, []string{"2:5: " + pemReason}},
		{"without end", "KEY= -----BEGIN RSA PRIVATE KEY----- # c\n" + body + "B=2\n",
			map[string]string{}, []string{"1:6: " + pemReason}},
		{"one line with escapes is a value", "KEY=-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\nB=2\n",
			map[string]string{"KEY": `-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----`, "B": "2"}, nil},
		{"quoted is a value", "KEY=\"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\"\nB=2\n",
			map[string]string{"KEY": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "B": "2"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := envfile.Parse(strings.NewReader(tc.src), "k.env")
			assert.Equal(t, tc.want, f.Map())
			if tc.errs == nil {
				assert.NoError(t, err)
				return
			}
			var got []string
			for _, e := range flatten(err) {
				got = append(got, strings.TrimPrefix(e.Error(), "k.env:"))
			}
			assert.Equal(t, tc.errs, got)
			assert.NotContains(t, err.Error(), "MII")
			assert.NotContains(t, err.Error(), "AAAA")
		})
	}
}

const pemReason = "unquoted multi-line PEM value; enclose it in double quotes (its lines were skipped)"
