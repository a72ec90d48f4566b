// Package queue is the durable mail queue shared by the SQL stores: River
// glue that inserts guestpass.MailJob rows in the caller's transaction (or
// describes the row, JobRow, for a store that writes it with its own
// statement) and runs workers that hand each job to a
// guestpass.MailHandler.
//
// It is driver-agnostic (the SQLite store passes riversqlite, the
// PostgreSQL store riverpgxv5) and knows nothing about mail delivery
// itself.
//
// It may import the root package, River (github.com/riverqueue/river/...)
// and the standard library; never another package of this module.
package queue
