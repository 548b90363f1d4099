-- The console's case lists with a million cases (`safepassage-bench console`): a holder's cases
-- (or nobody's) newest change first, one state at a time, as an ordered range of one index
-- rather than every case of the holder sorted. It covers `cases_assigned (assigned_to, state)`,
-- which it replaces.
DROP INDEX cases_assigned;
CREATE INDEX cases_holder ON cases (assigned_to, state, updated_ms);

-- Whether an applicant of a case is back (`EXISTS … WHERE case_id = ? AND status = 'queued'`,
-- for every case of a list and on the case page): with the case id alone in the index SQLite
-- chose `conversations_queue` and walked every queued conversation for each case.
DROP INDEX conversations_case;
CREATE INDEX conversations_case ON conversations (case_id, status) WHERE case_id IS NOT NULL;
