//! A closed, graded cycle stays closed until an admin reopens it with a reason: a plain
//! PATCH cannot reopen it, the audit trail records the reopening with its reason, and
//! the cycle's page shows that it was reopened, by whom and why.

use crate::harness::{Api, Org, id};
use crate::ui::Browser;
use serde_json::{Value, json};

http_test!(a_closed_cycle_is_reopened_only_by_an_admin_with_a_reason, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let (ada, session) = org.person_with_session("ada", Some(org.company), "admin").await;
    let objective =
        org.team_objective("Grow", org.team, json!([Org::increase("Grow revenue from 0 to 10", 0.0, 10.0)])).await;
    let key_result = id(&objective["key_results"][0]);
    let path = format!("/api/v1/cycles/{}", org.cycle);
    let version = admin.get(&path).await.expect(200)["version"].clone();
    let closed = admin.patch(&path, json!({"version": version, "status": "closed"})).await.expect(200);
    let version = closed["version"].clone();

    // A plain PATCH cannot reopen it, to any status, and changes nothing.
    for status in ["active", "planning"] {
        let reply = admin.patch(&path, json!({"version": version, "status": status})).await;
        reply.problem(409, "cycle_closed");
        assert!(reply.detail().contains("reopen"), "{}", reply.text);
    }
    assert_eq!(admin.get(&path).await.expect(200), closed);
    let check_in = format!("/api/v1/key-results/{key_result}/check-ins");
    admin.post(&check_in, json!({"value": 5})).await.problem(409, "cycle_closed");

    // Reopening: admins only, with a reason that is not blank.
    let reopen = format!("{path}/reopen");
    let editor = admin.as_role("editor").await;
    editor.post(&reopen, json!({"version": version, "reason": "late data"})).await.problem(403, "forbidden");
    for reason in ["", "   "] {
        session.post(&reopen, json!({"version": version, "reason": reason})).await.invalid_at(&["/reason"]);
    }
    session.post(&reopen, json!({"version": version})).await.problem(422, "invalid");
    let reply = session.post(&reopen, json!({"version": version, "reason": "x", "status": "closed"})).await;
    reply.invalid_at(&["/status"]);
    let stale = session.post(&reopen, json!({"version": 1, "reason": "The churn numbers came in late"})).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert_eq!(admin.get(&path).await.expect(200), closed, "a refused reopening changes nothing");

    let reopened = session
        .post(&reopen, json!({"version": version, "reason": "The churn numbers came in late"}))
        .await
        .expect(200);
    assert_eq!(reopened["status"], "active");
    // It takes check-ins again; reopening an open cycle is a conflict.
    admin.post(&check_in, json!({"value": 5})).await.expect(201);
    let again = session.post(&reopen, json!({"version": reopened["version"], "reason": "twice"})).await;
    again.problem(409, "cycle_not_closed");

    // The audit trail names who reopened it and why.
    let events = admin.walk(&format!("/api/v1/events?entity=cycle&entity_id={}", org.cycle), 50).await;
    let reopening: Vec<&Value> = events.iter().filter(|e| e["action"] == "reopen").collect();
    assert_eq!(reopening.len(), 1, "{events:?}");
    assert_eq!(reopening[0]["actor_person_id"], ada);
    assert_eq!(reopening[0]["after"]["reason"], "The churn numbers came in late");

    // Closing again is recorded too; the history says it all, oldest first.
    let closed_again =
        admin.patch(&path, json!({"version": reopened["version"], "status": "closed"})).await.expect(200);
    assert_eq!(closed_again["status"], "closed");
    let history = admin.get(&format!("{path}/transitions")).await.expect(200);
    let steps: Vec<(&str, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["from_status"].as_str().unwrap(), t["to_status"].as_str().unwrap(), t["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [("active", "closed", ""), ("closed", "active", "The churn numbers came in late"), ("active", "closed", "")]
    );
    assert_eq!(history[1]["actor_person_id"], ada);
    assert!(history[0]["actor_token_id"].is_i64(), "{history}");

    // The review shows that it was reopened, by whom and why.
    let browser = Browser::logged_in(&api, &session).await;
    let page = browser.get(&format!("/cycles/{}", org.cycle)).await.text;
    assert!(page.contains("Review"), "{page}");
    assert!(page.contains("Reopened (closed → active) by"), "{page}");
    assert!(page.contains("The churn numbers came in late"), "{page}");

    // Another workspace sees none of it.
    let other = api.new_workspace("globex").await;
    other.get(&format!("{path}/transitions")).await.problem(404, "not_found");
    other.post(&reopen, json!({"version": 1, "reason": "mine"})).await.problem(404, "not_found");
});
