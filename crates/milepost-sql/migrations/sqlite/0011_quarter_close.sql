-- A quarter from start to finish (issue 16).
--
-- The scoring thresholds are a workspace setting, in tenths of a score: a score below
-- score_yellow_from is red, below score_green_from yellow, else green; a committed
-- objective succeeds at committed_success or more, an aspirational one at
-- aspirational_success or more.
ALTER TABLE workspaces ADD COLUMN score_yellow_from BIGINT NOT NULL DEFAULT 4;
ALTER TABLE workspaces ADD COLUMN score_green_from BIGINT NOT NULL DEFAULT 7;
ALTER TABLE workspaces ADD COLUMN committed_success BIGINT NOT NULL DEFAULT 10;
ALTER TABLE workspaces ADD COLUMN aspirational_success BIGINT NOT NULL DEFAULT 7;

-- Each time a cycle was closed: the scores it froze (a JSON document of every
-- objective's and key result's grade) with the thresholds they were computed under (a
-- JSON document), who closed it, whether before its end date, and, once it was reopened,
-- when, by whom and why. The latest closing that was not reopened holds a closed cycle's
-- scores; a later change of settings or a late measurement does not move them.
CREATE TABLE cycle_closings (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    cycle_id BIGINT NOT NULL REFERENCES cycles (id),
    closed_at BIGINT NOT NULL,
    early BOOLEAN NOT NULL,
    actor_person_id BIGINT REFERENCES people (id),
    actor_token_id BIGINT REFERENCES api_tokens (id),
    thresholds TEXT NOT NULL,
    scores TEXT NOT NULL,
    reopened_at BIGINT,
    reopened_by_person_id BIGINT REFERENCES people (id),
    reopen_reason TEXT
);
CREATE INDEX cycle_closings_by_cycle ON cycle_closings (workspace_id, cycle_id, id);

-- Carry-over: an objective (and each of its key results) copied into a later cycle
-- points at its origin. An origin is carried into a cycle at most once, so carrying
-- twice finds the existing copy; the same indexes find an origin's copies.
ALTER TABLE objectives ADD COLUMN carried_from_objective_id BIGINT REFERENCES objectives (id);
CREATE UNIQUE INDEX objectives_carried_once ON objectives (workspace_id, carried_from_objective_id, cycle_id);
ALTER TABLE key_results ADD COLUMN carried_from_key_result_id BIGINT REFERENCES key_results (id);
CREATE UNIQUE INDEX key_results_carried_once ON key_results (workspace_id, carried_from_key_result_id, objective_id);

-- What worked and what did not: the short retrospective an objective's owners write at
-- close, kept with the objective and shown in its cycle's review.
CREATE TABLE objective_retrospectives (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    objective_id BIGINT NOT NULL REFERENCES objectives (id),
    worked TEXT NOT NULL,
    did_not_work TEXT NOT NULL,
    author_person_id BIGINT REFERENCES people (id),
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (workspace_id, objective_id)
);
