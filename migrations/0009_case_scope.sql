-- Who sees which case (docs/tickets.md, "Who sees which case"): staff of the
-- second line belong to a department; the first line sees the cases it
-- created, was given or that came from a conversation it served.
-- Also the Open311 media_url of a request.

-- Empty: no department (first line, or a supervisor/admin who sees all anyway).
ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';

-- GeoReport v2 media_url given on POST (http/https only, checked by the API).
ALTER TABLE tickets ADD COLUMN media_url TEXT NOT NULL DEFAULT '';

-- The first line's scope: by creator, and through the conversations one served.
CREATE INDEX tickets_by_creator ON tickets (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX contact_agents_by_user ON contact_agents (user_id, contact_id);
