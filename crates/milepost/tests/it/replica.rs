//! Reads from a PostgreSQL streaming replica (`--database-read-url`), against a real
//! primary and hot standby that the test makes (`initdb`, `pg_basebackup -R`,
//! `pg_ctl`): lag-tolerant reads go to the replica, and a person who wrote reads their
//! write at once even while the replica lags behind.

use super::ops::{fetch_json, free_port, hand_to_postgres, is_root, scrape, series, wait_for};
use super::*;
use sqlx::Connection;
use std::path::PathBuf;

/// The newest PostgreSQL server tools Debian installed, if any.
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            ["initdb", "pg_ctl", "pg_basebackup"].iter().all(|t| bin.join(t).is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    let found = versions.pop().map(|(_, bin)| bin);
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "PostgreSQL's server tools are missing under CI");
        eprintln!(
            "SKIPPED: PostgreSQL's server tools (/usr/lib/postgresql/*/bin) are not installed; this test checks nothing"
        );
    }
    found
}

/// A PostgreSQL tool, run as the `postgres` user when this runs as root.
fn tool(bin: &Path, name: &str) -> std::process::Command {
    if is_root() {
        let mut command = std::process::Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(bin.join(name));
        command
    } else {
        std::process::Command::new(bin.join(name))
    }
}

fn run_tool(mut command: std::process::Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A PostgreSQL server in `data`, stopped at once when dropped.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    url: String,
}

impl Cluster {
    fn start(bin: &Path, data: PathBuf, port: u16) -> Cluster {
        let mut start = tool(bin, "pg_ctl");
        start.arg("-D").arg(&data).arg("-l").arg(data.with_extension("log")).args(["-w", "-t", "60", "start"]);
        run_tool(start);
        Cluster { bin: bin.to_owned(), data, url: format!("postgres://postgres@127.0.0.1:{port}/postgres") }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = tool(&self.bin, "pg_ctl").arg("-D").arg(&self.data).args(["-m", "immediate", "stop"]).output();
    }
}

fn configure(data: &Path, port: u16, socket_dir: &Path) {
    use std::io::Write;
    let mut conf = std::fs::OpenOptions::new().append(true).open(data.join("postgresql.conf")).unwrap();
    writeln!(
        conf,
        "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\n\
         full_page_writes = off\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nshared_buffers = 16MB",
        socket_dir.display()
    )
    .unwrap();
}

/// A primary and its hot standby, streaming.
fn primary_and_standby(bin: &Path, dir: &Path) -> (Cluster, Cluster) {
    hand_to_postgres(dir);
    let (primary_port, standby_port) = (free_port(), free_port());
    let primary_data = dir.join("primary");
    let mut init = tool(bin, "initdb");
    init.arg("-D").arg(&primary_data).args(["-U", "postgres", "--auth=trust", "-N", "-E", "UTF8"]);
    run_tool(init);
    configure(&primary_data, primary_port, dir);
    let primary = Cluster::start(bin, primary_data, primary_port);
    let standby_data = dir.join("standby");
    let mut base = tool(bin, "pg_basebackup");
    base.args(["-h", "127.0.0.1", "-p", &primary_port.to_string(), "-U", "postgres", "-D"])
        .arg(&standby_data)
        .args(["-R", "-X", "stream", "-c", "fast"]);
    run_tool(base);
    configure(&standby_data, standby_port, dir);
    let standby = Cluster::start(bin, standby_data, standby_port);
    (primary, standby)
}

async fn scalar(url: &str, sql: &'static str) -> Option<String> {
    let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
    let value: Option<String> = sqlx::query_scalar(sql).fetch_one(&mut connection).await.unwrap();
    connection.close().await.unwrap();
    value
}

async fn check_in_ids(base: &str, token: &str, key_result: i64, read_after: Option<&str>) -> Vec<i64> {
    let mut request =
        client().get(format!("{base}/api/v1/key-results/{key_result}/check-ins?limit=500")).bearer_auth(token);
    if let Some(cookie) = read_after {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn lag_tolerant_reads_go_to_the_replica_and_writers_read_their_writes() {
    let Some(bin) = postgres_bin() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (primary, standby) = primary_and_standby(&bin, dir.path());
    let cwd = dir.path().join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let server = start(&cwd, &["--demo", "--database-url", &primary.url, "--database-read-url", &standby.url]);
    let token = server.token.clone().unwrap();
    // The standby has replayed the demo's load.
    let written = scalar(&primary.url, "SELECT CAST(pg_current_wal_lsn() AS TEXT)").await.unwrap();
    wait_for("the standby to catch up", Duration::from_secs(20), || async {
        let replayed = scalar(&standby.url, "SELECT CAST(pg_last_wal_replay_lsn() AS TEXT)").await?;
        let position = |text: &str| milepost_app::route::parse_lsn(text);
        (position(&replayed) >= position(&written)).then_some(())
    })
    .await;

    // A board and a list read from the replica.
    let replica_reads = |page: &str| series(page, r#"milepost_db_read_transactions_total{pool="replica"}"#);
    let before = replica_reads(&scrape(&server.base, None).await);
    fetch_json(&server.base, &token, "/api/v1/kpis/board").await;
    let key_results = fetch_json(&server.base, &token, "/api/v1/key-results?cycle_id=2&limit=500").await;
    let page = scrape(&server.base, None).await;
    assert!(replica_reads(&page) >= before + 2.0, "{page}");
    assert!(page.contains(r#"milepost_db_pool_max_connections{pool="replica"} 16"#), "{page}");
    let target = key_results["items"].as_array().unwrap().iter().find(|k| k["kind"] == "increase").unwrap();
    let (id, start) = (target["id"].as_i64().unwrap(), target["start"].as_f64().unwrap());

    // The replica stops replaying: from now on it lags behind every write.
    scalar(&standby.url, "SELECT CAST(pg_wal_replay_pause() AS TEXT)").await;
    // A pause takes effect at the next record replayed: write some until it has.
    wait_for("the standby to pause", Duration::from_secs(20), || async {
        scalar(&primary.url, "SELECT CAST(txid_current() AS TEXT)").await;
        let state = scalar(&standby.url, "SELECT pg_get_wal_replay_pause_state()").await?;
        (state == "paused").then_some(())
    })
    .await;
    let response = client()
        .post(format!("{}/api/v1/key-results/{id}/check-ins", server.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "value": start + 0.25, "confidence": 7, "note": "read your writes" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let position = response.headers()["milepost-read-after"].to_str().unwrap().to_owned();
    assert!(milepost_app::route::parse_lsn(&position).is_some(), "{position}");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("milepost_read_after="))
        .expect("the writer gets a cookie with the write's position");
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let check_in: serde_json::Value = response.json().await.unwrap();
    let check_in = check_in["check_in"]["id"].as_i64().unwrap();

    // The writer, sending the cookie back as a browser does, reads the write at once:
    // from the primary, since the replica has not replayed it.
    let fallbacks = |page: &str| series(page, "milepost_db_replica_fallbacks_total");
    let fell_back = fallbacks(&scrape(&server.base, None).await);
    assert!(check_in_ids(&server.base, &token, id, Some(&cookie)).await.contains(&check_in), "the writer sees it");
    assert!(fallbacks(&scrape(&server.base, None).await) > fell_back, "it was read from the primary");
    // Someone else reads the lagging replica (which shows that reads really go there) ...
    assert!(!check_in_ids(&server.base, &token, id, None).await.contains(&check_in), "the replica lags behind");
    // ... but who a token stands for is always read from the primary: one made a moment
    // ago works at once.
    let made = client()
        .post(format!("{}/api/v1/tokens", server.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "name": "fresh", "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let fresh: serde_json::Value = made.json().await.unwrap();
    let fresh = fresh["token"].as_str().unwrap();
    fetch_json(&server.base, fresh, "/api/v1/kpis/board").await;

    // Replaying again, the replica catches up and everyone sees the write.
    scalar(&standby.url, "SELECT CAST(pg_wal_replay_resume() AS TEXT)").await;
    wait_for("the replica to show the check-in", Duration::from_secs(20), || async {
        check_in_ids(&server.base, &token, id, None).await.contains(&check_in).then_some(())
    })
    .await;
    // And once it has, the writer's reads go to the replica again.
    let reads = replica_reads(&scrape(&server.base, None).await);
    assert!(check_in_ids(&server.base, &token, id, Some(&cookie)).await.contains(&check_in));
    assert!(replica_reads(&scrape(&server.base, None).await) > reads);
    drop(server);
    drop(standby);
    drop(primary);
}

#[test]
fn a_read_replica_beside_sqlite_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = milepost(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", "data"])
        .args(["--database-read-url", "postgres://postgres@127.0.0.1:1/none"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("a read replica needs a PostgreSQL primary"), "{error}");
}
