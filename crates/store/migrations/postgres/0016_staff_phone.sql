-- Voice channel (issue 10): where a staff member takes calls (a phone number or a SIP address),
-- sealed under the staff key like the TOTP secret and bound to the account. NULL: not set.
ALTER TABLE users ADD COLUMN phone_ct BYTEA;
