package awssmtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Staging labels that Secrets Manager gives a meaning to.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

// Account is the account id in the ARNs the fake server makes.
const Account = "123456789012"

// DefaultRegion is the region of the client that Server.Client returns and of
// the secrets that Server.Put and Server.Rotate write.
const DefaultRegion = "us-east-1"

// apiError is an error answered in the AWS JSON 1.1 shape.
type apiError struct {
	status  int
	code    string
	message string
	// raw, when set, is answered as it is, with its own content type,
	// instead of the JSON error shape: what a proxy, a load balancer or an
	// emulator puts on the wire.
	raw *rawAnswer
}

// rawAnswer is an HTTP answer that is not in the AWS JSON 1.1 error shape.
type rawAnswer struct {
	status      int
	contentType string
	body        string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errNotFound(msg string) *apiError {
	return &apiError{status: 400, code: "ResourceNotFoundException", message: msg}
}

func errInvalidParam(msg string) *apiError {
	return &apiError{status: 400, code: "InvalidParameterException", message: msg}
}

func errInvalidRequest(msg string) *apiError {
	return &apiError{status: 400, code: "InvalidRequestException", message: msg}
}

// statusFor returns the HTTP status that Secrets Manager uses for code.
func statusFor(code string) int {
	switch code {
	case "InternalServiceError", "InternalFailure":
		return 500
	case "ServiceUnavailable":
		return 503
	}
	return 400
}

type version struct {
	id      string
	str     *string
	bin     []byte
	stages  []string
	created time.Time
}

func (v *version) hasStage(s string) bool { return slices.Contains(v.stages, s) }

func (v *version) removeStage(s string) {
	v.stages = slices.DeleteFunc(v.stages, func(x string) bool { return x == s })
}

func (v *version) addStage(s string) {
	if !v.hasStage(s) {
		v.stages = append(v.stages, s)
	}
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type secret struct {
	region      string
	name        string
	arn         string
	description string
	tags        []tag
	created     time.Time
	changed     time.Time
	deleted     time.Time  // when DeleteSecret scheduled its deletion; zero if not
	versions    []*version // in creation order
}

// errMarkedDeleted is Secrets Manager's answer to a read or a write of a
// secret scheduled for deletion.
func errMarkedDeleted() *apiError {
	return errInvalidRequest("You can't perform this operation on the secret because it was marked for deletion.")
}

func (s *secret) byStage(stage string) *version {
	for _, v := range s.versions {
		if v.hasStage(stage) {
			return v
		}
	}
	return nil
}

func (s *secret) byID(id string) *version {
	for _, v := range s.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

// find returns the version that versionID and stage select (AWSCURRENT when
// both are empty).
func (s *secret) find(versionID, stage string) (*version, *apiError) {
	var v *version
	switch {
	case versionID != "":
		v = s.byID(versionID)
		if v == nil {
			return nil, errNotFound("Secrets Manager can't find the specified secret value for VersionId: " + versionID)
		}
		if stage != "" && !v.hasStage(stage) {
			return nil, errInvalidParam("The parameters VersionId and VersionStage don't refer to the same secret version.")
		}
	default:
		if stage == "" {
			stage = StageCurrent
		}
		v = s.byStage(stage)
		if v == nil {
			return nil, errNotFound("Secrets Manager can't find the specified secret value for staging label: " + stage)
		}
	}
	return v, nil
}

// store holds the secrets of every region. It is guarded by Server.mu.
type store struct {
	secrets map[string]*secret // region + "\x00" + name
	now     func() time.Time
}

func newStore() *store {
	return &store{secrets: map[string]*secret{}, now: time.Now}
}

func key(region, name string) string { return region + "\x00" + name }

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

const suffixChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = suffixChars[int(b[i])%len(suffixChars)]
	}
	return string(b[:])
}

// lookup finds a secret by name, full ARN or partial ARN (without the random
// six-character suffix), in region.
func (st *store) lookup(region, id string) (*secret, *apiError) {
	if strings.HasPrefix(id, "arn:") {
		for _, s := range st.secrets {
			if s.region != region {
				continue
			}
			if s.arn == id || (strings.HasPrefix(s.arn, id+"-") && len(s.arn) == len(id)+7) {
				return s, nil
			}
		}
		return nil, errNotFound("Secrets Manager can't find the specified secret.")
	}
	if s, ok := st.secrets[key(region, id)]; ok {
		return s, nil
	}
	return nil, errNotFound("Secrets Manager can't find the specified secret.")
}

// validName reports whether name is a valid secret name: 1 to 512 characters
// among ASCII letters, digits and /_+=.@-
func validName(name string) bool {
	if name == "" || len(name) > 512 {
		return false
	}
	for _, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune("/_+=.@-", c):
		default:
			return false
		}
	}
	return true
}

func (st *store) create(region, name, description string, tags []tag, token string, str *string, bin []byte) (*secret, *version, *apiError) {
	if !validName(name) {
		return nil, nil, &apiError{status: 400, code: "ValidationException", message: "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"}
	}
	if _, ok := st.secrets[key(region, name)]; ok {
		return nil, nil, &apiError{status: 400, code: "ResourceExistsException", message: fmt.Sprintf("The operation failed because the secret %s already exists.", name)}
	}
	now := st.now()
	s := &secret{
		region:      region,
		name:        name,
		arn:         fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", region, Account, name, randomSuffix()),
		description: description,
		tags:        tags,
		created:     now,
		changed:     now,
	}
	st.secrets[key(region, name)] = s
	if str == nil && bin == nil {
		return s, nil, nil
	}
	v, err := st.put(s, token, str, bin, nil)
	return s, v, err
}

// put adds a version to s with the given stages (AWSCURRENT when none),
// moving the labels from the versions that had them; moving AWSCURRENT
// labels the version that had it AWSPREVIOUS.
func (st *store) put(s *secret, token string, str *string, bin []byte, stages []string) (*version, *apiError) {
	if str != nil && bin != nil {
		return nil, errInvalidParam("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if str == nil && bin == nil {
		return nil, errInvalidParam("You must provide either SecretString or SecretBinary.")
	}
	if token == "" {
		token = randomID()
	}
	if v := s.byID(token); v != nil {
		same := (str != nil && v.str != nil && *str == *v.str) || (bin != nil && v.bin != nil && string(bin) == string(v.bin))
		if !same {
			return nil, &apiError{status: 400, code: "ResourceExistsException", message: "You can't modify an existing version, you can only create a new version."}
		}
		return v, nil
	}
	if len(stages) == 0 {
		stages = []string{StageCurrent}
	}
	v := &version{id: token, created: st.now()}
	if str != nil {
		c := *str
		v.str = &c
	} else {
		v.bin = slices.Clone(bin)
	}
	s.versions = append(s.versions, v)
	for _, stage := range stages {
		st.attach(s, stage, v)
	}
	s.changed = v.created
	return v, nil
}

// attach moves stage to v.
func (st *store) attach(s *secret, stage string, v *version) {
	old := s.byStage(stage)
	if old == v {
		return
	}
	if old != nil {
		old.removeStage(stage)
	}
	v.addStage(stage)
	if stage == StageCurrent && old != nil {
		if p := s.byStage(StagePrevious); p != nil {
			p.removeStage(StagePrevious)
		}
		old.addStage(StagePrevious)
	}
}

// splitData returns b as a SecretString when it is valid UTF-8, else as a SecretBinary.
func splitData(b []byte) (*string, []byte) {
	if utf8.Valid(b) {
		s := string(b)
		return &s, nil
	}
	if b == nil {
		b = []byte{}
	}
	return nil, b
}
