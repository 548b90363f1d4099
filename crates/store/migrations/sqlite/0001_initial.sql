-- Safe Passage schema, SQLite. Personal data is only ever stored as ciphertext (BLOB columns
-- named *_ct, bound to their row by associated data) or as keyed hashes (*_hash).

CREATE TABLE master_keys (
    id          TEXT PRIMARY KEY,          -- public id of a master key (first 8 bytes of its KCV)
    kcv         BLOB NOT NULL,             -- key check value, HMAC(master, constant)
    created_ms  INTEGER NOT NULL,
    retired_ms  INTEGER
) STRICT;

CREATE TABLE data_keys (
    id             BLOB PRIMARY KEY,       -- uuid
    purpose        TEXT NOT NULL,          -- conversation | case | identity_mac | codename | staff
    master_key_id  TEXT NOT NULL,
    wrapped        BLOB,                   -- NULL once shredded
    created_ms     INTEGER NOT NULL,
    shredded_ms    INTEGER
) STRICT;
CREATE INDEX data_keys_master ON data_keys (master_key_id) WHERE wrapped IS NOT NULL;
CREATE UNIQUE INDEX data_keys_system ON data_keys (purpose)
    WHERE purpose IN ('identity_mac', 'codename', 'staff');

CREATE TABLE contacts (
    id          BLOB PRIMARY KEY,
    created_ms  INTEGER NOT NULL
) STRICT;

CREATE TABLE channel_identities (
    identity_hash  BLOB PRIMARY KEY,       -- HMAC-SHA256(identity key, channel || 0 || id)
    channel        TEXT NOT NULL,
    contact_id     BLOB NOT NULL REFERENCES contacts (id)
) STRICT;

CREATE TABLE cases (
    id              BLOB PRIMARY KEY,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    key_id          BLOB NOT NULL REFERENCES data_keys (id),
    codename_hash   BLOB UNIQUE,
    name_ct         BLOB,
    group_size      INTEGER,
    group_officers  INTEGER,
    close_reason    TEXT,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_state ON cases (state, updated_ms);

CREATE TABLE conversations (
    id               BLOB PRIMARY KEY,
    contact_id       BLOB NOT NULL REFERENCES contacts (id),
    channel          TEXT NOT NULL,
    language         TEXT NOT NULL,
    key_id           BLOB NOT NULL REFERENCES data_keys (id),
    case_id          BLOB REFERENCES cases (id),
    status           TEXT NOT NULL,        -- bot | queued | assigned | closed
    assigned_to      BLOB,
    token_hash       BLOB UNIQUE,
    created_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX conversations_queue ON conversations (status, created_ms);
CREATE INDEX conversations_case ON conversations (case_id) WHERE case_id IS NOT NULL;

CREATE TABLE messages (
    id               BLOB PRIMARY KEY,
    conversation_id  BLOB NOT NULL REFERENCES conversations (id),
    seq              INTEGER NOT NULL,     -- the seq of its message_recorded event
    sender           TEXT NOT NULL,
    body_ct          BLOB NOT NULL,
    at_ms            INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages (conversation_id, seq);

CREATE TABLE case_notes (
    id          BLOB PRIMARY KEY,
    case_id     BLOB NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL,             -- note | location
    author      BLOB NOT NULL,
    body_ct     BLOB NOT NULL,
    at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX case_notes_case ON case_notes (case_id, at_ms);

CREATE TABLE users (
    id               BLOB PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    totp_ct          BLOB NOT NULL,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    locked_until_ms  INTEGER NOT NULL DEFAULT 0,
    created_ms       INTEGER NOT NULL
) STRICT;

-- The event log and its hash chain: one row per event, never updated.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    payload    BLOB NOT NULL,              -- canonical JSON of the event: ids and vocabulary only
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL
) STRICT;

-- The chain's head, locked by every committing transaction so links are written in order.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  BLOB NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
