//! `milepost report`: the demo's closed quarter reviewed in each format, from the data
//! directory and from a running server (`--server`, the same report), and the errors of
//! an open or unknown cycle.

use crate::{get_json, milepost, start};
use serde_json::Value;
use std::path::Path;

fn report(cwd: &Path, args: &[&str]) -> std::process::Output {
    milepost(cwd).arg("report").args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether two JSON documents are the same, numbers to within a rounding error (sums of
/// Brier scores may be added up in another order).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-9 * x.abs().max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_closed_quarter_is_reported_in_every_format_locally_and_remotely() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let closed = get_json(&server, "/api/v1/cycles?status=closed").await;
    let cycle = &closed["items"][0];
    let slug = cycle["slug"].as_str().expect("the demo has a closed quarter").to_owned();
    let id = cycle["id"].as_i64().unwrap().to_string();
    let active =
        get_json(&server, "/api/v1/cycles?status=active").await["items"][0]["id"].as_i64().unwrap().to_string();

    let local = |args: &[&str]| report(dir.path(), &[&["--data-dir", "data"][..], args].concat());
    let json = local(&["--cycle", &slug, "--output", "json"]);
    assert!(json.status.success(), "{}", text(&json.stderr));
    let mut typed: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(typed["cycle"]["slug"], slug.as_str());
    let objectives = typed["objectives"].as_array().unwrap();
    assert!(!objectives.is_empty());
    let key_results: usize = objectives.iter().map(|o| o["key_results"].as_array().unwrap().len()).sum();
    assert_eq!(typed["summary"]["key_results"], key_results);
    assert!(objectives.iter().all(|o| o["score"].is_number()), "a closed quarter's objectives are scored");

    // CSV: one row per key result, by id or slug alike.
    let csv = local(&["--cycle", &id, "--output", "csv"]);
    assert!(csv.status.success(), "{}", text(&csv.stderr));
    let csv_text = text(&csv.stdout);
    assert!(csv_text.starts_with("objective,team,owner,commitment,key_result,"));
    // Rows hold no line breaks unless a field is quoted; the demo's titles are single lines.
    assert_eq!(csv_text.lines().count(), 1 + key_results, "{csv_text}");

    let md = local(&["--cycle", &slug, "--output", "md"]);
    assert!(text(&md.stdout).contains("## Scores by team"), "{}", text(&md.stdout));

    // HTML, written to a file: one self-contained document.
    let html = local(&["--cycle", &slug, "--output", "html", "--out", "review.html"]);
    assert!(html.status.success(), "{}", text(&html.stderr));
    let file = std::fs::read_to_string(dir.path().join("review.html")).unwrap();
    assert!(file.contains("<svg") && !file.contains("http") && !file.contains("<script"));

    // From the server: the same report.
    let token = server.token.clone().unwrap();
    let remote = report(
        dir.path(),
        &["--cycle", &slug, "--output", "json", "--server", server.base.as_str(), "--token", token.as_str()],
    );
    assert!(remote.status.success(), "{}", text(&remote.stderr));
    let mut from_server: Value = serde_json::from_slice(&remote.stdout).unwrap();
    for value in [&mut typed, &mut from_server] {
        value.as_object_mut().unwrap().remove("generated_at");
    }
    assert!(same(&from_server, &typed), "the server's report is the local one:\n{from_server}\n{typed}");
    let remote_csv =
        report(dir.path(), &["--cycle", &slug, "--output", "csv", "--server", server.base.as_str(), "--token", &token]);
    assert_eq!(text(&remote_csv.stdout), csv_text);

    // An open cycle has no report yet; an unknown one is named.
    let open = local(&["--cycle", &active, "--output", "md"]);
    assert!(!open.status.success());
    assert!(text(&open.stderr).contains("not closed"), "{}", text(&open.stderr));
    let unknown = local(&["--cycle", "no-such-cycle"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("no-such-cycle"), "{}", text(&unknown.stderr));
}
