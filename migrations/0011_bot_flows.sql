-- The advisor's guided dialogues that end in a case (a report of a problem
-- in public space, a message left outside opening hours): what the resident
-- has answered so far, so the dialogue survives a reconnect and a restart,
-- and the photo held until the case is filed. One row per chat; removed when
-- the case is filed or the dialogue cancelled, handed over or abandoned
-- (a chat no longer with the advisor, or a day without an answer).
CREATE TABLE bot_flows (
    contact_id  INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    state       TEXT    NOT NULL CHECK (json_valid(state)),
    photo       BLOB,
    photo_type  TEXT,
    updated_at  INTEGER NOT NULL
);
