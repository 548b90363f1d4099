-- Who holds a case, waiting and silence (issue 9). `state_since_ms`: when the case entered its
-- state (kept by the trigger below; NULL for rows older than it, read as `created_ms`).
-- `last_contact_ms`: the applicant's last contact. `next_contact_ms`: the date the holder set;
-- a contact and a move to another state clear it (the state's default wait applies again).
ALTER TABLE cases ADD COLUMN state_since_ms BIGINT;
ALTER TABLE cases ADD COLUMN last_contact_ms BIGINT;
ALTER TABLE cases ADD COLUMN next_contact_ms BIGINT;
UPDATE cases SET state_since_ms = updated_ms;
CREATE FUNCTION cases_state_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IS DISTINCT FROM OLD.state THEN
        NEW.state_since_ms := NEW.updated_ms;
        NEW.next_contact_ms := NULL;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_state_since BEFORE UPDATE OF state ON cases
FOR EACH ROW EXECUTE FUNCTION cases_state_since();
-- Relatives: a relative's conversation linked to the person's case (the specialist decides).
ALTER TABLE conversations ADD COLUMN relative_of UUID REFERENCES cases (id);
CREATE INDEX conversations_relative ON conversations (relative_of) WHERE relative_of IS NOT NULL;
-- "I have been deployed", reported by the applicant through a flow (result `deployed`).
ALTER TABLE cases ADD COLUMN deployed_reported_ms BIGINT;
