-- A resident's earlier conversations beside the current one. The widget keeps
-- a random key in the resident's browser and sends it with each new chat; only
-- its SHA-256 is stored. It identifies a browser, not a person, and grants the
-- resident nothing: staff serving one of the resident's contacts see the others.
ALTER TABLE contacts ADD COLUMN resident_key_hash TEXT;
CREATE INDEX contacts_by_resident ON contacts (resident_key_hash, created_at)
    WHERE resident_key_hash IS NOT NULL;
