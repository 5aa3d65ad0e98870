//! Where a KPI's SQL source reads, resolved the way the driver will open it, and the
//! operator's rule for it (`MILEPOST_SQL_SOURCES`, issue 12).
//!
//! A source URL is never compared as text. A SQLite URL is parsed by sqlx's own rules
//! (`sqlite:`, `sqlite://`, percent-decoding, `?mode=`, `?immutable=`), a `file:` URI
//! inside it by SQLite's, and the path is made canonical (absolute, `.` and `..` and
//! symbolic links resolved); the run then opens exactly that canonical path, read-only,
//! never the text again. It is allowed when it lies inside an allowed folder or is an
//! allowed file, compared component by component; Milepost's own database files (main,
//! `-wal`, `-shm`, `-journal`, and the same file under another name: device and inode)
//! are refused whatever the list says. A PostgreSQL URL is compared on the host, port,
//! database and user the driver will connect with, after its query parameters;
//! Milepost's own PostgreSQL database is refused whatever the list says, by address
//! when a source is set and by the server's identity once connected.
//!
//! Anything that cannot be resolved unambiguously (a relative path, an in-memory
//! database, a `vfs`, an unknown parameter) is refused with a sentence that says so.

use milepost_app::kpi::source::redact;
use milepost_sql::StoreLocation;
use sqlx::postgres::PgConnectOptions;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use milepost_app::kpi::source_reader::SQL_SOURCES_ENV;

/// How long a host name may take to resolve when a source is compared with Milepost's
/// own PostgreSQL server.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(2);

/// A SQL source's database, resolved: what the run opens.
#[derive(Debug, Clone)]
pub(crate) enum SqlTarget {
    /// A SQLite file at a canonical path (its folder canonical when the file is
    /// missing), opened read-only.
    Sqlite {
        /// The canonical path.
        path: PathBuf,
        /// `immutable=1`: SQLite reads without locking.
        immutable: bool,
    },
    /// A PostgreSQL database, with the options the driver connects with.
    Postgres(Box<PgConnectOptions>),
}

/// The PostgreSQL server, database and user a set of options connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PgEndpoint {
    /// The host name in lower case, or the socket folder.
    host: String,
    /// Whether `host` is a Unix socket folder.
    socket: bool,
    port: u16,
    database: String,
    user: String,
}

impl PgEndpoint {
    fn of(options: &PgConnectOptions) -> PgEndpoint {
        let (host, socket) = match options.get_socket() {
            Some(path) => (path.to_string_lossy().trim_end_matches('/').to_owned(), true),
            None => (options.get_host().to_ascii_lowercase(), false),
        };
        let user = options.get_username().to_owned();
        // PostgreSQL connects to the database named like the user when none is given.
        let database = options.get_database().unwrap_or(&user).to_owned();
        PgEndpoint { host, socket, port: options.get_port(), database, user }
    }
}

/// Query parameters of a PostgreSQL URL that only pick what to connect to, which the
/// comparison covers, or change nothing a source could abuse.
const PG_PLAIN_PARAMETERS: [&str; 10] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "sslmode",
    "ssl-mode",
    "application_name",
    "statement-cache-capacity",
];
/// Query parameters that name files on the server (certificates, keys): a source may
/// carry them only as the allowed entry it matches does.
const PG_FILE_PARAMETERS: [&str; 7] =
    ["sslrootcert", "ssl-root-cert", "ssl-ca", "sslcert", "ssl-cert", "sslkey", "ssl-key"];

/// A PostgreSQL URL, parsed: the driver's options, the endpoint, which parts the URL
/// named itself, and its file parameters.
struct PgUrl {
    options: PgConnectOptions,
    endpoint: PgEndpoint,
    names_user: bool,
    names_database: bool,
    files: BTreeMap<String, String>,
}

fn parse_pg(url: &str) -> Result<PgUrl, String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "is not a URL".to_owned())?;
    if !matches!(parsed.scheme(), "postgres" | "postgresql") {
        return Err("is not a postgres:// URL".to_owned());
    }
    let mut files = BTreeMap::new();
    let (mut names_user, mut names_database) =
        (!parsed.username().is_empty(), !parsed.path().trim_matches('/').is_empty());
    for (key, value) in parsed.query_pairs() {
        match &*key {
            "user" => names_user = true,
            "dbname" => names_database = true,
            key if PG_PLAIN_PARAMETERS.contains(&key) => {}
            key if PG_FILE_PARAMETERS.contains(&key) => {
                files.insert(key.to_owned(), value.into_owned());
            }
            other => {
                return Err(format!(
                    "has the parameter {other:?}, which SQL sources may not set (only {})",
                    PG_PLAIN_PARAMETERS.join(", ")
                ));
            }
        }
    }
    let options =
        PgConnectOptions::from_str(url).map_err(|e| format!("is not a PostgreSQL URL the driver takes: {e}"))?;
    let endpoint = PgEndpoint::of(&options);
    Ok(PgUrl { options, endpoint, names_user, names_database, files })
}

/// What a SQLite URL names, before the file system is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SqlitePath {
    /// The absolute path as written, decoded.
    path: PathBuf,
    immutable: bool,
}

/// Parses a SQLite URL by sqlx's rules (and a `file:` URI inside it by SQLite's) into
/// an absolute path. The error says what is wrong, to follow "the URL ...".
fn parse_sqlite(url: &str) -> Result<SqlitePath, String> {
    if url.contains('\0') {
        return Err("contains a NUL character".to_owned());
    }
    // The driver itself must take the URL: it refuses unknown parameters and values.
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(|e| format!("is not a SQLite URL the driver takes: {e}"))?;
    // The same steps as sqlx's `from_str`, to see the parameters it read.
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (database, params) = match rest.split_once('?') {
        Some((database, params)) => (database, Some(params)),
        None => (rest, None),
    };
    if database == ":memory:" {
        return Err("names an in-memory database, which holds no metrics".to_owned());
    }
    let mut immutable = false;
    if let Some(params) = params {
        for (key, value) in
            reqwest::Url::parse(&format!("x:?{params}")).map_err(|_| "has bad parameters")?.query_pairs()
        {
            sqlite_parameter(&key, &value, &mut immutable)?;
        }
    }
    let filename = options.get_filename().to_str().ok_or("is not UTF-8 once decoded")?.to_owned();
    let path = if let Some(uri) = filename.strip_prefix("file:") {
        // SQLite opens a filename that starts with `file:` as a URI of its own
        // (sqlx always passes SQLITE_OPEN_URI): decode it as SQLite will.
        sqlite_uri_path(uri, &mut immutable)?
    } else {
        filename
    };
    if path.is_empty() || path == ":memory:" {
        return Err("names no file (an empty name is a temporary database)".to_owned());
    }
    if !path.starts_with('/') {
        return Err(format!(
            "names the relative path {path:?}; write an absolute path (sqlite:///srv/metrics/uptime.db), since \
             what a relative path reaches depends on where the server runs"
        ));
    }
    Ok(SqlitePath { path: PathBuf::from(path), immutable })
}

/// One `key=value` of a SQLite URL (sqlx's or SQLite's own): only those that change
/// nothing about which file opens are taken; the source is opened read-only anyway.
fn sqlite_parameter(key: &str, value: &str, immutable: &mut bool) -> Result<(), String> {
    match (key, value) {
        ("mode", "ro" | "rw") | ("cache", "private" | "shared") => Ok(()),
        ("mode", "memory") => Err("names an in-memory database (mode=memory), which holds no metrics".to_owned()),
        ("mode", other) => Err(format!("asks for mode={other}; a source only reads an existing file (mode=ro)")),
        ("immutable", "1" | "true") => {
            *immutable = true;
            Ok(())
        }
        ("immutable", "0" | "false") => {
            *immutable = false;
            Ok(())
        }
        ("vfs", _) => Err("names a SQLite VFS; sources read files through the default one only".to_owned()),
        (other, _) => Err(format!("has the parameter {other:?}, which SQL sources may not set")),
    }
}

/// The path of a SQLite `file:` URI (the text after `file:`), decoded as SQLite does:
/// an authority that is empty or `localhost`, `%HH` escapes, `?` parameters, `#` ends.
fn sqlite_uri_path(uri: &str, immutable: &mut bool) -> Result<String, String> {
    let uri = uri.split('#').next().unwrap_or_default();
    let (path, params) = match uri.split_once('?') {
        Some((path, params)) => (path, Some(params)),
        None => (uri, None),
    };
    let path = match path.strip_prefix("//") {
        Some(after) => {
            let (authority, rest) = after.split_at(after.find('/').unwrap_or(after.len()));
            if !authority.is_empty() && authority != "localhost" {
                return Err(format!("names the host {authority:?} in a file: URI; SQLite reads local files only"));
            }
            rest
        }
        None => path,
    };
    if let Some(params) = params {
        for pair in params.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            sqlite_parameter(&percent_decode(key)?, &percent_decode(value)?, immutable)?;
        }
    }
    percent_decode(path)
}

/// `%HH` decoded as SQLite decodes a URI; anything else is refused rather than guessed.
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes.get(index + 1..index + 3).and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(0) | None => return Err("has a % that is not a valid escape in a file: URI".to_owned()),
                Some(byte) => out.push(byte),
            }
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "is not UTF-8 once decoded".to_owned())
}

/// The canonical form of `path`: every `.`, `..` and symbolic link resolved. A missing
/// file is its canonical folder joined with its name (the run then finds no file); a
/// missing folder cannot be resolved.
fn canonical(path: &Path) -> Result<PathBuf, String> {
    match std::fs::canonicalize(path) {
        Ok(found) => Ok(found),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let name = match path.components().next_back() {
                Some(Component::Normal(name)) if !path.to_string_lossy().ends_with('/') => name,
                _ => return Err("cannot be resolved: the path does not exist".to_owned()),
            };
            let parent = path.parent().ok_or("cannot be resolved: the path does not exist")?;
            let folder = std::fs::canonicalize(parent)
                .map_err(|_| "cannot be resolved: its folder does not exist or cannot be read".to_owned())?;
            Ok(folder.join(name))
        }
        Err(_) => Err("cannot be resolved: the path cannot be read".to_owned()),
    }
}

/// The device and inode of an existing file.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The operator's allow-list and Milepost's own database: the rule for SQL sources.
pub(crate) struct SqlRule<'a> {
    /// The entries of `MILEPOST_SQL_SOURCES`.
    pub(crate) allowed: &'a [String],
    /// Where Milepost keeps its own data.
    pub(crate) own: &'a StoreLocation,
}

/// An allowed SQLite entry, resolved: a folder (everything inside) or one file.
enum SqliteEntry {
    Folder(PathBuf),
    File(PathBuf),
}

fn sqlite_entry(entry: &str) -> Result<SqliteEntry, String> {
    let written = parse_sqlite(entry)?;
    let path = canonical(&written.path)?;
    let folder = written.path.to_string_lossy().ends_with('/') || path.is_dir();
    Ok(if folder { SqliteEntry::Folder(path) } else { SqliteEntry::File(path) })
}

/// Checks an operator's entry of `MILEPOST_SQL_SOURCES`: an absolute SQLite folder or
/// file (`sqlite:///srv/metrics/`, `sqlite:///srv/metrics/uptime.db`) or a PostgreSQL
/// server (`postgres://reader@analytics:5432/metrics`; without a database, any on that
/// server; without a user, any user). The error is a sentence naming it.
pub fn check_sql_entry(entry: &str) -> Result<(), String> {
    let entry = entry.trim();
    let result = if entry.starts_with("sqlite:") {
        parse_sqlite(entry).map(|_| ())
    } else if entry.starts_with("postgres:") || entry.starts_with("postgresql:") {
        parse_pg(entry).map(|_| ())
    } else {
        Err("is neither a sqlite: nor a postgres:// URL".to_owned())
    };
    result.map_err(|why| {
        format!(
            "{:?} {why}; write a folder or file like sqlite:///srv/metrics/ or a server like \
             postgres://reader@analytics/metrics",
            redact(entry)
        )
    })
}

impl SqlRule<'_> {
    fn listed(&self) -> String {
        if self.allowed.is_empty() {
            "none are allowed".to_owned()
        } else {
            self.allowed.iter().map(|e| redact(e.trim())).collect::<Vec<_>>().join(", ")
        }
    }

    /// Resolves `url` and checks it against the rule: the database the run opens, or
    /// the sentence that says why not.
    pub(crate) async fn resolve(&self, url: &str) -> Result<SqlTarget, String> {
        let url = url.trim();
        let shown = redact(url);
        if url.starts_with("sqlite:") {
            self.resolve_sqlite(url, &shown)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            self.resolve_pg(url, &shown).await
        } else {
            Err(format!("{shown} is neither a sqlite: nor a postgres:// URL"))
        }
    }

    fn resolve_sqlite(&self, url: &str, shown: &str) -> Result<SqlTarget, String> {
        let written = parse_sqlite(url).map_err(|why| format!("the URL {shown} {why}"))?;
        let path = canonical(&written.path).map_err(|why| format!("the URL {shown} {why}"))?;
        if path.is_dir() {
            return Err(format!("the URL {shown} names a folder, not a SQLite file"));
        }
        if self.is_own_sqlite(&path) {
            return Err(format!(
                "the URL {shown} reaches Milepost's own database, which no KPI source may read, whatever \
                 {SQL_SOURCES_ENV} allows"
            ));
        }
        let inside = self.allowed.iter().filter(|e| e.trim().starts_with("sqlite:")).any(|entry| {
            match sqlite_entry(entry.trim()) {
                Ok(SqliteEntry::Folder(folder)) => path.starts_with(&folder) && path != folder,
                Ok(SqliteEntry::File(file)) => path == file,
                Err(_) => false,
            }
        });
        if !inside {
            return Err(format!(
                "the URL {shown} is not inside a folder or file the operator allows for SQL sources, once `.`, \
                 `..` and symbolic links are resolved (allowed: {})",
                self.listed()
            ));
        }
        Ok(SqlTarget::Sqlite { path, immutable: written.immutable })
    }

    /// Whether `path` (canonical) is one of Milepost's own database files, by name or
    /// as the same file under another name.
    fn is_own_sqlite(&self, path: &Path) -> bool {
        let StoreLocation::Sqlite(main) = self.own else { return false };
        let main = std::fs::canonicalize(main).unwrap_or_else(|_| std::path::absolute(main).unwrap_or(main.clone()));
        let own: Vec<PathBuf> = ["", "-wal", "-shm", "-journal"]
            .iter()
            .map(|suffix| {
                let mut name = main.clone().into_os_string();
                name.push(suffix);
                PathBuf::from(name)
            })
            .collect();
        if own.iter().any(|file| file == path) {
            return true;
        }
        match file_id(path) {
            Some(id) => own.iter().filter_map(|file| file_id(file)).any(|own_id| own_id == id),
            None => false,
        }
    }

    async fn resolve_pg(&self, url: &str, shown: &str) -> Result<SqlTarget, String> {
        let source = parse_pg(url).map_err(|why| format!("the URL {shown} {why}"))?;
        if let StoreLocation::Postgres(own) = self.own
            && same_database(&PgEndpoint::of(own), &source.endpoint).await
        {
            return Err(format!(
                "the URL {shown} reaches Milepost's own database, which no KPI source may read, whatever \
                 {SQL_SOURCES_ENV} allows"
            ));
        }
        let allowed = self
            .allowed
            .iter()
            .filter(|e| e.trim().starts_with("postgres"))
            .filter_map(|e| parse_pg(e.trim()).ok())
            .any(|entry| pg_entry_allows(&entry, &source));
        if !allowed {
            let target = &source.endpoint;
            let host = if target.socket { format!("the socket in {}", target.host) } else { target.host.clone() };
            return Err(format!(
                "the URL {shown} connects to the database {:?} as {:?} on {host}, port {}, which is not a database \
                 the operator allows for SQL sources (allowed: {})",
                target.database,
                target.user,
                target.port,
                self.listed()
            ));
        }
        Ok(SqlTarget::Postgres(Box::new(source.options)))
    }
}

/// Whether an allowed PostgreSQL entry covers a source: the same host and port, the
/// entry's database and user when it names them, and the same certificate files.
fn pg_entry_allows(entry: &PgUrl, source: &PgUrl) -> bool {
    let (allowed, target) = (&entry.endpoint, &source.endpoint);
    allowed.host == target.host
        && allowed.socket == target.socket
        && allowed.port == target.port
        && (!entry.names_database || allowed.database == target.database)
        && (!entry.names_user || allowed.user == target.user)
        && entry.files == source.files
}

/// Whether two endpoints are one database on one server: the same database name and
/// port on hosts that are the same by name, by address, or both this machine.
async fn same_database(own: &PgEndpoint, source: &PgEndpoint) -> bool {
    if own.database != source.database || own.port != source.port {
        return false;
    }
    if own.host == source.host {
        return true;
    }
    let (own_addresses, source_addresses) = (addresses(own).await, addresses(source).await);
    let local =
        |endpoint: &PgEndpoint, found: &[IpAddr]| endpoint.socket || found.iter().any(|ip| is_this_machine(*ip));
    (local(own, &own_addresses) && local(source, &source_addresses))
        || own_addresses.iter().any(|ip| source_addresses.contains(ip))
}

/// The addresses a host name resolves to now (none for a socket, or on failure).
async fn addresses(endpoint: &PgEndpoint) -> Vec<IpAddr> {
    if endpoint.socket {
        return Vec::new();
    }
    let host = endpoint.host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return vec![ip];
    }
    match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, endpoint.port))).await {
        Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

/// Whether `ip` is this machine: a loopback or unspecified address, or one it can
/// bind to.
fn is_this_machine(ip: IpAddr) -> bool {
    ip.is_loopback() || ip.is_unspecified() || std::net::UdpSocket::bind((ip, 0)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_parsed_as_the_driver_parses_them() {
        let path = |url: &str| parse_sqlite(url).map(|p| p.path.to_string_lossy().into_owned());
        assert_eq!(path("sqlite:///srv/m/a.db").unwrap(), "/srv/m/a.db");
        assert_eq!(path("sqlite:/srv/m/a.db").unwrap(), "/srv/m/a.db");
        assert_eq!(path("sqlite://sqlite:///srv/m/a.db").unwrap(), "/srv/m/a.db");
        assert_eq!(path("sqlite:///srv/m/%2e%2e/a.db").unwrap(), "/srv/m/../a.db");
        assert_eq!(path("sqlite:///srv/m/a.db?mode=ro&cache=private").unwrap(), "/srv/m/a.db");
        assert_eq!(path("sqlite://file:/srv/m/a.db").unwrap(), "/srv/m/a.db");
        assert_eq!(path("sqlite://file://localhost/srv/m/%252e%252e/a.db").unwrap(), "/srv/m/../a.db");
        assert_eq!(path("sqlite://file:///srv/m/a.db%3Fmode%3Dro").unwrap(), "/srv/m/a.db");
        assert!(parse_sqlite("sqlite:///srv/m/a.db?immutable=1").unwrap().immutable);
        for refused in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite://?mode=memory",
            "sqlite:",
            "sqlite://a.db",
            "sqlite://~/a.db",
            "sqlite:///srv/a.db?vfs=unix-none",
            "sqlite:///srv/a.db?mode=rwc",
            "sqlite:///srv/a.db?nolock=1",
            "sqlite://file:/srv/a.db%3Fvfs%3Dunix-none",
            "sqlite://file://evil/srv/a.db",
            "sqlite://file::memory:",
            "sqlite://file:a.db",
        ] {
            assert!(parse_sqlite(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn postgres_entries_compare_what_the_driver_connects_to() {
        let allows = |entry: &str, url: &str| pg_entry_allows(&parse_pg(entry).unwrap(), &parse_pg(url).unwrap());
        let entry = "postgres://reader@db.test:5432/metrics";
        assert!(allows(entry, "postgres://reader:pw@db.test/metrics"));
        assert!(allows(entry, "postgresql://reader@DB.test:5432/metrics?sslmode=disable"));
        assert!(!allows(entry, "postgres://reader@db.test/metrics?dbname=secret"));
        assert!(!allows(entry, "postgres://reader@db.test/metrics?host=other.test"));
        assert!(!allows(entry, "postgres://reader@db.test/metrics?port=5433"));
        assert!(!allows(entry, "postgres://reader@db.test/metrics?user=admin"));
        assert!(!allows(entry, "postgres://reader@db.test/metricsx"));
        assert!(!allows(entry, "postgres://reader@db.test:54320/metrics"));
        assert!(!allows(entry, "postgres://reader@db.test.evil/metrics"));
        assert!(allows("postgres://db.test/", "postgres://anyone@db.test/anything"));
        assert!(parse_pg("postgres://reader@db.test/metrics?options=-csearch_path%3Dx").is_err());
        assert!(parse_pg("postgres://reader@db.test/metrics?options[search_path]=x").is_err());
        assert!(parse_pg("postgres://reader@db.test/metrics?unknown=1").is_err());
    }
}
