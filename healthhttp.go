package driftless

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// HealthResponse is the JSON document a HealthHandler serves.
type HealthResponse struct {
	Health Health  `json:"health"`
	Status *Status `json:"status"`
}

// WriteTable writes the verdict, its reasons and the status as
// human-readable text, never a value.
func (r *HealthResponse) WriteTable(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "%s  live=%t\n", r.Health.Verdict, r.Health.Live); err != nil {
		return err
	}
	for _, reason := range r.Health.Reasons {
		fmt.Fprintf(w, "  - %s\n", cellEscaper.Replace(reason))
	}
	if r.Status == nil {
		return nil
	}
	fmt.Fprintln(w)
	return r.Status.WriteTable(w)
}

// HealthHandler returns an http.Handler that serves the Handle's Health
// and Status, metadata only: never a value (references, versions, ages,
// sources and value-free errors). It answers GET and HEAD:
//
//   - ?probe=readiness: 200 when the verdict is ok or degraded (the last
//     good config is served), 503 when it is failed. For a Kubernetes
//     readinessProbe.
//   - ?probe=liveness: 200 unless the background refresh is wedged
//     (Health.Live), else 503. For a livenessProbe.
//   - no probe: as readiness, for humans and for `driftless status URL`.
//
// The body is a HealthResponse in JSON, or text when the request's Accept
// header asks for text/plain. Responses are not cached.
//
// The status names the secrets a service reads and where each field comes
// from, which is useful to an attacker mapping the system: serve it on an
// internal port, or behind your own authentication, for example
//
//	mux.Handle("/healthz", requireAdmin(h.HealthHandler()))
//
// where requireAdmin is your middleware. A probe needs no body: Kubernetes
// only reads the status code.
func (h *Handle[T]) HealthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		probe := r.URL.Query().Get("probe")
		if probe != "" && probe != "readiness" && probe != "liveness" {
			http.Error(w, `probe must be "readiness" or "liveness"`, http.StatusBadRequest)
			return
		}
		st := h.Status()
		res := &HealthResponse{Health: st.Health(), Status: st}
		code := http.StatusOK
		switch {
		case probe == "liveness" && !res.Health.Live:
			code = http.StatusServiceUnavailable
		case probe != "liveness" && res.Health.Verdict == HealthFailed:
			code = http.StatusServiceUnavailable
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if strings.Contains(r.Header.Get("Accept"), "text/plain") {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(code)
			_ = res.WriteTable(w)
			return
		}
		body, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			http.Error(w, "driftless: encoding the status failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write(append(body, '\n'))
	})
}
