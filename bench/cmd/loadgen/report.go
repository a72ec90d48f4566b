package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/guestpass/guestpass/bench/load"
)

// writeTable prints the rows as a markdown table, each compared with the
// baseline row when it was run, then the first error of any failing row.
func writeTable(w io.Writer, rows []row) error {
	var b strings.Builder
	b.WriteString("| scenario | clients | ops/s | p50 | p90 | p99 | max | errors | vs bare | RSS idle | RSS load |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")
	base := baselineOf(rows)
	for _, r := range rows {
		res := r.result
		fmt.Fprintf(&b, "| %s | %d | %.0f | %v | %v | %v | %v | %d | %s | %s | %s |\n",
			r.name, res.Clients, res.OpsPerSec(), load.Round(res.P50), load.Round(res.P90),
			load.Round(res.P99), load.Round(res.Max), res.Errors,
			versus(r, base), mib(r.rssIdle), mib(r.rssPeak))
	}
	for _, r := range rows {
		if r.result.FirstError != nil {
			fmt.Fprintf(&b, "\n%s: first error: %v\n", r.name, r.result.FirstError)
		}
		for _, n := range r.notes {
			fmt.Fprintf(&b, "\n%s: %s\n", r.name, n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func baselineOf(rows []row) *row {
	for i := range rows {
		if rows[i].name == baseline {
			return &rows[i]
		}
	}
	return nil
}

func versus(r row, base *row) string {
	if base == nil || r.name == base.name {
		return "—"
	}
	return load.Ratio(r.result, base.result).String()
}

func mib(n int64) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
