//! The paired migrations (`migrations/sqlite` and `migrations/postgres`), embedded in
//! the binary so that a single file is the whole installation.

use crate::{Db, Result};
use sqlx::SqlStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// One migration, in both dialects: same number, same name.
struct Paired {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Paired] = &[
    Paired {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Paired {
        version: 2,
        name: "access",
        sqlite: include_str!("../migrations/sqlite/0002_access.sql"),
        postgres: include_str!("../migrations/postgres/0002_access.sql"),
    },
    Paired {
        version: 3,
        name: "sessions",
        sqlite: include_str!("../migrations/sqlite/0003_sessions.sql"),
        postgres: include_str!("../migrations/postgres/0003_sessions.sql"),
    },
    Paired {
        version: 4,
        name: "invitations",
        sqlite: include_str!("../migrations/sqlite/0004_invitations.sql"),
        postgres: include_str!("../migrations/postgres/0004_invitations.sql"),
    },
    Paired {
        version: 5,
        name: "positions",
        sqlite: include_str!("../migrations/sqlite/0005_positions.sql"),
        postgres: include_str!("../migrations/postgres/0005_positions.sql"),
    },
    Paired {
        version: 6,
        name: "kpi_sources",
        sqlite: include_str!("../migrations/sqlite/0006_kpi_sources.sql"),
        postgres: include_str!("../migrations/postgres/0006_kpi_sources.sql"),
    },
    Paired {
        version: 7,
        name: "kpi_positions",
        sqlite: include_str!("../migrations/sqlite/0007_kpi_positions.sql"),
        postgres: include_str!("../migrations/postgres/0007_kpi_positions.sql"),
    },
    Paired {
        version: 8,
        name: "cycle_history_and_recovery",
        sqlite: include_str!("../migrations/sqlite/0008_cycle_history_and_recovery.sql"),
        postgres: include_str!("../migrations/postgres/0008_cycle_history_and_recovery.sql"),
    },
    Paired {
        version: 9,
        name: "cycle_kinds",
        sqlite: include_str!("../migrations/sqlite/0009_cycle_kinds.sql"),
        postgres: include_str!("../migrations/postgres/0009_cycle_kinds.sql"),
    },
    Paired {
        version: 10,
        name: "read_model_generations",
        sqlite: include_str!("../migrations/sqlite/0010_read_model_generations.sql"),
        postgres: include_str!("../migrations/postgres/0010_read_model_generations.sql"),
    },
    Paired {
        version: 11,
        name: "quarter_close",
        sqlite: include_str!("../migrations/sqlite/0011_quarter_close.sql"),
        postgres: include_str!("../migrations/postgres/0011_quarter_close.sql"),
    },
    Paired {
        version: 12,
        name: "first_run",
        sqlite: include_str!("../migrations/sqlite/0012_first_run.sql"),
        postgres: include_str!("../migrations/postgres/0012_first_run.sql"),
    },
    Paired {
        version: 13,
        name: "search",
        sqlite: include_str!("../migrations/sqlite/0013_search.sql"),
        postgres: include_str!("../migrations/postgres/0013_search.sql"),
    },
    Paired {
        version: 14,
        name: "error_budgets",
        sqlite: include_str!("../migrations/sqlite/0014_error_budgets.sql"),
        postgres: include_str!("../migrations/postgres/0014_error_budgets.sql"),
    },
    Paired {
        version: 15,
        name: "kpi_formulas",
        sqlite: include_str!("../migrations/sqlite/0015_kpi_formulas.sql"),
        postgres: include_str!("../migrations/postgres/0015_kpi_formulas.sql"),
    },
    Paired {
        version: 16,
        name: "webhooks",
        sqlite: include_str!("../migrations/sqlite/0016_webhooks.sql"),
        postgres: include_str!("../migrations/postgres/0016_webhooks.sql"),
    },
    Paired {
        version: 17,
        name: "comments",
        sqlite: include_str!("../migrations/sqlite/0017_comments.sql"),
        postgres: include_str!("../migrations/postgres/0017_comments.sql"),
    },
    Paired {
        version: 18,
        name: "reminders",
        sqlite: include_str!("../migrations/sqlite/0018_reminders.sql"),
        postgres: include_str!("../migrations/postgres/0018_reminders.sql"),
    },
];

/// The newest schema version this build knows: a backup of a newer one cannot be
/// restored by it.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn migrator(pick: fn(&Paired) -> &'static str) -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|m| {
                Migration::new(m.version, m.name.into(), MigrationType::Simple, SqlStr::from_static(pick(m)), false)
            })
            .collect(),
    )
}

pub(crate) async fn run(db: &Db) -> Result<()> {
    match db {
        Db::Sqlite(pool) => migrator(|m| m.sqlite).run(pool).await?,
        Db::Postgres(pool) => migrator(|m| m.postgres).run(pool).await?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::test_support::{postgres_url, unique_name};
    use std::str::FromStr;

    /// Migrates `db` up to `version` only, as an installation of that release left it.
    async fn run_to(db: &Db, version: i64) {
        let up_to = |pick: fn(&Paired) -> &'static str| {
            Migrator::with_migrations(
                MIGRATIONS
                    .iter()
                    .filter(|m| m.version <= version)
                    .map(|m| {
                        let sql = SqlStr::from_static(pick(m));
                        Migration::new(m.version, m.name.into(), MigrationType::Simple, sql, false)
                    })
                    .collect(),
            )
        };
        match db {
            Db::Sqlite(pool) => up_to(|m| m.sqlite).run(pool).await.unwrap(),
            Db::Postgres(pool) => up_to(|m| m.postgres).run(pool).await.unwrap(),
        }
    }

    /// Cycles written before 0009 (name, start, end), and the kind 0009 gives each.
    const OLD_CYCLES: [(&str, &str, &str, &str); 6] = [
        ("q4", "2026-10-01", "2026-12-31", "quarter"),
        ("q1", "2027-01-01", "2027-03-31", "quarter"),
        ("h2", "2026-07-01", "2026-12-31", "half"),
        ("y", "2027-01-01", "2027-12-31", "year"),
        ("fiscal", "2027-02-01", "2027-04-30", "custom"),
        ("sprint", "2026-10-05", "2026-10-18", "custom"),
    ];

    async fn old_cycles_get_their_kind(db: &Db) {
        run_to(db, 8).await;
        let insert_workspace = "INSERT INTO workspaces (slug, name, created_at, updated_at) VALUES ('w', 'W', 0, 0)";
        let insert_cycle = "INSERT INTO cycles (workspace_id, slug, name, start_date, end_date, status, created_at,
             updated_at) SELECT id, $1, $1, $2, $3, 'active', 0, 0 FROM workspaces";
        let select = "SELECT slug, kind FROM cycles ORDER BY id";
        let kinds: Vec<(String, String)> = match db {
            Db::Sqlite(pool) => {
                sqlx::query(insert_workspace).execute(pool).await.unwrap();
                for (slug, start, end, _) in OLD_CYCLES {
                    sqlx::query(insert_cycle).bind(slug).bind(start).bind(end).execute(pool).await.unwrap();
                }
                run(db).await.unwrap();
                sqlx::query_as(select).fetch_all(pool).await.unwrap()
            }
            Db::Postgres(pool) => {
                sqlx::query(insert_workspace).execute(pool).await.unwrap();
                for (slug, start, end, _) in OLD_CYCLES {
                    sqlx::query(insert_cycle).bind(slug).bind(start).bind(end).execute(pool).await.unwrap();
                }
                run(db).await.unwrap();
                sqlx::query_as(select).fetch_all(pool).await.unwrap()
            }
        };
        let expected: Vec<(String, String)> =
            OLD_CYCLES.iter().map(|(slug, _, _, kind)| ((*slug).to_owned(), (*kind).to_owned())).collect();
        assert_eq!(kinds, expected);
    }

    #[tokio::test]
    async fn existing_calendar_quarters_halves_and_years_get_their_kind() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Store::connect(&format!("sqlite://{}", dir.path().join("old.db").display())).await.unwrap();
        old_cycles_get_their_kind(&sqlite.db).await;
        sqlite.close().await;
        let Some(url) = postgres_url() else {
            eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: the PostgreSQL half checks nothing");
            return;
        };
        let schema = unique_name("milepost_migrate");
        let admin = Store::connect(&url).await.unwrap();
        if let Db::Postgres(pool) = &admin.db {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(pool).await.unwrap();
        }
        admin.close().await;
        let options =
            sqlx::postgres::PgConnectOptions::from_str(&url).unwrap().options([("search_path", schema.as_str())]);
        let postgres = Store::from_db(Db::Postgres(Store::postgres_pool(options).await.unwrap()));
        old_cycles_get_their_kind(&postgres.db).await;
        postgres.close().await;
    }

    /// A store on a fresh, empty PostgreSQL schema, or `None` (having said why).
    async fn empty_postgres() -> Option<Store> {
        let Some(url) = postgres_url() else {
            eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: the PostgreSQL half checks nothing");
            return None;
        };
        let schema = unique_name("milepost_migrate");
        let admin = Store::connect(&url).await.unwrap();
        if let Db::Postgres(pool) = &admin.db {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(pool).await.unwrap();
        }
        admin.close().await;
        let options =
            sqlx::postgres::PgConnectOptions::from_str(&url).unwrap().options([("search_path", schema.as_str())]);
        Some(Store::from_db(Db::Postgres(Store::postgres_pool(options).await.unwrap())))
    }

    /// Rows written before the search migration (0013), then migrated: each is found.
    async fn rows_written_before_search_are_found(store: &Store) {
        use milepost_core::{SearchKind, WorkspaceId};
        use milepost_store::{SearchRequest, Storage};
        run_to(&store.db, 11).await;
        let statements = [
            "INSERT INTO workspaces (slug, name, created_at, updated_at) VALUES ('w', 'W', 0, 0)",
            "INSERT INTO cycles (workspace_id, slug, name, start_date, end_date, status, created_at, updated_at)
             SELECT id, 'q4', 'Q4', '2026-10-01', '2026-12-31', 'active', 0, 0 FROM workspaces",
            "INSERT INTO teams (workspace_id, slug, name, created_at, updated_at)
             SELECT id, 'growth-squad', 'Growth', 0, 0 FROM workspaces",
            "INSERT INTO people (workspace_id, handle, name, email, role, created_at, updated_at)
             SELECT id, 'dana', 'Dana Whitfield', 'dana@example.com', 'member', 0, 0 FROM workspaces",
            "INSERT INTO kpis (workspace_id, slug, name, direction, cadence, tier, created_at, updated_at)
             SELECT id, 'mrr', 'Monthly recurring revenue', 'higher_is_better', 'monthly', 'kpi', 0, 0 FROM workspaces",
            "INSERT INTO objectives (workspace_id, cycle_id, title, owner_team_id, commitment, visibility,
               created_at, updated_at)
             SELECT c.workspace_id, c.id, 'Raise retention', t.id, 'committed', 'workspace', 0, 0 FROM cycles c, teams t",
            "INSERT INTO key_results (workspace_id, objective_id, title, kind, cadence, created_at, updated_at)
             SELECT workspace_id, id, 'Cut churn from 4% to 2%', 'decrease', 'weekly', 0, 0 FROM objectives",
        ];
        for statement in statements {
            match &store.db {
                Db::Sqlite(pool) => drop(sqlx::query(statement).execute(pool).await.unwrap()),
                Db::Postgres(pool) => drop(sqlx::query(statement).execute(pool).await.unwrap()),
            }
        }
        run(&store.db).await.unwrap();
        let mut tx = store.read().await.unwrap();
        let found = [
            (SearchKind::Objective, "reten", "Raise retention"),
            (SearchKind::KeyResult, "churn", "Cut churn from 4% to 2%"),
            (SearchKind::Kpi, "recur", "Monthly recurring revenue"),
            (SearchKind::Kpi, "mrr", "Monthly recurring revenue"),
            (SearchKind::Person, "whit", "Dana Whitfield"),
            (SearchKind::Person, "example", "Dana Whitfield"),
            (SearchKind::Team, "squad", "Growth"),
        ];
        for (kind, word, title) in found {
            let words = [word.to_owned()];
            let request = SearchRequest {
                kind,
                words: &words,
                hidden_objectives: &[],
                include_archived: false,
                offset: 0,
                limit: 10,
            };
            let hits = tx.search(WorkspaceId(1), &request).await.unwrap();
            let titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
            assert_eq!(titles, [title], "{kind:?} {word}");
        }
    }

    #[tokio::test]
    async fn rows_written_before_the_search_migration_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Store::connect(&format!("sqlite://{}", dir.path().join("old.db").display())).await.unwrap();
        rows_written_before_search_are_found(&sqlite).await;
        sqlite.close().await;
        if let Some(postgres) = empty_postgres().await {
            rows_written_before_search_are_found(&postgres).await;
            postgres.close().await;
        }
    }

    #[test]
    fn every_migration_has_both_dialects_in_order() {
        // Numbers go up; one may be missing on a branch, reserved by a branch made beside
        // it (the numbers are handed out before the work), until both are merged.
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version, "{} comes after {}", pair[1].name, pair[0].name);
        }
        for m in MIGRATIONS {
            assert!(!m.sqlite.trim().is_empty() && !m.postgres.trim().is_empty(), "{} lacks a dialect", m.name);
            // The same tables and indexes in both dialects. A search index is an FTS5
            // table in SQLite and a GIN index of the same name in PostgreSQL.
            let names = |sql: &str| -> Vec<String> {
                sql.lines()
                    .filter_map(|l| {
                        l.strip_prefix("CREATE TABLE ")
                            .or_else(|| l.strip_prefix("CREATE INDEX "))
                            .or_else(|| l.strip_prefix("CREATE VIRTUAL TABLE "))
                    })
                    .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_owned())
                    .collect()
            };
            assert_eq!(names(m.sqlite), names(m.postgres), "{}: the dialects create different things", m.name);
        }
    }
}
