-- The audit key: a fourth system key, wrapped by the master key like the others. From
-- `keyed_from` on, links are HMACs under it; `keyed_base` is the head the chain had when it
-- switched (the genesis value for a new database), and `keyed_mac` authenticates both, so that
-- nobody without the key can move the switch-over to pass a rewritten chain off as old.
DROP INDEX data_keys_system;
CREATE UNIQUE INDEX data_keys_system ON data_keys (purpose)
    WHERE purpose IN ('identity_mac', 'codename', 'staff', 'audit');
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_head ADD COLUMN keyed_base BYTEA;
ALTER TABLE audit_head ADD COLUMN keyed_mac BYTEA;

-- The seq of a case's case_shredded event: every app node (and a server beside the command
-- line) watches it to forget the case's keys and conversations at once.
ALTER TABLE cases ADD COLUMN shredded_seq BIGINT;
CREATE INDEX cases_shredded ON cases (shredded_seq) WHERE shredded_seq IS NOT NULL;
