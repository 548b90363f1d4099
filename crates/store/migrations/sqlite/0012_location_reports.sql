-- Location reports (issue 9). The place (coordinates, accuracy, words) is only inside body_ct,
-- sealed under key_id: the case's data key, or the conversation's while an applicant's report
-- has no case. Shredding destroys either key, so the place with it.
CREATE TABLE location_reports (
    id               BLOB PRIMARY KEY,
    case_id          BLOB REFERENCES cases (id),
    conversation_id  BLOB REFERENCES conversations (id),
    key_id           BLOB NOT NULL REFERENCES data_keys (id),
    source           TEXT NOT NULL,
    recorded_by      BLOB,
    true_at_ms       INTEGER NOT NULL,
    at_ms            INTEGER NOT NULL,
    body_ct          BLOB NOT NULL
) STRICT;
CREATE INDEX location_reports_case ON location_reports (case_id, at_ms) WHERE case_id IS NOT NULL;
CREATE INDEX location_reports_conversation ON location_reports (conversation_id, at_ms)
    WHERE conversation_id IS NOT NULL;
