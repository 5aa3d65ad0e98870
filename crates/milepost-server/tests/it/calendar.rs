//! The private calendar feed: made, read by calendar applications without credentials,
//! parsed by an independent library (Python's `icalendar`), revoked (404 after), and
//! holding only what its person may see.

use crate::harness::{Api, Org, id};
use crate::reminders::python_has;
use serde_json::{Value, json};

/// The feed parsed by `icalendar`: `{events: [...], timezones: [...]}`.
fn parse(text: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, text).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures/parse_ics.py");
    let output = std::process::Command::new("python3").arg(script).arg(&file).output().unwrap();
    assert!(output.status.success(), "icalendar refused the feed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn summaries(feed: &Value) -> Vec<String> {
    feed["events"].as_array().unwrap().iter().map(|e| e["summary"].as_str().unwrap().to_owned()).collect()
}

/// The feed's path from its URL (the test server has no public base URL).
fn path(created: &Value) -> String {
    created["url"].as_str().unwrap().to_owned()
}

http_test!(a_calendar_feed_parses_and_shows_only_what_its_person_may_see, |api: Api| async move {
    if !python_has("icalendar") {
        return;
    }
    let org = Org::new(&api, "acme").await;
    let version = org.api.get("/api/v1/workspace").await.expect(200)["version"].clone();
    let change =
        json!({"version": version, "time_zone": "Europe/Paris", "check_in_day": "tuesday", "check_in_hour": 10});
    org.api.patch("/api/v1/workspace", change).await.expect(200);
    let open =
        org.team_objective("Ship faster", org.department, json!([Org::increase("Deploy daily", 0.0, 5.0)])).await;
    let secret = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Fix the pager", "owner_team_id": org.team,
            "visibility": "team", "key_results": [Org::increase("Cut pages", 0.0, 10.0)]}))
        .await;
    let initiative = |title: &str, key_result: i64| {
        json!({"title": title, "description": "Notes, with; commas\nand lines", "due_date": "2026-12-01",
               "key_result_ids": [key_result]})
    };
    org.api.post("/api/v1/initiatives", initiative("Open runbook", id(&open["key_results"][0]))).await.expect(201);
    org.api
        .post("/api/v1/initiatives", initiative("Secret pager fix", id(&secret["key_results"][0])))
        .await
        .expect(201);
    org.api.give_password(org.eli, "correct horse battery staple").await;
    org.api.give_password(org.dana, "correct horse battery staple").await;
    let eli = org.api.log_in(&org.slug, "eli@example.com", "correct horse battery staple").await;
    let dana = org.api.log_in(&org.slug, "dana@example.com", "correct horse battery staple").await;
    assert_eq!(eli.get("/api/v1/me/calendar-feed").await.expect(200)["active"], false);
    let created = eli.post("/api/v1/me/calendar-feed", json!(null)).await.expect(201);
    assert_eq!(eli.get("/api/v1/me/calendar-feed").await.expect(200)["active"], true);
    let reply = api.without_token().get(&path(&created)).await;
    assert_eq!(reply.header("content-type"), Some("text/calendar; charset=utf-8"));
    let text = reply.text.clone();
    reply.expect(200);
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends");
    assert!(text.split("\r\n").all(|line| line.len() <= 75), "lines folded at 75 octets");
    let feed = parse(&text);
    let names = summaries(&feed);
    assert!(names.contains(&"Due: Open runbook".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("Secret")), "a team-only objective's initiative: {names:?}");
    assert!(names.contains(&"Cycle 2026-q4 starts".to_owned()) && names.contains(&"Cycle 2026-q4 ends".to_owned()));
    let check_in = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["summary"].as_str().unwrap().starts_with("Weekly check-in"))
        .unwrap();
    assert_eq!(check_in["rrule"], "FREQ=WEEKLY;BYDAY=TU");
    assert!(check_in["dtstart"].as_str().unwrap().contains("10:00:00+01:00"), "{check_in}");
    assert_eq!(feed["timezones"], json!(["Europe/Paris"]));
    assert!(
        feed["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["dtstamp"] == true && !e["uid"].as_str().unwrap().is_empty())
    );
    let open_event = feed["events"].as_array().unwrap().iter().find(|e| e["summary"] == "Due: Open runbook").unwrap();
    assert_eq!(open_event["description"], "Notes, with; commas\nand lines", "escaped and read back");
    // Dana, in the team, sees the team-only objective's initiative.
    let hers = dana.post("/api/v1/me/calendar-feed", json!(null)).await.expect(201);
    let names = summaries(&parse(&api.without_token().get(&path(&hers)).await.text));
    assert!(names.contains(&"Due: Secret pager fix".to_owned()), "{names:?}");
    // A new feed revokes the old; a revoked feed is not found.
    let again = eli.post("/api/v1/me/calendar-feed", json!(null)).await.expect(201);
    api.without_token().get(&path(&created)).await.expect(404);
    api.without_token().get(&path(&again)).await.expect(200);
    eli.delete("/api/v1/me/calendar-feed").await.expect(204);
    api.without_token().get(&path(&again)).await.expect(404);
    api.without_token().get("/calendar/mpc_0000.ics").await.expect(404);
    api.without_token().get("/calendar/nothing").await.expect(404);
    // An API token is no person: it has no feed.
    org.api.post("/api/v1/me/calendar-feed", json!(null)).await.problem(403, "forbidden");
});
