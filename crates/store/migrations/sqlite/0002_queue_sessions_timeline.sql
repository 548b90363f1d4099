-- Queue order, case assignment, event subjects for timelines, staff sessions.
ALTER TABLE events ADD COLUMN subject BLOB;
CREATE INDEX events_subject ON events (subject, seq) WHERE subject IS NOT NULL;

ALTER TABLE conversations ADD COLUMN queued_ms INTEGER;
ALTER TABLE conversations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
DROP INDEX conversations_queue;
CREATE INDEX conversations_queue ON conversations (status, priority DESC, queued_ms);
CREATE INDEX conversations_assigned ON conversations (assigned_to, status) WHERE assigned_to IS NOT NULL;

ALTER TABLE cases ADD COLUMN assigned_to BLOB;
CREATE INDEX cases_assigned ON cases (assigned_to, state);

-- Staff sessions: only a hash of the session token is stored.
CREATE TABLE staff_sessions (
    token_hash    BLOB PRIMARY KEY,
    user_id       BLOB NOT NULL REFERENCES users (id),
    created_ms    INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
