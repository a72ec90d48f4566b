package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/guestpass/guestpass/bench/load"
)

// runArgs is a short run of the named scenarios: the tests check the
// plumbing, not the numbers.
func runArgs(names ...string) []string {
	return append([]string{"run", "-clients", "2", "-duration", "30ms", "-warmup", "5ms"}, names...)
}

func newTestMain(scenarios ...Scenario) (*Main, *bytes.Buffer) {
	var out bytes.Buffer
	return &Main{Stdout: &out, Stderr: &bytes.Buffer{}, Scenarios: scenarios}, &out
}

// inProcess is a scenario with no server: its op is op, its memory ours.
func inProcess(name string, op load.Op, closeErr error) Scenario {
	return Scenario{Name: name, Start: func(context.Context, int) (*Target, error) {
		return &Target{Op: op, PID: -1, Close: func() error { return closeErr }}, nil
	}}
}

func ok(context.Context, int) error { return nil }

func TestRunBareReportsTable(t *testing.T) {
	m, out := newTestMain(Scenarios()...)
	if err := m.Run(t.Context(), runArgs("bare")); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "| scenario | clients | ops/s |") {
		t.Fatalf("report =\n%s\nwant a header, a rule and one row", out)
	}
	if !strings.HasPrefix(lines[2], "| bare | 2 | ") || !strings.Contains(lines[2], "| 0 | — |") {
		t.Errorf("bare row = %q, want 2 clients, no errors, no ratio", lines[2])
	}
	if strings.Contains(lines[2], "n/a") {
		t.Errorf("bare row = %q, want its RSS read from /proc", lines[2])
	}
}

func TestRunComparesWithBare(t *testing.T) {
	m, out := newTestMain(Scenarios()[0], inProcess("noop", ok, nil))
	if err := m.Run(t.Context(), runArgs()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| noop | 2 |") || !strings.Contains(out.String(), "× throughput") {
		t.Errorf("report =\n%s\nwant a noop row compared with bare", out)
	}
	if !strings.Contains(out.String(), "n/a | n/a |") {
		t.Errorf("report =\n%s\nwant n/a where RSS cannot be read", out)
	}
}

func TestRunPicksScenariosByName(t *testing.T) {
	m, out := newTestMain(inProcess("a", ok, nil), inProcess("b", ok, nil))
	if err := m.Run(t.Context(), runArgs("b")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "| a |") || !strings.Contains(out.String(), "| b |") {
		t.Errorf("report =\n%s\nwant only b", out)
	}
}

func TestRunReportsFirstError(t *testing.T) {
	failing := func(context.Context, int) error { return errors.New("status 500") }
	m, out := newTestMain(inProcess("broken", failing, nil))
	if err := m.Run(t.Context(), runArgs()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "broken: first error: status 500") {
		t.Errorf("report =\n%s\nwant the first error under the table", out)
	}
}

func TestRunFailures(t *testing.T) {
	startErr := Scenario{Name: "nostart", Start: func(context.Context, int) (*Target, error) {
		return nil, errors.New("port taken")
	}}
	m, _ := newTestMain(startErr, inProcess("noclose", ok, errors.New("still busy")), inProcess("x", ok, nil))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"UnknownCommand", []string{"fly"}, `unknown command "fly"`},
		{"UnknownScenario", runArgs("nope"), `unknown scenario "nope"`},
		{"BadFlag", []string{"run", "-clients", "many"}, "invalid value"},
		{"StartFails", runArgs("nostart"), "nostart: start: port taken"},
		{"CloseFails", runArgs("noclose"), "noclose: close: still busy"},
		{"BadOptions", []string{"run", "-clients", "0", "x"}, "clients = 0"},
		{"NodesNeedPostgres", []string{"run", "-nodes", "2", "x"}, "several nodes share one PostgreSQL database"},
		{"NodesOutOfRange", []string{"run", "-nodes", "0", "x"}, "-nodes 0: want 1 to 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := m.Run(t.Context(), tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run(%q) = %v, want error with %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestNoArgsShowsUsage(t *testing.T) {
	m, _ := newTestMain()
	if err := m.Run(t.Context(), nil); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("Run() = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(m.Stderr.(*bytes.Buffer).String(), "loadgen run") {
		t.Error("usage not printed")
	}
}

func TestHelp(t *testing.T) {
	m, _ := newTestMain()
	if err := m.Run(t.Context(), []string{"help"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Stderr.(*bytes.Buffer).String(), "loadgen list") {
		t.Error("usage not printed")
	}
}

func TestList(t *testing.T) {
	m, out := newTestMain(Scenarios()...)
	if err := m.Run(t.Context(), []string{"list"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "bare ") {
		t.Errorf("list = %q, want the bare scenario", out)
	}
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRunPrintsNotes(t *testing.T) {
	noted := func(notes []string, err error) Scenario {
		s := inProcess("noted", ok, nil)
		start := s.Start
		s.Start = func(ctx context.Context, clients int) (*Target, error) {
			tg, _ := start(ctx, clients)
			tg.Notes = func(context.Context) ([]string, error) { return notes, err }
			return tg, nil
		}
		return s
	}
	t.Run("UnderTheTable", func(t *testing.T) {
		m, out := newTestMain(noted([]string{"2000 messages/s"}, nil))
		if err := m.Run(t.Context(), runArgs()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "\nnoted: 2000 messages/s\n") {
			t.Errorf("report =\n%s\nwant the note under the table", out)
		}
	})
	t.Run("FailureReported", func(t *testing.T) {
		m, _ := newTestMain(noted(nil, errors.New("sink timed out")))
		err := m.Run(t.Context(), runArgs())
		if err == nil || !strings.Contains(err.Error(), "noted: notes: sink timed out") {
			t.Errorf("Run = %v, want the notes error", err)
		}
	})
}

func TestRunReportWriteFails(t *testing.T) {
	m := &Main{Stdout: brokenWriter{}, Stderr: &bytes.Buffer{}, Scenarios: []Scenario{inProcess("x", ok, nil)}}
	if err := m.Run(t.Context(), runArgs()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Run = %v, want the write error", err)
	}
}
