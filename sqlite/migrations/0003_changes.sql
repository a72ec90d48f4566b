-- The change feed: notes that cached state is stale, read by every node
-- (see guestpass.Change). Rows older than ChangeRetention are purged.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    guest_id   TEXT NOT NULL,
    session_id TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX changes_at ON changes (at);

