-- Safe Passage schema, PostgreSQL. Personal data is only ever stored as ciphertext (BYTEA columns
-- named *_ct, bound to their row by associated data) or as keyed hashes (*_hash).

CREATE TABLE master_keys (
    id          TEXT PRIMARY KEY,          -- public id of a master key (first 8 bytes of its KCV)
    kcv         BYTEA NOT NULL,             -- key check value, HMAC(master, constant)
    created_ms  BIGINT NOT NULL,
    retired_ms  BIGINT
);

CREATE TABLE data_keys (
    id             UUID PRIMARY KEY,
    purpose        TEXT NOT NULL,          -- conversation | case | identity_mac | codename | staff
    master_key_id  TEXT NOT NULL,
    wrapped        BYTEA,                   -- NULL once shredded
    created_ms     BIGINT NOT NULL,
    shredded_ms    BIGINT
);
CREATE INDEX data_keys_master ON data_keys (master_key_id) WHERE wrapped IS NOT NULL;
CREATE UNIQUE INDEX data_keys_system ON data_keys (purpose)
    WHERE purpose IN ('identity_mac', 'codename', 'staff');

CREATE TABLE contacts (
    id          UUID PRIMARY KEY,
    created_ms  BIGINT NOT NULL
);

CREATE TABLE channel_identities (
    identity_hash  BYTEA PRIMARY KEY,       -- HMAC-SHA256(identity key, channel || 0 || id)
    channel        TEXT NOT NULL,
    contact_id     UUID NOT NULL REFERENCES contacts (id)
);

CREATE TABLE cases (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    key_id          UUID NOT NULL REFERENCES data_keys (id),
    codename_hash   BYTEA UNIQUE,
    name_ct         BYTEA,
    group_size      BIGINT,
    group_officers  BIGINT,
    close_reason    TEXT,
    created_ms      BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL
);
CREATE INDEX cases_state ON cases (state, updated_ms);

CREATE TABLE conversations (
    id               UUID PRIMARY KEY,
    contact_id       UUID NOT NULL REFERENCES contacts (id),
    channel          TEXT NOT NULL,
    language         TEXT NOT NULL,
    key_id           UUID NOT NULL REFERENCES data_keys (id),
    case_id          UUID REFERENCES cases (id),
    status           TEXT NOT NULL,        -- bot | queued | assigned | closed
    assigned_to      UUID,
    token_hash       BYTEA UNIQUE,
    created_ms       BIGINT NOT NULL
);
CREATE INDEX conversations_queue ON conversations (status, created_ms);
CREATE INDEX conversations_case ON conversations (case_id) WHERE case_id IS NOT NULL;

CREATE TABLE messages (
    id               UUID PRIMARY KEY,
    conversation_id  UUID NOT NULL REFERENCES conversations (id),
    seq              BIGINT NOT NULL,     -- the seq of its message_recorded event
    sender           TEXT NOT NULL,
    body_ct          BYTEA NOT NULL,
    at_ms            BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, seq);

CREATE TABLE case_notes (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL,             -- note | location
    author      UUID NOT NULL,
    body_ct     BYTEA NOT NULL,
    at_ms       BIGINT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, at_ms);

CREATE TABLE users (
    id               UUID PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    totp_ct          BYTEA NOT NULL,
    failed_logins    BIGINT NOT NULL DEFAULT 0,
    locked_until_ms  BIGINT NOT NULL DEFAULT 0,
    created_ms       BIGINT NOT NULL
);

-- The event log and its hash chain: one row per event, never updated.
CREATE TABLE events (
    seq        BIGINT PRIMARY KEY,
    at_ms      BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    payload    BYTEA NOT NULL,              -- canonical JSON of the event: ids and vocabulary only
    prev_hash  BYTEA NOT NULL,
    hash       BYTEA NOT NULL
);

-- The chain's head, locked by every committing transaction so links are written in order.
CREATE TABLE audit_head (
    id    SMALLINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  BYTEA NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
