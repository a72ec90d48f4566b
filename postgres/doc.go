// Package postgres implements guestpass.Store, guestpass.Tx and
// guestpass.MailQueue on PostgreSQL (pgx/v5, one pgxpool), with the River
// mail queue in the same database so a mail job commits or rolls back with
// the rows that caused it. It is the store for deployments that run
// several nodes against one database.
//
// Every read-modify-write the service relies on (TakeToken,
// CountCodeAttempt, SpendCode, SetMailDelivery) is a single statement, so
// transactions run at READ COMMITTED; Update retries its function on a
// serialization failure or deadlock.
//
// Schema changes are the numbered files in migrations/, applied at Open
// under a PostgreSQL advisory lock, so nodes starting together migrate
// once, and recorded in schema_version. Options.Schema puts our tables and
// River's in a schema of their own (through search_path).
//
// It may import the root package, queue, pgx, River and the standard
// library; never sqlite, mail, web or another store.
package postgres
