//! A closed, graded cycle stays closed until an admin reopens it with a reason: a plain
//! PATCH cannot reopen it, the audit trail records the reopening with its reason, and
//! the cycle's page shows that it was reopened, by whom and why. A cycle's kind is
//! checked against its dates. A planning cycle starts by itself on its start date, once,
//! even when two servers on one database look at the same moment.

use crate::harness::{Api, Org, id, two_servers_on_postgres};
use crate::ui::Browser;
use jiff::SignedDuration;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

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

http_test!(a_cycles_kind_round_trips_and_is_checked_against_its_dates, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = &org.api;
    let fixture = admin.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    assert_eq!(fixture["kind"], "quarter", "left out, the kind is the shape of the dates");

    let half = json!({"name": "2027 H1", "start_date": "2027-01-01", "end_date": "2027-06-30", "kind": "half"});
    let created = admin.post("/api/v1/cycles", half).await.expect(201);
    assert_eq!(created["kind"], "half");
    let path = format!("/api/v1/cycles/{}", id(&created));
    assert_eq!(admin.get(&path).await.expect(200), created);
    for (start, end, kind) in [
        ("2027-02-01", "2027-04-30", "quarter"),
        ("2027-01-01", "2027-12-31", "year"),
        ("2027-01-05", "2027-02-10", "custom"),
    ] {
        let body = json!({"name": format!("From {start}"), "start_date": start, "end_date": end});
        assert_eq!(admin.post("/api/v1/cycles", body).await.expect(201)["kind"], kind, "{start} to {end}");
    }

    // A kind whose dates do not fit is refused at the date that is off.
    for (start, end, kind, pointer) in [
        ("2027-01-01", "2027-04-15", "quarter", "/end_date"),
        ("2027-01-02", "2027-12-31", "year", "/start_date"),
        ("2027-07-01", "2027-09-30", "half", "/end_date"),
    ] {
        let body = json!({"name": "Odd", "start_date": start, "end_date": end, "kind": kind});
        admin.post("/api/v1/cycles", body).await.invalid_at(&[pointer]);
    }
    admin
        .post(
            "/api/v1/cycles",
            json!({"name": "Odd", "start_date": "2027-01-01", "end_date": "2027-03-31", "kind": "month"}),
        )
        .await
        .problem(422, "invalid");

    // Changing the dates of a half that no longer fits, or the kind alone, is checked too.
    admin.patch(&path, json!({"version": 1, "end_date": "2027-05-31"})).await.invalid_at(&["/end_date"]);
    admin.patch(&path, json!({"version": 1, "kind": "year"})).await.invalid_at(&["/end_date"]);
    let changed =
        admin.patch(&path, json!({"version": 1, "kind": "custom", "end_date": "2027-05-31"})).await.expect(200);
    assert_eq!((changed["kind"].as_str(), changed["end_date"].as_str()), (Some("custom"), Some("2027-05-31")));

    // Editors plan cycles; their status stays an admin's.
    let editor = admin.as_role("editor").await;
    let body = json!({"name": "2028 Q1", "start_date": "2028-01-01", "end_date": "2028-03-31", "kind": "quarter"});
    let planned = editor.post("/api/v1/cycles", body).await.expect(201);
    let body = json!({"name": "2028 Q2", "start_date": "2028-04-01", "end_date": "2028-06-30", "status": "active"});
    editor.post("/api/v1/cycles", body).await.problem(403, "forbidden");
    let planned_path = format!("/api/v1/cycles/{}", id(&planned));
    editor.patch(&planned_path, json!({"version": 1, "status": "active"})).await.problem(403, "forbidden");
    editor.patch(&planned_path, json!({"version": 1, "name": "2028 Q1 (plan)"})).await.expect(200);
    admin
        .as_role("member")
        .await
        .patch(&planned_path, json!({"version": 2, "name": "x"}))
        .await
        .problem(403, "forbidden");
});

/// The status changes of a cycle, oldest first.
async fn transitions(api: &Api, cycle: i64) -> Vec<Value> {
    api.get(&format!("/api/v1/cycles/{cycle}/transitions")).await.expect(200).as_array().unwrap().clone()
}

/// The audit events of a cycle with `action`.
async fn events_of(api: &Api, cycle: i64, action: &str) -> Vec<Value> {
    let events = api.walk(&format!("/api/v1/events?entity=cycle&entity_id={cycle}"), 100).await;
    events.into_iter().filter(|e| e["action"] == action).collect()
}

http_test!(a_planning_cycle_starts_by_itself_on_its_start_date, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let (dee, session) = org.person_with_session("dee", Some(org.team), "editor").await;
    // Starts tomorrow, and runs beside the active 2026 Q4: several cycles are active at once.
    let sprint = id(&admin.cycle("sprint", "2026-11-17", "2026-12-15", "planning").await);
    let body = json!({"cycle_id": sprint, "title": "Ship the sprint", "owner_person_id": dee,
                      "key_results": [Org::increase("Grow signups from 0 to 40", 0.0, 40.0)]});
    let objective = admin.objective(body).await;
    let key_result = id(&objective["key_results"][0]);
    let browser = Browser::from_api(&api, &session);
    let row = format!("name=\"value.{key_result}\"");
    let page = browser.get("/check-in").await;
    assert!(!page.expect(200).contains(&row), "not before it starts: {}", page.text);

    assert_eq!(api.app().cycles().start_due().await.unwrap(), 0, "not before its start date");
    assert_eq!(admin.get(&format!("/api/v1/cycles/{sprint}")).await.expect(200)["status"], "planning");
    api.shift_clock(SignedDuration::from_hours(24));
    assert_eq!(api.app().cycles().start_due().await.unwrap(), 1);
    assert_eq!(api.app().cycles().start_due().await.unwrap(), 0, "once");
    let cycle = admin.get(&format!("/api/v1/cycles/{sprint}")).await.expect(200);
    assert_eq!(cycle["status"], "active");
    assert_eq!(cycle["version"], 2);
    let history = transitions(&admin, sprint).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        (history[0]["from_status"].as_str(), history[0]["to_status"].as_str()),
        (Some("planning"), Some("active"))
    );
    assert!(
        history[0]["actor_person_id"].is_null() && history[0]["actor_token_id"].is_null(),
        "the scheduler: {history:?}"
    );
    assert_eq!(history[0]["at"], "2026-11-17T00:00:00Z");
    let started = events_of(&admin, sprint, "start").await;
    assert_eq!(started.len(), 1, "{started:?}");
    assert_eq!(started[0]["before"]["status"], "planning");
    assert_eq!(started[0]["after"]["status"], "active");

    // Its key results reach the check-in page, beside those of the other active cycle;
    // the dashboard still shows the cycle around today.
    let page = browser.get("/check-in").await;
    assert!(page.expect(200).contains(&row), "{}", page.text);
    let dashboard = browser.get("/").await;
    assert!(dashboard.expect(200).contains(&format!("href=\"/cycles/{sprint}\"")), "{}", dashboard.text);

    // The scheduler's task does it too, on its own: an archived cycle it leaves alone.
    let later = id(&admin.cycle("later", "2026-11-20", "2026-12-31", "planning").await);
    let shelved = admin.cycle("shelved", "2026-11-20", "2026-12-31", "planning").await;
    admin.post(&format!("/api/v1/cycles/{}/archive", id(&shelved)), json!({"version": 1})).await.expect(200);
    api.shift_clock(SignedDuration::from_hours(24 * 5));
    let scheduler = milepost_server::scheduler::Scheduler::start(api.app().clone(), Duration::from_millis(20));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let cycle = admin.get(&format!("/api/v1/cycles/{later}")).await.expect(200);
        if cycle["status"] == "active" {
            break;
        }
        assert!(Instant::now() < deadline, "the scheduler did not start the cycle: {cycle}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    scheduler.stop().await;
    assert_eq!(transitions(&admin, later).await.len(), 1);
    let shelved = admin.get(&format!("/api/v1/cycles/{}", id(&shelved))).await.expect(200);
    assert_eq!(shelved["status"], "planning", "{shelved}");
    api.shift_clock(SignedDuration::ZERO);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_start_a_cycle_once() {
    let Some((one, two)) = two_servers_on_postgres().await else { return };
    let org = Org::new(&one.api, "acme").await;
    let mut due = Vec::new();
    for index in 0..6 {
        due.push(id(&org.api.cycle(&format!("sprint-{index}"), "2026-11-17", "2026-12-15", "planning").await));
    }
    one.api.shift_clock(SignedDuration::from_hours(24));
    two.api.shift_clock(SignedDuration::from_hours(24));
    let (app_one, app_two) = (one.api.app(), two.api.app());
    let (first, second) = tokio::join!(app_one.cycles().start_due(), app_two.cycles().start_due());
    assert_eq!(first.unwrap() + second.unwrap(), 6, "each cycle started once, on one server or the other");
    for cycle in due {
        assert_eq!(org.api.get(&format!("/api/v1/cycles/{cycle}")).await.expect(200)["status"], "active");
        assert_eq!(transitions(&org.api, cycle).await.len(), 1, "cycle {cycle}");
        assert_eq!(events_of(&org.api, cycle, "start").await.len(), 1, "cycle {cycle}");
    }
    one.stop().await;
    two.stop().await;
}
