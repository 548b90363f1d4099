-- A flow session's version: a step writes only over the version it read, so two nodes (or two
-- messages) stepping the same session at once cannot silently lose a step. Existing rows are at
-- version 1; 0 means "no row yet".
ALTER TABLE flow_sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
