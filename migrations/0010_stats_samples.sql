-- The per-minute samples behind the wallboard's "last hours" charts (waiting
-- contacts, service level), kept so a restart does not blank the charts.
-- at: the minute, Unix milliseconds (UTC); sample: the JSON the wallboard
-- showed (see docs/metrics.md). Pruned to the last hours as samples are added.
CREATE TABLE stats_samples (
    at      INTEGER PRIMARY KEY,
    sample  TEXT    NOT NULL CHECK (json_valid(sample))
);
