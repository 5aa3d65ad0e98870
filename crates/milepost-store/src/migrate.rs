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
];

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

    #[test]
    fn every_migration_has_both_dialects_in_order() {
        for (index, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, index as i64 + 1, "migrations are numbered 1, 2, 3 …");
            assert!(!m.sqlite.trim().is_empty() && !m.postgres.trim().is_empty(), "{} lacks a dialect", m.name);
            // The same tables and indexes in both dialects.
            let names = |sql: &str| -> Vec<String> {
                sql.lines()
                    .filter_map(|l| l.strip_prefix("CREATE TABLE ").or_else(|| l.strip_prefix("CREATE INDEX ")))
                    .map(|rest| rest.split_whitespace().next().unwrap_or_default().to_owned())
                    .collect()
            };
            assert_eq!(names(m.sqlite), names(m.postgres), "{}: the dialects create different things", m.name);
        }
    }
}
