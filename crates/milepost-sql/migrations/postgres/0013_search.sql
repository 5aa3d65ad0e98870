-- Search (issue 15): a GIN index over a tsvector expression of each searched table,
-- built from the rows already there and kept by PostgreSQL on every write. The
-- 'simple' configuration folds case and keeps words whole (no stemming, as SQLite's
-- FTS5 tables of the paired migration), and queries match words by prefix. The search
-- query (milepost-sql's search.rs) repeats each expression exactly, so that the
-- planner uses the index.

CREATE INDEX objectives_search ON objectives USING GIN ((
    setweight(to_tsvector('simple', title), 'A')
    || setweight(to_tsvector('simple', description), 'B')
));

CREATE INDEX key_results_search ON key_results USING GIN ((
    setweight(to_tsvector('simple', title), 'A')
    || setweight(to_tsvector('simple', COALESCE(metric, '')), 'B')
));

CREATE INDEX kpis_search ON kpis USING GIN ((
    setweight(to_tsvector('simple', name), 'A')
    || setweight(to_tsvector('simple', translate(slug, '-_', '  ')), 'B')
    || setweight(to_tsvector('simple', description), 'C')
));

CREATE INDEX people_search ON people USING GIN ((
    setweight(to_tsvector('simple', name), 'A')
    || setweight(to_tsvector('simple', translate(handle, '-_.', '   ')), 'B')
    || setweight(to_tsvector('simple', translate(email, '@.-_+', '     ')), 'C')
));

CREATE INDEX teams_search ON teams USING GIN ((
    setweight(to_tsvector('simple', name), 'A')
    || setweight(to_tsvector('simple', translate(slug, '-_', '  ')), 'B')
));
