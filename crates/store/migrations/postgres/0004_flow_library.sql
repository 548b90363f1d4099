-- The flow library: every imported flow file as it was given (so `_ui` and fields this program
-- does not know survive an export), who imported it and its SHA-256. Flow definitions are
-- configuration, not personal data: stored in clear. Later imports of a flow UUID win, in the
-- order of `seq` (the seq of the import's event in the audit chain).
CREATE TABLE flow_imports (
    id           UUID PRIMARY KEY,
    seq          BIGINT NOT NULL UNIQUE,
    export       TEXT NOT NULL,
    digest       BYTEA NOT NULL,
    imported_by  UUID NOT NULL,
    imported_ms  BIGINT NOT NULL
);

-- The flow a new conversation on each channel starts; a NULL flow means "the flow named Intake".
CREATE TABLE intake_flows (
    channel    TEXT PRIMARY KEY,
    flow_uuid  UUID,
    seq        BIGINT NOT NULL,
    set_by     UUID NOT NULL,
    set_ms     BIGINT NOT NULL
);
