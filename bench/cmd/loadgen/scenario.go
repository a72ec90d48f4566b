package main

import (
	"context"
	"net/http"
	"os"

	"github.com/guestpass/guestpass/bench/load"
)

// Scenario is one row of the report: a system under test and the op its
// clients repeat.
type Scenario struct {
	Name  string
	About string
	// Start brings the system up, sized for clients, and returns what to
	// drive. It must serve on loopback only.
	Start func(ctx context.Context, clients int) (*Target, error)
}

// Target is a started scenario.
type Target struct {
	Op    load.Op
	PID   int          // process whose RSS is reported
	Close func() error // stops what Start started
	// Notes, if set, runs after the measured window and returns lines
	// printed under the table: measurements that are not ops of clients,
	// such as how long queued mail took to arrive.
	Notes func(ctx context.Context) ([]string, error)
}

// baseline is the scenario every other row is compared with.
const baseline = "bare"

// Scenarios lists what `loadgen run` measures, baseline first. Each
// GuestPass scenario builds and starts its own server process with a fresh
// SQLite database and an in-process SMTP sink, so no row inherits another's
// data or queue.
func Scenarios() []Scenario {
	return []Scenario{bareScenario(), sendScenario(), verifyScenario(), mailScenario(), forwardAuthScenario()}
}

func bareScenario() Scenario {
	return Scenario{
		Name:  baseline,
		About: "net/http handler answering 200 ok, in-process on a loopback listener",
		Start: func(_ context.Context, clients int) (*Target, error) {
			srv, err := load.Serve(load.Bare())
			if err != nil {
				return nil, err
			}
			c := load.NewClient(clients)
			return &Target{
				Op:    load.Get(c, srv.URL, http.StatusOK),
				PID:   os.Getpid(), // in-process: includes the load generator
				Close: srv.Close,
			}, nil
		},
	}
}
