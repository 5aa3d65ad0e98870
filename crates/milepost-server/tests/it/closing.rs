//! Closing a cycle grades it: the close shows first what it will freeze, refuses to
//! close before the end date without a confirmation, and freezes every score under the
//! workspace's thresholds of that moment. A later change of the thresholds or a late
//! measurement does not move a closed score (the late data shows beside it); reopening
//! unfreezes, the next close freezes again, and the review shows both closings.

use crate::harness::{Api, Org, at_hours, id};
use crate::ui::Browser;
use serde_json::{Value, json};

/// An objective of `org`'s team with one key result from 0 to 10, checked in at `value`.
async fn graded(org: &Org, title: &str, commitment: &str, value: f64) -> (i64, i64) {
    let objective = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": title, "owner_team_id": org.team, "commitment": commitment,
                          "key_results": [Org::increase(&format!("{title}: grow from 0 to 10"), 0.0, 10.0)]}))
        .await;
    let key_result = id(&objective["key_results"][0]);
    org.api.check_in(key_result, json!({"value": value, "confidence": 6})).await;
    (id(&objective), key_result)
}

async fn objective(api: &Api, id: i64) -> Value {
    api.get(&format!("/api/v1/objectives/{id}")).await.expect(200)
}

http_test!(closing_shows_what_it_freezes_and_a_closed_score_does_not_move, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let (committed, _) = graded(&org, "Ship", "committed", 10.0).await;
    let (aspirational, _) = graded(&org, "Delight", "aspirational", 6.0).await;
    // A maintain key result fed by a KPI scores from every measurement in the cycle.
    let kpi = id(&admin
        .post(
            "/api/v1/kpis",
            json!({"name": "Uptime", "unit": "%", "direction": "higher_is_better", "target": 99.9,
                                     "cadence": "daily", "owner_person_id": org.dana}),
        )
        .await
        .expect(201));
    let kept = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Stay up", "owner_team_id": org.team,
                          "key_results": [{"title": "Keep uptime at or above 99.9%", "kind": "maintain",
                                           "target": 99.9, "comparator": ">=", "kpi_id": kpi}]}))
        .await;
    let maintain = id(&kept["key_results"][0]);
    let measurements = format!("/api/v1/kpis/{kpi}/measurements");
    for hours in [-72, -48] {
        admin.post(&measurements, json!({"measured_at": at_hours(hours), "value": 99.95})).await.expect(201);
    }
    let cycle = format!("/api/v1/cycles/{}", org.cycle);

    // The preview: admins only, nothing written.
    let preview = admin.get(&format!("{cycle}/close")).await.expect(200);
    assert_eq!(preview["early"], true, "the fixture's cycle ends on 2026-12-31: {preview}");
    assert_eq!(preview["days_left"], 45);
    // Ship and Stay up (committed unless said otherwise) both reach 1.0.
    assert_eq!(preview["summary"]["committed"], json!({"succeeded": 2, "total": 2}));
    assert_eq!(preview["summary"]["aspirational"], json!({"succeeded": 0, "total": 1}));
    assert_eq!(preview["thresholds"]["aspirational_success"], 0.7);
    let line = |id: i64| preview["objectives"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap().clone();
    assert_eq!(line(aspirational)["score"]["value"], 0.6);
    assert_eq!(line(aspirational)["score"]["colour"], "yellow");
    assert_eq!(line(committed)["score"]["succeeded"], true);
    admin.as_role("editor").await.get(&format!("{cycle}/close")).await.problem(403, "forbidden");
    api.new_workspace("globex").await.get(&format!("{cycle}/close")).await.problem(404, "not_found");
    assert_eq!(admin.get(&cycle).await.expect(200)["status"], "active");

    // Early without the confirmation: refused at the confirmation, nothing closed.
    let version = admin.get(&cycle).await.expect(200)["version"].clone();
    let reply = admin.post(&format!("{cycle}/close"), json!({"version": version})).await;
    reply.problem(409, "close_early_unconfirmed");
    assert!(reply.detail().contains("45 days"), "{}", reply.text);
    assert_eq!(reply.pointers(), ["/confirm_early"]);
    let stale = admin.post(&format!("{cycle}/close"), json!({"version": 999, "confirm_early": true})).await;
    stale.problem(409, "stale_version");
    admin
        .as_role("editor")
        .await
        .post(&format!("{cycle}/close"), json!({"version": version, "confirm_early": true}))
        .await
        .problem(403, "forbidden");
    assert_eq!(admin.get(&cycle).await.expect(200)["status"], "active");
    assert_eq!(admin.get(&format!("{cycle}/closings")).await.expect(200), json!([]));

    let closed =
        admin.post(&format!("{cycle}/close"), json!({"version": version, "confirm_early": true})).await.expect(200);
    assert_eq!(closed["status"], "closed");
    admin
        .post(&format!("{cycle}/close"), json!({"version": closed["version"], "confirm_early": true}))
        .await
        .problem(409, "cycle_closed");
    let score = objective(&admin, aspirational).await["score"].clone();
    assert_eq!(score, json!({"value": 0.6, "colour": "yellow", "succeeded": false, "frozen": true}));
    let frozen_maintain = admin.get(&format!("/api/v1/key-results/{maintain}")).await.expect(200)["score"].clone();
    assert_eq!(frozen_maintain["frozen"], true, "{frozen_maintain}");
    assert!(frozen_maintain.get("late_value").is_none(), "{frozen_maintain}");

    // A later change of the thresholds does not move the closed scores.
    let scoring = json!({"yellow_from": 0.3, "green_from": 0.6, "committed_success": 1.0, "aspirational_success": 0.6});
    assert_eq!(admin.put_json("/api/v1/workspace/scoring", scoring.clone()).await.expect(200), scoring);
    assert_eq!(admin.get("/api/v1/workspace/scoring").await.expect(200), scoring);
    assert_eq!(objective(&admin, aspirational).await["score"], score, "frozen under the thresholds of the close");

    // A late measurement inside the cycle is kept and shown as late; the score stands.
    admin.post(&measurements, json!({"measured_at": at_hours(-24), "value": 97.0})).await.expect(201);
    let late = admin.get(&format!("/api/v1/key-results/{maintain}")).await.expect(200)["score"].clone();
    assert_eq!(late["value"], frozen_maintain["value"], "{late}");
    let late_value = late["late_value"].as_f64().expect("the late data shows");
    assert!(late_value < frozen_maintain["value"].as_f64().unwrap(), "{late}");

    let closings = admin.get(&format!("{cycle}/closings")).await.expect(200);
    assert_eq!(closings.as_array().unwrap().len(), 1, "{closings}");
    assert_eq!(closings[0]["early"], true);
    assert_eq!(closings[0]["thresholds"]["aspirational_success"], 0.7);
    assert_eq!(closings[0]["summary"]["aspirational"], json!({"succeeded": 0, "total": 1}));

    // Reopening unfreezes; the next close (here through PATCH) freezes again, under the
    // thresholds of then.
    let reopened = admin
        .post(&format!("{cycle}/reopen"), json!({"version": closed["version"], "reason": "Uptime data was late"}))
        .await
        .expect(200);
    assert!(objective(&admin, aspirational).await.get("score").is_none_or(Value::is_null), "open: no score");
    admin.patch(&cycle, json!({"version": reopened["version"], "status": "closed"})).await.expect(200);
    let regraded = objective(&admin, aspirational).await["score"].clone();
    assert_eq!(regraded, json!({"value": 0.6, "colour": "green", "succeeded": true, "frozen": true}));
    let closings = admin.get(&format!("{cycle}/closings")).await.expect(200);
    assert_eq!(closings.as_array().unwrap().len(), 2, "{closings}");
    assert_eq!(closings[0]["reopen_reason"], "Uptime data was late");
    assert!(closings[0]["reopened_at"].is_string());
    assert!(closings[1]["reopened_at"].is_null());
    assert_eq!(closings[1]["early"], true);
    assert_eq!(closings[1]["summary"]["aspirational"], json!({"succeeded": 1, "total": 1}));

    // The review shows both closings.
    let (_, session) = org.person_with_session("ada", Some(org.company), "admin").await;
    let page = Browser::logged_in(&api, &session).await.get(&format!("/cycles/{}", org.cycle)).await.text;
    assert!(page.contains("Closings"), "{page}");
    assert!(page.contains("Uptime data was late"), "{page}");
    assert!(page.contains("succeeds at 0.6 or more"), "{page}");
    assert!(page.contains("late data"), "{page}");
    // Another workspace sees none of it.
    api.new_workspace("initech").await.get(&format!("{cycle}/closings")).await.problem(404, "not_found");
});

http_test!(scoring_thresholds_are_checked_and_set_by_admins_only, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let defaults =
        json!({"yellow_from": 0.4, "green_from": 0.7, "committed_success": 1.0, "aspirational_success": 0.7});
    assert_eq!(admin.as_role("viewer").await.get("/api/v1/workspace/scoring").await.expect(200), defaults);
    let body = |y: f64, g: f64, c: f64, a: f64| json!({"yellow_from": y, "green_from": g, "committed_success": c, "aspirational_success": a});
    for (bad, pointer) in [
        (body(0.45, 0.7, 1.0, 0.7), "/yellow_from"),
        (body(0.4, 1.2, 1.0, 0.7), "/green_from"),
        (body(0.4, 0.7, 0.0, 0.7), "/committed_success"),
        (body(0.4, 0.7, 1.0, -0.1), "/aspirational_success"),
        (body(0.7, 0.7, 1.0, 0.7), "/yellow_from"),
    ] {
        admin.put_json("/api/v1/workspace/scoring", bad).await.invalid_at(&[pointer]);
    }
    let missing = admin.put_json("/api/v1/workspace/scoring", json!({"yellow_from": 0.4})).await;
    assert_eq!(missing.status, 422, "{}", missing.text);
    let extra = admin
        .put_json(
            "/api/v1/workspace/scoring",
            json!({"yellow_from": 0.4, "green_from": 0.7,
        "committed_success": 1.0, "aspirational_success": 0.7, "red": 0.1}),
        )
        .await;
    assert_eq!(extra.status, 422, "{}", extra.text);
    admin
        .as_role("editor")
        .await
        .put_json("/api/v1/workspace/scoring", body(0.5, 0.8, 1.0, 0.7))
        .await
        .problem(403, "forbidden");
    assert_eq!(admin.get("/api/v1/workspace/scoring").await.expect(200), defaults, "nothing refused was saved");

    // The web form: read by all, saved by admins, refused at the field.
    let (_, session) = org.person_with_session("ada", Some(org.company), "admin").await;
    let browser = Browser::logged_in(&api, &session).await;
    let page = browser.get("/settings/scoring").await;
    assert!(page.expect(200).contains("value=\"0.7\""), "{}", page.text);
    let fields = |y: &'static str| {
        [("yellow_from", y), ("green_from", "0.8"), ("committed_success", "0.9"), ("aspirational_success", "0.6")]
    };
    let refused = browser.post_form("/settings/scoring", &fields("0.85")).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("yellow_from-error"), "{}", refused.text);
    let saved = browser.post_form("/settings/scoring", &fields("0.5")).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(admin.get("/api/v1/workspace/scoring").await.expect(200), body(0.5, 0.8, 0.9, 0.6));
    let (_, member) = org.person_with_session("mo", Some(org.team), "member").await;
    let member = Browser::logged_in(&api, &member).await;
    assert!(!member.get("/settings/scoring").await.expect(200).contains("Save the thresholds"));
    assert_eq!(member.post_form("/settings/scoring", &fields("0.2")).await.status, 403);
});

http_test!(the_close_page_shows_the_scores_and_asks_before_closing_early, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    graded(&org, "Ship", "committed", 10.0).await;
    graded(&org, "Delight", "aspirational", 3.0).await;
    let (_, session) = org.person_with_session("ada", Some(org.company), "admin").await;
    let browser = Browser::logged_in(&api, &session).await;
    let path = format!("/cycles/{}/close", org.cycle);
    let page = browser.get(&path).await;
    let text = page.expect(200);
    assert!(text.contains("ends on 2026-12-31, 45 days from now"), "{text}");
    assert!(text.contains("1 of 1 succeed"), "{text}");
    assert!(text.contains("0.3 · Red"), "{text}");
    assert!(browser.get(&format!("/cycles/{}", org.cycle)).await.text.contains(&path), "the cycle page links to it");
    let version = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200)["version"].to_string();

    let unconfirmed = browser.post_form(&path, &[("version", version.as_str())]).await;
    assert_eq!(unconfirmed.status, 409, "{}", unconfirmed.text);
    assert!(unconfirmed.text.contains("confirm_early-error"), "{}", unconfirmed.text);
    assert_eq!(org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200)["status"], "active");

    let closed = browser.post_form(&path, &[("version", version.as_str()), ("confirm_early", "yes")]).await;
    assert_eq!(closed.status, 303, "{}", closed.text);
    let review = browser.get(&format!("/cycles/{}", org.cycle)).await.text;
    assert!(review.contains("Closings") && review.contains("(early)"), "{review}");
    // Only admins close.
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let editor = Browser::logged_in(&api, &editor).await;
    let other = org.api.cycle("2027-q1", "2027-01-01", "2027-03-31", "active").await;
    assert_eq!(editor.get(&format!("/cycles/{}/close", id(&other))).await.status, 403);
});
