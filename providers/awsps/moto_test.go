package awsps_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"
)

// moto is a moto server (python3 -m moto.server) shared by the tests of
// this package: started on first use on a free port of 127.0.0.1, reset
// before each test that uses it, stopped by TestMain.
var moto struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	skip string // why moto cannot be used here
	err  error  // moto is installed but did not start
}

func TestMain(m *testing.M) {
	code := m.Run()
	if moto.cmd != nil && moto.cmd.Process != nil {
		_ = moto.cmd.Process.Kill()
		_ = moto.cmd.Wait()
	}
	os.Exit(code)
}

func startMoto() {
	moto.cmd, moto.url, moto.skip, moto.err = runMoto()
}

// runMoto starts a moto server on a free port of 127.0.0.1 and returns its
// process and URL, or why moto cannot be used here (skip), or why it did
// not start (err).
func runMoto() (cmd *exec.Cmd, url, skip string, err error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, "", "moto not available: python3 is not installed (.ci/setup.d/30-moto.sh installs it)", nil
	}
	if out, err := exec.Command(python, "-c", "import moto.server").CombinedOutput(); err != nil {
		return nil, "", fmt.Sprintf("moto not available: python3 -c 'import moto.server' failed (%v: %s); .ci/setup.d/30-moto.sh installs it",
			err, strings.TrimSpace(lastLine(string(out)))), nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", "", err
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd = exec.Command(python, "-m", "moto.server", "-H", "127.0.0.1", "-p", port)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", "", fmt.Errorf("starting moto: %w", err)
	}
	// Werkzeug announces " * Running on http://127.0.0.1:PORT" on stderr
	// once it listens; keep draining stderr afterwards.
	ready := make(chan struct{})
	var last strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		announced := false
		for sc.Scan() {
			if !announced {
				last.Reset()
				last.WriteString(sc.Text())
				if strings.Contains(sc.Text(), "Running on") {
					announced = true
					close(ready)
				}
			}
		}
		if !announced {
			close(ready)
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		return cmd, "", "", errors.New("moto did not announce it was listening within 60s")
	}
	url = "http://127.0.0.1:" + port
	resp, err := http.Get(url + "/moto-api/")
	if err != nil {
		return cmd, "", "", fmt.Errorf("moto did not start (last line: %q): %w", last.String(), err)
	}
	resp.Body.Close()
	return cmd, url, "", nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// motoClient returns an SDK client pointed at the shared moto server
// (which every test uses with names of its own), or skips the test when
// moto is not installed.
func motoClient(t testing.TB) *ssm.Client {
	t.Helper()
	moto.once.Do(startMoto)
	if moto.skip != "" {
		t.Skip(moto.skip)
	}
	require.NoError(t, moto.err)
	return ssm.New(ssm.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(moto.url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDMOTO", "moto-secret", ""),
	})
}

// motoPut stores data as the String parameter name in moto: a new
// parameter, or a new version of it.
func motoPut(client *ssm.Client) func(ctx context.Context, name string, data []byte) error {
	return func(ctx context.Context, name string, data []byte) error {
		_, err := client.PutParameter(ctx, &ssm.PutParameterInput{Name: &name, Value: aws.String(string(data)), Type: types.ParameterTypeString, Overwrite: aws.Bool(true)})
		return err
	}
}
