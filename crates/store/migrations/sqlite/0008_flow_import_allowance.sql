-- The outside action types (`call_webhook`) an administrator allowed for an imported flow file,
-- comma-separated; the file's flows are loaded with exactly these allowed. Files imported before
-- had none allowed.
ALTER TABLE flow_imports ADD COLUMN allowed_outside TEXT NOT NULL DEFAULT '';
