-- Limits kept in the database (see ARCHITECTURE.md, "Several nodes"): the last TOTP step each
-- account used (a code opens one session) and each conversation's codename budget (its
-- theoretical arrival time, GCRA). One process writes a SQLite store, so its pacers live in
-- memory and it has no table of nodes.
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
ALTER TABLE conversations ADD COLUMN codename_tat_ms INTEGER;
