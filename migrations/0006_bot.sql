-- The virtual advisor in the chat. Bot messages keep what the advisor
-- decided (topic, confidence in per mille, the answer given) and its link
-- buttons; a contact keeps the handoff summary for consultants and when a
-- resident left a message outside opening hours (such a chat waits in line
-- without the resident). The knowledge base is versioned here once seeded
-- from config, and phrases the bot could not answer are counted for
-- supervisors.

ALTER TABLE messages ADD COLUMN bot_topic TEXT;
ALTER TABLE messages ADD COLUMN bot_confidence INTEGER CHECK (bot_confidence IS NULL OR bot_confidence BETWEEN 0 AND 1000);
ALTER TABLE messages ADD COLUMN bot_answer TEXT;
ALTER TABLE messages ADD COLUMN links TEXT CHECK (links IS NULL OR json_valid(links));

ALTER TABLE contacts ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN left_message_at INTEGER;

-- Every version of the knowledge base; the highest one is in use.
CREATE TABLE bot_knowledge (
    version     INTEGER PRIMARY KEY,
    body        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('config', 'api')),
    created_at  INTEGER NOT NULL,
    author_id   INTEGER REFERENCES users (id),
    author      TEXT    NOT NULL DEFAULT '',
    changes     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(changes))
);

-- Phrases (normalised, digits masked) the bot answered with a clarifying
-- question, with counts.
CREATE TABLE bot_unanswered (
    id          INTEGER PRIMARY KEY,
    lang        TEXT    NOT NULL CHECK (lang IN ('pl', 'en', 'uk')),
    phrase      TEXT    NOT NULL,
    example     TEXT    NOT NULL,
    count       INTEGER NOT NULL DEFAULT 1,
    best_topic  TEXT    NOT NULL DEFAULT 'other',
    confidence  INTEGER NOT NULL DEFAULT 0 CHECK (confidence BETWEEN 0 AND 1000),
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    UNIQUE (lang, phrase)
);
CREATE INDEX bot_unanswered_by_count ON bot_unanswered (count DESC, last_seen DESC);
