-- Comments, @mentions and the inbox (issue 17).
--
-- A comment is on an objective, a key result or a check-in (`subject` names which,
-- `subject_id` the row) and always names the objective it belongs to, so that it is
-- visible exactly where that objective is. A reply names the comment it answers (one
-- level). A deleted comment keeps its row with an empty body (`deleted`); its text
-- stays only in the audit trail.
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    subject TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    objective_id BIGINT NOT NULL REFERENCES objectives (id),
    parent_comment_id BIGINT REFERENCES comments (id),
    author_person_id BIGINT REFERENCES people (id),
    body TEXT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX comments_by_subject ON comments (workspace_id, subject, subject_id, id);
CREATE INDEX comments_by_parent ON comments (workspace_id, parent_comment_id);
CREATE INDEX comments_by_objective ON comments (workspace_id, objective_id, id);

-- The people a comment mentions (`@handle`), for their inbox.
CREATE TABLE comment_mentions (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    comment_id BIGINT NOT NULL REFERENCES comments (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (workspace_id, comment_id, person_id)
);
CREATE INDEX comment_mentions_by_person ON comment_mentions (workspace_id, person_id, comment_id);

-- Inbox items a person marked done or dismissed, by the item's key (which names the
-- period of a computed item, so that it comes back when it is true again later).
CREATE TABLE inbox_dismissals (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    item_key TEXT NOT NULL,
    dismissed_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, person_id, item_key)
);
