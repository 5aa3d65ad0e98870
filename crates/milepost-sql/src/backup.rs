//! Online backups and restores (`milepost backup FILE`, `milepost restore FILE`).
//!
//! SQLite: `VACUUM INTO` a file beside the target, from one read transaction, so the copy
//! is one consistent moment while servers go on writing (WAL lets them); the copy is
//! checked (`PRAGMA integrity_check`), synced and renamed into place, so a backup file is
//! whole or absent. The backup is itself a SQLite database, which `sqlite3` opens.
//!
//! PostgreSQL: `pg_dump` in its custom format of the schema the store uses, one
//! consistent snapshot while servers write. A restore goes through `pg_restore` in one
//! transaction into the target's schema (the one `search_path` names).
//!
//! Before a restore touches anything, the file is checked: it must be a Milepost backup
//! (it holds Milepost's migrations table and its `workspaces`) of a schema version this
//! build knows (an older one is brought up to date afterwards by the migrations; a newer
//! one is refused: downgrades are not supported). A target that holds a workspace is
//! replaced only when the operator says `--force`.

use crate::migrate::latest_version;
use crate::{Db, Store, StoreError};
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

/// What went wrong with a backup or a restore, said for the operator.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The operation was refused before anything was written, and why.
    #[error("{0}")]
    Refused(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read or written.
    #[error("{what}: {source}")]
    Io {
        /// Which file, doing what.
        what: String,
        /// The system's error.
        source: std::io::Error,
    },
}

impl From<sqlx::Error> for BackupError {
    fn from(error: sqlx::Error) -> Self {
        BackupError::Store(error.into())
    }
}

type Result<T> = std::result::Result<T, BackupError>;

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// Which database a backup file is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// A SQLite database file.
    Sqlite,
    /// A `pg_dump` custom-format archive.
    Postgres,
}

impl BackupKind {
    /// The database's name, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Sqlite => "SQLite",
            BackupKind::Postgres => "PostgreSQL",
        }
    }
}

/// What a backup file holds, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// Of which database.
    pub kind: BackupKind,
    /// Its schema version (the last migration applied).
    pub schema_version: i64,
    /// How many workspaces it holds.
    pub workspaces: i64,
    /// On PostgreSQL, the schema it was taken from.
    pub schema: Option<String>,
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// A file in the same folder as `path` (so that a rename moves it into place at once),
/// named after it.
fn beside(path: &Path, tag: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "milepost".to_owned());
    path.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Flushes `path` to the disk, and the folder that names it, so a rename survives a
/// power cut.
fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(io(format!("could not sync {}", path.display())))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Folders cannot be opened for syncing everywhere; where they can, do it.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// Makes a backup readable by its owner only: it holds password and token hashes.
fn owner_only(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(io(format!("could not restrict {} to its owner", path.display())))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Refuses to overwrite an existing backup file unless asked to.
fn check_output(to: &Path, force: bool) -> Result<()> {
    if to.exists() && !force {
        return Err(BackupError::Refused(format!(
            "{} already exists: choose another file, or pass --force to replace it",
            to.display()
        )));
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(BackupError::Refused(format!("the folder {} does not exist", dir.display())));
    }
    Ok(())
}

/// Puts a backup written and checked at `partial` in place at `to`, whole or not at
/// all: readable by its owner only (it holds password hashes), synced, renamed, the
/// rename synced. When writing or checking it failed (`written`), or any of this fails,
/// the partial file is removed.
fn publish(written: Result<BackupInfo>, partial: &Path, to: &Path) -> Result<BackupInfo> {
    let published = written.and_then(|info| {
        owner_only(partial)?;
        sync(partial)?;
        std::fs::rename(partial, to).map_err(io(format!("could not move the backup to {}", to.display())))?;
        sync(to)?;
        Ok(info)
    });
    if published.is_err() {
        let _ = std::fs::remove_file(partial);
    }
    published
}

impl Store {
    /// Writes a consistent backup of the whole database to `to` while servers go on
    /// writing, and answers what it holds. `to` is written whole or not at all.
    /// `url` is the one the store was opened with: `pg_dump` connects with its
    /// password (through the environment, never the command line).
    pub async fn backup(&self, url: &str, to: &Path, force: bool) -> Result<BackupInfo> {
        check_output(to, force)?;
        match &self.db {
            Db::Sqlite(pool) => {
                let partial = beside(to, "partial");
                let _ = std::fs::remove_file(&partial);
                let written = async {
                    let mut connection = pool.acquire().await?;
                    sqlx::query("VACUUM INTO $1")
                        .bind(partial.to_string_lossy().as_ref())
                        .execute(&mut *connection)
                        .await?;
                    drop(connection);
                    check_sqlite_file(&partial).await
                }
                .await;
                publish(written, &partial, to)
            }
            Db::Postgres(pool) => {
                let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()").fetch_one(pool).await?;
                let schema = schema.ok_or_else(|| {
                    BackupError::Refused(
                        "the database has no Milepost schema: its search_path names no schema that exists".to_owned(),
                    )
                })?;
                let major: i64 =
                    sqlx::query_scalar("SELECT CAST(current_setting('server_version_num') AS BIGINT) / 10000")
                        .fetch_one(pool)
                        .await?;
                let pg_dump = postgres_tool("pg_dump", Some(major))?;
                let options = pool.connect_options();
                let partial = beside(to, "partial");
                let _ = std::fs::remove_file(&partial);
                let mut command = Command::new(&pg_dump);
                connection_args(&mut command, &options, url_password(url).as_deref());
                command
                    .args(["--format=custom", "--no-owner", "--no-privileges"])
                    .arg(format!("--schema={schema}"))
                    .arg("--file")
                    .arg(&partial);
                let written = run_tool(command, "pg_dump").and_then(|_| check_postgres_file(&partial));
                publish(written, &partial, to)
            }
        }
    }
}

/// Checks that `file` is a Milepost backup this build can restore, and answers what it
/// holds, without changing it.
pub async fn check_backup(file: &Path) -> Result<BackupInfo> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .map_err(io(format!("could not read {}", file.display())))?;
    if head[..read].starts_with(SQLITE_MAGIC) {
        check_sqlite_file(file).await
    } else if head[..read].starts_with(PG_DUMP_MAGIC) {
        check_postgres_file(file)
    } else {
        Err(BackupError::Refused(format!(
            "{} is not a Milepost backup: it is neither a SQLite database nor a pg_dump archive",
            file.display()
        )))
    }
}

fn check_version(file: &Path, version: i64) -> Result<()> {
    let latest = latest_version();
    if version > latest {
        return Err(BackupError::Refused(format!(
            "{} holds schema version {version}, newer than this Milepost knows ({latest}): restore it with the \
             Milepost that made it or a newer one (downgrades are not supported)",
            file.display()
        )));
    }
    Ok(())
}

async fn open_sqlite_read_only(file: &Path) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new().filename(file).read_only(true).immutable(true);
    Ok(SqliteConnection::connect_with(&options).await?)
}

async fn check_sqlite_file(file: &Path) -> Result<BackupInfo> {
    let not_ours = |why: &str| BackupError::Refused(format!("{} is not a Milepost backup: {why}", file.display()));
    let mut connection = open_sqlite_read_only(file).await.map_err(|_| not_ours("SQLite cannot open it"))?;
    let checked: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut connection)
        .await
        .map_err(|e| not_ours(&format!("SQLite cannot read it ({e})")))?;
    if checked != ["ok"] {
        return Err(BackupError::Refused(format!(
            "{} is damaged: SQLite's integrity check says {}",
            file.display(),
            checked.join("; ")
        )));
    }
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut connection)
        .await
        .map_err(|_| not_ours("it has no Milepost schema"))?;
    let version = version.ok_or_else(|| not_ours("no migration was applied to it"))?;
    let workspaces: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces")
        .fetch_one(&mut connection)
        .await
        .map_err(|_| not_ours("it has no workspaces table"))?;
    connection.close().await?;
    check_version(file, version)?;
    Ok(BackupInfo { kind: BackupKind::Sqlite, schema_version: version, workspaces, schema: None })
}

fn check_postgres_file(file: &Path) -> Result<BackupInfo> {
    let not_ours = |why: String| BackupError::Refused(format!("{} is not a Milepost backup: {why}", file.display()));
    let pg_restore = postgres_tool("pg_restore", None)?;
    let mut list = Command::new(&pg_restore);
    list.arg("--list").arg(file);
    let toc = run_tool(list, "pg_restore").map_err(|e| not_ours(format!("pg_restore cannot read it ({e})")))?;
    // A table's line: `215; 1259 16390 TABLE myschema workspaces postgres`.
    let table_schema = |table: &str| {
        toc.lines().find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "TABLE")?;
            (words.get(at - 1).is_some_and(|w| w.ends_with(char::is_numeric)) && words.get(at + 2) == Some(&table))
                .then(|| words.get(at + 1).map(|s| (*s).to_owned()))
                .flatten()
        })
    };
    let schema = table_schema("_sqlx_migrations").ok_or_else(|| not_ours("it has no Milepost schema".to_owned()))?;
    if table_schema("workspaces").as_deref() != Some(schema.as_str()) {
        return Err(not_ours("it has no workspaces table".to_owned()));
    }
    let data = |table: &str| -> Result<Vec<Vec<String>>> {
        let mut rows = Command::new(&pg_restore);
        rows.args(["--data-only", "--table", table, "--file=-"]).arg(file);
        let sql = run_tool(rows, "pg_restore")?;
        // The rows are the lines between `COPY … FROM stdin;` and `\.`, tab-separated.
        Ok(sql
            .lines()
            .skip_while(|l| !l.starts_with("COPY "))
            .skip(1)
            .take_while(|l| *l != "\\.")
            .map(|l| l.split('\t').map(str::to_owned).collect())
            .collect())
    };
    let version = data("_sqlx_migrations")?
        .iter()
        .filter(|row| row.get(3).is_some_and(|success| success == "t"))
        .filter_map(|row| row.first()?.parse::<i64>().ok())
        .max()
        .ok_or_else(|| not_ours("no migration was applied to it".to_owned()))?;
    let workspaces = i64::try_from(data("workspaces")?.len()).unwrap_or(i64::MAX);
    check_version(file, version)?;
    Ok(BackupInfo { kind: BackupKind::Postgres, schema_version: version, workspaces, schema: Some(schema) })
}

/// Runs a PostgreSQL client tool, answering its standard output, or its standard error
/// as the failure.
fn run_tool(mut command: Command, name: &str) -> Result<String> {
    let output = command.output().map_err(io(format!("could not run {name}")))?;
    if !output.status.success() {
        return Err(BackupError::Refused(format!("{name} failed: {}", String::from_utf8_lossy(&output.stderr).trim())));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Where a PostgreSQL client tool is: `MILEPOST_PG_BIN` (a folder) when set, then
/// Debian's folder for the server's major version (a `pg_dump` older than the server
/// refuses it), then `PATH`, then the newest of Debian's folders.
fn postgres_tool(name: &str, major: Option<i64>) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("MILEPOST_PG_BIN") {
        let tool = Path::new(&dir).join(name);
        return if tool.is_file() {
            Ok(tool)
        } else {
            Err(BackupError::Refused(format!("MILEPOST_PG_BIN names {}, which holds no {name}", tool.display())))
        };
    }
    let debian = Path::new("/usr/lib/postgresql");
    if let Some(major) = major {
        let tool = debian.join(major.to_string()).join("bin").join(name);
        if tool.is_file() {
            return Ok(tool);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let tool = dir.join(name);
            if tool.is_file() {
                return Ok(tool);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(debian)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let tool = entry.path().join("bin").join(name);
            tool.is_file().then_some((version, tool))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, tool)| tool).ok_or_else(|| {
        BackupError::Refused(format!(
            "{name} is not installed, and Milepost needs it for backups on PostgreSQL: install PostgreSQL's client \
             tools (Debian: apt-get install postgresql-client), or set MILEPOST_PG_BIN to the folder that holds it"
        ))
    })
}

/// Points a PostgreSQL client tool at the database `options` connect to; the password
/// goes through the environment, never the command line.
fn connection_args(command: &mut Command, options: &PgConnectOptions, password: Option<&str>) {
    command.arg("--host").arg(options.get_host());
    command.arg("--port").arg(options.get_port().to_string());
    command.arg("--username").arg(options.get_username());
    if let Some(database) = options.get_database() {
        command.arg("--dbname").arg(database);
    }
    command.env("PGCONNECT_TIMEOUT", "10");
    let ssl_mode = match options.get_ssl_mode() {
        sqlx::postgres::PgSslMode::Disable => "disable",
        sqlx::postgres::PgSslMode::Allow => "allow",
        sqlx::postgres::PgSslMode::Prefer => "prefer",
        sqlx::postgres::PgSslMode::Require => "require",
        sqlx::postgres::PgSslMode::VerifyCa => "verify-ca",
        sqlx::postgres::PgSslMode::VerifyFull => "verify-full",
    };
    command.env("PGSSLMODE", ssl_mode);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
}

/// The password in a `postgres://user:password@host/db` URL, percent-decoded.
fn url_password(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let credentials = &rest[..rest.rfind('@')?];
    let (_, password) = credentials.split_once(':')?;
    let bytes = password.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| password.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}

/// Restores `file` (checked first with [`check_backup`]) into the database at `url`,
/// then brings its schema up to date. A target that holds a workspace is refused
/// unless `force`. On SQLite the servers must be stopped first; on PostgreSQL the
/// restore runs in one transaction, and the schema it replaces is kept until the
/// restore succeeded.
pub async fn restore(file: &Path, url: &str, force: bool) -> Result<BackupInfo> {
    let info = check_backup(file).await?;
    if url.starts_with("sqlite:") {
        if info.kind != BackupKind::Sqlite {
            return Err(BackupError::Refused(format!(
                "{} is a {} backup and the target is SQLite: restore it into PostgreSQL (--database-url postgres://…)",
                file.display(),
                info.kind.as_str()
            )));
        }
        restore_sqlite(file, url, force).await?;
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        if info.kind != BackupKind::Postgres {
            return Err(BackupError::Refused(format!(
                "{} is a {} backup and the target is PostgreSQL: restore it into a data directory (--data-dir)",
                file.display(),
                info.kind.as_str()
            )));
        }
        restore_postgres(file, url, &info, force).await?;
    } else {
        return Err(BackupError::Store(StoreError::UnsupportedUrl(crate::redact_url(url))));
    }
    let store = Store::connect(url).await?;
    let migrated = store.migrate().await;
    store.close().await;
    migrated?;
    Ok(info)
}

async fn restore_sqlite(file: &Path, url: &str, force: bool) -> Result<()> {
    let target = SqliteConnectOptions::from_str(url)?.get_filename().to_owned();
    if target.exists() {
        let workspaces = async {
            let options = SqliteConnectOptions::new().filename(&target).read_only(true);
            let mut connection = SqliteConnection::connect_with(&options).await?;
            let tables: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'workspaces'")
                    .fetch_one(&mut connection)
                    .await?;
            let count: i64 = if tables > 0 {
                sqlx::query_scalar("SELECT COUNT(*) FROM workspaces").fetch_one(&mut connection).await?
            } else {
                0
            };
            connection.close().await?;
            Ok::<i64, sqlx::Error>(count)
        }
        .await;
        let holds = match workspaces {
            Ok(0) => None,
            Ok(count) => Some(format!("holds {count} workspace(s)")),
            Err(_) => Some("is not an empty Milepost database".to_owned()),
        };
        if let Some(holds) = holds
            && !force
        {
            return Err(BackupError::Refused(format!(
                "{} {holds}: restoring would replace it. Stop the servers using it and pass --force, or restore \
                 into an empty data directory",
                target.display()
            )));
        }
    } else if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(format!("could not create {}", dir.display())))?;
    }
    let partial = beside(&target, "restoring");
    let copied = std::fs::copy(file, &partial)
        .map_err(io(format!("could not copy {} beside {}", file.display(), target.display())))
        .and_then(|_| sync(&partial));
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    // The old database's log belongs to the old file: it must not be replayed onto the
    // restored one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&partial, &target)
        .map_err(io(format!("could not move the restored file to {}", target.display())))?;
    sync(&target)
}

/// Quotes a PostgreSQL identifier.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

async fn restore_postgres(file: &Path, url: &str, info: &BackupInfo, force: bool) -> Result<()> {
    let options = PgConnectOptions::from_str(url)?;
    let mut connection = sqlx::PgConnection::connect_with(&options).await?;
    // The target schema: the first of the search path (`current_schema()` is NULL while
    // it does not exist yet).
    let search_path: String =
        sqlx::query_scalar("SELECT current_setting('search_path')").fetch_one(&mut connection).await?;
    let target = search_path
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .find(|s| !s.is_empty() && s != "$user")
        .unwrap_or_else(|| "public".to_owned());
    let source = info.schema.clone().unwrap_or_else(|| "public".to_owned());
    let workspaces_in = async |connection: &mut sqlx::PgConnection, schema: &str| -> Result<Option<i64>> {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'workspaces')",
        )
        .bind(schema)
        .fetch_one(&mut *connection)
        .await?;
        if !exists {
            return Ok(None);
        }
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {}.workspaces", quote(schema)));
        Ok(Some(sqlx::query_scalar(sql).fetch_one(&mut *connection).await?))
    };
    if let Some(count) = workspaces_in(&mut connection, &target).await?.filter(|c| *c > 0)
        && !force
    {
        return Err(BackupError::Refused(format!(
            "the schema {target} of {} holds {count} workspace(s): restoring would replace it. Pass --force, or \
             restore into an empty database",
            crate::redact_url(url)
        )));
    }
    if source != target && workspaces_in(&mut connection, &source).await?.is_some() {
        return Err(BackupError::Refused(format!(
            "the backup is of the schema {source}, which already holds Milepost's tables in {}: drop it or restore \
             elsewhere",
            crate::redact_url(url)
        )));
    }
    let major: i64 = sqlx::query_scalar("SELECT CAST(current_setting('server_version_num') AS BIGINT) / 10000")
        .fetch_one(&mut connection)
        .await?;
    let pg_restore = postgres_tool("pg_restore", Some(major))?;
    // The archive's list without its CREATE SCHEMA, which Milepost makes itself: the
    // schema may exist already (`public` always does).
    let mut list = Command::new(&pg_restore);
    list.arg("--list").arg(file);
    let toc = run_tool(list, "pg_restore")?;
    let kept: String = toc
        .lines()
        .filter(|line| !(line.contains(" SCHEMA - ") || line.contains(" COMMENT - SCHEMA ")))
        .map(|line| format!("{line}\n"))
        .collect();
    let list_file = beside(file, "list");
    std::fs::write(&list_file, kept).map_err(io(format!("could not write {}", list_file.display())))?;
    // The schema being replaced is set aside, and dropped only once the restore worked.
    let aside = format!("{target}_replaced_{}", std::process::id());
    let target_exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(&target)
        .fetch_one(&mut connection)
        .await?;
    let source_exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(&source)
        .fetch_one(&mut connection)
        .await?;
    let execute = async |connection: &mut sqlx::PgConnection, sql: String| -> Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *connection).await?;
        Ok(())
    };
    if target_exists {
        execute(&mut connection, format!("ALTER SCHEMA {} RENAME TO {}", quote(&target), quote(&aside))).await?;
    }
    let restored = async {
        if source != target && source_exists {
            // Holds no Milepost tables (checked above): an empty schema of that name.
            execute(&mut connection, format!("DROP SCHEMA {} CASCADE", quote(&source))).await?;
        }
        execute(&mut connection, format!("CREATE SCHEMA {}", quote(&source))).await?;
        let mut command = Command::new(&pg_restore);
        connection_args(&mut command, &options, url_password(url).as_deref());
        command.args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--use-list"]);
        command.arg(&list_file).arg(file);
        if let Err(error) = run_tool(command, "pg_restore") {
            execute(&mut connection, format!("DROP SCHEMA IF EXISTS {} CASCADE", quote(&source))).await?;
            return Err(error);
        }
        if source != target {
            execute(&mut connection, format!("ALTER SCHEMA {} RENAME TO {}", quote(&source), quote(&target))).await?;
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_file(&list_file);
    match restored {
        Ok(()) => {
            if target_exists {
                execute(&mut connection, format!("DROP SCHEMA {} CASCADE", quote(&aside))).await?;
            }
            connection.close().await?;
            Ok(())
        }
        Err(error) => {
            if target_exists {
                let _ =
                    execute(&mut connection, format!("ALTER SCHEMA {} RENAME TO {}", quote(&aside), quote(&target)))
                        .await;
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_gives_its_password_decoded() {
        assert_eq!(url_password("postgres://app:s%40cret@db:5432/milepost").as_deref(), Some("s@cret"));
        assert_eq!(url_password("postgres://app@db/milepost"), None);
        assert_eq!(url_password("sqlite://data/milepost.db"), None);
    }

    #[tokio::test]
    async fn a_file_that_is_no_backup_is_refused_saying_why() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let error = check_backup(&text).await.unwrap_err().to_string();
        assert!(error.contains("is not a Milepost backup"), "{error}");
        let other = dir.path().join("other.db");
        let mut connection =
            SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&other).create_if_missing(true))
                .await
                .unwrap();
        sqlx::query("CREATE TABLE notes (body TEXT)").execute(&mut connection).await.unwrap();
        connection.close().await.unwrap();
        let error = check_backup(&other).await.unwrap_err().to_string();
        assert!(error.contains("it has no Milepost schema"), "{error}");
    }
}
