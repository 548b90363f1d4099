-- The staff account lifecycle. `status`: pending (made with a one-time password; its owner has
-- not chosen a password nor enrolled TOTP yet), active, disabled. `password_expires_ms`: when a
-- one-time password stops working (0: the owner chose the password). `totp_pending_ct`: a new
-- TOTP secret shown to its owner and waiting for a code that confirms it (sealed like totp_ct).
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE users ADD COLUMN password_expires_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_pending_ct BYTEA;
