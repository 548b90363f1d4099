-- The bot's state per conversation: the engine's session (while a flow waits) and a summary
-- (ticket topic, results, the current quick replies), both sealed with the conversation's key.
-- The due times are plain so the timer can find waiting sessions without decrypting anything.
CREATE TABLE flow_sessions (
    conversation_id  UUID PRIMARY KEY REFERENCES conversations (id),
    state_ct         BYTEA,                -- NULL once the session is over
    summary_ct       BYTEA NOT NULL,
    wait_timeout_ms  BIGINT,
    expires_ms       BIGINT,
    updated_ms       BIGINT NOT NULL
);
CREATE INDEX flow_sessions_timeout ON flow_sessions (wait_timeout_ms) WHERE wait_timeout_ms IS NOT NULL;
CREATE INDEX flow_sessions_expiry ON flow_sessions (expires_ms) WHERE expires_ms IS NOT NULL;
