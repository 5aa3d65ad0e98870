//! `milepost cycle carry`: a closed cycle's unfinished objectives carried into the next
//! cycle, from the local database and through a server, previewed with `--dry-run`,
//! and found again (not copied twice) when carried again.

use crate::{create_token, get_json, milepost, start};
use serde_json::Value;
use std::path::Path;

fn carry(cwd: &Path, args: &[&str]) -> std::process::Output {
    milepost(cwd).args(["cycle", "carry"]).args(args).output().unwrap()
}

fn json_of(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn a_closed_cycle_is_carried_over_locally_and_through_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let closed = get_json(&server, "/api/v1/cycles?status=closed").await;
    let slug = closed["items"][0]["slug"].as_str().expect("the demo has a closed quarter").to_owned();

    // A dry run writes nothing and says what would be carried.
    let preview = json_of(&carry(dir.path(), &["--cycle", &slug, "--dry-run", "--json", "--data-dir", "data"]));
    assert_eq!(preview["preview"], true);
    let planned = preview["objectives"].as_array().unwrap();
    assert!(!planned.is_empty(), "the demo's closed quarter has unfinished objectives: {preview}");
    assert!(planned.iter().all(|o| o["copy_objective_id"].is_null()), "{preview}");
    let table = carry(dir.path(), &["--cycle", &slug, "--dry-run", "--data-dir", "data"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with(&format!("Would carry {} objective(s)", planned.len())), "{text}");
    assert!(text.contains("ORIGIN") && text.contains("starts at"), "{text}");

    // Through the server, with an editor's token.
    let token = create_token(dir.path(), "data", "demo", "editor");
    let remote = ["--server", server.base.as_str(), "--token", token.as_str()];
    let done = json_of(&carry(dir.path(), &[&["--cycle", &slug, "--output", "json"][..], &remote[..]].concat()));
    assert_eq!(done["objectives"].as_array().unwrap().len(), planned.len());
    assert!(done["objectives"].as_array().unwrap().iter().all(|o| o["created"] == true), "{done}");
    let first = done["objectives"][0]["copy_objective_id"].as_i64().unwrap();
    let copy = get_json(&server, &format!("/api/v1/objectives/{first}")).await;
    assert_eq!(copy["carried_from_objective_id"], done["objectives"][0]["origin_objective_id"]);

    // Locally again: the same copies, none new.
    let again = json_of(&carry(dir.path(), &["--cycle", &slug, "--json", "--data-dir", "data"]));
    assert!(again["objectives"].as_array().unwrap().iter().all(|o| o["created"] == false), "{again}");
    assert_eq!(again["objectives"][0]["copy_objective_id"], first);

    // A viewer may not carry; an open cycle is not carried from.
    let viewer = create_token(dir.path(), "data", "demo", "viewer");
    let refused = carry(dir.path(), &["--cycle", &slug, "--server", &server.base, "--token", &viewer]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("viewer"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let into = done["target_cycle_id"].to_string();
    let open = carry(dir.path(), &["--cycle", &into, "--data-dir", "data"]);
    assert!(!open.status.success());
    assert!(String::from_utf8_lossy(&open.stderr).contains("not closed"), "{}", String::from_utf8_lossy(&open.stderr));
}

fn close(cwd: &Path, args: &[&str]) -> std::process::Output {
    milepost(cwd).args(["cycle", "close"]).args(args).output().unwrap()
}

#[tokio::test]
async fn an_active_cycle_is_closed_early_only_when_asked_and_its_scores_freeze() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let active = get_json(&server, "/api/v1/cycles?status=active").await;
    let slug = active["items"][0]["slug"].as_str().expect("the demo has an active quarter").to_owned();

    // A dry run shows the scores it would freeze and writes nothing.
    let table = close(dir.path(), &["--cycle", &slug, "--dry-run", "--data-dir", "data"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(table.status.success(), "{}", String::from_utf8_lossy(&table.stderr));
    assert!(text.contains("would freeze these scores"), "{text}");
    assert!(text.contains("OBJECTIVE") && text.contains("Still open:"), "{text}");
    let preview = json_of(&close(dir.path(), &["--cycle", &slug, "--dry-run", "--json", "--data-dir", "data"]));
    assert_eq!(preview["closed"], Value::Null);
    assert!(!preview["preview"]["objectives"].as_array().unwrap().is_empty(), "{preview}");

    // Before its end date (the demo's quarter is today's: every day but its last), not
    // without --early; an editor not at all.
    if preview["preview"]["early"] == true {
        assert!(text.contains("it needs --early"), "{text}");
        let refused = close(dir.path(), &["--cycle", &slug, "--data-dir", "data"]);
        assert!(!refused.status.success());
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("freezes its scores early"), "{said}");
    }
    let editor = create_token(dir.path(), "data", "demo", "editor");
    let remote = ["--server", server.base.as_str(), "--token", editor.as_str()];
    let refused = close(dir.path(), &[&["--cycle", &slug, "--early"][..], &remote[..]].concat());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("admin"), "{}", String::from_utf8_lossy(&refused.stderr));
    let cycles = get_json(&server, "/api/v1/cycles?status=active").await;
    assert!(cycles["items"].as_array().unwrap().iter().any(|c| c["slug"] == slug.as_str()), "still active");

    // An admin's token through the server closes it; its scores are frozen.
    let admin = create_token(dir.path(), "data", "demo", "admin");
    let remote = ["--server", server.base.as_str(), "--token", admin.as_str()];
    let done = json_of(&close(dir.path(), &[&["--cycle", &slug, "--early", "--json"][..], &remote[..]].concat()));
    assert_eq!(done["closed"]["status"], "closed", "{done}");
    let id = done["closed"]["id"].as_i64().unwrap();
    let closings = get_json(&server, &format!("/api/v1/cycles/{id}/closings")).await;
    assert_eq!(closings[0]["early"], true, "{closings}");
    let objective = preview["preview"]["objectives"][0]["id"].as_i64().unwrap();
    let graded = get_json(&server, &format!("/api/v1/objectives/{objective}")).await;
    assert_eq!(graded["score"]["frozen"], true, "{graded}");
    assert_eq!(graded["score"]["value"], preview["preview"]["objectives"][0]["score"]["value"]);
}
