-- Messages are read per conversation in seq order and never by id: keep them clustered by
-- (conversation, seq) so an append touches one b-tree instead of three (rowid table, id index,
-- conversation index).
CREATE TABLE messages_clustered (
    conversation_id  BLOB NOT NULL REFERENCES conversations (id),
    seq              INTEGER NOT NULL,     -- the seq of its message_recorded event
    id               BLOB NOT NULL,
    sender           TEXT NOT NULL,
    body_ct          BLOB NOT NULL,
    at_ms            INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO messages_clustered (conversation_id, seq, id, sender, body_ct, at_ms)
    SELECT conversation_id, seq, id, sender, body_ct, at_ms FROM messages;
DROP TABLE messages;
ALTER TABLE messages_clustered RENAME TO messages;
