// Package storetest is the contract suite every guestpass.Store must pass:
// storetest.Run(t, newStore) from the store's own tests, each behaviour on
// a fresh store (model: dexidp/dex storage/conformance).
//
// It checks the storage contract only (atomicity, scoping, sentinel
// errors), never policy, which lives above the stores. Times in fixtures
// have microsecond precision so that PostgreSQL can round-trip them.
//
// It may import the root package, testing, go-cmp and the standard library.
package storetest
