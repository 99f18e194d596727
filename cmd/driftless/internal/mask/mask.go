package mask

import (
	"bytes"
	"io"
	"slices"
	"sync"
)

// Replacement is written in place of each masked value.
const Replacement = "[MASKED]"

// MinLen is the length below which a value is not masked: masking "1" or
// "on" in every line would make the output unreadable and hide nothing.
const MinLen = 4

// Writer masks values in what is written to it and passes the result to
// an underlying writer.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	values [][]byte // longest first
	first  [256]bool
	maxLen int
	buf    []byte // held-back tail that may start a value
	out    []byte
}

// NewWriter returns a Writer that writes to w with values masked.
func NewWriter(w io.Writer, values []string) *Writer {
	m := &Writer{w: w}
	m.SetValues(values)
	return m
}

// Values returns the values of vals that are masked: each of at least
// MinLen bytes, and each line of at least MinLen bytes of a multi-line
// value (a tool that prints a PEM key line by line still has each line
// masked).
func Values(vals []string) []string {
	var out []string
	for _, v := range vals {
		if len(v) >= MinLen {
			out = append(out, v)
		}
		if bytes.ContainsAny([]byte(v), "\r\n") {
			for _, line := range bytes.FieldsFunc([]byte(v), func(r rune) bool { return r == '\n' || r == '\r' }) {
				if len(line) >= MinLen {
					out = append(out, string(line))
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SetValues replaces the set of masked values (see Values for which are
// kept). Bytes already held back are kept.
func (m *Writer) SetValues(values []string) {
	vals := Values(values)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values = m.values[:0]
	m.first = [256]bool{}
	m.maxLen = 0
	for _, v := range vals {
		m.values = append(m.values, []byte(v))
		m.first[v[0]] = true
		m.maxLen = max(m.maxLen, len(v))
	}
	slices.SortFunc(m.values, func(a, b []byte) int { return len(b) - len(a) })
}

// Write masks p and writes what can be written; it returns len(p) unless
// the underlying writer fails.
func (m *Writer) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.buf = append(m.buf, p...)
	i := m.scan(false)
	if err := m.flushOut(); err != nil {
		return 0, err
	}
	m.buf = m.buf[:copy(m.buf, m.buf[i:])]
	return len(p), nil
}

// Close writes out the held-back tail (which, the stream having ended, is
// not a value). It does not close the underlying writer.
func (m *Writer) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scan(true)
	m.buf = m.buf[:0]
	return m.flushOut()
}

func (m *Writer) flushOut() error {
	if len(m.out) == 0 {
		return nil
	}
	_, err := m.w.Write(m.out)
	m.out = m.out[:0]
	return err
}

// scan moves what is decided of m.buf to m.out and returns the index of
// the first byte held back.
func (m *Writer) scan(final bool) int {
	b := m.buf
	i, plain := 0, 0
	for i < len(b) {
		if !m.first[b[i]] {
			i++
			continue
		}
		rest := b[i:]
		if !final && m.partial(rest) {
			break
		}
		if n := m.match(rest); n > 0 {
			m.out = append(m.out, b[plain:i]...)
			m.out = append(m.out, Replacement...)
			i += n
			plain = i
			continue
		}
		i++
	}
	m.out = append(m.out, b[plain:i]...)
	return i
}

// partial reports whether rest is a proper prefix of some value, so that
// more input could make it a longer match.
func (m *Writer) partial(rest []byte) bool {
	if len(rest) >= m.maxLen {
		return false
	}
	for _, v := range m.values {
		if len(v) > len(rest) && bytes.HasPrefix(v, rest) {
			return true
		}
	}
	return false
}

// match returns the length of the longest value rest starts with, or 0.
func (m *Writer) match(rest []byte) int {
	for _, v := range m.values {
		if bytes.HasPrefix(rest, v) {
			return len(v)
		}
	}
	return 0
}
