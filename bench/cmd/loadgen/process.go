package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// guestPassPkg is built from the module the loadgen runs in, so a run
// measures the working tree.
const guestPassPkg = "github.com/guestpass/guestpass/cmd/guestpass"

// startTimeout bounds building, starting and readying the server.
const startTimeout = 2 * time.Minute

// process is a guestpass server started for one scenario, with its own
// database in a temporary directory and mail going to an in-process sink.
type process struct {
	Base  string // http://127.0.0.1:PORT
	Token string // operator token
	Sink  *sink

	dir     string
	db      string    // GUESTPASS_DATABASE
	keyFile string    // PostgreSQL only
	schema  *pgSchema // PostgreSQL only
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	waited  error         // cmd.Wait's error, set before exited closes
	log     *bytes.Buffer // stderr: warnings and errors only
	// others are the further nodes on the same database, key and sink
	// (-nodes); they own none of those, so Close stops them first.
	others []*process
	shared bool // a further node: the sink and schema are the first node's
}

// Bases is every node's base URL, the first node's first.
func (p *process) Bases() []string {
	out := []string{p.Base}
	for _, o := range p.others {
		out = append(out, o.Base)
	}
	return out
}

// startGuestPass builds guestpass, starts it on a free loopback port and
// creates an operator token.
func startGuestPass(ctx context.Context) (_ *process, err error) {
	dir, err := os.MkdirTemp("", "loadgen-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	p := &process{dir: dir, log: &bytes.Buffer{}, db: "sqlite:" + filepath.Join(dir, "gp.db")}
	defer func() {
		if err != nil {
			err = errors.Join(err, p.Close())
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if base := databaseFrom(ctx); isPostgres(base) {
		if p.schema, p.db, p.keyFile, err = newPGSchema(ctx, base, dir); err != nil {
			return nil, err
		}
	}
	bin := filepath.Join(dir, "guestpass")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, guestPassPkg).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build (run loadgen inside the guestpass module): %w\n%s", err, out)
	}
	if p.Sink, err = startSink(); err != nil {
		return nil, err
	}
	if err := p.start(ctx, bin); err != nil {
		return nil, err
	}
	for range nodesFrom(ctx) - 1 {
		o := &process{dir: p.dir, log: &bytes.Buffer{}, db: p.db, keyFile: p.keyFile, Sink: p.Sink, shared: true}
		p.others = append(p.others, o)
		if err := o.start(ctx, bin); err != nil {
			return nil, fmt.Errorf("node %d: %w", len(p.others)+1, err)
		}
	}
	return p, p.createToken(ctx, bin)
}

// database is the server's GUESTPASS_DATABASE.
func (p *process) database() string { return p.db }

// keyEnv is the secret key settings PostgreSQL requires.
func (p *process) keyEnv() []string {
	if p.keyFile == "" {
		return nil
	}
	return []string{"GUESTPASS_SECRET_KEY_FILE=" + p.keyFile}
}

func (p *process) start(ctx context.Context, bin string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	p.Base = "http://" + addr
	// Not CommandContext: the server outlives Start's context.
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = append(os.Environ(), "GUESTPASS_ADDR="+addr, "GUESTPASS_BASE_URL="+p.Base,
		"GUESTPASS_DATABASE="+p.database(), "GUESTPASS_SMTP_URL="+p.Sink.URL(),
		"GUESTPASS_TRUSTED_PROXIES=127.0.0.1/32", "GUESTPASS_LOG_LEVEL=warn")
	p.cmd.Env = append(p.cmd.Env, p.keyEnv()...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start guestpass: %w", err)
	}
	p.exited = make(chan struct{})
	go func() {
		defer close(p.exited)
		p.waited = p.cmd.Wait()
	}()
	return p.waitReady(ctx)
}

// freeAddr picks a loopback port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (p *process) waitReady(ctx context.Context) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Base+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("guestpass not ready: %w\n%s", ctx.Err(), p.log)
		case <-p.exited:
			return fmt.Errorf("guestpass exited: %v\n%s", p.waited, p.log)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p *process) createToken(ctx context.Context, bin string) error {
	cmd := exec.CommandContext(ctx, bin, "token", "create", "--operator", "--database", p.database(), "--log-level", "error")
	cmd.Env = append(os.Environ(), p.keyEnv()...)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	p.Token = strings.TrimSpace(string(out))
	if p.Token == "" {
		return errors.New("token create printed no token")
	}
	return nil
}

// PID is the server's process id.
func (p *process) PID() int { return p.cmd.Process.Pid }

// Close stops the server (SIGTERM, then SIGKILL after 10 s), the sink, and
// removes the database.
func (p *process) Close() error {
	var errs []error
	for _, o := range p.others {
		errs = append(errs, o.Close())
	}
	if p.exited != nil {
		errs = append(errs, p.stop())
	}
	if p.shared {
		return errors.Join(errs...)
	}
	if p.Sink != nil {
		errs = append(errs, p.Sink.Close())
	}
	if p.schema != nil {
		errs = append(errs, p.schema.Drop())
	}
	errs = append(errs, os.RemoveAll(p.dir))
	return errors.Join(errs...)
}

func (p *process) stop() error {
	select {
	case <-p.exited:
		return fmt.Errorf("guestpass exited early: %v\n%s", p.waited, p.log)
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop guestpass: %w", err)
	}
	select {
	case <-p.exited:
		if p.waited != nil {
			return fmt.Errorf("guestpass exited: %w\n%s", p.waited, p.log)
		}
		return nil
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("guestpass did not stop on SIGTERM\n%s", p.log)
	}
}
