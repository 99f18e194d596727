package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"github.com/driftless/driftless"
)

const statusText = `Reads the health and status of a running service from its driftless health
handler (Handle.HealthHandler) and prints them as a table: the verdict and its
reasons, and for each secret its version, age, lease, next refresh and last
error. The handler serves metadata only, never a value.

When the handler is behind authentication, DRIFTLESS_STATUS_AUTHORIZATION is
sent as the Authorization header ("Bearer <token>"); it is read from the
environment so that it stays out of the process list.

Exit codes:
  0  the verdict is ok
  1  the verdict is degraded or failed
  2  usage error, the service could not be reached, or its answer is not a
     driftless status
`

// maxStatusBody bounds the answer read from the service.
const maxStatusBody = 4 << 20

func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("status", "[--json] [--timeout DURATION] URL", statusText, stdout, stderr)
	asJSON := fs.Bool("json", false, "write the service's answer as JSON to stdout")
	timeout := fs.Duration("timeout", defaultTimeout, "bound on the request")
	pos, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "driftless status: want the URL of the health handler: driftless status [flags] URL")
		return exitError
	}
	u, err := url.Parse(pos[0])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintln(stderr, "driftless status: the URL must be http:// or https:// with a host")
		return exitError
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	res, err := fetchStatus(ctx, u.String(), os.Getenv("DRIFTLESS_STATUS_AUTHORIZATION"))
	if err != nil {
		fmt.Fprintf(stderr, "driftless status: %v\n", err)
		return exitError
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "driftless status: %v\n", err)
			return exitError
		}
	} else if err := res.WriteTable(stdout); err != nil {
		fmt.Fprintf(stderr, "driftless status: %v\n", err)
		return exitError
	}
	if res.Health.Verdict != driftless.HealthOK {
		return exitFindings
	}
	return exitOK
}

// fetchStatus GETs the health handler at u and decodes its answer. A 503
// (a failed verdict) still carries the status.
func fetchStatus(ctx context.Context, u, authorization string) (*driftless.HealthResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
		return nil, fmt.Errorf("%s answered %s", req.URL.Redacted(), resp.Status)
	}
	var res driftless.HealthResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxStatusBody)).Decode(&res); err != nil || res.Health.Verdict == "" {
		return nil, fmt.Errorf("%s did not answer with a driftless status (HTTP %s)", req.URL.Redacted(), resp.Status)
	}
	return &res, nil
}
