//! `milepost check-ins import FILE` through the real binary, on SQLite and on
//! PostgreSQL: a good file is recorded, a file with bad rows is refused whole, naming
//! each row and column, and nothing of it is written.

use super::*;
use milepost_sql::test_support::{postgres_store, postgres_url};
use serde_json::Value;

fn import(cwd: &Path, file: &str, data: &[&str]) -> std::process::Output {
    milepost(cwd).args(["check-ins", "import", file, "--workspace", "demo"]).args(data).output().unwrap()
}

async fn history(server: &Server, key_result: i64) -> Vec<Value> {
    let page = get_json(server, &format!("/api/v1/key-results/{key_result}/check-ins?limit=500")).await;
    page["items"].as_array().unwrap().clone()
}

async fn a_history_is_imported_through_the_binary(data: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let server = start(cwd, &[&["--demo"], data].concat());
    let cycles = get_json(&server, "/api/v1/cycles").await;
    let active = cycles["items"][1]["id"].as_i64().unwrap();
    let key_results = get_json(&server, &format!("/api/v1/key-results?cycle_id={active}&limit=500")).await;
    let key_result = key_results["items"].as_array().unwrap().iter().find(|k| k["kind"] == "increase").unwrap();
    let (id, start_value) = (key_result["id"].as_i64().unwrap(), key_result["start"].as_f64().unwrap());
    let before = history(&server, id).await.len();
    #[expect(
        clippy::disallowed_methods,
        reason = "the real binary reads the system's clock; the rows are written relative to it"
    )]
    let now = jiff::Timestamp::now();
    let ago = |hours: i64| now.saturating_sub(jiff::SignedDuration::from_hours(hours)).unwrap().to_string();

    // Bad rows: the whole file is refused, each problem at its row and column.
    let bad = format!(
        "key_result,checked_in_at,value,confidence,note,author\n\
         KR-{id},{},{start_value},7,fine,@alex\n\
         KR-{id},{},{start_value},7,from the future,@alex\n\
         KR-{id},{},{start_value},12,too sure,@alex\n\
         KR-987654321,{},1,5,nobody's,@alex\n\
         KR-{id},{},{start_value},5,,@ghost\n",
        ago(3),
        ago(-48),
        ago(2),
        ago(2),
        ago(1),
    );
    std::fs::write(cwd.join("bad.csv"), bad).unwrap();
    let refused = import(cwd, "bad.csv", data);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    for expected in [
        "1/checked_in_at: row 2 (checked_in_at)",
        "in the future",
        "2/confidence: row 3 (confidence)",
        "3/key_result: row 4: there is no key result KR-987654321",
        "4/author: row 5 (author): there is nobody @ghost",
        "bad.csv: nothing was imported",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in {stderr}");
    }
    std::fs::write(cwd.join("unreadable.csv"), format!("KR-{id},{},1\n", ago(1))).unwrap();
    let refused = import(cwd, "unreadable.csv", data);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("header"));
    assert_eq!(history(&server, id).await.len(), before, "nothing of a refused file is written");

    // A good file: recorded, and the latest check-in sets the value.
    let target = key_result["target"].as_f64().unwrap();
    let good = format!(
        "key_result,checked_in_at,value,confidence,note,blockers,author\n\
         KR-{id},{},{target},9,\"Done, at last\",,@alex\n\
         KR-{id},{},{start_value},6,\"Slow, but moving\",Waiting on finance,@dana\n",
        ago(1),
        ago(2),
    );
    std::fs::write(cwd.join("good.csv"), good).unwrap();
    let imported = import(cwd, "good.csv", data);
    let stdout = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    assert_eq!(stdout, "Imported good.csv: 2 check-ins on 1 key results.\n");
    let after = history(&server, id).await;
    assert_eq!(after.len(), before + 2);
    let latest = after.iter().max_by_key(|c| c["checked_in_at"].as_str().unwrap().to_owned()).unwrap();
    assert_eq!((latest["value"].as_f64(), latest["note"].as_str()), (Some(target), Some("Done, at last")));
    let key_result = get_json(&server, &format!("/api/v1/key-results/{id}")).await;
    assert_eq!(key_result["current"].as_f64(), Some(target), "{key_result}");
}

#[tokio::test]
async fn a_history_is_imported_on_sqlite() {
    a_history_is_imported_through_the_binary(&["--data-dir", "data"]).await;
}

#[tokio::test]
async fn a_history_is_imported_on_postgresql() {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    let (store, schema_url) = postgres_store(&url).await.unwrap();
    store.close().await;
    a_history_is_imported_through_the_binary(&["--database-url", &schema_url]).await;
}
