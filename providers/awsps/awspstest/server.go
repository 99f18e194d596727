package awspstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// DefaultRegion is the region of Client, and of the ARNs of parameters.
const DefaultRegion = "us-east-1"

// Account is the account id in the ARNs of parameters.
const Account = "123456789012"

// Type is a parameter type.
type Type string

// The parameter types.
const (
	String       Type = "String"
	StringList   Type = "StringList"
	SecureString Type = "SecureString"
)

// Server is a fake Parameter Store endpoint on 127.0.0.1.
//
// A Server is safe for concurrent use.
type Server struct {
	// URL is the endpoint, such as "http://127.0.0.1:34567".
	URL string

	hs *httptest.Server

	mu        sync.Mutex
	params    map[string]*param
	latency   time.Duration
	throttle  int
	fail      int
	down      bool
	paramErrs map[string]string
	calls     map[string]int
	now       func() time.Time
}

type version struct {
	value    string
	typ      Type
	number   int64
	labels   []string
	modified time.Time
}

type param struct {
	name     string
	versions []*version // oldest first
}

func (p *param) current() *version { return p.versions[len(p.versions)-1] }

// NewServer starts a Server on a free port of 127.0.0.1. Close it when done.
func NewServer() *Server {
	s := &Server{params: map[string]*param{}, paramErrs: map[string]string{}, calls: map[string]int{}, now: time.Now}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.hs.URL
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.hs.Close() }

// Client returns an official SDK client pointed at the server: region
// us-east-1, static credentials, BaseEndpoint set to URL, and a retryer that
// keeps the SDK's default number of attempts (3) but does not wait between
// them. optFns are applied last and may change any of these.
func (s *Server) Client(optFns ...func(*ssm.Options)) *ssm.Client {
	opts := ssm.Options{
		Region:       DefaultRegion,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDAWSPSTEST", "awspstest-secret-key", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		}),
	}
	return ssm.New(opts, optFns...)
}

// SetLatency delays every answer by d (0 for none).
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Throttle makes the next n requests fail with ThrottlingException
// (HTTP 400, "Rate exceeded"). The SDK retries these: n of 3 or more makes
// one SDK call of Client fail.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// FailNext makes the next n requests fail with InternalServerError (HTTP 500).
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// FailParameter makes reads of the parameter name fail with the error
// code, such as "AccessDeniedException" or "InvalidKeyId" (a SecureString
// whose KMS key cannot decrypt); GetParameters and GetParametersByPath fail
// as a whole, as Parameter Store does when one of the parameters is denied.
// An empty code clears it.
func (s *Server) FailParameter(name, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == "" {
		delete(s.paramErrs, name)
		return
	}
	s.paramErrs[name] = code
}

// Down answers every request with HTTP 503 and a plain-text body until Up.
func (s *Server) Down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = true
}

// Up brings the endpoint back after Down, with the parameters it had.
func (s *Server) Up() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = false
}

// Count returns how many requests for op (such as "GetParameters") the
// server received, failed ones included.
func (s *Server) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// ResetCounts forgets the requests received so far.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
}

// PutParameter stores value as a new version of the parameter name (its
// first when it does not exist) and returns the version number. It sends
// no request.
func (s *Server) PutParameter(name, value string, typ Type) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(name, value, typ)
}

// Put stores data as the String parameter name (SecureString when name
// contains "secure"): it matches providertest.Backend.Put. Parameter Store
// stores text only: data must be valid UTF-8 and not empty.
func (s *Server) Put(ctx context.Context, name string, data []byte) error {
	if !utf8.Valid(data) || len(data) == 0 {
		return fmt.Errorf("awspstest: Parameter Store stores non-empty text only")
	}
	typ := String
	if strings.Contains(name, "secure") {
		typ = SecureString
	}
	s.PutParameter(name, string(data), typ)
	return nil
}

// Label attaches label to version of the parameter name (moving it from
// the version that had it), as LabelParameterVersion does.
func (s *Server) Label(name string, number int64, label string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, aerr := s.label(name, number, []string{label})
	if aerr != nil {
		return aerr
	}
	return nil
}

func (s *Server) put(name, value string, typ Type) int64 {
	p := s.params[name]
	if p == nil {
		p = &param{name: name}
		s.params[name] = p
	}
	n := int64(len(p.versions) + 1)
	p.versions = append(p.versions, &version{value: value, typ: typ, number: n, modified: s.now()})
	return n
}

func (s *Server) label(name string, number int64, labels []string) (any, *apiError) {
	p := s.params[name]
	if p == nil {
		return nil, notFound(name)
	}
	if number == 0 {
		number = p.current().number
	}
	if number < 1 || number > int64(len(p.versions)) {
		return nil, &apiError{400, "ParameterVersionNotFound", "version not found"}
	}
	for _, v := range p.versions {
		v.labels = slices.DeleteFunc(v.labels, func(l string) bool { return slices.Contains(labels, l) })
	}
	v := p.versions[number-1]
	v.labels = append(v.labels, labels...)
	return map[string]any{"InvalidLabels": []string{}, "ParameterVersion": number}, nil
}

// apiError is an error answered in the AWS JSON 1.1 shape.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func notFound(name string) *apiError {
	return &apiError{400, "ParameterNotFound", "Parameter " + name + " not found."}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// request is the union of the input members of the operations served.
type request struct {
	Name           string   `json:"Name"`
	Names          []string `json:"Names"`
	Path           string   `json:"Path"`
	Recursive      bool     `json:"Recursive"`
	WithDecryption bool     `json:"WithDecryption"`
	Value          string   `json:"Value"`
	Type           Type     `json:"Type"`
	Overwrite      bool     `json:"Overwrite"`
	Labels         []string `json:"Labels"`
	ParamVersion   int64    `json:"ParameterVersion"`
	MaxResults     int      `json:"MaxResults"`
	NextToken      string   `json:"NextToken"`
}

var ops = map[string]func(*Server, *request) (any, *apiError){
	"GetParameter":          (*Server).getParameter,
	"GetParameters":         (*Server).getParameters,
	"GetParametersByPath":   (*Server).getParametersByPath,
	"GetParameterHistory":   (*Server).getParameterHistory,
	"PutParameter":          (*Server).putParameter,
	"LabelParameterVersion": func(s *Server, in *request) (any, *apiError) { return s.label(in.Name, in.ParamVersion, in.Labels) },
	"DeleteParameter":       (*Server).deleteParameter,
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.")
	handler := ops[op]
	if r.Method != http.MethodPost || !ok || handler == nil {
		writeJSON(w, 400, map[string]string{"__type": "UnknownOperationException", "message": "operation not supported by awspstest"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	var in request
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeJSON(w, 400, map[string]string{"__type": "SerializationException", "message": "request body is not valid JSON for " + op})
			return
		}
	}
	s.mu.Lock()
	s.calls[op]++
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	s.mu.Lock()
	var out any
	var aerr *apiError
	switch {
	case s.down:
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "503 Service Unavailable (awspstest: the endpoint is down)\n")
		return
	case s.throttle > 0:
		s.throttle--
		aerr = &apiError{400, "ThrottlingException", "Rate exceeded"}
	case s.fail > 0:
		s.fail--
		aerr = &apiError{500, "InternalServerError", "An error occurred on the server side."}
	default:
		out, aerr = handler(s, &in)
	}
	s.mu.Unlock()
	if aerr != nil {
		writeJSON(w, aerr.status, map[string]string{"__type": aerr.code, "message": aerr.message})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// denied returns the injected failure of a read of name, if any.
func (s *Server) denied(name string) *apiError {
	if code := s.paramErrs[name]; code != "" {
		status := 400
		if code == "InternalServerError" {
			status = 500
		}
		return &apiError{status, code, "awspstest: injected " + code + " for " + name}
	}
	return nil
}

// find resolves a name with an optional :N or :LABEL selector.
func (s *Server) find(id string) (*param, *version, string, *apiError) {
	name, sel, _ := strings.Cut(id, ":")
	if strings.HasPrefix(id, "arn:") {
		_, rest, _ := strings.Cut(id, ":parameter")
		name, sel, _ = strings.Cut(rest, ":")
		if s.params[name] == nil {
			name = strings.TrimPrefix(name, "/") // parameter/flat names "flat"
		}
	}
	p := s.params[name]
	if p == nil {
		return nil, nil, "", notFound(name)
	}
	if aerr := s.denied(name); aerr != nil {
		return nil, nil, "", aerr
	}
	if sel == "" {
		return p, p.current(), "", nil
	}
	if n, err := strconv.ParseInt(sel, 10, 64); err == nil {
		if n < 1 || n > int64(len(p.versions)) {
			return nil, nil, "", &apiError{400, "ParameterVersionNotFound", "Systems Manager could not find version " + sel + " of " + name + "."}
		}
		return p, p.versions[n-1], ":" + sel, nil
	}
	for _, v := range p.versions {
		if slices.Contains(v.labels, sel) {
			return p, v, ":" + sel, nil
		}
	}
	return nil, nil, "", &apiError{400, "ParameterVersionNotFound", "Systems Manager could not find label " + sel + " of " + name + "."}
}

func epoch(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
}

func (s *Server) shape(p *param, v *version, selector string, decrypt bool) map[string]any {
	value := v.value
	if v.typ == SecureString && !decrypt {
		value = "AQICAHh-encrypted-by-awspstest" // a ciphertext stand-in
	}
	m := map[string]any{
		"Name":             p.name,
		"Type":             v.typ,
		"Value":            value,
		"Version":          v.number,
		"LastModifiedDate": epoch(v.modified),
		"ARN":              "arn:aws:ssm:" + DefaultRegion + ":" + Account + ":parameter" + arnPath(p.name),
		"DataType":         "text",
	}
	if selector != "" {
		m["Selector"] = selector
	}
	return m
}

func arnPath(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return "/" + name
}

func (s *Server) getParameter(in *request) (any, *apiError) {
	p, v, sel, aerr := s.find(in.Name)
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"Parameter": s.shape(p, v, sel, in.WithDecryption)}, nil
}

func (s *Server) getParameters(in *request) (any, *apiError) {
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, &apiError{400, "ValidationException", "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10"}
	}
	params := []any{}
	invalid := []string{}
	for _, id := range in.Names {
		p, v, sel, aerr := s.find(id)
		switch {
		case aerr == nil:
			params = append(params, s.shape(p, v, sel, in.WithDecryption))
		case aerr.code == "ParameterNotFound" || aerr.code == "ParameterVersionNotFound":
			invalid = append(invalid, id)
		default:
			return nil, aerr
		}
	}
	return map[string]any{"Parameters": params, "InvalidParameters": invalid}, nil
}

func (s *Server) getParametersByPath(in *request) (any, *apiError) {
	path := strings.TrimSuffix(in.Path, "/") + "/"
	var names []string
	for name := range s.params {
		rest, ok := strings.CutPrefix(name, path)
		if ok && (in.Recursive || !strings.Contains(rest, "/")) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	start := 0
	if in.NextToken != "" {
		start, _ = strconv.Atoi(in.NextToken)
	}
	size := in.MaxResults
	if size <= 0 || size > 10 {
		size = 10
	}
	params := []any{}
	end := min(start+size, len(names))
	for _, name := range names[min(start, end):end] {
		if aerr := s.denied(name); aerr != nil {
			return nil, aerr
		}
		p := s.params[name]
		params = append(params, s.shape(p, p.current(), "", in.WithDecryption))
	}
	out := map[string]any{"Parameters": params}
	if end < len(names) {
		out["NextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

func (s *Server) getParameterHistory(in *request) (any, *apiError) {
	p, _, _, aerr := s.find(in.Name)
	if aerr != nil {
		return nil, aerr
	}
	start := 0
	if in.NextToken != "" {
		start, _ = strconv.Atoi(in.NextToken)
	}
	size := in.MaxResults
	if size <= 0 || size > 50 {
		size = 50
	}
	end := min(start+size, len(p.versions))
	hist := []any{}
	for _, v := range p.versions[min(start, end):end] {
		h := s.shape(p, v, "", in.WithDecryption)
		delete(h, "ARN")
		h["Labels"] = slices.Clone(v.labels)
		hist = append(hist, h)
	}
	out := map[string]any{"Parameters": hist}
	if end < len(p.versions) {
		out["NextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

func (s *Server) putParameter(in *request) (any, *apiError) {
	if in.Name == "" || in.Value == "" {
		return nil, &apiError{400, "ValidationException", "Name and Value are required"}
	}
	p := s.params[in.Name]
	if p != nil && !in.Overwrite {
		return nil, &apiError{400, "ParameterAlreadyExists", "The parameter already exists."}
	}
	typ := in.Type
	if typ == "" {
		if p == nil {
			return nil, &apiError{400, "ValidationException", "Type is required for a new parameter"}
		}
		typ = p.current().typ
	}
	n := s.put(in.Name, in.Value, typ)
	return map[string]any{"Version": n, "Tier": "Standard"}, nil
}

func (s *Server) deleteParameter(in *request) (any, *apiError) {
	if s.params[in.Name] == nil {
		return nil, notFound(in.Name)
	}
	delete(s.params, in.Name)
	return map[string]any{}, nil
}
