-- Provocation screening and retention (issue 9).
-- The bot's intake answers of a case it registered, only as an HMAC of their normal form under
-- the identity system key: equal answers give equal MACs, so bursts can be found, and nothing
-- of the answers is kept. Cleared when the case is shredded.
ALTER TABLE cases ADD COLUMN intake_mac BLOB;
CREATE INDEX cases_intake_mac ON cases (created_ms) WHERE intake_mac IS NOT NULL;

-- A case flagged as a possible provocation: the reason sealed under the case's data key and
-- bound to the flag's row and author, so shredding the case destroys it.
CREATE TABLE case_flags (
    id          BLOB PRIMARY KEY,
    case_id     BLOB NOT NULL REFERENCES cases (id),
    by_user     BLOB NOT NULL,
    reason_ct   BLOB NOT NULL,
    at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX case_flags_case ON case_flags (case_id, at_ms);

-- The seq of the conversation_shredded event of a conversation that never became a case
-- (shredded by the retention timer): every app node watches it, as it does cases.shredded_seq.
ALTER TABLE conversations ADD COLUMN shredded_seq INTEGER;
CREATE INDEX conversations_shredded ON conversations (shredded_seq) WHERE shredded_seq IS NOT NULL;

-- The events the codename-join signal counts, by time; partial so the hot path (messages)
-- never writes to it.
CREATE INDEX events_case_joins ON events (at_ms) WHERE kind IN ('case_opened', 'conversation_joined_case');
