-- Who holds a case, waiting and silence (issue 9). `state_since_ms`: when the case entered its
-- state (kept by the trigger below; NULL for rows older than it, read as `created_ms`).
-- `last_contact_ms`: the applicant's last contact. `next_contact_ms`: the date the holder set;
-- a contact and a move to another state clear it (the state's default wait applies again).
ALTER TABLE cases ADD COLUMN state_since_ms INTEGER;
ALTER TABLE cases ADD COLUMN last_contact_ms INTEGER;
ALTER TABLE cases ADD COLUMN next_contact_ms INTEGER;
UPDATE cases SET state_since_ms = updated_ms;
CREATE TRIGGER cases_state_since AFTER UPDATE OF state ON cases
WHEN NEW.state IS NOT OLD.state
BEGIN
    UPDATE cases SET state_since_ms = NEW.updated_ms, next_contact_ms = NULL WHERE id = NEW.id;
END;
-- Relatives: a relative's conversation linked to the person's case (the specialist decides).
ALTER TABLE conversations ADD COLUMN relative_of BLOB REFERENCES cases (id);
CREATE INDEX conversations_relative ON conversations (relative_of) WHERE relative_of IS NOT NULL;
-- "I have been deployed", reported by the applicant through a flow (result `deployed`).
ALTER TABLE cases ADD COLUMN deployed_reported_ms INTEGER;
