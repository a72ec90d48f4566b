// Package web is GuestPass's HTTP surface: the guest pages (server-rendered,
// no JavaScript needed), the admin API (JSON, bearer tokens) and the
// operational endpoints (/healthz, /readyz, /metrics). Pages and API are
// separate muxes with their own secure defaults.
//
// It may import the root package, the standard library, golang.org/x/text
// and prometheus/client_golang; never a store, mail or other adapter.
package web
