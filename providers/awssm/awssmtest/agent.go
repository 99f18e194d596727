package awssmtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
)

// AgentTokenHeader is the header that carries the SSRF token to the AWS
// Secrets Manager Agent and the Lambda Parameters and Secrets extension.
const AgentTokenHeader = "X-Aws-Parameters-Secrets-Token"

// AgentServer mimics the AWS Secrets Manager Agent (and the AWS Lambda
// Parameters and Secrets extension) on 127.0.0.1, serving the secrets of a
// Server: GET /secretsmanager/get?secretId=ID[&versionStage=S|&versionId=V]
// with the SSRF token in the X-Aws-Parameters-Secrets-Token header. It
// answers as the agent does: the GetSecretValue result as JSON (CreatedDate
// as a string of seconds), 403 "Bad Token" for a missing or wrong token,
// 400 "Forwarded" for a forwarded request, 405 for a method other than GET,
// and Secrets Manager's own errors as {"__type": CODE, "message": MSG}.
//
// Requests go through the Server's injections (latency, throttling,
// server errors, FailSecret) and count as GetSecretValue calls, as a cache
// miss of the real agent would. The mimic does not cache.
type AgentServer struct {
	// URL is the agent's endpoint, such as "http://127.0.0.1:34567".
	URL string

	token   string
	backend *Server
	hs      *httptest.Server
}

// NewAgentServer starts an AgentServer that serves backend's secrets to
// requests that carry token. Close it when done.
func NewAgentServer(backend *Server, token string) *AgentServer {
	a := &AgentServer{token: token, backend: backend}
	a.hs = httptest.NewServer(http.HandlerFunc(a.serveHTTP))
	a.URL = a.hs.URL
	return a
}

// Close shuts the agent down.
func (a *AgentServer) Close() { a.hs.Close() }

func plain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}

func (a *AgentServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ping" {
		plain(w, http.StatusOK, "healthy")
		return
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		plain(w, http.StatusBadRequest, "Forwarded")
		return
	}
	if tok := r.Header.Get(AgentTokenHeader); tok == "" || tok != a.token {
		plain(w, http.StatusForbidden, "Bad Token")
		return
	}
	if r.Method != http.MethodGet {
		plain(w, http.StatusMethodNotAllowed, "Not allowed")
		return
	}
	if r.URL.Path != "/secretsmanager/get" {
		plain(w, http.StatusNotFound, "Not found")
		return
	}
	q := r.URL.Query()
	id := q.Get("secretId")
	if id == "" {
		agentError(w, &apiError{status: 400, code: "InvalidParameterException", message: "secretId is required"})
		return
	}
	s := a.backend
	if aerr := s.inject(r.Context(), Call{Op: "GetSecretValue", Region: DefaultRegion, SecretIDs: []string{id}}); aerr != nil {
		agentError(w, aerr)
		return
	}
	s.mu.Lock()
	sec, v, aerr := s.read(DefaultRegion, id, q.Get("versionId"), q.Get("versionStage"))
	var out map[string]any
	if aerr == nil {
		out = map[string]any{
			"ARN":           sec.arn,
			"Name":          sec.name,
			"VersionId":     v.id,
			"VersionStages": append([]string{}, v.stages...),
			"CreatedDate":   string(epoch(v.created)),
		}
		if v.str != nil {
			out["SecretString"] = *v.str
		} else {
			out["SecretBinary"] = v.bin // base64, as encoding/json writes []byte
		}
	}
	s.mu.Unlock()
	if aerr != nil {
		agentError(w, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// agentError answers as the agent does when Secrets Manager failed.
func agentError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if e.status >= 500 || strings.HasPrefix(e.code, "Internal") {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"InternalFailure"}`))
		return
	}
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.message})
}
