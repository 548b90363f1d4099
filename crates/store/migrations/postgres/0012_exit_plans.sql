-- Exit plans, hand-offs and outcomes (issue 9). Everything a plan says is one ciphertext under
-- the case's data key (body_ct, bound to the row, its case, version and author): shredding the
-- case destroys it. Statuses, versions, who and when are in clear; they say nothing of the plan.

CREATE TABLE exit_plans (
    id              UUID PRIMARY KEY,
    case_id         UUID NOT NULL REFERENCES cases (id),
    version         BIGINT NOT NULL,
    status          TEXT NOT NULL,         -- draft | submitted | approved | returned
    author          UUID NOT NULL,
    reviewer        UUID,                  -- the coordinator who approved or returned it
    body_ct         BYTEA NOT NULL,
    comment_ct      BYTEA,                  -- why it was returned
    created_ms      BIGINT NOT NULL,
    submitted_ms    BIGINT,
    decided_ms      BIGINT,
    handed_off_ms   BIGINT,
    UNIQUE (case_id, version)
);
CREATE INDEX exit_plans_status ON exit_plans (status, submitted_ms);

-- What operations reported on a hand-off (one plan version handed off), in order.
CREATE TABLE operations_reports (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL REFERENCES cases (id),
    plan_id     UUID NOT NULL REFERENCES exit_plans (id),
    status      TEXT NOT NULL,             -- accepted | under_way | completed | aborted
    by_user     UUID NOT NULL,
    reason_ct   BYTEA,                      -- an abort's reason, sealed
    at_ms       BIGINT NOT NULL
);
CREATE INDEX operations_reports_case ON operations_reports (case_id, at_ms);
CREATE INDEX operations_reports_plan ON operations_reports (plan_id);

-- The outcome at exited: one row per fact recorded (the newest of an aspect counts).
CREATE TABLE case_outcomes (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL REFERENCES cases (id),
    aspect      TEXT NOT NULL,             -- arrival | guarantees | choice
    value       TEXT NOT NULL,
    by_user     UUID NOT NULL,
    at_ms       BIGINT NOT NULL
);
CREATE INDEX case_outcomes_case ON case_outcomes (case_id, at_ms);
