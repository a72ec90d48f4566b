package postgres

import (
	"strings"
	"testing"
)

func TestPoolSize(t *testing.T) {
	const url = "postgres://u@127.0.0.1:5432/db"
	for _, tc := range []struct {
		url  string
		opt  int
		want int32
	}{
		{url, 0, DefaultMaxConns},
		{url, 3, 3},
		{url + "?pool_max_conns=7", 0, 7},
		{url + "?pool_max_conns=7", 4, 4}, // Options win
	} {
		cfg, err := poolConfig(tc.url, Options{MaxConns: tc.opt})
		if err != nil || cfg.MaxConns != tc.want {
			t.Errorf("poolConfig(%q, %d): MaxConns %v, %v; want %d", tc.url, tc.opt, cfg, err, tc.want)
		}
	}
	for _, tc := range []struct {
		url string
		opt int
	}{{url, 1}, {url + "?pool_max_conns=1", 0}, {url, -1}} {
		if _, err := poolConfig(tc.url, Options{MaxConns: tc.opt}); err == nil {
			t.Errorf("poolConfig(%q, %d) accepted a pool that cannot work", tc.url, tc.opt)
		} else if tc.opt >= 0 && !strings.Contains(err.Error(), "at least 2") {
			t.Errorf("unclear error %q", err)
		}
	}
}
