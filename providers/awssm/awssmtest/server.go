package awssmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Call records one request the server answered.
type Call struct {
	// Op is the operation, such as "GetSecretValue".
	Op string
	// Region is the region the request was signed for (DefaultRegion when the
	// request was not signed).
	Region string
	// SecretIDs are the secrets the request named (SecretId, or
	// BatchGetSecretValue's SecretIdList).
	SecretIDs []string
	// AccessKeyID is the access key id the request was signed with ("" when
	// it was not signed, as AssumeRoleWithWebIdentity is not): a request
	// signed with credentials that STS issued has the key STS returned.
	AccessKeyID string
}

// Server is a fake AWS Secrets Manager endpoint on 127.0.0.1. It speaks the
// AWS JSON 1.1 protocol that the official SDKs use, keeps secrets in memory
// per region with version ids and staging labels, and lets a test inject
// latency, throttling, server errors, denials and rotations.
//
// A Server is safe for concurrent use.
type Server struct {
	// URL is the endpoint, such as "http://127.0.0.1:34567".
	URL string

	hs *httptest.Server

	mu         sync.Mutex
	st         *store
	latency    time.Duration
	throttle   int
	fail       int
	denyBatch  bool
	down       bool
	raw        map[string]*rawAnswer // by operation, "" for every operation
	secretErrs map[string]string
	calls      []Call

	webIdentityToken string // see SetWebIdentityToken
}

// NewServer starts a Server on a free port of 127.0.0.1. Close it when done
// (t.Cleanup(srv.Close) in a test).
func NewServer() *Server {
	s := &Server{st: newStore(), secretErrs: map[string]string{}, raw: map[string]*rawAnswer{}}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.hs.URL
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.hs.Close() }

// Client returns an official SDK client pointed at the server: region
// us-east-1, static credentials, BaseEndpoint set to URL, and a retryer that
// keeps the SDK's default number of attempts (3) but does not wait between
// them, so that injected throttling and server errors are retried at once.
// optFns are applied last and may change any of these.
func (s *Server) Client(optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	opts := secretsmanager.Options{
		Region:       DefaultRegion,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDAWSSMTEST", "awssmtest-secret-key", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		}),
	}
	return secretsmanager.New(opts, optFns...)
}

// SetLatency delays every answer by d (0 for none). A request whose client
// goes away while it waits is abandoned.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Throttle makes the next n requests fail with ThrottlingException (HTTP 400,
// "Rate exceeded"), as Secrets Manager does past its request quota. The SDK
// retries these: n of 3 or more makes one SDK call fail.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// FailNext makes the next n requests fail with InternalServiceError (HTTP 500).
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// DenyBatch makes BatchGetSecretValue fail with AccessDeniedException, as it
// does for an identity whose policy allows GetSecretValue only.
func (s *Server) DenyBatch(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denyBatch = deny
}

// FailSecret makes reads of the secret name (in any region) fail with the
// error code, such as "AccessDeniedException" or "DecryptionFailure";
// BatchGetSecretValue reports it in its Errors. An empty code clears it.
func (s *Server) FailSecret(name, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == "" {
		delete(s.secretErrs, name)
		return
	}
	s.secretErrs[name] = code
}

// Down takes the whole endpoint down until Up: every request, whatever its
// operation, is answered with HTTP 503 Service Unavailable and a plain-text
// body, as the load balancer in front of a failed service answers. The SDK
// retries 503 (3 attempts with the retryer of Client) and then returns an
// error that is not an API error of Secrets Manager. Requests are still
// counted. The secrets are kept.
func (s *Server) Down() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = true
}

// Up brings the endpoint back after Down, with the secrets it had.
func (s *Server) Up() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = false
}

// FailRaw makes every request for op (every operation when op is "") be
// answered with status, contentType and body as they are, instead of
// Secrets Manager's JSON: the HTML page of a proxy or a WAF, or the XML
// body moto sends when it enforces IAM policies. A status of 0 clears it.
// It is checked after Down and before the other injections.
func (s *Server) FailRaw(op string, status int, contentType, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.raw, op)
		return
	}
	s.raw[op] = &rawAnswer{status: status, contentType: contentType, body: body}
}

// Count returns how many requests for op the server received, including
// those it failed on purpose.
func (s *Server) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Total returns how many requests the server received.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// Calls returns the requests for op (all requests when op is empty), oldest first.
func (s *Server) Calls(op string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if op == "" || c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// ResetCounts forgets the requests received so far.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Put stores data as the secret name in DefaultRegion: it creates the secret
// if needed, or adds a version that becomes AWSCURRENT (the one before
// becomes AWSPREVIOUS). Valid UTF-8 is stored as SecretString, anything else
// as SecretBinary. It matches providertest.Backend.Put and sends no request.
func (s *Server) Put(ctx context.Context, name string, data []byte) error {
	_, err := s.put(ctx, name, data, nil)
	return err
}

// Rotate performs a rotation of the secret name in DefaultRegion the way a
// rotation function does: it adds data as a new version labelled AWSPENDING,
// then moves AWSCURRENT to it (the old current version becomes AWSPREVIOUS).
// It returns the new version id. The secret must exist.
func (s *Server) Rotate(ctx context.Context, name string, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, aerr := s.st.lookup(DefaultRegion, name)
	if aerr != nil {
		return "", aerr
	}
	str, bin := splitData(data)
	v, aerr := s.st.put(sec, "", str, bin, []string{StagePending})
	if aerr != nil {
		return "", aerr
	}
	s.st.attach(sec, StageCurrent, v)
	v.removeStage(StagePending)
	return v.id, nil
}

func (s *Server) put(ctx context.Context, name string, data []byte, stages []string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	str, bin := splitData(data)
	sec, aerr := s.st.lookup(DefaultRegion, name)
	if aerr != nil {
		_, v, aerr := s.st.create(DefaultRegion, name, "", nil, "", str, bin)
		if aerr != nil {
			return "", aerr
		}
		return v.id, nil
	}
	v, aerr := s.st.put(sec, "", str, bin, stages)
	if aerr != nil {
		return "", aerr
	}
	return v.id, nil
}

// regionOf reads the region from a SigV4 Authorization header
// ("... Credential=AKID/20240101/us-west-2/secretsmanager/aws4_request, ...").
// The signature itself is not checked.
func regionOf(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return DefaultRegion
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 || parts[2] == "" {
		return DefaultRegion
	}
	return parts[2]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", randomID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	if r := e.raw; r != nil {
		w.Header().Set("Content-Type", r.contentType)
		w.WriteHeader(r.status)
		_, _ = io.WriteString(w, r.body)
		return
	}
	writeJSON(w, e.status, map[string]string{"__type": e.code, "message": e.message})
}

// request is the union of the input members of the operations served.
type request struct {
	SecretId            string   `json:"SecretId"`
	SecretIdList        []string `json:"SecretIdList"`
	VersionId           string   `json:"VersionId"`
	VersionStage        string   `json:"VersionStage"`
	Name                string   `json:"Name"`
	Description         string   `json:"Description"`
	ClientRequestToken  string   `json:"ClientRequestToken"`
	SecretString        *string  `json:"SecretString"`
	SecretBinary        []byte   `json:"SecretBinary"`
	VersionStages       []string `json:"VersionStages"`
	MoveToVersionId     string   `json:"MoveToVersionId"`
	RemoveFromVersionId string   `json:"RemoveFromVersionId"`
	Tags                []tag    `json:"Tags"`
	Filters             []struct {
		Key    string   `json:"Key"`
		Values []string `json:"Values"`
	} `json:"Filters"`
	MaxResults                 int    `json:"MaxResults"`
	NextToken                  string `json:"NextToken"`
	RecoveryWindowInDays       int64  `json:"RecoveryWindowInDays"`
	ForceDeleteWithoutRecovery bool   `json:"ForceDeleteWithoutRecovery"`
}

var ops = map[string]func(*Server, string, *request) (any, *apiError){
	"GetSecretValue":           (*Server).getSecretValue,
	"BatchGetSecretValue":      (*Server).batchGetSecretValue,
	"DescribeSecret":           (*Server).describeSecret,
	"CreateSecret":             (*Server).createSecret,
	"PutSecretValue":           (*Server).putSecretValue,
	"UpdateSecretVersionStage": (*Server).updateSecretVersionStage,
	"DeleteSecret":             (*Server).deleteSecret,
	"RestoreSecret":            (*Server).restoreSecret,
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if isSTS(r) {
		s.serveSTS(w, r)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "secretsmanager.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{status: 400, code: "UnknownOperationException", message: "missing or unknown X-Amz-Target"})
		return
	}
	handler, ok := ops[op]
	if !ok {
		writeError(w, &apiError{status: 400, code: "UnknownOperationException", message: "operation not supported by awssmtest: " + op})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.1") {
		writeError(w, &apiError{status: 400, code: "SerializationException", message: "Content-Type must be application/x-amz-json-1.1"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	var in request
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeError(w, &apiError{status: 400, code: "SerializationException", message: "request body is not valid JSON for " + op})
			return
		}
	}
	region := regionOf(r)
	ids := in.SecretIdList
	if in.SecretId != "" {
		ids = []string{in.SecretId}
	} else if in.Name != "" {
		ids = []string{in.Name}
	}
	if aerr := s.inject(r.Context(), Call{Op: op, Region: region, SecretIDs: ids, AccessKeyID: accessKeyOf(r)}); aerr != nil {
		writeError(w, aerr)
		return
	}
	if r.Context().Err() != nil {
		return
	}
	s.mu.Lock()
	out, aerr := handler(s, region, &in)
	s.mu.Unlock()
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// inject records the call, waits out the latency and returns the failure
// to answer, if any.
func (s *Server) inject(ctx context.Context, c Call) *apiError {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	latency := s.latency
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return &apiError{status: 499, code: "RequestCanceled", message: "client went away"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	raw := s.raw[c.Op]
	if raw == nil {
		raw = s.raw[""]
	}
	switch {
	case s.down:
		return &apiError{raw: &rawAnswer{http.StatusServiceUnavailable, "text/plain; charset=utf-8", "503 Service Unavailable (awssmtest: the endpoint is down)\n"}}
	case raw != nil:
		return &apiError{raw: raw}
	case s.throttle > 0:
		s.throttle--
		return &apiError{status: 400, code: "ThrottlingException", message: "Rate exceeded"}
	case s.fail > 0:
		s.fail--
		return &apiError{status: 500, code: "InternalServiceError", message: "An error occurred on the server side."}
	case s.denyBatch && c.Op == "BatchGetSecretValue":
		return &apiError{status: 400, code: "AccessDeniedException", message: "User: arn:aws:iam::" + Account + ":user/awssmtest is not authorized to perform: secretsmanager:BatchGetSecretValue because no identity-based policy allows the secretsmanager:BatchGetSecretValue action"}
	}
	return nil
}

// epoch renders t as Secrets Manager does: seconds since the epoch, with milliseconds.
func epoch(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
}

type secretValue struct {
	ARN           string      `json:"ARN"`
	Name          string      `json:"Name"`
	VersionId     string      `json:"VersionId"`
	SecretString  *string     `json:"SecretString,omitempty"`
	SecretBinary  []byte      `json:"SecretBinary,omitempty"`
	VersionStages []string    `json:"VersionStages"`
	CreatedDate   json.Number `json:"CreatedDate"`
}

func valueOf(sec *secret, v *version) secretValue {
	out := secretValue{
		ARN:           sec.arn,
		Name:          sec.name,
		VersionId:     v.id,
		SecretString:  v.str,
		VersionStages: append([]string{}, v.stages...),
		CreatedDate:   epoch(v.created),
	}
	if v.bin != nil {
		out.SecretBinary = v.bin
	}
	return out
}

// read returns the selected version of a secret, honouring FailSecret.
func (s *Server) read(region, id, versionID, stage string) (*secret, *version, *apiError) {
	sec, aerr := s.st.lookup(region, id)
	if aerr != nil {
		return nil, nil, aerr
	}
	if code, ok := s.secretErrs[sec.name]; ok {
		return nil, nil, &apiError{status: statusFor(code), code: code, message: injectedMessage(code)}
	}
	if !sec.deleted.IsZero() {
		return nil, nil, errMarkedDeleted()
	}
	v, aerr := sec.find(versionID, stage)
	if aerr != nil {
		return nil, nil, aerr
	}
	return sec, v, nil
}

func injectedMessage(code string) string {
	switch code {
	case "AccessDeniedException":
		return "User: arn:aws:iam::" + Account + ":user/awssmtest is not authorized to perform: secretsmanager:GetSecretValue on this resource"
	case "DecryptionFailure":
		return "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
	}
	return "injected by awssmtest"
}

func (s *Server) getSecretValue(region string, in *request) (any, *apiError) {
	if in.SecretId == "" {
		return nil, &apiError{status: 400, code: "ValidationException", message: "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null"}
	}
	sec, v, aerr := s.read(region, in.SecretId, in.VersionId, in.VersionStage)
	if aerr != nil {
		return nil, aerr
	}
	return valueOf(sec, v), nil
}

type batchError struct {
	SecretId  string `json:"SecretId"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

func (s *Server) batchGetSecretValue(region string, in *request) (any, *apiError) {
	if len(in.SecretIdList) > 0 && len(in.Filters) > 0 {
		return nil, errInvalidParam("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	}
	if len(in.SecretIdList) == 0 && len(in.Filters) == 0 {
		return nil, errInvalidParam("Either 'SecretIdList' or 'Filters' must be provided.")
	}
	if len(in.SecretIdList) > 20 {
		return nil, &apiError{status: 400, code: "ValidationException", message: "1 validation error detected: Value at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20"}
	}
	values := []secretValue{}
	errs := []batchError{}
	if len(in.SecretIdList) > 0 {
		for _, id := range in.SecretIdList {
			sec, v, aerr := s.read(region, id, "", "")
			if aerr != nil {
				errs = append(errs, batchError{SecretId: id, ErrorCode: aerr.code, Message: aerr.message})
				continue
			}
			values = append(values, valueOf(sec, v))
		}
		return map[string]any{"SecretValues": values, "Errors": errs}, nil
	}
	// Filters: every secret of the region that matches all filters, by name.
	var matched []*secret
	for _, sec := range s.st.secrets {
		if sec.region == region && matches(sec, in) {
			matched = append(matched, sec)
		}
	}
	sort.Slice(matched, func(i, j int) bool { return matched[i].name < matched[j].name })
	max := in.MaxResults
	if max <= 0 || max > 20 {
		max = 20
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(matched) {
			return nil, &apiError{status: 400, code: "InvalidNextTokenException", message: "The NextToken value is invalid."}
		}
		start = n
	}
	end := min(start+max, len(matched))
	for _, sec := range matched[start:end] {
		if code, ok := s.secretErrs[sec.name]; ok {
			errs = append(errs, batchError{SecretId: sec.arn, ErrorCode: code, Message: injectedMessage(code)})
			continue
		}
		if !sec.deleted.IsZero() {
			continue // ListSecrets, and so Filters, leave out deleted secrets
		}
		if v := sec.byStage(StageCurrent); v != nil {
			values = append(values, valueOf(sec, v))
		}
	}
	out := map[string]any{"SecretValues": values, "Errors": errs}
	if end < len(matched) {
		out["NextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

// matches applies BatchGetSecretValue's Filters: each filter's values are
// prefixes (a leading "!" negates one), the filters are and-ed.
func matches(sec *secret, in *request) bool {
	for _, f := range in.Filters {
		var fields []string
		switch f.Key {
		case "name":
			fields = []string{sec.name}
		case "description":
			fields = []string{sec.description}
		case "tag-key":
			for _, t := range sec.tags {
				fields = append(fields, t.Key)
			}
		case "tag-value":
			for _, t := range sec.tags {
				fields = append(fields, t.Value)
			}
		case "primary-region":
			fields = []string{sec.region}
		case "all":
			fields = []string{sec.name, sec.description}
			for _, t := range sec.tags {
				fields = append(fields, t.Key, t.Value)
			}
		default:
			return false
		}
		ok := false
		for _, want := range f.Values {
			neg := strings.HasPrefix(want, "!")
			want = strings.TrimPrefix(want, "!")
			hit := false
			for _, field := range fields {
				hit = hit || strings.HasPrefix(field, want)
			}
			ok = ok || hit != neg
		}
		if !ok {
			return false
		}
	}
	return true
}

func (s *Server) describeSecret(region string, in *request) (any, *apiError) {
	sec, aerr := s.st.lookup(region, in.SecretId)
	if aerr != nil {
		return nil, aerr
	}
	stages := map[string][]string{}
	for _, v := range sec.versions {
		if len(v.stages) > 0 {
			stages[v.id] = append([]string{}, v.stages...)
		}
	}
	out := map[string]any{
		"ARN":                sec.arn,
		"Name":               sec.name,
		"CreatedDate":        epoch(sec.created),
		"LastChangedDate":    epoch(sec.changed),
		"VersionIdsToStages": stages,
	}
	if sec.description != "" {
		out["Description"] = sec.description
	}
	if len(sec.tags) > 0 {
		out["Tags"] = sec.tags
	}
	if !sec.deleted.IsZero() {
		out["DeletedDate"] = epoch(sec.deleted)
	}
	return out, nil
}

// deleteSecret schedules the deletion of a secret after its recovery
// window (7 to 30 days, 30 by default), or deletes it at once with
// ForceDeleteWithoutRecovery. A scheduled secret still exists: reads and
// writes fail with InvalidRequestException until RestoreSecret. The fake
// never runs the deletion itself.
func (s *Server) deleteSecret(region string, in *request) (any, *apiError) {
	sec, aerr := s.st.lookup(region, in.SecretId)
	if aerr != nil {
		return nil, aerr
	}
	if in.ForceDeleteWithoutRecovery && in.RecoveryWindowInDays != 0 {
		return nil, errInvalidParam("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := in.RecoveryWindowInDays
	if days == 0 {
		days = 30
	}
	if !in.ForceDeleteWithoutRecovery && (days < 7 || days > 30) {
		return nil, errInvalidParam("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
	}
	now := s.st.now()
	if in.ForceDeleteWithoutRecovery {
		delete(s.st.secrets, key(sec.region, sec.name))
		return map[string]any{"ARN": sec.arn, "Name": sec.name, "DeletionDate": epoch(now)}, nil
	}
	if sec.deleted.IsZero() {
		sec.deleted = now
	}
	return map[string]any{"ARN": sec.arn, "Name": sec.name, "DeletionDate": epoch(sec.deleted.AddDate(0, 0, int(days)))}, nil
}

// restoreSecret cancels a scheduled deletion.
func (s *Server) restoreSecret(region string, in *request) (any, *apiError) {
	sec, aerr := s.st.lookup(region, in.SecretId)
	if aerr != nil {
		return nil, aerr
	}
	sec.deleted = time.Time{}
	return map[string]any{"ARN": sec.arn, "Name": sec.name}, nil
}

func (s *Server) createSecret(region string, in *request) (any, *apiError) {
	sec, v, aerr := s.st.create(region, in.Name, in.Description, in.Tags, in.ClientRequestToken, in.SecretString, in.SecretBinary)
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"ARN": sec.arn, "Name": sec.name}
	if v != nil {
		out["VersionId"] = v.id
	}
	return out, nil
}

func (s *Server) putSecretValue(region string, in *request) (any, *apiError) {
	sec, aerr := s.st.lookup(region, in.SecretId)
	if aerr != nil {
		return nil, aerr
	}
	if !sec.deleted.IsZero() {
		return nil, errMarkedDeleted()
	}
	v, aerr := s.st.put(sec, in.ClientRequestToken, in.SecretString, in.SecretBinary, in.VersionStages)
	if aerr != nil {
		return nil, aerr
	}
	return map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": v.id, "VersionStages": v.stages}, nil
}

func (s *Server) updateSecretVersionStage(region string, in *request) (any, *apiError) {
	sec, aerr := s.st.lookup(region, in.SecretId)
	if aerr != nil {
		return nil, aerr
	}
	if in.VersionStage == "" {
		return nil, &apiError{status: 400, code: "ValidationException", message: "1 validation error detected: Value null at 'versionStage' failed to satisfy constraint: Member must not be null"}
	}
	holder := sec.byStage(in.VersionStage)
	if in.RemoveFromVersionId != "" && (holder == nil || holder.id != in.RemoveFromVersionId) {
		return nil, errInvalidParam(fmt.Sprintf("The staging label %s is not attached to version %s.", in.VersionStage, in.RemoveFromVersionId))
	}
	if in.MoveToVersionId == "" {
		if in.RemoveFromVersionId == "" {
			return nil, errInvalidParam("You must specify MoveToVersionId or RemoveFromVersionId.")
		}
		if in.VersionStage == StageCurrent {
			return nil, errInvalidRequest("You can't remove the staging label AWSCURRENT; move it to another version instead.")
		}
		holder.removeStage(in.VersionStage)
		sec.changed = s.st.now()
		return map[string]any{"ARN": sec.arn, "Name": sec.name}, nil
	}
	target := sec.byID(in.MoveToVersionId)
	if target == nil {
		return nil, errNotFound("Secrets Manager can't find the specified secret value for VersionId: " + in.MoveToVersionId)
	}
	if holder != nil && holder != target && in.RemoveFromVersionId == "" {
		return nil, errInvalidParam(fmt.Sprintf("The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", in.VersionStage, holder.id))
	}
	s.st.attach(sec, in.VersionStage, target)
	sec.changed = s.st.now()
	return map[string]any{"ARN": sec.arn, "Name": sec.name}, nil
}
