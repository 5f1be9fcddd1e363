-- Contacts (a chat, call or video call of one resident), their messages,
-- the staff who served them, ratings and the routing event log.
-- Times are Unix milliseconds (UTC).

CREATE TABLE contacts (
    id                  INTEGER PRIMARY KEY,
    channel             TEXT    NOT NULL CHECK (channel IN ('chat', 'voice', 'video', 'callback')),
    state               TEXT    NOT NULL CHECK (state IN ('bot', 'waiting', 'active', 'closed', 'abandoned')),
    topic               TEXT    NOT NULL DEFAULT 'other',
    queue               TEXT,
    lang                TEXT    NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl', 'en', 'uk')),
    resident_name       TEXT    NOT NULL DEFAULT '',
    needs_interpreter   INTEGER NOT NULL DEFAULT 0 CHECK (needs_interpreter IN (0, 1)),
    priority            INTEGER NOT NULL DEFAULT 0,
    visitor_token_hash  TEXT    UNIQUE,
    address             TEXT    NOT NULL DEFAULT '',
    created_at          INTEGER NOT NULL,
    enqueued_at         INTEGER,
    assigned_at         INTEGER,
    closed_at           INTEGER,
    disposition         TEXT,
    close_note          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX contacts_open ON contacts (state) WHERE state IN ('bot', 'waiting', 'active');
CREATE INDEX contacts_by_created ON contacts (created_at);

CREATE TABLE contact_agents (
    contact_id  INTEGER NOT NULL REFERENCES contacts (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    joined_at   INTEGER NOT NULL,
    left_at     INTEGER,
    PRIMARY KEY (contact_id, user_id, joined_at)
);
CREATE INDEX contact_agents_open ON contact_agents (contact_id) WHERE left_at IS NULL;

-- One id sequence for all messages, so ids also increase within a chat.
-- author_id is 0 for the resident, the bot and the system.
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL REFERENCES contacts (id),
    author_kind    TEXT    NOT NULL CHECK (author_kind IN ('resident', 'bot', 'agent', 'system')),
    author_id      INTEGER NOT NULL DEFAULT 0,
    author_name    TEXT    NOT NULL DEFAULT '',
    body           TEXT    NOT NULL,
    internal       INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    buttons        TEXT    CHECK (buttons IS NULL OR json_valid(buttons)),
    client_msg_id  TEXT,
    created_at     INTEGER NOT NULL,
    UNIQUE (contact_id, author_kind, author_id, client_msg_id)
);
CREATE INDEX messages_by_contact ON messages (contact_id, id);

CREATE TABLE ratings (
    contact_id  INTEGER PRIMARY KEY REFERENCES contacts (id),
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

-- What routing decided, for reports that must agree with the wallboard.
CREATE TABLE contact_events (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id),
    at          INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    queue       TEXT    NOT NULL DEFAULT '',
    agent_id    INTEGER,
    details     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);
CREATE INDEX contact_events_by_time ON contact_events (at);
CREATE INDEX contact_events_by_contact ON contact_events (contact_id);
