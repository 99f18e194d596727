package mask

import "slices"

// matcher is an Aho-Corasick automaton over a set of patterns. It is
// immutable once built, and so safe for concurrent use.
//
// State 0 is the root. Each state is a node of the trie of the patterns
// (its string is the path from the root); fail is the state of the
// longest proper suffix of that string that is also a trie node, so the
// failure chain of a state lists every suffix of its string that can
// still grow into a pattern, longest first. A Writer's scan is in one
// state after each byte: that of the longest suffix of the text read that
// is a prefix of some pattern.
type matcher struct {
	root  [256]int32 // transitions of the root (-1: stay at the root)
	edges [][]edge   // transitions of the other states, sorted by byte
	fail  []int32
	depth []int32 // length of the state's string
	term  []bool  // the state's string is a pattern
	dict  []int32 // the next state on the failure chain whose string is a pattern, 0 if none
	// grow is the length of the longest suffix of the state's string
	// (itself included) that some pattern extends: bytes before it cannot
	// start a match still to come.
	grow   []int32
	maxLen int
}

type edge struct {
	b    byte
	next int32
}

// newMatcher builds the automaton of patterns (none may be empty).
func newMatcher(patterns []string) *matcher {
	m := &matcher{edges: [][]edge{nil}, fail: []int32{0}, depth: []int32{0}, term: []bool{false}, dict: []int32{0}}
	for i := range m.root {
		m.root[i] = -1
	}
	for _, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			next := m.child(s, p[i])
			if next < 0 {
				next = int32(len(m.depth))
				m.edges = append(m.edges, nil)
				m.fail = append(m.fail, 0)
				m.depth = append(m.depth, m.depth[s]+1)
				m.term = append(m.term, false)
				m.dict = append(m.dict, 0)
				m.addEdge(s, p[i], next)
			}
			s = next
		}
		m.term[s] = true
		m.maxLen = max(m.maxLen, len(p))
	}
	// Breadth first, so that a state's failure state is done before it.
	m.grow = make([]int32, len(m.depth))
	queue := make([]int32, 0, len(m.depth))
	for _, next := range m.root {
		if next > 0 {
			queue = append(queue, next) // fail and dict of depth 1 are the root
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if len(m.edges[s]) > 0 {
			m.grow[s] = m.depth[s]
		} else {
			m.grow[s] = m.grow[m.fail[s]]
		}
		for _, e := range m.edges[s] {
			f := m.fail[s]
			for f != 0 && m.child(f, e.b) < 0 {
				f = m.fail[f]
			}
			if c := m.child(f, e.b); c >= 0 && c != e.next {
				m.fail[e.next] = c
			}
			if f := m.fail[e.next]; m.term[f] {
				m.dict[e.next] = f
			} else {
				m.dict[e.next] = m.dict[f]
			}
			queue = append(queue, e.next)
		}
	}
	return m
}

// child returns the trie child of s for b, or -1.
func (m *matcher) child(s int32, b byte) int32 {
	if s == 0 {
		return m.root[b]
	}
	es := m.edges[s]
	if len(es) <= 8 {
		for _, e := range es {
			if e.b == b {
				return e.next
			}
		}
		return -1
	}
	if i, ok := slices.BinarySearchFunc(es, b, func(e edge, b byte) int { return int(e.b) - int(b) }); ok {
		return es[i].next
	}
	return -1
}

func (m *matcher) addEdge(s int32, b byte, next int32) {
	if s == 0 {
		m.root[b] = next
		return
	}
	i, _ := slices.BinarySearchFunc(m.edges[s], b, func(e edge, b byte) int { return int(e.b) - int(b) })
	m.edges[s] = slices.Insert(m.edges[s], i, edge{b, next})
}

// step returns the state after reading b in state s.
func (m *matcher) step(s int32, b byte) int32 {
	for {
		if c := m.child(s, b); c >= 0 {
			return c
		}
		if s == 0 {
			return 0
		}
		s = m.fail[s]
	}
}

// prune returns the state of the longest suffix of the string of s that
// is at most n bytes long and a trie node: the state a scan of the last n
// bytes alone would be in.
func (m *matcher) prune(s int32, n int) int32 {
	for int(m.depth[s]) > n {
		s = m.fail[s]
	}
	return s
}
