-- The flow library: every imported flow file as it was given (so `_ui` and fields this program
-- does not know survive an export), who imported it and its SHA-256. Flow definitions are
-- configuration, not personal data: stored in clear. Later imports of a flow UUID win, in the
-- order of `seq` (the seq of the import's event in the audit chain).
CREATE TABLE flow_imports (
    id           BLOB PRIMARY KEY,
    seq          INTEGER NOT NULL UNIQUE,
    export       TEXT NOT NULL,
    digest       BLOB NOT NULL,
    imported_by  BLOB NOT NULL,
    imported_ms  INTEGER NOT NULL
) STRICT;

-- The flow a new conversation on each channel starts; a NULL flow means "the flow named Intake".
CREATE TABLE intake_flows (
    channel    TEXT PRIMARY KEY,
    flow_uuid  BLOB,
    seq        INTEGER NOT NULL,
    set_by     BLOB NOT NULL,
    set_ms     INTEGER NOT NULL
) STRICT;
