//! What can go wrong in storage, in words the use cases act on: a missing row, a stale
//! version, a taken name, a full disk, a database that cannot be reached (try again), a
//! stored value that cannot be read (a bug or a corrupted row: never read as a default),
//! and any other failure (a bug).

use std::time::Duration;
use thiserror::Error;

/// Any error a database driver reports, kept for the log.
pub type Source = Box<dyn std::error::Error + Send + Sync>;

/// The schema's unique constraints, each named once: the use cases turn each into the
/// field a person must change (a team's slug, a person's email). A constraint the table
/// below does not know is `Other` with what the database said, and is answered as a
/// conflict with no field: a new constraint is added here, never guessed from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unique {
    /// `workspaces (slug)`.
    WorkspaceSlug,
    /// `teams (workspace_id, slug)`.
    TeamSlug,
    /// `people (workspace_id, handle)`.
    PersonHandle,
    /// `people (workspace_id, email)`.
    PersonEmail,
    /// `cycles (workspace_id, slug)`.
    CycleSlug,
    /// `kpis (workspace_id, slug)`.
    KpiSlug,
    /// `secret_hash` of `api_tokens`, `sessions` or `invitations`: a secret drawn twice.
    Secret,
    /// A constraint not in the table above: what the database reported.
    Other(String),
}

/// Each unique constraint of the migrations: its table, its columns, its name in
/// PostgreSQL (the name PostgreSQL gives an unnamed `UNIQUE`), and what it is.
const UNIQUES: &[(&str, &[&str], &str, Unique)] = &[
    ("workspaces", &["slug"], "workspaces_slug_key", Unique::WorkspaceSlug),
    ("teams", &["workspace_id", "slug"], "teams_workspace_id_slug_key", Unique::TeamSlug),
    ("people", &["workspace_id", "handle"], "people_workspace_id_handle_key", Unique::PersonHandle),
    ("people", &["workspace_id", "email"], "people_workspace_id_email_key", Unique::PersonEmail),
    ("cycles", &["workspace_id", "slug"], "cycles_workspace_id_slug_key", Unique::CycleSlug),
    ("kpis", &["workspace_id", "slug"], "kpis_workspace_id_slug_key", Unique::KpiSlug),
    ("api_tokens", &["secret_hash"], "api_tokens_secret_hash_key", Unique::Secret),
    ("sessions", &["secret_hash"], "sessions_secret_hash_key", Unique::Secret),
    ("invitations", &["secret_hash"], "invitations_secret_hash_key", Unique::Secret),
];

impl Unique {
    /// The constraint PostgreSQL names (`people_workspace_id_email_key`).
    pub fn of_constraint(name: &str) -> Unique {
        UNIQUES
            .iter()
            .find(|(_, _, constraint, _)| *constraint == name)
            .map_or_else(|| Unique::Other(name.to_owned()), |(.., unique)| unique.clone())
    }

    /// The constraint SQLite describes by its columns: `people.workspace_id,
    /// people.email` (its message after "UNIQUE constraint failed: ").
    pub fn of_columns(columns: &str) -> Unique {
        let named: Vec<(&str, &str)> = columns.split(',').filter_map(|c| c.trim().split_once('.')).collect();
        UNIQUES
            .iter()
            .find(|(table, cols, ..)| {
                named.len() == cols.len() && named.iter().zip(cols.iter()).all(|((t, c), col)| t == table && c == col)
            })
            .map_or_else(|| Unique::Other(columns.to_owned()), |(.., unique)| unique.clone())
    }
}

/// What went wrong in storage.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No row with that id in that workspace (rows of other workspaces look the same).
    #[error("not found")]
    NotFound,
    /// The row changed since the version the caller read.
    #[error("the row is at version {current}, not the version given")]
    Conflict {
        /// The row's version now.
        current: i64,
    },
    /// A unique constraint refused the write (a slug, handle or email already taken).
    #[error("already exists ({unique:?})")]
    Duplicate {
        /// Which of the schema's unique constraints, read from what the database
        /// reported by [`Unique::of_constraint`] (PostgreSQL's constraint name) or
        /// [`Unique::of_columns`] (SQLite's table and columns).
        unique: Unique,
    },
    /// A reference to a row that does not exist.
    #[error("refers to a row that does not exist")]
    MissingReference,
    /// A database URL this build cannot use.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// The database's disk (or SQLite's page limit) is full: the write was refused
    /// and rolled back, nothing of it was saved.
    #[error("the database's disk is full")]
    DiskFull,
    /// The database did not answer in time (for `/readyz`).
    #[error("the database did not answer within {0:?}")]
    TimedOut(Duration),
    /// A writer waited longer than its limit for its turn to write.
    #[error("waited more than {0:?} for other writers to finish")]
    WriteQueueFull(Duration),
    /// The database cannot be reached or is shutting down or overloaded: nothing was
    /// done, and the same request may succeed shortly.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] Source),
    /// A stored value cannot be read as what it should be (a corrupted row, or a
    /// schema the code does not match). Never replaced by a default.
    #[error("a stored value cannot be read: column {column}: {reason}")]
    Corrupt {
        /// The column, as the database names it.
        column: String,
        /// What is wrong with its value.
        reason: String,
    },
    /// Migrations failed.
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[source] Source),
    /// Any other database failure: a bug, not bad input and not an outage.
    #[error("the database failed: {0}")]
    Database(#[source] Source),
}

impl StoreError {
    /// Whether trying again later may succeed: the database was unreachable, busy or
    /// out of time, not wrong.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::TimedOut(_) | StoreError::WriteQueueFull(_))
    }
}

/// Results of storage calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(feature = "sqlx")]
mod from_sqlx {
    use super::{StoreError, Unique};

    impl From<sqlx::Error> for StoreError {
        fn from(error: sqlx::Error) -> Self {
            match error {
                sqlx::Error::Database(db) => from_database(db),
                sqlx::Error::ColumnDecode { index, source } => {
                    StoreError::Corrupt { column: index, reason: source.to_string() }
                }
                sqlx::Error::Decode(source) => {
                    StoreError::Corrupt { column: "?".to_owned(), reason: source.to_string() }
                }
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(error)),
                other => StoreError::Database(Box::new(other)),
            }
        }
    }

    impl From<sqlx::migrate::MigrateError> for StoreError {
        fn from(error: sqlx::migrate::MigrateError) -> Self {
            StoreError::Migrate(Box::new(error))
        }
    }

    /// An error the database itself reported, by its documented code.
    fn from_database(db: Box<dyn sqlx::error::DatabaseError>) -> StoreError {
        match db.kind() {
            sqlx::error::ErrorKind::UniqueViolation => {
                let unique = match db.constraint() {
                    Some(name) => Unique::of_constraint(name),
                    None => Unique::of_columns(db.message().trim_start_matches("UNIQUE constraint failed:")),
                };
                return StoreError::Duplicate { unique };
            }
            sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::MissingReference,
            _ => {}
        }
        if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
            return sqlite(db.code().and_then(|code| code.parse::<i64>().ok()), db);
        }
        let state = db.code().map(|code| code.into_owned()).unwrap_or_default();
        postgres(&state, db)
    }

    /// SQLite's primary result codes (the low byte of the extended code sqlx reports).
    fn sqlite(code: Option<i64>, db: Box<dyn sqlx::error::DatabaseError>) -> StoreError {
        const SQLITE_BUSY: i64 = 5;
        const SQLITE_LOCKED: i64 = 6;
        const SQLITE_FULL: i64 = 13;
        const SQLITE_CANTOPEN: i64 = 14;
        match code.map(|code| code & 0xff) {
            Some(SQLITE_FULL) => StoreError::DiskFull,
            Some(SQLITE_BUSY | SQLITE_LOCKED | SQLITE_CANTOPEN) => StoreError::Unavailable(boxed(db)),
            _ => StoreError::Database(boxed(db)),
        }
    }

    /// PostgreSQL's SQLSTATE: disk full (53100); connection failures (class 08), the
    /// server shutting down or not yet accepting (class 57), too many connections or out
    /// of memory (class 53) and a transaction the server chose to abort (40001, 40P01)
    /// are outages a retry may get past; anything else is a bug.
    fn postgres(state: &str, db: Box<dyn sqlx::error::DatabaseError>) -> StoreError {
        match state {
            "53100" => StoreError::DiskFull,
            "40001" | "40P01" => StoreError::Unavailable(boxed(db)),
            _ if state.starts_with("08") || state.starts_with("57") || state.starts_with("53") => {
                StoreError::Unavailable(boxed(db))
            }
            _ => StoreError::Database(boxed(db)),
        }
    }

    fn boxed(db: Box<dyn sqlx::error::DatabaseError>) -> super::Source {
        db
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unique_constraint_is_known_by_its_postgres_name_and_its_sqlite_columns() {
        for (table, columns, name, unique) in UNIQUES {
            assert_eq!(&Unique::of_constraint(name), unique, "{name}");
            let sqlite = columns.iter().map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ");
            assert_eq!(&Unique::of_columns(&format!(" {sqlite}")), unique, "{sqlite}");
        }
    }

    #[test]
    fn an_unknown_constraint_is_other_and_never_guessed_from_its_name() {
        assert_eq!(Unique::of_constraint("teams_slug_lower_key"), Unique::Other("teams_slug_lower_key".into()));
        assert!(matches!(Unique::of_columns("people.email"), Unique::Other(_)), "a column set of no constraint");
        assert!(matches!(Unique::of_columns("teams.workspace_id, teams.slug, teams.name"), Unique::Other(_)));
    }
}
