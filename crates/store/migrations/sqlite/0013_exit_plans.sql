-- Exit plans, hand-offs and outcomes (issue 9). Everything a plan says is one ciphertext under
-- the case's data key (body_ct, bound to the row, its case, version and author): shredding the
-- case destroys it. Statuses, versions, who and when are in clear; they say nothing of the plan.

CREATE TABLE exit_plans (
    id              BLOB PRIMARY KEY,
    case_id         BLOB NOT NULL REFERENCES cases (id),
    version         INTEGER NOT NULL,
    status          TEXT NOT NULL,         -- draft | submitted | approved | returned
    author          BLOB NOT NULL,
    reviewer        BLOB,                  -- the coordinator who approved or returned it
    body_ct         BLOB NOT NULL,
    comment_ct      BLOB,                  -- why it was returned
    created_ms      INTEGER NOT NULL,
    submitted_ms    INTEGER,
    decided_ms      INTEGER,
    handed_off_ms   INTEGER,
    UNIQUE (case_id, version)
) STRICT;
CREATE INDEX exit_plans_status ON exit_plans (status, submitted_ms);

-- What operations reported on a hand-off (one plan version handed off), in order.
CREATE TABLE operations_reports (
    id          BLOB PRIMARY KEY,
    case_id     BLOB NOT NULL REFERENCES cases (id),
    plan_id     BLOB NOT NULL REFERENCES exit_plans (id),
    status      TEXT NOT NULL,             -- accepted | under_way | completed | aborted
    by_user     BLOB NOT NULL,
    reason_ct   BLOB,                      -- an abort's reason, sealed
    at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX operations_reports_case ON operations_reports (case_id, at_ms);
CREATE INDEX operations_reports_plan ON operations_reports (plan_id);

-- The outcome at exited: one row per fact recorded (the newest of an aspect counts).
CREATE TABLE case_outcomes (
    id          BLOB PRIMARY KEY,
    case_id     BLOB NOT NULL REFERENCES cases (id),
    aspect      TEXT NOT NULL,             -- arrival | guarantees | choice
    value       TEXT NOT NULL,
    by_user     BLOB NOT NULL,
    at_ms       INTEGER NOT NULL
) STRICT;
CREATE INDEX case_outcomes_case ON case_outcomes (case_id, at_ms);
