// Package bench holds Go benchmarks of the load baseline; the load driver
// itself is bench/cmd/loadgen on the bench/load harness.
package bench_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/guestpass/guestpass/bench/load"
)

// BenchmarkBare is the floor every GuestPass handler benchmark is read
// against: in memory (the handler's own cost) and over loopback TCP with
// keep-alive clients (what a deployed request costs at least).
func BenchmarkBare(b *testing.B) {
	b.Run("Handler", func(b *testing.B) {
		h := load.Bare()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for pb.Next() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	})
	b.Run("Loopback", func(b *testing.B) {
		srv, err := load.Serve(load.Bare())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { srv.Close() })
		op := load.Get(load.NewClient(64), srv.URL, http.StatusOK)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(b.Context(), 0); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
