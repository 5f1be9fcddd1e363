-- Cases filed by the virtual advisor (a report or an after-hours message in
-- the chat) get their own source, 'chat'. SQLite cannot alter a CHECK, so the
-- table is rebuilt as sqlite.org/lang_altertable.html ("Making other kinds of
-- table schema changes") says: a new table, the rows copied, the old one
-- dropped, the new one renamed, then every index and trigger made again.
-- The runner switches foreign keys off around migrations and runs
-- PRAGMA foreign_key_check before it commits (src/store/migrations.cpp).
-- Ids are kept, so the comments, history and attachments that point at a
-- case, and the full-text index keyed by its rowid, stay valid.

CREATE TABLE new_tickets (
    id               INTEGER PRIMARY KEY,
    number           TEXT    NOT NULL UNIQUE,
    subject          TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    category         TEXT    NOT NULL,
    department       TEXT    NOT NULL,
    priority         TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status           TEXT    NOT NULL CHECK (status IN ('new', 'assigned', 'in_progress', 'waiting_resident',
                                                        'resolved', 'closed')),
    assignee_id      INTEGER REFERENCES users (id),
    created_by       INTEGER REFERENCES users (id),  -- NULL when a resident filed it (Open311, the chat)
    source           TEXT    NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'open311', 'chat')),
    contact_id       INTEGER REFERENCES contacts (id),
    lat              REAL,
    lon              REAL,
    address          TEXT    NOT NULL DEFAULT '',
    attributes       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    -- Personal data of the resident; emptied by retention and erasure.
    resident_name    TEXT    NOT NULL DEFAULT '',
    resident_phone   TEXT    NOT NULL DEFAULT '',
    resident_email   TEXT    NOT NULL DEFAULT '',
    resident_erased_at INTEGER,
    -- SHA-256 of the resident's access key; the key itself is never stored.
    access_key_hash  TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    due_at           INTEGER NOT NULL,
    resolved_at      INTEGER,
    closed_at        INTEGER,
    -- Folded words and Polish stems of subject, description and comments,
    -- written by the store; the FTS index below follows it through triggers.
    search_terms     TEXT    NOT NULL DEFAULT '',
    -- GeoReport v2 media_url given on POST (http/https only, checked by the API).
    media_url        TEXT    NOT NULL DEFAULT ''
);

-- Staff always create a case under their own id and nothing ever clears
-- created_by or contact_id, so a 'staff' case with no creator and a linked
-- chat can only have come from TicketsModule::file_from_chat.
INSERT INTO new_tickets (id, number, subject, description, category, department, priority, status, assignee_id,
                         created_by, source, contact_id, lat, lon, address, attributes, resident_name,
                         resident_phone, resident_email, resident_erased_at, access_key_hash, created_at,
                         updated_at, due_at, resolved_at, closed_at, search_terms, media_url)
SELECT id, number, subject, description, category, department, priority, status, assignee_id,
       created_by,
       CASE WHEN source = 'staff' AND created_by IS NULL AND contact_id IS NOT NULL THEN 'chat' ELSE source END,
       contact_id, lat, lon, address, attributes, resident_name,
       resident_phone, resident_email, resident_erased_at, access_key_hash, created_at,
       updated_at, due_at, resolved_at, closed_at, search_terms, media_url
FROM tickets;

-- Takes its indexes and the full-text triggers with it.
DROP TABLE tickets;
ALTER TABLE new_tickets RENAME TO tickets;

-- As in 0007 and 0009.
CREATE INDEX tickets_by_status ON tickets (status, due_at);
CREATE INDEX tickets_open_by_due ON tickets (due_at, id) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_by_department ON tickets (department, due_at);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX tickets_by_contact ON tickets (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX tickets_by_phone ON tickets (resident_phone) WHERE resident_phone <> '';
CREATE INDEX tickets_by_email ON tickets (resident_email COLLATE NOCASE) WHERE resident_email <> '';
CREATE INDEX tickets_for_retention ON tickets (closed_at) WHERE resident_erased_at IS NULL AND closed_at IS NOT NULL;
CREATE INDEX tickets_by_creator ON tickets (created_by) WHERE created_by IS NOT NULL;

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, search_terms) VALUES (new.id, new.search_terms);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF search_terms ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, search_terms) VALUES ('delete', old.id, old.search_terms);
    INSERT INTO tickets_fts (rowid, search_terms) VALUES (new.id, new.search_terms);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, search_terms) VALUES ('delete', old.id, old.search_terms);
END;
