package mask

import (
	"io"
	"sync"
	"time"
)

// Replacement is written in place of each masked value.
const Replacement = "[MASKED]"

// DefaultFlushDelay is how long a Writer holds back the start of a
// possible value once its input has gone quiet. Writes that split a value
// follow each other within microseconds (a buffered writer flushing its
// buffer, a pipe's atomic write size); a prompt that happens to end with
// the first bytes of a secret appears after this delay.
const DefaultFlushDelay = 200 * time.Millisecond

// Writer masks values in what is written to it and passes the result to
// an underlying writer.
type Writer struct {
	delay time.Duration

	mu  sync.Mutex // guards everything below, and serializes writes to w
	w   io.Writer
	m   *matcher
	err error // a failed write to w in a timed flush, returned by the next Write or Close

	// buf holds the bytes not yet decided, from the first one on: the
	// scan's state is that of buf alone (the longest suffix of buf that
	// can still grow into a pattern), and lens[i] is the length of the
	// longest pattern seen so far that starts at buf[i] (0 if none).
	// buf[:emitted] was already written out by a timed flush: a match
	// that covers it masks only what follows.
	buf      []byte
	lens     []int32
	emitted  int
	state    int32
	out      []byte
	timer    *time.Timer
	lastFeed time.Time
	closed   bool
}

// NewWriter returns a Writer that writes to w with the patterns of values
// masked (see Patterns), holding back the start of a possible value for
// at most DefaultFlushDelay of quiet.
func NewWriter(w io.Writer, values []string) *Writer {
	return NewWriterDelay(w, values, DefaultFlushDelay)
}

// NewWriterDelay is NewWriter with the flush delay d (d <= 0 means
// DefaultFlushDelay).
func NewWriterDelay(w io.Writer, values []string, d time.Duration) *Writer {
	if d <= 0 {
		d = DefaultFlushDelay
	}
	mw := &Writer{w: w, delay: d}
	mw.m = newMatcher(Patterns(values))
	return mw
}

// SetValues replaces the set of masked values. Bytes held back are kept,
// and scanned again for the new patterns.
func (m *Writer) SetValues(values []string) {
	mt := newMatcher(Patterns(values))
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m = mt
	held := m.buf
	m.buf, m.lens, m.state = nil, nil, 0
	m.feed(held) // buf[:emitted] stays written out
	m.decide(m.closed)
	if err := m.flushOut(); err != nil && m.err == nil {
		m.err = err
	}
}

// Write masks p and writes what can be decided; it returns len(p) unless
// the underlying writer fails. The tail that could be the start of a
// value (never more than the longest pattern less one byte) is held back
// until the next Write, Close, or the flush delay without a Write.
func (m *Writer) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.takeErr(); err != nil {
		return 0, err
	}
	m.feed(p)
	m.decide(m.closed)
	if err := m.flushOut(); err != nil {
		return 0, err
	}
	m.armTimer()
	return len(p), nil
}

// Close writes out the held-back tail (which, the stream having ended, is
// not a value unless it was matched). It does not close the underlying
// writer. Writes after Close are masked and written at once.
func (m *Writer) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.timer != nil {
		m.timer.Stop()
	}
	m.decide(true)
	err := m.flushOut()
	if e := m.takeErr(); e != nil {
		err = e
	}
	return err
}

func (m *Writer) takeErr() error {
	err := m.err
	m.err = nil
	return err
}

func (m *Writer) flushOut() error {
	if len(m.out) == 0 {
		return nil
	}
	_, err := m.w.Write(m.out)
	m.out = m.out[:0]
	return err
}

// armTimer makes sure that held bytes not yet written go out after
// m.delay without input.
func (m *Writer) armTimer() {
	m.lastFeed = time.Now()
	if m.emitted >= len(m.buf) {
		return
	}
	if m.timer == nil {
		m.timer = time.AfterFunc(m.delay, m.timedFlush)
		return
	}
	m.timer.Reset(m.delay)
}

// timedFlush writes out the held bytes once input has been quiet for
// m.delay: the matches found so far masked (leftmost first, then
// longest), the rest as it is. The scan keeps
// its state, so that a value whose first bytes went out this way still
// has the rest masked when it arrives.
func (m *Writer) timedFlush() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.emitted >= len(m.buf) {
		return
	}
	if wait := m.delay - time.Since(m.lastFeed); wait > 0 {
		m.timer.Reset(wait)
		return
	}
	m.emitUpTo(len(m.buf))
	if err := m.flushOut(); err != nil && m.err == nil {
		m.err = err
	}
}

// emitPlain writes buf[emitted:end] as it is.
func (m *Writer) emitPlain(end int) {
	if end > m.emitted {
		m.out = append(m.out, m.buf[m.emitted:end]...)
		m.emitted = end
	}
}

// emitMask writes the Replacement for a match ending at end, unless all of
// it went out already.
func (m *Writer) emitMask(end int) {
	if end > m.emitted {
		m.out = append(m.out, Replacement...)
		m.emitted = end
	}
}

// feed scans p, appended to buf, recording every pattern that ends in
// it: for each byte, every pattern that is a suffix of the state's string
// (the dictionary chain), each of which starts within buf since the state
// is that of buf alone.
func (m *Writer) feed(p []byte) {
	mt := m.m
	for _, c := range p {
		m.buf = append(m.buf, c)
		m.lens = append(m.lens, 0)
		m.state = mt.step(m.state, c)
		t := m.state
		if !mt.term[t] {
			t = mt.dict[t]
		}
		for ; t != 0; t = mt.dict[t] {
			n := mt.depth[t]
			// Later ends make longer matches from the same start.
			m.lens[len(m.buf)-int(n)] = n
		}
	}
}

// decide writes out the bytes of buf that are decided, and drops them.
// Matches are chosen leftmost first, then longest, without overlap (at
// each position, the longest pattern that starts there is replaced and
// the scan goes on after it). The first byte of buf is decided once no
// pattern starting there can still be growing: when the state's string
// that some pattern extends (the earliest start still growing) starts
// after it. With final set, the
// input has ended and every byte is decided.
//
// Each byte is scanned once: the state is never rebuilt, only cut back
// along its failure chain to the bytes still held, so the cost is linear
// in the input plus the number of matches found.
func (m *Writer) decide(final bool) {
	for {
		decided := len(m.buf) - int(m.m.grow[m.state])
		if final {
			decided = len(m.buf)
		}
		if decided <= 0 {
			return
		}
		m.drop(m.emitUpTo(decided))
		m.state = m.m.prune(m.state, len(m.buf))
		if final && len(m.buf) == 0 {
			return
		}
	}
}

// emitUpTo writes buf from where output stopped up to limit, with each
// match that starts before limit masked, and returns where it stopped:
// past limit when a match runs over it.
func (m *Writer) emitUpTo(limit int) int {
	i := 0
	for i < limit {
		if n := int(m.lens[i]); n > 0 {
			m.emitPlain(i)
			m.emitMask(i + n)
			i += n
			continue
		}
		i++
	}
	m.emitPlain(i)
	return i
}

// drop removes the first n bytes of buf (all decided and written).
func (m *Writer) drop(n int) {
	if n == 0 {
		return
	}
	m.buf = m.buf[:copy(m.buf, m.buf[n:])]
	m.lens = m.lens[:copy(m.lens, m.lens[n:])]
	m.emitted = max(m.emitted-n, 0)
}
