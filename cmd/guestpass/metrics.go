package main

import (
	"github.com/guestpass/guestpass/postgres"
	"github.com/prometheus/client_golang/prometheus"
)

// storeCollector exports the PostgreSQL store's pool and group-commit
// counters, read at each scrape, so that the store needs no metrics
// library and the hot path counts with plain atomics.
type storeCollector struct{ stats func() postgres.Stats }

var (
	dbConnections = prometheus.NewDesc("guestpass_db_connections",
		"Database connections open now, by state (acquired, idle).", []string{"state"}, nil)
	dbConnectionsMax = prometheus.NewDesc("guestpass_db_connections_max",
		"The size of the database connection pool (pool_max_conns).", nil, nil)
	dbAcquires = prometheus.NewDesc("guestpass_db_acquires_total",
		"Connections handed out by the pool.", nil, nil)
	dbAcquireWaits = prometheus.NewDesc("guestpass_db_acquire_waits_total",
		"Acquires that found no free connection and waited for one.", nil, nil)
	dbAcquireWaitSeconds = prometheus.NewDesc("guestpass_db_acquire_wait_seconds_total",
		"Time all acquires spent waiting for a connection.", nil, nil)
	dbGroupCommits = prometheus.NewDesc("guestpass_db_group_commits_total",
		"Transactions shared by two or more writes (group commit).", nil, nil)
	dbGroupedWrites = prometheus.NewDesc("guestpass_db_grouped_writes_total",
		"Writes committed in shared transactions; divided by group commits, the mean group size.", nil, nil)
	dbRegroupedWrites = prometheus.NewDesc("guestpass_db_regrouped_writes_total",
		"Writes run again after another write failed their shared transaction.", nil, nil)
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbConnections, dbConnectionsMax, dbAcquires, dbAcquireWaits,
		dbAcquireWaitSeconds, dbGroupCommits, dbGroupedWrites, dbRegroupedWrites} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(dbConnections, float64(s.AcquiredConns), "acquired")
	gauge(dbConnections, float64(s.IdleConns), "idle")
	gauge(dbConnectionsMax, float64(s.MaxConns))
	counter(dbAcquires, float64(s.Acquires))
	counter(dbAcquireWaits, float64(s.AcquireWaits))
	counter(dbAcquireWaitSeconds, s.AcquireWaitTime.Seconds())
	counter(dbGroupCommits, float64(s.GroupCommits))
	counter(dbGroupedWrites, float64(s.GroupedUpdates))
	counter(dbRegroupedWrites, float64(s.RegroupedUpdates))
}
