//! Full-text search (`milepost_store::search`). SQLite keeps one FTS5 table per kind of
//! thing, with the table itself as external content, kept in step by triggers
//! (migration 0013), so rows written by any path (the use cases, OKR files, the bulk
//! seed, a hand-written `INSERT`) are found; the query ranks with `bm25`. PostgreSQL
//! indexes a `tsvector` expression of each table with GIN (the same migration) and
//! ranks with `ts_rank`; the query repeats the index's expression, word for word, so the
//! planner uses the index.
//!
//! The query's words are quoted here, whatever they hold (`"word"*` in FTS5,
//! `'word':*` in a `tsquery`), so no text can be read as an operator of either syntax.

use crate::{Tx, run_on};
use milepost_core::{SearchKind, WorkspaceId};
use milepost_store::*;

/// How one kind of thing is searched.
struct Kind {
    /// The table, and its alias in the query.
    table: &'static str,
    alias: &'static str,
    /// SQLite: the FTS5 table over it, and the `bm25` weights of its columns.
    fts: &'static str,
    weights: &'static str,
    /// PostgreSQL: the indexed `tsvector` expression, as the migration wrote it,
    /// with every column under the alias.
    vector: &'static str,
    /// The selected columns besides the score, as [`SearchHitRow`] names them.
    columns: &'static str,
    /// The joins after the table.
    joins: &'static str,
    /// Whether a thing is archived (or belongs to something archived).
    archived: &'static str,
    /// The objective a thing belongs to, when it can be hidden with it.
    objective: Option<&'static str>,
}

fn kind(kind: SearchKind) -> Kind {
    match kind {
        SearchKind::Objective => Kind {
            table: "objectives",
            alias: "o",
            fts: "objectives_search",
            weights: "4.0, 1.0",
            vector: "(setweight(to_tsvector('simple', o.title), 'A') \
                     || setweight(to_tsvector('simple', o.description), 'B'))",
            columns: "o.id AS id, o.title AS title, o.description AS body, (o.archived OR c.archived) AS archived, \
                      o.cycle_id AS parent_id, c.name AS context",
            joins: "JOIN cycles c ON c.workspace_id = o.workspace_id AND c.id = o.cycle_id",
            archived: "(o.archived OR c.archived)",
            objective: Some("o.id"),
        },
        SearchKind::KeyResult => Kind {
            table: "key_results",
            alias: "k",
            fts: "key_results_search",
            weights: "4.0, 1.0",
            vector: "(setweight(to_tsvector('simple', k.title), 'A') \
                     || setweight(to_tsvector('simple', COALESCE(k.metric, '')), 'B'))",
            columns: "k.id AS id, k.title AS title, COALESCE(k.metric, '') AS body, \
                      (k.archived OR o.archived OR c.archived) AS archived, k.objective_id AS parent_id, \
                      o.title AS context",
            joins: "JOIN objectives o ON o.workspace_id = k.workspace_id AND o.id = k.objective_id \
                    JOIN cycles c ON c.workspace_id = o.workspace_id AND c.id = o.cycle_id",
            archived: "(k.archived OR o.archived OR c.archived)",
            objective: Some("k.objective_id"),
        },
        SearchKind::Kpi => Kind {
            table: "kpis",
            alias: "x",
            fts: "kpis_search",
            weights: "4.0, 2.0, 1.0",
            vector: "(setweight(to_tsvector('simple', x.name), 'A') \
                     || setweight(to_tsvector('simple', translate(x.slug, '-_', '  ')), 'B') \
                     || setweight(to_tsvector('simple', x.description), 'C'))",
            columns: "x.id AS id, x.name AS title, x.description AS body, x.archived AS archived, \
                      CAST(NULL AS BIGINT) AS parent_id, CAST(NULL AS TEXT) AS context",
            joins: "",
            archived: "x.archived",
            objective: None,
        },
        SearchKind::Person => Kind {
            table: "people",
            alias: "p",
            fts: "people_search",
            weights: "4.0, 2.0, 1.0",
            vector: "(setweight(to_tsvector('simple', p.name), 'A') \
                     || setweight(to_tsvector('simple', translate(p.handle, '-_.', '   ')), 'B') \
                     || setweight(to_tsvector('simple', translate(p.email, '@.-_+', '     ')), 'C'))",
            columns: "p.id AS id, p.name AS title, p.handle || ' · ' || p.email AS body, p.archived AS archived, \
                      p.team_id AS parent_id, t.name AS context",
            joins: "LEFT JOIN teams t ON t.workspace_id = p.workspace_id AND t.id = p.team_id",
            archived: "p.archived",
            objective: None,
        },
        SearchKind::Team => Kind {
            table: "teams",
            alias: "t",
            fts: "teams_search",
            weights: "4.0, 2.0",
            vector: "(setweight(to_tsvector('simple', t.name), 'A') \
                     || setweight(to_tsvector('simple', translate(t.slug, '-_', '  ')), 'B'))",
            columns: "t.id AS id, t.name AS title, t.slug AS body, t.archived AS archived, \
                      t.parent_team_id AS parent_id, up.name AS context",
            joins: "LEFT JOIN teams up ON up.workspace_id = t.workspace_id AND up.id = t.parent_team_id",
            archived: "t.archived",
            objective: None,
        },
    }
}

/// The FTS5 query of `words`: each a quoted string (quotes inside doubled) with a
/// prefix star, all required.
pub(crate) fn fts5_query(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{}\"*", w.replace('"', "\"\""))).collect();
    quoted.join(" AND ")
}

/// The `tsquery` text of `words`: each a quoted lexeme (quotes and backslashes
/// escaped) as a prefix, all required.
pub(crate) fn tsquery(words: &[String]) -> String {
    let quoted: Vec<String> =
        words.iter().map(|w| format!("'{}':*", w.replace('\\', "\\\\").replace('\'', "''"))).collect();
    quoted.join(" & ")
}

/// The search's SQL in the dialect (equal scores: the newest first, so this quarter's
/// objective before last quarter's of the same title): `$1` workspace, `$2` the match, `$3` archived too,
/// `$4` limit, `$5` offset, `$6` the hidden objectives (when the kind has them).
fn sql(kind: &Kind, sqlite: bool) -> String {
    let Kind { table, alias, fts, weights, vector, columns, joins, archived, objective } = kind;
    let hidden = objective.map(|column| format!("AND NOT ({})", crate::in_ids(sqlite, column, 6))).unwrap_or_default();
    if sqlite {
        // CROSS JOIN keeps the full-text table the outer loop: SQLite's planner may
        // otherwise walk the workspace's rows and run the MATCH once for each of them
        // (seconds on 45,000 key results, where this takes milliseconds).
        format!(
            "SELECT {columns}, -bm25({fts}, {weights}) AS score
               FROM {fts} CROSS JOIN {table} {alias} ON {alias}.id = {fts}.rowid {joins}
              WHERE {fts} MATCH $2 AND {alias}.workspace_id = $1 AND ($3 OR NOT {archived}) {hidden}
              ORDER BY archived, score DESC, id DESC LIMIT $4 OFFSET $5"
        )
    } else {
        format!(
            "SELECT {columns}, CAST(ts_rank({vector}, to_tsquery('simple', $2)) AS DOUBLE PRECISION) AS score
               FROM {table} {alias} {joins}
              WHERE {vector} @@ to_tsquery('simple', $2) AND {alias}.workspace_id = $1
                AND ($3 OR NOT {archived}) {hidden}
              ORDER BY archived, score DESC, id DESC LIMIT $4 OFFSET $5"
        )
    }
}

#[async_trait::async_trait]
impl SearchStore for Tx {
    async fn search(&mut self, workspace: WorkspaceId, request: &SearchRequest<'_>) -> Result<Vec<SearchHitRow>> {
        let words: Vec<String> = request.words.iter().filter(|w| !w.is_empty()).cloned().collect();
        if words.is_empty() || request.limit <= 0 {
            return Ok(Vec::new());
        }
        let kind = kind(request.kind);
        let hidden = crate::ids_json(request.hidden_objectives);
        Ok(run_on!(self, |conn, sqlite| {
            let matching = if sqlite { fts5_query(&words) } else { tsquery(&words) };
            let query = sqlx::query_as(sqlx::AssertSqlSafe(sql(&kind, sqlite)))
                .bind(workspace.get())
                .bind(matching)
                .bind(request.include_archived)
                .bind(request.limit)
                .bind(request.offset.max(0));
            let query = if kind.objective.is_some() { query.bind(hidden.clone()) } else { query };
            query.fetch_all(conn).await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_whatever_they_hold() {
        let words = vec!["reten".to_owned(), "a\"b".to_owned(), "it's".to_owned(), "back\\".to_owned()];
        assert_eq!(fts5_query(&words), "\"reten\"* AND \"a\"\"b\"* AND \"it's\"* AND \"back\\\"*");
        assert_eq!(tsquery(&words), "'reten':* & 'a\"b':* & 'it''s':* & 'back\\\\':*");
    }
}
