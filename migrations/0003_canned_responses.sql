-- Canned responses: reply templates a consultant inserts into the composer
-- and edits before sending. Supervisors maintain them, per queue or for all
-- queues (queue NULL) and per language. Deleting keeps the row for the audit
-- trail. Times are Unix milliseconds (UTC).
CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    queue       TEXT,
    lang        TEXT    NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl', 'en', 'uk')),
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    shortcut    TEXT,
    created_by  INTEGER REFERENCES users (id),
    updated_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
-- A shortcut ("/rejestracja") names one response per language and queue.
CREATE UNIQUE INDEX canned_responses_shortcut
    ON canned_responses (lang, coalesce(queue, ''), shortcut)
    WHERE deleted_at IS NULL AND shortcut IS NOT NULL;
