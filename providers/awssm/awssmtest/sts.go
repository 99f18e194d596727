package awssmtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OpAssumeRoleWithWebIdentity is the operation name under which the server
// counts and records the STS calls it answers (see Count and Calls).
const OpAssumeRoleWithWebIdentity = "AssumeRoleWithWebIdentity"

// stsNamespace is the XML namespace of STS answers.
const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// SetWebIdentityToken makes AssumeRoleWithWebIdentity accept only token, as
// the role's trust policy accepts only the tokens of one service account;
// any other token is refused with InvalidIdentityToken. An empty token (the
// default) accepts any non-empty token.
func (s *Server) SetWebIdentityToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webIdentityToken = token
}

// isSTS reports whether r is an AWS Query request (form-encoded POST, no
// X-Amz-Target), the protocol STS speaks.
func isSTS(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") == "" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleWithWebIdentityResponse struct {
	XMLName xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		SubjectFromWebIdentityToken string `xml:"SubjectFromWebIdentityToken"`
		Audience                    string `xml:"Audience"`
		AssumedRoleUser             struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		Credentials stsCredentials `xml:"Credentials"`
		Provider    string         `xml:"Provider"`
	} `xml:"AssumeRoleWithWebIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type stsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", randomID())
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

func writeSTSError(w http.ResponseWriter, e *apiError) {
	if e.raw != nil {
		writeError(w, e)
		return
	}
	out := stsErrorResponse{Xmlns: stsNamespace, RequestID: randomID()}
	out.Error.Type = "Sender"
	if e.status >= 500 {
		out.Error.Type = "Receiver"
	}
	out.Error.Code, out.Error.Message = e.code, e.message
	writeXML(w, e.status, out)
}

// serveSTS answers an AWS Query request for STS. Only
// AssumeRoleWithWebIdentity is served: the call that the SDK's credential
// chain makes first on Kubernetes with IAM roles for service accounts (a
// web identity token file and a role ARN). The request is not signed.
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeSTSError(w, &apiError{status: 400, code: "MalformedQueryString", message: "the request body is not a valid query string"})
		return
	}
	op := form.Get("Action")
	if op != OpAssumeRoleWithWebIdentity {
		writeSTSError(w, &apiError{status: 400, code: "InvalidAction", message: "action not supported by awssmtest: " + op})
		return
	}
	if aerr := s.inject(r.Context(), Call{Op: op, Region: regionOf(r), AccessKeyID: accessKeyOf(r)}); aerr != nil {
		writeSTSError(w, aerr)
		return
	}
	if r.Context().Err() != nil {
		return
	}
	roleARN, session, token := form.Get("RoleArn"), form.Get("RoleSessionName"), form.Get("WebIdentityToken")
	s.mu.Lock()
	want := s.webIdentityToken
	s.mu.Unlock()
	switch {
	case form.Get("Version") != "2011-06-15":
		writeSTSError(w, &apiError{status: 400, code: "InvalidParameterValue", message: "Version must be 2011-06-15"})
		return
	case !strings.HasPrefix(roleARN, "arn:") || !strings.Contains(roleARN, ":role/"):
		writeSTSError(w, &apiError{status: 400, code: "ValidationError", message: "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be a role ARN"})
		return
	case session == "":
		writeSTSError(w, &apiError{status: 400, code: "ValidationError", message: "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"})
		return
	case token == "" || (want != "" && token != want):
		// The token is never echoed: it is a credential.
		writeSTSError(w, &apiError{status: 400, code: "InvalidIdentityToken", message: "Couldn't retrieve verification key from your identity provider, or the token is not valid (awssmtest)"})
		return
	}
	role := roleARN[strings.LastIndex(roleARN, "/")+1:]
	var out assumeRoleWithWebIdentityResponse
	out.Xmlns = stsNamespace
	out.RequestID = randomID()
	res := &out.Result
	res.SubjectFromWebIdentityToken = "system:serviceaccount:default:awssmtest"
	res.Audience = "sts.amazonaws.com"
	res.Provider = "oidc.eks.us-east-1.amazonaws.com/id/AWSSMTEST"
	res.AssumedRoleUser.Arn = "arn:aws:sts::" + Account + ":assumed-role/" + role + "/" + session
	res.AssumedRoleUser.AssumedRoleID = "AROAAWSSMTEST:" + session
	res.Credentials = stsCredentials{
		AccessKeyID:     "ASIA" + strings.ToUpper(randomHex(8)),
		SecretAccessKey: randomHex(20),
		SessionToken:    randomHex(32),
		Expiration:      time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	}
	writeXML(w, http.StatusOK, out)
}

// accessKeyOf reads the access key id from a SigV4 Authorization header,
// "" for an unsigned request.
func accessKeyOf(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	cred := auth[i+len("Credential="):]
	key, _, _ := strings.Cut(cred, "/")
	return key
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
