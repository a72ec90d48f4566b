// Command loadgen measures GuestPass under load in one sitting: each
// scenario (the bare net/http baseline first, then GuestPass's surfaces)
// is driven by N keep-alive clients for a fixed time, and one markdown table
// reports throughput, latency percentiles, the ratio to the bare handler,
// and resident memory idle and under load.
//
//	loadgen run -clients 32 -duration 10s [scenario ...]
//	loadgen list
//
// Scenarios are added in scenario.go. Load goes to loopback only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m := NewMain()
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// Main is the program with its outputs and scenarios injected, so tests run
// it in-process.
type Main struct {
	Stdout    io.Writer // the report
	Stderr    io.Writer // progress and usage
	Scenarios []Scenario
}

// NewMain returns the program as the command line runs it.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Scenarios: Scenarios()}
}

const usage = `usage:
  loadgen run [-clients N] [-duration D] [-warmup D] [-database sqlite|postgres://...] [scenario ...]
      run the scenarios (all by default) and print a markdown table
  loadgen list
      list the scenarios
`

// Run dispatches to the subcommand named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "run":
		return m.runCommand(ctx, args[1:])
	case "list":
		for _, s := range m.Scenarios {
			fmt.Fprintf(m.Stdout, "%-12s %s\n", s.Name, s.About)
		}
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(m.Stderr, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (want run or list)", args[0])
}
