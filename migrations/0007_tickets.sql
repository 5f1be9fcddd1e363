-- Cases (tickets) handed to a department (the second line): comments, a full
-- history, attachment metadata, the per-year number counter and a full-text
-- index. Times are Unix milliseconds (UTC).

-- Gap-free human numbers: the counter row of a year is bumped inside the
-- transaction that inserts the ticket, so a rolled-back insert gives its
-- number back.
CREATE TABLE ticket_numbers (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL
);

CREATE TABLE tickets (
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
    created_by       INTEGER REFERENCES users (id),  -- NULL when a resident filed it (Open311)
    source           TEXT    NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'open311')),
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
    search_terms     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX tickets_by_status ON tickets (status, due_at);
-- The second line's queue: open cases, earliest due first (the exact
-- expression the store queries with, so the planner can use it).
CREATE INDEX tickets_open_by_due ON tickets (due_at, id) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX tickets_by_department ON tickets (department, due_at);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX tickets_by_contact ON tickets (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX tickets_by_phone ON tickets (resident_phone) WHERE resident_phone <> '';
CREATE INDEX tickets_by_email ON tickets (resident_email COLLATE NOCASE) WHERE resident_email <> '';
CREATE INDEX tickets_for_retention ON tickets (closed_at) WHERE resident_erased_at IS NULL AND closed_at IS NOT NULL;

CREATE TABLE ticket_comments (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    author_id    INTEGER REFERENCES users (id),  -- NULL for the resident and the system
    author_name  TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL,
    internal     INTEGER NOT NULL CHECK (internal IN (0, 1)),
    created_at   INTEGER NOT NULL
);
CREATE INDEX ticket_comments_by_ticket ON ticket_comments (ticket_id, id);

-- Who changed what, when: one row per changed field.
CREATE TABLE ticket_history (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    actor       TEXT    NOT NULL DEFAULT '',
    field       TEXT    NOT NULL,
    old_value   TEXT,
    new_value   TEXT
);
CREATE INDEX ticket_history_by_ticket ON ticket_history (ticket_id, id);

-- The bytes live in files under the attachments directory, named by id.
CREATE TABLE ticket_attachments (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets (id),
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    public        INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    uploaded_by   INTEGER REFERENCES users (id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX ticket_attachments_by_ticket ON ticket_attachments (ticket_id);

-- Diacritics are folded by the store (ł is not decomposable, so unicode61
-- alone would miss it); remove_diacritics 2 covers text that bypasses it.
-- Searches ask only "does the case contain these terms", never phrases or a
-- rank: no positions (detail=none) and no column sizes keep the index small.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    search_terms,
    content = 'tickets',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    detail = 'none',
    columnsize = 0
);

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
