-- The figures (ARCHITECTURE.md, "Figures"): counters per UTC day (days since 1970-01-01), kept
-- by the projection of the event log and by the bot's steps; they outlive shredding. The
-- clocks are the projection's memory (a case's state and since when; a queued conversation);
-- `figures_cursor` is the last event projected. `figures_taken` counts conversations taken per
-- member of staff and day, for staffing figures that never name anyone.
CREATE TABLE figure_counts (
    metric  TEXT NOT NULL,
    day     INTEGER NOT NULL,
    a       TEXT NOT NULL,
    b       TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (metric, day, a, b)
) WITHOUT ROWID;
CREATE TABLE figure_case_clocks (
    case_id   BLOB PRIMARY KEY,
    state     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    size      INTEGER NOT NULL,
    officers  INTEGER NOT NULL,
    since_ms  INTEGER NOT NULL
);
CREATE TABLE figure_queue_clocks (
    conversation_id  BLOB PRIMARY KEY,
    queued_ms        INTEGER NOT NULL,
    urgent           INTEGER NOT NULL
);
CREATE TABLE figures_taken (
    day      INTEGER NOT NULL,
    user_id  BLOB NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (day, user_id)
) WITHOUT ROWID;
CREATE TABLE figures_cursor (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO figures_cursor (id, seq) VALUES (1, 0);
CREATE TABLE figures_mapping (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    rules  TEXT NOT NULL
);
ALTER TABLE users ADD COLUMN figures_internal INTEGER NOT NULL DEFAULT 0;
