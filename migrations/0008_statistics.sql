-- Statistics: the routing events that the wallboard counts, typed so reports
-- can add them up, hourly and per-agent daily sums kept in the same
-- transaction as each event (see docs/metrics.md), and queue settings changed
-- at run time. Times are Unix milliseconds (UTC); local_day (YYYYMMDD) and
-- local_hour are Europe/Warsaw.
--
-- Rows written before this migration have local_day NULL and are not counted.
ALTER TABLE contact_events ADD COLUMN local_day INTEGER;
ALTER TABLE contact_events ADD COLUMN local_hour INTEGER;
ALTER TABLE contact_events ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_events ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_events ADD COLUMN waited_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_events ADD COLUMN handled_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_events ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_events ADD COLUMN score INTEGER;

-- Has this contact been transferred before (first-contact resolution), and
-- has this rating been counted already.
CREATE INDEX contact_events_by_contact_type ON contact_events (contact_id, type);
CREATE INDEX ratings_by_time ON ratings (created_at);

CREATE TABLE stats_hourly (
    local_day        INTEGER NOT NULL,
    local_hour       INTEGER NOT NULL,
    queue            TEXT    NOT NULL,
    topic            TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    offered          INTEGER NOT NULL DEFAULT 0,
    answered         INTEGER NOT NULL DEFAULT 0,
    answered_in_sla  INTEGER NOT NULL DEFAULT 0,
    abandoned        INTEGER NOT NULL DEFAULT 0,
    abandoned_short  INTEGER NOT NULL DEFAULT 0,
    wait_ms          INTEGER NOT NULL DEFAULT 0,
    handled          INTEGER NOT NULL DEFAULT 0,
    handle_ms        INTEGER NOT NULL DEFAULT 0,
    closed           INTEGER NOT NULL DEFAULT 0,
    fcr              INTEGER NOT NULL DEFAULT 0,
    transfers        INTEGER NOT NULL DEFAULT 0,
    overflows        INTEGER NOT NULL DEFAULT 0,
    cases            INTEGER NOT NULL DEFAULT 0,
    missed           INTEGER NOT NULL DEFAULT 0,
    csat_sum         INTEGER NOT NULL DEFAULT 0,
    csat_count       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (local_day, local_hour, queue, topic, channel)
) WITHOUT ROWID;

CREATE TABLE stats_agent_daily (
    local_day        INTEGER NOT NULL,
    agent_id         INTEGER NOT NULL,
    queue            TEXT    NOT NULL,
    offered          INTEGER NOT NULL DEFAULT 0,
    answered         INTEGER NOT NULL DEFAULT 0,
    answered_in_sla  INTEGER NOT NULL DEFAULT 0,
    abandoned        INTEGER NOT NULL DEFAULT 0,
    abandoned_short  INTEGER NOT NULL DEFAULT 0,
    wait_ms          INTEGER NOT NULL DEFAULT 0,
    handled          INTEGER NOT NULL DEFAULT 0,
    handle_ms        INTEGER NOT NULL DEFAULT 0,
    closed           INTEGER NOT NULL DEFAULT 0,
    fcr              INTEGER NOT NULL DEFAULT 0,
    transfers        INTEGER NOT NULL DEFAULT 0,
    overflows        INTEGER NOT NULL DEFAULT 0,
    cases            INTEGER NOT NULL DEFAULT 0,
    missed           INTEGER NOT NULL DEFAULT 0,
    csat_sum         INTEGER NOT NULL DEFAULT 0,
    csat_count       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (local_day, agent_id, queue)
) WITHOUT ROWID;

-- Queue settings a supervisor changed while running; applied over config/ at start.
CREATE TABLE queue_overrides (
    queue       TEXT    PRIMARY KEY,
    settings    TEXT    NOT NULL CHECK (json_valid(settings)),
    updated_by  INTEGER REFERENCES users (id),
    updated_at  INTEGER NOT NULL
);
