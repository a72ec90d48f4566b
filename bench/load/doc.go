// Package load is the harness of GuestPass's load measurements: it drives an
// operation from N concurrent clients for a fixed time after a warm-up,
// records every latency for exact percentiles, compares two runs, serves a
// bare net/http handler as the baseline, and reads a process's resident
// memory.
//
// Latencies are wall-clock (monotonic) durations by nature, so unlike the
// product packages this one reads time.Now itself. Request loops are bounded
// by Options.Duration and only ever target loopback addresses the caller
// serves.
//
// It may import only the standard library; the scenarios that drive
// GuestPass live in bench/cmd/loadgen, so this package stays reusable.
package load
