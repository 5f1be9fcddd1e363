-- Callbacks booked by residents (the advisor's "request a call back" outside
-- opening hours). The callback itself is a contact (contacts.channel =
-- 'callback': state, topic, queue, summary, original enqueue time, the
-- disposition) so routing statistics count it like any contact; this table
-- holds what only a callback has. `phone` is personal data: staff only.
CREATE TABLE callbacks (
    contact_id   INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    chat_id      INTEGER REFERENCES contacts (id) ON DELETE SET NULL,  -- the chat it was booked in
    phone        TEXT    NOT NULL,                                    -- normalised, +48…
    lang         TEXT    NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl', 'en', 'uk')),
    window_from  INTEGER,                                             -- the chosen window, Unix ms
    window_to    INTEGER,
    not_before   INTEGER NOT NULL,  -- not offered before (window start, or the next attempt)
    attempts     INTEGER NOT NULL DEFAULT 0,  -- calls made without an answer
    state        TEXT    NOT NULL CHECK (state IN ('scheduled', 'queued', 'active', 'done', 'unreachable')),
    agent_id     INTEGER,                     -- the consultant calling (active) or who called last
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX callbacks_open ON callbacks (state) WHERE state IN ('scheduled', 'queued', 'active');
