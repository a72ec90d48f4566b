// Package storeutil holds what the SQL stores share word for word: the
// opaque page cursor and keyset paging, and how times are stored (unix
// nanoseconds), so that a cursor means the same thing whichever store
// issued it, and the scanning both stores do alike (a stored time, the
// guest columns of a LEFT JOIN). Driver-specific scanning stays in each
// store.
//
// It may import the root package and the standard library.
package storeutil
