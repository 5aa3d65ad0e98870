//! A benchmark, not a test: imports the same measurements into one SQLite file three
//! ways in one run and prints each as a ratio to the first.
//!
//! 1. a plain bulk insert by sqlx (the driver Milepost uses): one transaction, prepared
//!    multi-row INSERTs of 1,000 rows, into the `measurements` table with its index;
//! 2. the batch API of a real `milepost serve`: requests of 100,000 JSON rows;
//! 3. `milepost kpi import FILE.csv`, the real binary.
//!
//! Each writes its own KPI's rows (one a minute, ending now). Building request bodies
//! and the CSV file is not timed. Run with `scripts/bench-kpi-import.sh`, or
//! `cargo run --release --example kpi_import -- target/release/milepost [ROWS]`.

#![expect(clippy::unwrap_used, reason = "a benchmark that cannot set up should stop loudly")]
#![expect(clippy::expect_used, reason = "a benchmark that cannot set up should stop loudly")]
#![expect(clippy::print_stdout, reason = "the benchmark reports on standard output")]

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Rows per API request.
const REQUEST_ROWS: usize = 100_000;
/// Rows per INSERT statement of the plain bulk insert.
const INSERT_ROWS: usize = 1_000;

fn milepost(exe: &str, data: &Path, args: &[&str]) -> String {
    let output = Command::new(exe).args(args).arg("--data-dir").arg(data).env("MILEPOST_LOG", "warn").output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The rows: one a minute, ending a minute ago, with values that move.
#[expect(
    clippy::disallowed_methods,
    reason = "the rows end at the real now, as live data does; the benchmark has no app clock to ask"
)]
fn rows(count: usize) -> Vec<(i64, f64)> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let start = now - (count as i64 + 1) * 60_000;
    (0..count).map(|i| (start + i as i64 * 60_000, 99.0 + ((i * 7919) % 1000) as f64 / 1000.0)).collect()
}

fn stamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

async fn bulk_insert(database: &Path, kpi_id: i64, rows: &[(i64, f64)]) -> Duration {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", database.display()))
        .unwrap()
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
    let workspace: i64 =
        sqlx::query_scalar("SELECT workspace_id FROM kpis WHERE id = $1").bind(kpi_id).fetch_one(&pool).await.unwrap();
    let placeholders: Vec<String> = (0..INSERT_ROWS)
        .map(|i| {
            format!("(${}, ${}, ${}, ${}, ${}, ${})", i * 6 + 1, i * 6 + 2, i * 6 + 3, i * 6 + 4, i * 6 + 5, i * 6 + 6)
        })
        .collect();
    let sql = format!(
        "INSERT INTO measurements (workspace_id, kpi_id, value, measured_at, recorded_at, source) VALUES {}",
        placeholders.join(",")
    );
    let started = Instant::now();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    for chunk in rows.chunks(INSERT_ROWS) {
        assert_eq!(chunk.len(), INSERT_ROWS, "use a multiple of {INSERT_ROWS} rows");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for (at, value) in chunk {
            query = query.bind(workspace).bind(kpi_id).bind(*value).bind(*at).bind(*at).bind("bench");
        }
        query.execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let elapsed = started.elapsed();
    pool.close().await;
    elapsed
}

async fn through_the_api(exe: &str, data: &Path, token: &str, kpi_id: i64, rows: &[(i64, f64)]) -> Duration {
    let mut server = Command::new(exe)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("MILEPOST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("Milepost is listening on ") {
            break rest.split(' ').next().unwrap().to_owned();
        }
    };
    let bodies: Vec<Vec<u8>> = rows
        .chunks(REQUEST_ROWS)
        .map(|chunk| {
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(at, value)| serde_json::json!({"measured_at": stamp(*at), "value": value}))
                .collect();
            serde_json::to_vec(&rows).unwrap()
        })
        .collect();
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(600)).build().unwrap();
    let url = format!("{base}/api/v1/kpis/{kpi_id}/measurements/batch");
    let started = Instant::now();
    for body in bodies {
        let reply = client
            .post(&url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = reply.status();
        assert!(status.is_success(), "{status}: {}", reply.text().await.unwrap());
    }
    let elapsed = started.elapsed();
    server.kill().unwrap();
    server.wait().unwrap();
    elapsed
}

fn through_the_cli(exe: &str, data: &Path, rows: &[(i64, f64)]) -> Duration {
    let file = data.join("cli.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    writeln!(out, "measured_at,value").unwrap();
    for (at, value) in rows {
        writeln!(out, "{},{value}", stamp(*at)).unwrap();
    }
    out.flush().unwrap();
    drop(out);
    let started = Instant::now();
    let said = milepost(exe, data, &["kpi", "import", "cli", file.to_str().unwrap()]);
    let elapsed = started.elapsed();
    assert!(said.contains(&format!("{} written", rows.len())), "{said}");
    elapsed
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let exe = args.next().expect("usage: kpi_import PATH/TO/milepost [ROWS]");
    let count: usize = args.next().map_or(1_000_000, |n| n.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    milepost(&exe, &data, &["workspace", "create", "Bench"]);
    let mut ids = Vec::new();
    for slug in ["bulk", "api", "cli"] {
        let created = milepost(
            &exe,
            &data,
            &[
                "kpi",
                "create",
                "--name",
                slug,
                "--direction",
                "higher",
                "--target",
                "99.9",
                "--cadence",
                "daily",
                "--output",
                "json",
            ],
        );
        ids.push(serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"].as_i64().unwrap());
    }
    let token = milepost(&exe, &data, &["token", "create", "--workspace", "bench", "--role", "editor"]);
    let token = token.trim().to_owned();
    let all = rows(count);

    let bulk = bulk_insert(&data.join("milepost.db"), ids[0], &all).await;
    let api = through_the_api(&exe, &data, &token, ids[1], &all).await;
    let cli = through_the_cli(&exe, &data, &all);

    let per_second = |d: Duration| (count as f64 / d.as_secs_f64()).round();
    println!("{count} measurements into one SQLite file (WAL, synchronous=FULL)\n");
    println!("| path | time | rows/s | ratio to the bulk insert |");
    println!("|---|---|---|---|");
    for (name, took) in [
        ("plain sqlx bulk insert (baseline)", bulk),
        ("batch API, 100k rows a request", api),
        ("`milepost kpi import`", cli),
    ] {
        println!(
            "| {name} | {:.2} s | {} | {:.2} |",
            took.as_secs_f64(),
            per_second(took),
            bulk.as_secs_f64() / took.as_secs_f64()
        );
    }
}
