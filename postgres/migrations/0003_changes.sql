-- The change feed: notes that cached state is stale, read by every node
-- (see guestpass.Change). Rows older than ChangeRetention are purged.
CREATE TABLE changes (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL,
    tenant_id  text COLLATE "C" NOT NULL,
    guest_id   text COLLATE "C" NOT NULL,
    session_id text COLLATE "C" NOT NULL,
    at         bigint NOT NULL
);
CREATE INDEX changes_at ON changes (at);

