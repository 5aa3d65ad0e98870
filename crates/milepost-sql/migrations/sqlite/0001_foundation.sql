-- Milepost foundation schema. Every table carries workspace_id and every query filters
-- on it. Instants are BIGINT unix milliseconds; calendar days are 'YYYY-MM-DD' text.

CREATE TABLE workspaces (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_team_id BIGINT REFERENCES teams (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, slug)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    handle TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id BIGINT REFERENCES teams (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, handle),
    UNIQUE (workspace_id, email)
);

CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    status TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, slug)
);

CREATE TABLE kpis (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_person_id BIGINT REFERENCES people (id),
    unit TEXT,
    direction TEXT NOT NULL,
    target DOUBLE PRECISION,
    range_low DOUBLE PRECISION,
    range_high DOUBLE PRECISION,
    warning_band DOUBLE PRECISION NOT NULL DEFAULT 0,
    cadence TEXT NOT NULL,
    tier TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    lagging_after BIGINT NOT NULL DEFAULT 2,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, slug)
);

CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    kpi_id BIGINT NOT NULL REFERENCES kpis (id),
    value DOUBLE PRECISION NOT NULL,
    measured_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX measurements_by_kpi ON measurements (workspace_id, kpi_id, measured_at);

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    cycle_id BIGINT NOT NULL REFERENCES cycles (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_person_id BIGINT REFERENCES people (id),
    owner_team_id BIGINT REFERENCES teams (id),
    commitment TEXT NOT NULL,
    parent_objective_id BIGINT REFERENCES objectives (id),
    parent_key_result_id BIGINT,
    visibility TEXT NOT NULL,
    rollup_children BOOLEAN NOT NULL DEFAULT FALSE,
    added_after_start BOOLEAN NOT NULL DEFAULT FALSE,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((owner_person_id IS NULL) <> (owner_team_id IS NULL))
);
CREATE INDEX objectives_by_cycle ON objectives (workspace_id, cycle_id);
CREATE INDEX objectives_by_parent ON objectives (workspace_id, parent_objective_id);

CREATE TABLE key_results (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    objective_id BIGINT NOT NULL REFERENCES objectives (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    metric TEXT,
    unit TEXT,
    start_value DOUBLE PRECISION,
    target_value DOUBLE PRECISION,
    range_low DOUBLE PRECISION,
    range_high DOUBLE PRECISION,
    comparator TEXT,
    relative_change DOUBLE PRECISION,
    current_value DOUBLE PRECISION,
    weight DOUBLE PRECISION NOT NULL DEFAULT 1,
    owner_person_id BIGINT REFERENCES people (id),
    cadence TEXT NOT NULL,
    kpi_id BIGINT REFERENCES kpis (id),
    target_schedule TEXT,
    added_after_start BOOLEAN NOT NULL DEFAULT FALSE,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX key_results_by_objective ON key_results (workspace_id, objective_id);

CREATE TABLE check_ins (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    key_result_id BIGINT NOT NULL REFERENCES key_results (id),
    value DOUBLE PRECISION NOT NULL,
    confidence BIGINT,
    note TEXT NOT NULL DEFAULT '',
    blockers TEXT NOT NULL DEFAULT '',
    author_person_id BIGINT REFERENCES people (id),
    source TEXT NOT NULL,
    checked_in_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX check_ins_by_key_result ON check_ins (workspace_id, key_result_id, checked_in_at);

CREATE TABLE initiatives (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_person_id BIGINT REFERENCES people (id),
    status TEXT NOT NULL,
    due_date TEXT,
    link TEXT,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE initiative_key_results (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    initiative_id BIGINT NOT NULL REFERENCES initiatives (id),
    key_result_id BIGINT NOT NULL REFERENCES key_results (id),
    PRIMARY KEY (initiative_id, key_result_id)
);
CREATE INDEX initiative_key_results_by_key_result ON initiative_key_results (workspace_id, key_result_id);

-- Moving the goalposts is visible (SPEC §4): every change of a key result's start or
-- target after its cycle began, with who, when and why.
CREATE TABLE goal_changes (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    key_result_id BIGINT NOT NULL REFERENCES key_results (id),
    field TEXT NOT NULL,
    old_value DOUBLE PRECISION,
    new_value DOUBLE PRECISION,
    reason TEXT NOT NULL,
    author_person_id BIGINT REFERENCES people (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX goal_changes_by_key_result ON goal_changes (workspace_id, key_result_id);
