//! `milepost backup` while a server writes, and `milepost restore` into a fresh
//! database: every check-in acknowledged before the backup began is in the restored
//! copy, which passes the database's integrity checks.

use super::ops::program;
use super::*;
use milepost_sql::test_support::{postgres_store, postgres_url};
use sqlx::Connection;
use std::sync::{Arc, Mutex};

/// Writes check-ins on the server from four clients until told to stop; each
/// acknowledged check-in's id is kept in order.
struct Writers {
    acknowledged: Arc<Mutex<Vec<i64>>>,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

async fn start_writing(server: &Server) -> Writers {
    let key_results = get_json(server, "/api/v1/key-results?cycle_id=2&limit=500").await;
    let targets: Vec<(i64, f64)> = key_results["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["kind"] == "increase")
        .take(4)
        .map(|k| (k["id"].as_i64().unwrap(), k["start"].as_f64().unwrap()))
        .collect();
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks = targets
        .into_iter()
        .map(|(id, start)| {
            let (base, token) = (server.base.clone(), server.token.clone().unwrap());
            let (acknowledged, stopped) = (Arc::clone(&acknowledged), stopped.clone());
            tokio::spawn(async move {
                let client = client();
                let mut step = 0.0;
                while !*stopped.borrow() {
                    step += 0.01;
                    let response = client
                        .post(format!("{base}/api/v1/key-results/{id}/check-ins"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({ "value": start + step, "confidence": 6, "note": "backup load" }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
                    let body: serde_json::Value = response.json().await.unwrap();
                    acknowledged.lock().unwrap().push(body["check_in"]["id"].as_i64().unwrap());
                }
            })
        })
        .collect();
    let writers = Writers { acknowledged, stop, tasks };
    // Under way before the backup begins.
    while writers.acknowledged.lock().unwrap().len() < 8 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    writers
}

impl Writers {
    fn so_far(&self) -> Vec<i64> {
        self.acknowledged.lock().unwrap().clone()
    }

    async fn finish(self) -> Vec<i64> {
        let _ = self.stop.send(true);
        for task in self.tasks {
            task.await.unwrap();
        }
        self.acknowledged.lock().unwrap().clone()
    }
}

/// Runs the `milepost` command with `args`, answering its status and what it printed.
async fn run(cwd: &Path, args: Vec<String>) -> (bool, String) {
    let cwd = cwd.to_owned();
    tokio::task::spawn_blocking(move || {
        let output = milepost(&cwd).args(&args).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.success(), text)
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn a_sqlite_backup_taken_under_write_load_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let writers = start_writing(&server).await;
    let before = writers.so_far();
    let (ok, printed) = run(dir.path(), args(&["backup", "backup.db", "--data-dir", "data"])).await;
    assert!(ok, "{printed}");
    assert!(printed.contains("SQLite backup, schema version"), "{printed}");
    let all = writers.finish().await;
    assert!(all.len() > before.len(), "the server kept writing");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("backup.db")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a backup holds password hashes: its owner's only");
    }

    // Restored into a fresh data directory: everything acknowledged before is there.
    let (ok, printed) = run(dir.path(), args(&["restore", "backup.db", "--data-dir", "restored"])).await;
    assert!(ok, "{printed}");
    let restored = dir.path().join("restored/milepost.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&restored).read_only(true);
    let mut connection = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut connection).await.unwrap();
    assert_eq!(integrity, ["ok"]);
    let broken: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&mut connection).await.unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM check_ins").fetch_all(&mut connection).await.unwrap();
    connection.close().await.unwrap();
    let missing: Vec<&i64> = before.iter().filter(|id| !ids.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged before the backup but not restored: {missing:?}");

    // The restored copy serves.
    drop(server);
    let mut restored_server = start(dir.path(), &["--data-dir", "restored"]);
    restored_server.token = Some(create_token(dir.path(), "restored", "demo", "viewer"));
    let last = before.last().unwrap();
    let found = get_json(&restored_server, &format!("/api/v1/check-ins/{last}")).await;
    assert_eq!(found["id"], *last);

    // A database that holds workspaces is replaced only with --force; a file that is no
    // backup is refused before anything changes.
    let (ok, printed) = run(dir.path(), args(&["restore", "backup.db", "--data-dir", "restored"])).await;
    assert!(!ok && printed.contains("holds 1 workspace(s)") && printed.contains("--force"), "{printed}");
    std::fs::write(dir.path().join("notes.txt"), "not a backup").unwrap();
    let (ok, printed) = run(dir.path(), args(&["restore", "notes.txt", "--data-dir", "empty"])).await;
    assert!(!ok && printed.contains("is not a Milepost backup"), "{printed}");
    assert!(!dir.path().join("empty").exists(), "nothing was made for a refused restore");
    let (ok, printed) = run(dir.path(), args(&["backup", "backup.db", "--data-dir", "data"])).await;
    assert!(!ok && printed.contains("already exists"), "{printed}");
    let (ok, printed) = run(dir.path(), args(&["backup", "other.db", "--data-dir", "nowhere"])).await;
    assert!(!ok && printed.contains("there is no database at nowhere/milepost.db"), "{printed}");
    assert!(!dir.path().join("nowhere").exists() && !dir.path().join("other.db").exists());
    drop(restored_server);
    let (ok, printed) = run(dir.path(), args(&["restore", "backup.db", "--data-dir", "restored", "--force"])).await;
    assert!(ok, "{printed}");
}

#[tokio::test]
async fn a_postgresql_backup_taken_under_write_load_restores_into_a_fresh_schema() {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    if program("pg_dump", &["/usr/lib/postgresql/15/bin"]).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (store, source_url) = postgres_store(&url).await.unwrap();
    store.close().await;
    let server = start(dir.path(), &["--demo", "--database-url", &source_url]);
    let writers = start_writing(&server).await;
    let before = writers.so_far();
    let (ok, printed) = run(dir.path(), args(&["backup", "backup.dump", "--database-url", &source_url])).await;
    assert!(ok, "{printed}");
    assert!(printed.contains("PostgreSQL backup, schema version"), "{printed}");
    let all = writers.finish().await;
    assert!(all.len() > before.len(), "the server kept writing");

    // Restored into a fresh database, under another schema name.
    let database = milepost_sql::test_support::unique_name("milepost_restore");
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).execute(&mut admin).await.unwrap();
    let server_url = url.split('?').next().unwrap();
    let server_url = &server_url[..server_url.rfind('/').unwrap()];
    let target_url = format!("{server_url}/{database}?options=-csearch_path%3Drestored");
    let (ok, printed) = run(dir.path(), args(&["restore", "backup.dump", "--database-url", &target_url])).await;
    assert!(ok, "{printed}");
    let mut restored = start(dir.path(), &["--database-url", &target_url]);
    restored.token = Some(server.token.clone().unwrap());
    for id in [before[0], *before.last().unwrap()] {
        let found = get_json(&restored, &format!("/api/v1/check-ins/{id}")).await;
        assert_eq!(found["id"], id);
    }
    let mut connection = sqlx::PgConnection::connect(&target_url).await.unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM check_ins").fetch_all(&mut connection).await.unwrap();
    let missing: Vec<&i64> = before.iter().filter(|id| !ids.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged before the backup but not restored: {missing:?}");
    // Every foreign key of the restored schema holds (PostgreSQL checked each as it
    // restored; none was left NOT VALID).
    let unchecked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_constraint WHERE NOT convalidated AND connamespace = CAST(current_schema() AS regnamespace)",
    )
    .fetch_one(&mut connection)
    .await
    .unwrap();
    assert_eq!(unchecked, 0);
    // And PostgreSQL's own checker finds every table and index of it sound.
    if let Some(amcheck) = program("pg_amcheck", &["/usr/lib/postgresql/15/bin"]) {
        sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck").execute(&mut connection).await.unwrap();
        let address = server_url.trim_start_matches("postgres://");
        let (user, host_port) = address.split_once('@').unwrap();
        let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
        let output = std::process::Command::new(amcheck)
            .args(["--host", host, "--port", port, "--username", user, "--database", &database])
            .args(["--schema", "restored", "--heapallindexed"])
            .output()
            .unwrap();
        assert!(
            output.status.success() && output.stdout.is_empty(),
            "pg_amcheck: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    connection.close().await.unwrap();

    let (ok, printed) = run(dir.path(), args(&["restore", "backup.dump", "--database-url", &target_url])).await;
    assert!(!ok && printed.contains("workspace(s)") && printed.contains("--force"), "{printed}");
    let (ok, printed) = run(dir.path(), args(&["restore", "backup.dump", "--data-dir", "sqlite"])).await;
    assert!(!ok && printed.contains("is a PostgreSQL backup and the target is SQLite"), "{printed}");
    drop(restored);
    let drop_database = format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(drop_database)).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
}
