package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "guestpass_http_requests_total", Help: "HTTP requests by surface and status."}, []string{"surface", "code"}),
		latency:  prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "guestpass_http_request_duration_seconds", Help: "HTTP request latency by surface.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"surface"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (m *metrics) wrap(surface string, h http.Handler) http.Handler {
	lat := m.latency.WithLabelValues(surface)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		lat.Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(surface, strconv.Itoa(rec.status)).Inc()
	})
}
