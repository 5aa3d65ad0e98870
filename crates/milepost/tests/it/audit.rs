//! `milepost audit export`: the whole trail, oldest first, the same from the local
//! database and from a server, and only for admins.

use crate::{create_token, milepost, start};
use std::path::Path;

fn export(cwd: &Path, args: &[&str]) -> String {
    let output = milepost(cwd).args(["audit", "export"]).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_trail_is_exported_whole_in_order_as_json_lines_or_csv() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let local = export(dir.path(), &["--data-dir", "data"]);
    let events: Vec<serde_json::Value> = local.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // The demo's story is hundreds of changes: more than one page of 500.
    assert!(events.len() > 500, "{} events", events.len());
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first, each once");
    assert!(events.iter().all(|e| e["action"].is_string() && e["entity"].is_string() && e["at"].is_string()));

    let token = server.token.clone().unwrap();
    let remote = export(dir.path(), &["--server", &server.base, "--token", &token]);
    assert_eq!(remote, local, "the server gives the same trail");

    let objectives = export(dir.path(), &["--data-dir", "data", "--entity", "objective"]);
    assert!(objectives.lines().count() > 0);
    assert!(objectives.lines().all(|l| l.contains(r#""entity":"objective""#)));

    export(dir.path(), &["--data-dir", "data", "--format", "csv", "--output", "trail.csv"]);
    let csv = std::fs::read_to_string(dir.path().join("trail.csv")).unwrap();
    assert!(csv.starts_with("id,at,actor_person_id,actor_token_id,action,entity,entity_id,before,after\n"));
    let first = csv.lines().nth(1).unwrap();
    assert!(first.starts_with(&format!("{},", ids[0])), "{first}");

    // Only admins read the trail.
    let member = create_token(dir.path(), "data", "demo", "member");
    let output =
        milepost(dir.path()).args(["audit", "export", "--server", &server.base, "--token", &member]).output().unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("only an admin"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
