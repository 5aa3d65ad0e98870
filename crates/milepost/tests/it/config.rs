//! Settings come from flags over environment over `milepost.toml` over defaults, and
//! the database can be SQLite or PostgreSQL.

use super::*;
use milepost_sql::test_support::{postgres_store, postgres_url};

/// Runs `milepost migrate` and returns what it printed.
fn migrate(cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
    let output = milepost(cwd).arg("migrate").args(args).envs(env.iter().copied()).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[test]
fn flags_beat_environment_which_beats_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("milepost.toml"), "data_dir = \"from-file\"\n").unwrap();
    let (ok, text) = migrate(dir.path(), &[], &[]);
    assert!(ok && text.contains("sqlite://from-file/milepost.db"), "{text}");
    let (ok, text) = migrate(dir.path(), &[("MILEPOST_DATA_DIR", "from-env")], &[]);
    assert!(ok && text.contains("sqlite://from-env/milepost.db"), "{text}");
    let (ok, text) = migrate(dir.path(), &[("MILEPOST_DATA_DIR", "from-env")], &["--data-dir", "from-flag"]);
    assert!(ok && text.contains("sqlite://from-flag/milepost.db"), "{text}");
    assert!(dir.path().join("from-flag/milepost.db").exists(), "the data directory and database were created");
}

#[test]
fn without_a_file_the_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = migrate(dir.path(), &[], &[]);
    assert!(ok && text.contains("sqlite://milepost-data/milepost.db"), "{text}");
}

#[test]
fn a_bad_setting_is_named_with_its_source() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("milepost.toml"), "listen = \"not an address\"\n").unwrap();
    let (ok, text) = migrate(dir.path(), &[], &[]);
    assert!(!ok, "{text}");
    assert!(text.contains("listen") && text.contains("milepost.toml"), "names the key and the file: {text}");

    std::fs::write(dir.path().join("milepost.toml"), "data_dri = \"typo\"\n").unwrap();
    let (ok, text) = migrate(dir.path(), &[], &[]);
    assert!(!ok && text.contains("data_dri"), "an unknown key is an error, not silently ignored: {text}");

    let (ok, text) = migrate(dir.path(), &[], &["--config", "missing.toml"]);
    assert!(!ok && text.contains("missing.toml"), "{text}");
}

#[test]
fn an_unknown_database_url_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = migrate(dir.path(), &[("MILEPOST_DATABASE_URL", "mysql://localhost/db")], &[]);
    assert!(!ok && text.contains("sqlite://") && text.contains("postgres://"), "says what would work: {text}");
}

#[tokio::test]
async fn the_same_server_runs_on_postgresql() {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    // A fresh schema; the binary migrates it (again: migrations are idempotent).
    let (store, schema_url) = postgres_store(&url).await.unwrap();
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = migrate(dir.path(), &[("MILEPOST_DATABASE_URL", &schema_url)], &[]);
    assert!(ok, "{text}");

    let server = start(dir.path(), &["--database-url", &schema_url, "--demo"]);
    let ready = client().get(format!("{}/readyz", server.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let objectives = get_json(&server, "/api/v1/objectives?limit=500").await;
    assert!(objectives["items"].as_array().unwrap().len() >= 12, "the demo loads on PostgreSQL too");
}
