//! Issue 12: a KPI SQL source reads only what the operator allows, and never
//! Milepost's own database. Each spelling below once escaped the allow-list (compared
//! as a text prefix) to a real SQLite file outside the allowed folder, to Milepost's
//! own database files, or to another PostgreSQL database; now each is refused with a
//! 422 at `/source/url` when set, and a source whose file changes after it was set
//! (a link swapped in) is refused at its next run, with nothing recorded.

use crate::harness::{Api, Org, id, postgres_server, postgres_source_database, spawn_app_with_sources};
use milepost_sql::test_support::{postgres_store, postgres_url, sqlite_store};
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};

/// The files of a test: an allowed folder with a metrics file, a real SQLite file
/// outside it, one allowed file with neighbours, and the server's own data folder.
struct Layout {
    root: PathBuf,
    allowed: PathBuf,
    secret: PathBuf,
    /// The server's own SQLite file, when the server runs on SQLite.
    own: Option<PathBuf>,
    /// The base URL of the PostgreSQL server (`postgres://user@host:port/`) and the
    /// database sources may read there, when PostgreSQL is configured.
    postgres: Option<(String, String)>,
}

/// Writes a SQLite file at `path` with a table `m` holding `value`, and a table
/// `secrets`.
async fn sqlite_file(path: &Path, value: f64) {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).create_if_missing(true);
    let mut conn = options.connect().await.unwrap();
    sqlx::query("CREATE TABLE m (value REAL)").execute(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO m VALUES ($1)").bind(value).execute(&mut conn).await.unwrap();
    sqlx::query("CREATE TABLE secrets (token TEXT)").execute(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO secrets VALUES ('s3cret')").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// Runs `body` against a real server on SQLite (or PostgreSQL with `postgres`) whose
/// `MILEPOST_SQL_SOURCES` allows the folder `allowed/`, the file `single/metrics.db`,
/// the server's own data folder or database (which stays refused), and one PostgreSQL
/// database.
async fn with_layout<F, Fut>(postgres: bool, body: F)
where
    F: FnOnce(Api, Layout) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for folder in ["allowed", "secret", "single", "data"] {
        std::fs::create_dir(root.join(folder)).unwrap();
    }
    let allowed = root.join("allowed");
    let secret = root.join("secret/secret.db");
    sqlite_file(&allowed.join("metrics.db"), 7.0).await;
    sqlite_file(&secret, 666.0).await;
    for file in ["single/metrics.db", "single/metrics.dbx", "single/secret.db"] {
        sqlite_file(&root.join(file), 666.0).await;
    }
    std::os::unix::fs::symlink(&secret, allowed.join("link-out.db")).unwrap();
    std::os::unix::fs::symlink(root.join("secret"), allowed.join("linkdir")).unwrap();

    let mut entries = vec![
        format!("sqlite://{}/", allowed.display()),
        format!("sqlite://{}", root.join("single/metrics.db").display()),
        format!("sqlite://{}/", root.join("data").display()),
    ];
    let source_database = postgres_source_database().await;
    let postgres_layout = match (postgres_url(), &source_database) {
        (Some(url), Some(source)) => {
            let base = postgres_server(&url);
            let database = source.trim_start_matches(&base).to_owned();
            entries.push(source.clone());
            // The server's own database, listed too: it stays refused.
            entries.push(format!("{base}{}", reqwest::Url::parse(&url).unwrap().path().trim_start_matches('/')));
            Some((base, database))
        }
        _ => None,
    };
    let (store, own) = if postgres {
        let Some(url) = postgres_url() else {
            eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
            return;
        };
        (postgres_store(&url).await.unwrap().0, None)
    } else {
        let store = sqlite_store(&root.join("data")).await.unwrap();
        (store, Some(root.join("data/milepost.db")))
    };
    let server = spawn_app_with_sources(store, Vec::new(), entries).await;
    let layout = Layout { root: root.clone(), allowed, secret, own, postgres: postgres_layout };
    body(server.api.clone(), layout).await;
    server.stop().await;
}

macro_rules! layout_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                with_layout(false, $body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                with_layout(true, $body).await;
            }
        }
    };
}

fn sql(url: &str, query: &str) -> Value {
    json!({"kind": "sql", "url": url, "query": query})
}

fn kpi_with(name: &str, source: Value) -> Value {
    json!({"name": name, "direction": "higher_is_better", "target": 10, "cadence": "daily", "source": source})
}

/// Asserts that setting `source` is refused at `pointer`, both on a new KPI and as a
/// change of `kpi`.
async fn refused_at(api: &Api, kpi: &Value, source: Value, pointer: &str) {
    let created = api.post("/api/v1/kpis", kpi_with("Escape", source.clone())).await;
    assert_eq!(created.status, 422, "{source}: {}", created.text);
    assert_eq!(created.pointers(), [pointer], "{source}: {}", created.text);
    let path = format!("/api/v1/kpis/{}", id(kpi));
    let changed = api.patch(&path, json!({"version": kpi["version"], "source": source})).await;
    assert_eq!(changed.status, 422, "{source}: {}", changed.text);
    let detail = changed.body["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains("s3cret") && detail.len() > 20, "{detail}");
}

layout_test!(sql_source_urls_that_escape_the_allowed_folders_are_refused, |api: Api, layout: Layout| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let (root, a, secret) = (layout.root.display().to_string(), layout.allowed.display().to_string(), &layout.secret);
    let fine = sql(&format!("sqlite://{a}/metrics.db"), "SELECT value FROM m");
    let kpi = api.post("/api/v1/kpis", kpi_with("Fine", fine)).await.expect(201);
    let ran = api.post(&format!("/api/v1/kpis/{}/source/run", id(&kpi)), json!({})).await.expect(200);
    assert_eq!(ran["last_error"], Value::Null, "{ran}");
    assert_eq!(ran["state"]["last_value"], 7.0);
    let kpi = api.get(&format!("/api/v1/kpis/{}", id(&kpi))).await.expect(200);

    let base = root.rsplit('/').next().unwrap().to_owned();
    let mut escapes = vec![
        format!("sqlite://{a}/../secret/secret.db"),
        format!("sqlite://{a}/./../secret/secret.db"),
        format!("sqlite://{a}//..//secret//secret.db"),
        format!("sqlite://{a}/%2e%2e/secret/secret.db"),
        format!("sqlite://{a}/%2E%2E%2Fsecret%2Fsecret.db"),
        format!("sqlite://{a}/..%2Fsecret/secret.db"),
        format!("sqlite:{a}/../secret/secret.db"),
        format!("sqlite:///{a}/../secret/secret.db"),
        format!("sqlite://sqlite://{a}/../secret/secret.db"),
        format!("sqlite://{a}/../secret/secret.db?mode=ro"),
        format!("sqlite://{a}/../secret/secret.db?immutable=1&cache=private"),
        format!("sqlite://{a}/../allowed/../secret/secret.db"),
        format!("sqlite://{a}/../../{base}/secret/secret.db"),
        format!("sqlite://file:{a}/../secret/secret.db"),
        format!("sqlite://file://localhost{a}/%252e%252e/secret/secret.db"),
        format!("sqlite://file:{a}/metrics.db%3Fvfs%3Dunix-none"),
        format!("sqlite://{a}/metrics.db?vfs=unix-none"),
        format!("sqlite://{a}/metrics.db?mode=rwc"),
        format!("sqlite://{a}/link-out.db"),
        format!("sqlite://{a}/linkdir/secret.db"),
        format!("sqlite://{root}/single/metrics.dbx"),
        format!("sqlite://{root}/single/metrics.db/../secret.db"),
        format!("sqlite://{root}/single/metrics.db/../../secret/secret.db"),
        format!("sqlite://{root}/single/./secret.db"),
        format!("sqlite://{a}/"),
        format!("sqlite://{a}/../secret/"),
        format!("sqlite://{a}/../secret/secret.db%00"),
        format!("sqlite://{}", root.to_uppercase() + "/ALLOWED/../secret/secret.db"),
        "sqlite::memory:".to_owned(),
        "sqlite://?mode=memory".to_owned(),
        "sqlite://~/secret.db".to_owned(),
        "sqlite://secret/secret.db".to_owned(),
        format!("sqlite://{}", secret.display()),
    ];
    // Milepost's own files, in a folder the list allows: refused all the same.
    if let Some(own) = &layout.own {
        let own = own.display().to_string();
        std::fs::hard_link(&own, layout.allowed.join("hard.db")).unwrap();
        std::os::unix::fs::symlink(&own, layout.allowed.join("own-link.db")).unwrap();
        escapes.extend([
            format!("sqlite://{own}"),
            format!("sqlite://{own}-wal"),
            format!("sqlite://{own}-shm"),
            format!("sqlite://{own}-journal"),
            format!("sqlite://{root}/data/../data/milepost.db"),
            format!("sqlite://{root}/data/./milepost.db?mode=ro"),
            format!("sqlite://{a}/hard.db"),
            format!("sqlite://{a}/own-link.db"),
            format!("sqlite://{a}/../data/milepost.db"),
        ]);
    }
    // Another PostgreSQL database than the one allowed, by its query parameters.
    if let Some((base, database)) = &layout.postgres {
        let allowed_db = format!("{base}{database}");
        escapes.extend([
            format!("{allowed_db}?dbname=postgres"),
            format!("{allowed_db}?dbname={database}&dbname=postgres"),
            format!("{allowed_db}?host=localhost"),
            format!("{allowed_db}?hostaddr=127.0.0.2"),
            format!("{allowed_db}?port=5433"),
            format!("{allowed_db}?user=someone_else"),
            format!("{allowed_db}?options=-csearch_path%3Dpublic"),
            format!("{allowed_db}?options[search_path]=public"),
            format!("{allowed_db}?sslrootcert=/etc/passwd"),
            format!("{allowed_db}x"),
            format!("{allowed_db}%2Fx"),
            format!("{}?dbname=postgres", allowed_db.replacen("postgres://", "postgresql://", 1)),
        ]);
    }
    for url in &escapes {
        refused_at(&api, &kpi, sql(url, "SELECT value FROM m"), "/source/url").await;
    }
    assert!(escapes.len() >= 33, "{} spellings", escapes.len());

    // The same files, written plainly, are read; nothing was changed by the refusals.
    for url in [
        format!("sqlite://{a}/metrics.db?mode=ro"),
        format!("sqlite:{a}/metrics.db"),
        format!("sqlite://{a}/../allowed/metrics.db"),
        format!("sqlite://file:{a}/metrics.db"),
        format!("sqlite://{root}/single/metrics.db"),
    ] {
        let current = api.get(&format!("/api/v1/kpis/{}", id(&kpi))).await.expect(200);
        let body = json!({"version": current["version"], "source": sql(&url, "SELECT value FROM m")});
        api.patch(&format!("/api/v1/kpis/{}", id(&kpi)), body).await.expect(200);
    }
    let kpis = api.get("/api/v1/kpis").await.expect(200);
    assert_eq!(kpis["items"].as_array().map(Vec::len), Some(1), "no escape made a KPI: {kpis}");
});

layout_test!(milepost_own_postgres_database_is_never_a_source, |api: Api, layout: Layout| async move {
    let (Some(url), Some((base, database))) = (postgres_url(), &layout.postgres) else { return };
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let own_name = reqwest::Url::parse(&url).unwrap().path().trim_start_matches('/').to_owned();
    let user = reqwest::Url::parse(&url).unwrap().username().to_owned();
    let allowed = json!({"kind": "sql", "url": format!("{base}{database}"), "query": "SELECT 3 AS value"});
    let kpi = api.post("/api/v1/kpis", kpi_with("Fine", allowed)).await.expect(201);
    let ran = api.post(&format!("/api/v1/kpis/{}/source/run", id(&kpi)), json!({})).await.expect(200);
    assert_eq!(ran["last_error"], Value::Null, "{ran}");
    let kpi = api.get(&format!("/api/v1/kpis/{}", id(&kpi))).await.expect(200);
    let own = [
        format!("{base}{own_name}"),
        format!("postgres://{user}@localhost:5432/{own_name}"),
        format!("postgresql://{user}@127.0.0.1/{own_name}?sslmode=disable"),
        format!("{base}{database}?dbname={own_name}"),
        format!("postgres://{user}@[::1]:5432/{own_name}"),
    ];
    if layout.own.is_none() {
        // This server keeps its data there: refused, though the list names it.
        for url in &own {
            refused_at(&api, &kpi, sql(url, "SELECT count(*) AS value FROM api_tokens"), "/source/url").await;
        }
    } else {
        // A server on SQLite may read that database as any other the list allows.
        let current = api.get(&format!("/api/v1/kpis/{}", id(&kpi))).await.expect(200);
        let body = json!({"version": current["version"], "source": sql(&own[0], "SELECT 4 AS value")});
        api.patch(&format!("/api/v1/kpis/{}", id(&kpi)), body).await.expect(200);
    }
});

layout_test!(
    a_source_whose_file_changes_after_it_was_set_is_refused_at_its_run,
    |api: Api, layout: Layout| async move {
        let org = Org::new(&api, "acme").await;
        let api = org.api.clone();
        let swap = layout.allowed.join("swap.db");
        sqlite_file(&swap, 5.0).await;
        let source = sql(&format!("sqlite://{}", swap.display()), "SELECT value FROM m");
        let kpi = api.post("/api/v1/kpis", kpi_with("Swapped", source)).await.expect(201);
        let run = format!("/api/v1/kpis/{}/source/run", id(&kpi));
        let ran = api.post(&run, json!({})).await.expect(200);
        assert_eq!(ran["state"]["last_value"], 5.0, "{ran}");

        // The file becomes a link out of the folder, then (on SQLite) a link to and a hard
        // link of Milepost's own database: each run is refused, and nothing is recorded.
        let mut swaps: Vec<(PathBuf, bool)> = vec![(layout.secret.clone(), false)];
        if let Some(own) = &layout.own {
            swaps.push((own.clone(), false));
            swaps.push((own.clone(), true));
        }
        for (target, hard) in swaps {
            std::fs::remove_file(&swap).unwrap();
            if hard {
                std::fs::hard_link(&target, &swap).unwrap();
            } else {
                std::os::unix::fs::symlink(&target, &swap).unwrap();
            }
            let refused = api.post(&run, json!({})).await.expect(200);
            let error = refused["last_error"].as_str().unwrap_or_default();
            assert!(error.contains("MILEPOST_SQL_SOURCES") && error.contains("nothing was read"), "{refused}");
            assert_eq!(refused["state"]["last_value"], 5.0, "nothing recorded: {refused}");
        }
        let series = api.get(&format!("/api/v1/kpis/{}/series?from=2026-01-01T00:00:00Z", id(&kpi))).await.expect(200);
        assert_eq!(series["points"].as_array().map(Vec::len), Some(1), "{series}");
    }
);

layout_test!(
    a_sqlite_source_runs_one_statement_that_reads_and_attaches_nothing,
    |api: Api, layout: Layout| async move {
        let org = Org::new(&api, "acme").await;
        let api = org.api.clone();
        let url = format!("sqlite://{}/metrics.db", layout.allowed.display());
        let kpi =
            api.post("/api/v1/kpis", kpi_with("Fine", sql(&url, "SELECT value FROM m; -- done"))).await.expect(201);
        let secret = layout.secret.display().to_string();
        let own = layout.own.as_ref().map_or(secret.clone(), |own| own.display().to_string());
        let copy = layout.root.join("copy.db").display().to_string();
        for query in [
            format!("ATTACH DATABASE '{own}' AS m2; SELECT count(*) AS value FROM m2.api_tokens"),
            format!("ATTACH DATABASE '{secret}' AS m2; SELECT count(*) AS value FROM m2.secrets"),
            format!("attach '{secret}' as m2; select count(*) as value from m2.secrets"),
            format!("/* a report */ ATTACH '{secret}' AS m2"),
            format!("SELECT value FROM m; ATTACH '{secret}' AS m2"),
            format!("SELECT 'it''s; fine' AS note, value FROM m; ATTACH '{secret}' AS m2"),
            format!("SELECT value FROM m /* ; */ ; /**/ ATTACH '{secret}' AS m2"),
            "SELECT value FROM m; SELECT 2".to_owned(),
            "SELECT value FROM m -- \n; DETACH m2".to_owned(),
            "SELECT load_extension('/tmp/none.so') AS value".to_owned(),
            format!("VACUUM INTO '{copy}'"),
            "PRAGMA database_list".to_owned(),
        ] {
            refused_at(&api, &kpi, sql(&url, &query), "/source/query").await;
        }
        assert!(!layout.root.join("copy.db").exists(), "nothing was written");
        let ran = api.post(&format!("/api/v1/kpis/{}/source/run", id(&kpi)), json!({})).await.expect(200);
        assert_eq!(ran["last_error"], Value::Null, "{ran}");
        assert_eq!(ran["state"]["last_value"], 7.0);

        // On PostgreSQL too: one statement (the driver's prepared statement holds one
        // anyway), and no function that reads beyond the database.
        if let Some((base, database)) = &layout.postgres {
            let url = format!("{base}{database}");
            let kpi = api.get(&format!("/api/v1/kpis/{}", id(&kpi))).await.expect(200);
            for query in [
                "SELECT count(*) AS value FROM dblink('dbname=test', 'SELECT 1') AS t(n int)",
                "SELECT length(pg_read_file('/etc/passwd')) AS value",
                "COPY (SELECT 1) TO PROGRAM 'true'",
                "SELECT 1 AS value; SELECT 2 AS value",
                "DO $$ BEGIN PERFORM 1; END $$",
            ] {
                refused_at(&api, &kpi, sql(&url, query), "/source/query").await;
            }
        }
    }
);
