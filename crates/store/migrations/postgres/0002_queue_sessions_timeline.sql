-- Queue order, case assignment, event subjects for timelines, staff sessions.
ALTER TABLE events ADD COLUMN subject UUID;
CREATE INDEX events_subject ON events (subject, seq) WHERE subject IS NOT NULL;

ALTER TABLE conversations ADD COLUMN queued_ms BIGINT;
ALTER TABLE conversations ADD COLUMN priority BOOLEAN NOT NULL DEFAULT FALSE;
DROP INDEX conversations_queue;
CREATE INDEX conversations_queue ON conversations (status, priority DESC, queued_ms);
CREATE INDEX conversations_assigned ON conversations (assigned_to, status) WHERE assigned_to IS NOT NULL;

ALTER TABLE cases ADD COLUMN assigned_to UUID;
CREATE INDEX cases_assigned ON cases (assigned_to, state);

-- Staff sessions: only a hash of the session token is stored.
CREATE TABLE staff_sessions (
    token_hash    BYTEA PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (id),
    created_ms    BIGINT NOT NULL,
    last_seen_ms  BIGINT NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
