-- Set when a conversation comes back to the queue from closed (the applicant wrote again): a
-- conversation of a case then goes to the case's people, not to whoever is on the queue.
ALTER TABLE conversations ADD COLUMN returned BOOLEAN NOT NULL DEFAULT FALSE;
