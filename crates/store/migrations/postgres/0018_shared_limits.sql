-- Limits that must hold across app nodes, kept in the database (see ARCHITECTURE.md, "Several
-- nodes"): the last TOTP step each account used (a code opens one session, on any node), each
-- conversation's codename budget (its theoretical arrival time, GCRA), paced work shared by all
-- nodes, and the nodes alive (flood limits are divided between them).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE conversations ADD COLUMN codename_tat_ms BIGINT;
CREATE TABLE pacers (
    name    TEXT PRIMARY KEY,
    tat_ms  BIGINT NOT NULL
);
CREATE TABLE nodes (
    id       UUID PRIMARY KEY,
    seen_ms  BIGINT NOT NULL
);
