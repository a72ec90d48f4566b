// Package sqlite implements guestpass.Store, guestpass.Tx and
// guestpass.MailQueue on one SQLite file (modernc.org/sqlite, WAL), with the
// River mail queue in the same database so a mail job commits or rolls back
// with the rows that caused it.
//
// SQLite allows one writer at a time, so the store holds two pools: a
// single-connection writer (BEGIN IMMEDIATE) that carries every write, every
// transaction and River, and a read-only pool for reads outside a
// transaction. Inside Update, use only the Tx: a write through the Store
// would wait for the writer connection the transaction holds.
//
// Schema changes are the numbered files in migrations/, applied in order at
// Open, each in its own transaction, and recorded in schema_version.
//
// It may import the root package, queue, modernc.org/sqlite, River and the
// standard library; never mail, web, oidc or another store.
package sqlite
