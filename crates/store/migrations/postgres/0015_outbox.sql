-- Messenger and voice channels (issue 10).
-- What the platform must still send to a provider: written in the same job as the message it
-- carries, sent by the outbox worker, deleted once sent. The payload is sealed under the
-- conversation's data key, bound to the row and the conversation, so shredding destroys it.
-- A worker leases a row by moving `due_ms` forward with a guarded update; a worker killed
-- after claiming sends again once the lease has passed. `failure` is a short code
-- (`refused`, `gave_up`), never content. `message_id` has no foreign key: on PostgreSQL the
-- batch writes its messages after the other rows.
CREATE TABLE outbox (
    id               UUID PRIMARY KEY,
    conversation_id  UUID NOT NULL REFERENCES conversations (id),
    message_id       UUID,
    channel          TEXT NOT NULL,
    due_ms           BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    state            TEXT NOT NULL,        -- pending | failed
    failure          TEXT,
    failed_ms        BIGINT,
    body_ct          BYTEA NOT NULL,
    created_ms       BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, due_ms);
CREATE INDEX outbox_conversation ON outbox (conversation_id);

-- Inbound updates already recorded, by the provider's id (Telegram's `update_id`), inserted in
-- the same job as the applicant's message so a redelivered update is never recorded twice.
CREATE TABLE inbound_receipts (
    source       TEXT NOT NULL,
    receipt      BIGINT NOT NULL,
    received_ms  BIGINT NOT NULL,
    PRIMARY KEY (source, receipt)
);
CREATE INDEX inbound_receipts_age ON inbound_receipts (received_ms);

-- Where the platform answers a messenger conversation (a Telegram chat id, a call's sid),
-- sealed under the conversation's data key and bound to it.
ALTER TABLE conversations ADD COLUMN reply_to_ct BYTEA;

-- A channel's newest conversation of a contact.
CREATE INDEX conversations_contact ON conversations (contact_id, channel, created_ms);
