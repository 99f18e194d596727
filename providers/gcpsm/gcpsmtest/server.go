package gcpsmtest

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// DefaultProject is the project that Put and the other helpers use for a
// bare secret id.
const DefaultProject = "test-project"

// Server is a fake Secret Manager: a gRPC server on 127.0.0.1 that
// implements secretmanagerpb.SecretManagerServiceServer in memory. It
// serves CreateSecret, GetSecret, AddSecretVersion, GetSecretVersion,
// AccessSecretVersion, ListSecretVersions, DisableSecretVersion,
// EnableSecretVersion and DestroySecretVersion, and answers UNIMPLEMENTED
// to the rest. It is safe for concurrent use.
//
// Global (projects/<p>/secrets/<s>) and regional
// (projects/<p>/locations/<l>/secrets/<s>) secrets live side by side.
// Versions are numbered from 1; "latest" names the newest version whatever
// its state, as in Secret Manager, so accessing it while it is disabled
// fails with FAILED_PRECONDITION.
type Server struct {
	secretmanagerpb.UnimplementedSecretManagerServiceServer

	lis  net.Listener
	grpc *grpc.Server
	http *http.Server
	done chan struct{}

	mu         sync.Mutex
	down       bool
	raw        *rawAnswer
	secrets    map[string]*secret // by secret name
	latency    time.Duration
	methodErrs map[string]codes.Code
	secretErrs map[string]codes.Code
	corrupt    bool
	requests   map[string]int
	token      string // see RequireToken
}

// rawAnswer is an HTTP answer that is not gRPC.
type rawAnswer struct {
	status      int
	contentType string
	body        string
}

type secret struct {
	pb       *secretmanagerpb.Secret
	versions []*version // versions[i] is version i+1
}

type version struct {
	pb   *secretmanagerpb.SecretVersion
	data []byte
}

// Start starts a Server on a free port of 127.0.0.1. Stop it with Close.
func Start() (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("gcpsmtest: listen: %w", err)
	}
	s := &Server{
		lis:        lis,
		done:       make(chan struct{}),
		secrets:    make(map[string]*secret),
		methodErrs: make(map[string]codes.Code),
		secretErrs: make(map[string]codes.Code),
		requests:   make(map[string]int),
	}
	s.grpc = grpc.NewServer(grpc.UnaryInterceptor(s.intercept))
	secretmanagerpb.RegisterSecretManagerServiceServer(s.grpc, s)
	// gRPC is served by an HTTP/2 server (plaintext, prior knowledge, as
	// grpc-go clients speak it), so that Down and FailRaw can answer at
	// the HTTP level, as a load balancer or a proxy in front of the
	// service does.
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), Protocols: new(http.Protocols)}
	s.http.Protocols.SetUnencryptedHTTP2(true)
	go func() {
		defer close(s.done)
		if err := s.http.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(fmt.Sprintf("gcpsmtest: serve: %v", err))
		}
	}()
	return s, nil
}

// serveHTTP answers for the whole endpoint while it is down or failing
// raw, and hands every other request to the gRPC server.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var a *rawAnswer
	switch {
	case s.down:
		a = &rawAnswer{http.StatusServiceUnavailable, "text/plain; charset=utf-8", "503 Service Unavailable (gcpsmtest: the endpoint is down)\n"}
	case s.raw != nil:
		a = s.raw
	}
	if a != nil {
		s.requests[r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]]++
	}
	s.mu.Unlock()
	if a == nil {
		s.grpc.ServeHTTP(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	w.Header().Set("Content-Type", a.contentType)
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// Down takes the whole endpoint down until Up: every call, whatever its
// method, is answered at the HTTP level with 503 Service Unavailable and a
// plain-text body, as the load balancer in front of a failed service
// answers. gRPC clients see codes.Unavailable (which the official client
// retries for AccessSecretVersion, with back-off, until its context ends).
// (Not connection refused: the port stays the server's, so Up cannot lose
// it to another process.) Calls are still counted; the secrets are kept.
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

// FailRaw makes every call be answered at the HTTP level with status,
// contentType and body instead of gRPC: the HTML page of a proxy or of
// Google's front end. gRPC clients map the status to a code (401
// Unauthenticated, 403 PermissionDenied, 404 Unimplemented, 429, 502, 503
// and 504 Unavailable, others Unknown). A status of 0 clears it.
func (s *Server) FailRaw(status int, contentType, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		s.raw = nil
		return
	}
	s.raw = &rawAnswer{status, contentType, body}
}

// NewServer starts a Server for a test and stops it when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := Start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, ending open calls, and waits for it to stop.
func (s *Server) Close() {
	s.grpc.Stop()
	_ = s.http.Close()
	<-s.done
}

// Addr returns the server's address, host:port.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// ClientOptions returns the options that point a Secret Manager client at
// the server: its endpoint, plaintext gRPC and no credentials.
func (s *Server) ClientOptions() []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.Addr()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
		option.WithTelemetryDisabled(),
	}
}

// Client returns the official Secret Manager client pointed at the server.
// The caller closes it.
func (s *Server) Client(ctx context.Context) (*secretmanager.Client, error) {
	c, err := secretmanager.NewClient(ctx, s.ClientOptions()...)
	if err != nil {
		return nil, fmt.Errorf("gcpsmtest: create client: %w", err)
	}
	return c, nil
}

// SetLatency delays every call by d before it is served (0, the default,
// for none). A delayed call ends early when its context is done.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetMethodError makes every call of method (such as
// "AccessSecretVersion") fail with code; codes.OK clears it.
func (s *Server) SetMethodError(method string, code codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == codes.OK {
		delete(s.methodErrs, method)
	} else {
		s.methodErrs[method] = code
	}
}

// SetSecretError makes every call on the secret name (a bare id of
// DefaultProject or a full secret name), its versions included, fail with
// code; codes.OK clears it.
func (s *Server) SetSecretError(name string, code codes.Code) {
	name = fullName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == codes.OK {
		delete(s.secretErrs, name)
	} else {
		s.secretErrs[name] = code
	}
}

// SetCorruptChecksum makes AccessSecretVersion return a wrong data_crc32c
// (while on) so that clients can test that they verify it.
func (s *Server) SetCorruptChecksum(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrupt = on
}

// Requests returns how many calls of method the server received, or of
// every method when method is "". Calls rejected by SetMethodError and
// SetSecretError count too.
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "" {
		return s.requests[method]
	}
	n := 0
	for _, c := range s.requests {
		n += c
	}
	return n
}

// ResetRequests sets the request counters to zero.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.requests)
}

// Put stores data as a new version of the secret name (a bare id of
// DefaultProject or a full secret name), creating the secret if needed,
// and returns nothing else: the new version becomes "latest". It works
// in-process (no request is counted) and matches providertest.Backend.Put.
func (s *Server) Put(ctx context.Context, name string, data []byte) error {
	_, err := s.Rotate(ctx, name, data)
	return err
}

// Rotate is Put that also returns the new version's number.
func (s *Server) Rotate(ctx context.Context, name string, data []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	name = fullName(name)
	parent, id, ok := splitSecretName(name)
	if !ok {
		return 0, fmt.Errorf("gcpsmtest: %q is not a secret name", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[name]
	if sec == nil {
		if !validID(id) {
			return 0, fmt.Errorf("gcpsmtest: invalid secret id %q", id)
		}
		sec = s.create(parent, id)
	}
	return int(versionNumber(s.add(sec, data).pb.GetName())), nil
}

// SetVersionState disables, enables or destroys version n of the secret
// name in-process, as DisableSecretVersion, EnableSecretVersion and
// DestroySecretVersion do.
func (s *Server) SetVersionState(name string, n int, state secretmanagerpb.SecretVersion_State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.lookup(fullName(name) + "/versions/" + strconv.Itoa(n))
	if err != nil {
		return err
	}
	return setState(v, state)
}

// fullName expands a bare secret id to a secret name of DefaultProject.
func fullName(name string) string {
	if strings.HasPrefix(name, "projects/") {
		return name
	}
	return "projects/" + DefaultProject + "/secrets/" + name
}

// splitSecretName splits projects/<p>/[locations/<l>/]secrets/<s> into its
// parent and id.
func splitSecretName(name string) (parent, id string, ok bool) {
	i := strings.LastIndex(name, "/secrets/")
	if i < 0 || !validParent(name[:i]) {
		return "", "", false
	}
	id = name[i+len("/secrets/"):]
	return name[:i], id, id != "" && !strings.Contains(id, "/")
}

func validParent(p string) bool {
	seg := strings.Split(p, "/")
	for _, s := range seg {
		if s == "" {
			return false
		}
	}
	return seg[0] == "projects" && (len(seg) == 2 || len(seg) == 4 && seg[2] == "locations")
}

func validID(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func versionNumber(name string) int64 {
	i := strings.LastIndex(name, "/")
	n, _ := strconv.ParseInt(name[i+1:], 10, 64)
	return n
}

// intercept counts calls, applies latency and injected errors.
func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	method := info.FullMethod[strings.LastIndex(info.FullMethod, "/")+1:]
	s.mu.Lock()
	s.requests[method]++
	latency := s.latency
	code := s.methodErrs[method]
	if code == codes.OK {
		code = s.secretErrs[secretOf(req)]
	}
	token := s.token
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	if err := authorized(ctx, token); err != nil {
		return nil, err
	}
	if code != codes.OK {
		return nil, status.Errorf(code, "gcpsmtest: injected %s for %s", code, method)
	}
	return handler(ctx, req)
}

// secretOf returns the secret name a request is about, or "".
func secretOf(req any) string {
	var name string
	switch r := req.(type) {
	case *secretmanagerpb.CreateSecretRequest:
		return r.GetParent() + "/secrets/" + r.GetSecretId()
	case interface{ GetName() string }:
		name = r.GetName()
	case interface{ GetParent() string }:
		name = r.GetParent()
	}
	if i := strings.Index(name, "/versions/"); i >= 0 {
		name = name[:i]
	}
	return name
}

// create adds an empty secret. s.mu is held.
func (s *Server) create(parent, id string) *secret {
	sec := &secret{pb: &secretmanagerpb.Secret{
		Name:       parent + "/secrets/" + id,
		CreateTime: timestamppb.Now(),
		Etag:       `"1"`,
	}}
	if !strings.Contains(parent, "/locations/") {
		sec.pb.Replication = &secretmanagerpb.Replication{Replication: &secretmanagerpb.Replication_Automatic_{Automatic: &secretmanagerpb.Replication_Automatic{}}}
	}
	s.secrets[sec.pb.Name] = sec
	return sec
}

// add appends a version. s.mu is held.
func (s *Server) add(sec *secret, data []byte) *version {
	n := len(sec.versions) + 1
	v := &version{
		pb: &secretmanagerpb.SecretVersion{
			Name:       sec.pb.GetName() + "/versions/" + strconv.Itoa(n),
			CreateTime: timestamppb.Now(),
			State:      secretmanagerpb.SecretVersion_ENABLED,
			Etag:       `"1"`,
		},
		data: append([]byte(nil), data...),
	}
	sec.versions = append(sec.versions, v)
	return v
}

// lookup finds a version by name; "latest" is the newest. s.mu is held.
func (s *Server) lookup(name string) (*version, error) {
	i := strings.LastIndex(name, "/versions/")
	if i < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "gcpsmtest: %s is not a secret version name", name)
	}
	sec := s.secrets[name[:i]]
	if sec == nil {
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", name[:i])
	}
	v := name[i+len("/versions/"):]
	if v == "latest" {
		if len(sec.versions) == 0 {
			return nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", name[:i])
		}
		return sec.versions[len(sec.versions)-1], nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found.", name)
	}
	if n > len(sec.versions) {
		return nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found.", name)
	}
	return sec.versions[n-1], nil
}

func setState(v *version, state secretmanagerpb.SecretVersion_State) error {
	cur := v.pb.GetState()
	switch {
	case cur == secretmanagerpb.SecretVersion_DESTROYED && state != cur:
		return status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is in DESTROYED state.", v.pb.GetName())
	case state == secretmanagerpb.SecretVersion_DESTROYED:
		v.data = nil
		v.pb.DestroyTime = timestamppb.Now()
	case state != secretmanagerpb.SecretVersion_ENABLED && state != secretmanagerpb.SecretVersion_DISABLED:
		return status.Errorf(codes.InvalidArgument, "gcpsmtest: cannot set state %s", state)
	}
	v.pb.State = state
	return nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CreateSecret implements secretmanagerpb.SecretManagerServiceServer.
func (s *Server) CreateSecret(_ context.Context, req *secretmanagerpb.CreateSecretRequest) (*secretmanagerpb.Secret, error) {
	if !validParent(req.GetParent()) {
		return nil, status.Errorf(codes.InvalidArgument, "invalid parent %q", req.GetParent())
	}
	if !validID(req.GetSecretId()) {
		return nil, status.Error(codes.InvalidArgument, "invalid secret id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := req.GetParent() + "/secrets/" + req.GetSecretId()
	if s.secrets[name] != nil {
		return nil, status.Errorf(codes.AlreadyExists, "Secret [%s] already exists.", name)
	}
	sec := s.create(req.GetParent(), req.GetSecretId())
	if in := req.GetSecret(); in != nil {
		if in.GetReplication() != nil {
			sec.pb.Replication = in.GetReplication()
		}
		sec.pb.Labels = in.GetLabels()
		sec.pb.Annotations = in.GetAnnotations()
	}
	return proto.Clone(sec.pb).(*secretmanagerpb.Secret), nil
}

// GetSecret implements secretmanagerpb.SecretManagerServiceServer.
func (s *Server) GetSecret(_ context.Context, req *secretmanagerpb.GetSecretRequest) (*secretmanagerpb.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[req.GetName()]
	if sec == nil {
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found.", req.GetName())
	}
	return proto.Clone(sec.pb).(*secretmanagerpb.Secret), nil
}

// AddSecretVersion implements secretmanagerpb.SecretManagerServiceServer.
// A payload whose data_crc32c does not match its data is refused with
// INVALID_ARGUMENT.
func (s *Server) AddSecretVersion(_ context.Context, req *secretmanagerpb.AddSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	p := req.GetPayload()
	if sum := p.DataCrc32C; sum != nil && *sum != int64(crc32.Checksum(p.GetData(), castagnoli)) {
		return nil, status.Error(codes.InvalidArgument, "Checksum mismatch.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[req.GetParent()]
	if sec == nil {
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found.", req.GetParent())
	}
	v := s.add(sec, p.GetData())
	v.pb.ClientSpecifiedPayloadChecksum = p.DataCrc32C != nil
	return proto.Clone(v.pb).(*secretmanagerpb.SecretVersion), nil
}

// GetSecretVersion implements secretmanagerpb.SecretManagerServiceServer.
// For "latest" the returned name holds the version number.
func (s *Server) GetSecretVersion(_ context.Context, req *secretmanagerpb.GetSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	return proto.Clone(v.pb).(*secretmanagerpb.SecretVersion), nil
}

// AccessSecretVersion implements secretmanagerpb.SecretManagerServiceServer.
// A disabled or destroyed version fails with FAILED_PRECONDITION. The
// payload carries data_crc32c (wrong while SetCorruptChecksum is on), and
// the name holds the version number.
func (s *Server) AccessSecretVersion(_ context.Context, req *secretmanagerpb.AccessSecretVersionRequest) (*secretmanagerpb.AccessSecretVersionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	if st := v.pb.GetState(); st != secretmanagerpb.SecretVersion_ENABLED {
		return nil, status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is in %s state.", v.pb.GetName(), st)
	}
	sum := int64(crc32.Checksum(v.data, castagnoli))
	if s.corrupt {
		sum ^= 1
	}
	return &secretmanagerpb.AccessSecretVersionResponse{
		Name:    v.pb.GetName(),
		Payload: &secretmanagerpb.SecretPayload{Data: append([]byte(nil), v.data...), DataCrc32C: &sum},
	}, nil
}

// ListSecretVersions implements secretmanagerpb.SecretManagerServiceServer:
// newest first, paged, with the filters "state:ENABLED", "state:DISABLED"
// and "state:DESTROYED" (or none).
func (s *Server) ListSecretVersions(_ context.Context, req *secretmanagerpb.ListSecretVersionsRequest) (*secretmanagerpb.ListSecretVersionsResponse, error) {
	var want secretmanagerpb.SecretVersion_State
	if f := strings.TrimSpace(req.GetFilter()); f != "" {
		st, ok := strings.CutPrefix(f, "state:")
		if !ok || secretmanagerpb.SecretVersion_State_value[st] == 0 {
			return nil, status.Errorf(codes.InvalidArgument, "gcpsmtest: unsupported filter %q", f)
		}
		want = secretmanagerpb.SecretVersion_State(secretmanagerpb.SecretVersion_State_value[st])
	}
	start := 0
	if t := req.GetPageToken(); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return nil, status.Error(codes.InvalidArgument, "invalid page token")
		}
		start = n
	}
	size := int(req.GetPageSize())
	if size <= 0 || size > 25000 {
		size = 25000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.secrets[req.GetParent()]
	if sec == nil {
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found.", req.GetParent())
	}
	var all []*secretmanagerpb.SecretVersion
	for _, v := range sec.versions {
		if want == 0 || v.pb.GetState() == want {
			all = append(all, proto.Clone(v.pb).(*secretmanagerpb.SecretVersion))
		}
	}
	sort.Slice(all, func(i, j int) bool { return versionNumber(all[i].GetName()) > versionNumber(all[j].GetName()) })
	resp := &secretmanagerpb.ListSecretVersionsResponse{TotalSize: int32(len(all))}
	if start < len(all) {
		end := min(start+size, len(all))
		resp.Versions = all[start:end]
		if end < len(all) {
			resp.NextPageToken = strconv.Itoa(end)
		}
	}
	return resp, nil
}

func (s *Server) changeState(name string, state secretmanagerpb.SecretVersion_State) (*secretmanagerpb.SecretVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := setState(v, state); err != nil {
		return nil, err
	}
	return proto.Clone(v.pb).(*secretmanagerpb.SecretVersion), nil
}

// DisableSecretVersion implements secretmanagerpb.SecretManagerServiceServer.
func (s *Server) DisableSecretVersion(_ context.Context, req *secretmanagerpb.DisableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.changeState(req.GetName(), secretmanagerpb.SecretVersion_DISABLED)
}

// EnableSecretVersion implements secretmanagerpb.SecretManagerServiceServer.
func (s *Server) EnableSecretVersion(_ context.Context, req *secretmanagerpb.EnableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.changeState(req.GetName(), secretmanagerpb.SecretVersion_ENABLED)
}

// DestroySecretVersion implements secretmanagerpb.SecretManagerServiceServer:
// the version's data is dropped for good.
func (s *Server) DestroySecretVersion(_ context.Context, req *secretmanagerpb.DestroySecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return s.changeState(req.GetName(), secretmanagerpb.SecretVersion_DESTROYED)
}

// DeleteSecret implements secretmanagerpb.SecretManagerServiceServer.
func (s *Server) DeleteSecret(_ context.Context, req *secretmanagerpb.DeleteSecretRequest) (*emptypb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets[req.GetName()] == nil {
		return nil, status.Errorf(codes.NotFound, "Secret [%s] not found.", req.GetName())
	}
	delete(s.secrets, req.GetName())
	return &emptypb.Empty{}, nil
}
