//! A closed cycle's confidence calibration (`GET /api/v1/cycles/{id}/calibration` and the
//! cycle's review page): Brier scores of the confidence given in check-ins against the
//! outcomes, per person, per team and for the workspace; the key results of objectives
//! the caller cannot see do not count; a cycle not closed yet is a 409.

use crate::harness::{Api, Org, id};
use crate::ui::Browser;
use serde_json::{Value, json};

fn assert_close(value: &Value, expected: f64, what: &str) {
    let got = value.as_f64().unwrap_or(f64::NAN);
    assert!((got - expected).abs() < 1e-9, "{what}: {got} is not {expected}");
}

http_test!(a_closed_cycles_calibration_scores_confidence_against_outcomes, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let grow = |title: &str| json!({"title": title, "kind": "increase", "start": 0, "target": 10});
    let committed = org
        .team_objective("Ship it", org.company, json!([grow("Grow A from 0 to 10"), grow("Grow C from 0 to 10")]))
        .await;
    let aspirational = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Reach further", "owner_team_id": org.company,
                          "commitment": "aspirational", "key_results": [grow("Grow B from 0 to 10")]}))
        .await;
    // A team-only objective of the platform team, which mo (in the department) does not see.
    let hidden = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Secret plan", "owner_team_id": org.team,
                          "visibility": "team", "key_results": [grow("Grow D from 0 to 10")]}))
        .await;
    let (a, c) = (id(&committed["key_results"][0]), id(&committed["key_results"][1]));
    let (b, d) = (id(&aspirational["key_results"][0]), id(&hidden["key_results"][0]));
    let (dana, eli) = (org.dana, org.eli);
    for (key_result, body) in [
        // A ends at 10: a committed success. Dana said 6, then 9: (0.4)² and (0.1)².
        (a, json!({"value": 5, "confidence": 6, "author_person_id": dana})),
        (a, json!({"value": 10, "confidence": 9, "author_person_id": dana})),
        // Without a confidence, a check-in does not count.
        (a, json!({"value": 10, "author_person_id": dana})),
        // C ends at 9: a score of 0.9 misses a committed objective. Eli was sure: 1.
        (c, json!({"value": 9, "confidence": 10, "author_person_id": eli})),
        // B ends at 7: an aspirational success. Eli said 2: (0.8)²; a token said 5: 0.25.
        (b, json!({"value": 7, "confidence": 2, "author_person_id": eli})),
        (b, json!({"value": 7, "confidence": 5})),
        // D stays at 0: a miss, though Dana was sure: 1.
        (d, json!({"value": 0, "confidence": 10, "author_person_id": dana})),
    ] {
        org.api.check_in(key_result, body).await;
    }
    let (_, mo) = org.person_with_session("mo", Some(org.department), "member").await;
    let (_, ada) = org.person_with_session("ada", Some(org.company), "admin").await;
    let path = format!("/api/v1/cycles/{}/calibration", org.cycle);
    let page = format!("/cycles/{}", org.cycle);

    // While the cycle runs, outcomes are not known.
    org.api.get(&path).await.problem(409, "cycle_not_closed");
    let running = Browser::from_api(&api, &ada).get(&page).await;
    assert!(!running.expect(200).contains("calibration-heading"), "no calibration on a running cycle");

    let cycle = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    org.api
        .patch(&format!("/api/v1/cycles/{}", org.cycle), json!({"version": cycle["version"], "status": "closed"}))
        .await
        .expect(200);

    // The admin sees every objective.
    let all = org.api.get(&path).await.expect(200);
    assert_eq!(
        (all["cycle_id"].clone(), all["key_results"].clone(), all["succeeded"].clone()),
        (json!(org.cycle), json!(4), json!(2)),
        "{all}"
    );
    assert_eq!(all["workspace"]["check_ins"], 6, "{all}");
    assert_close(&all["workspace"]["brier"], (0.16 + 0.01 + 1.0 + 1.0 + 0.64 + 0.25) / 6.0, "the workspace");
    let people = all["people"].as_array().unwrap();
    assert_eq!(people.iter().map(|p| p["person_id"].clone()).collect::<Vec<_>>(), [json!(dana), json!(eli)], "{all}");
    assert_eq!((people[0]["check_ins"].clone(), people[1]["check_ins"].clone()), (json!(3), json!(2)));
    assert_close(&people[0]["brier"], (0.16 + 0.01 + 1.0) / 3.0, "dana");
    assert_close(&people[1]["brier"], (1.0 + 0.64) / 2.0, "eli");
    // Teams: eli's department, then dana's platform team (in id order).
    let teams = all["teams"].as_array().unwrap();
    assert_eq!(
        teams.iter().map(|t| t["team_id"].clone()).collect::<Vec<_>>(),
        [json!(org.department), json!(org.team)]
    );
    assert_close(&teams[0]["brier"], (1.0 + 0.64) / 2.0, "the department");
    assert_close(&teams[1]["brier"], (0.16 + 0.01 + 1.0) / 3.0, "the platform team");

    // mo does not see the team-only objective, so its key result and check-in do not count.
    let seen = mo.get(&path).await.expect(200);
    assert_eq!((seen["key_results"].clone(), seen["succeeded"].clone()), (json!(3), json!(2)), "{seen}");
    assert_eq!(seen["workspace"]["check_ins"], 5, "{seen}");
    assert_close(&seen["workspace"]["brier"], (0.16 + 0.01 + 1.0 + 0.64 + 0.25) / 5.0, "the workspace for mo");
    assert_close(&seen["people"][0]["brier"], (0.16 + 0.01) / 2.0, "dana for mo");

    // The review page shows the same numbers.
    let review = Browser::from_api(&api, &ada).get(&page).await;
    let review = review.expect(200);
    let table = review.split("id=\"calibration-heading\"").nth(1).unwrap_or_default();
    assert!(table.contains("2 of 4 key results succeeded"), "{review}");
    assert!(table.contains("<th scope=\"row\">Everyone</th><td>0.51</td><td>6</td>"), "{review}");
    assert!(table.contains("<th scope=\"row\">Team platform (team)</th><td>0.39</td><td>3</td>"), "{review}");
    assert!(table.contains("<th scope=\"row\">Person eli</th><td>0.82</td><td>2</td>"), "{review}");
    assert!(!review.contains("is not computed yet"), "the placeholder is gone");
    let theirs = Browser::from_api(&api, &mo).get(&page).await;
    assert!(theirs.expect(200).contains("<th scope=\"row\">Everyone</th><td>0.41</td><td>5</td>"));

    // Another workspace's cycle is a 404 like a missing one; a closed cycle without
    // confidences has nothing to calibrate.
    let beta = Org::new(&api, "beta").await;
    beta.api.get(&path).await.problem(404, "not_found");
    org.api.get("/api/v1/cycles/987654321/calibration").await.problem(404, "not_found");
    let quiet = id(&beta.api.cycle("2025-q4", "2025-10-01", "2025-12-31", "closed").await);
    let empty = beta.api.get(&format!("/api/v1/cycles/{quiet}/calibration")).await.expect(200);
    assert_eq!(
        (empty["key_results"].clone(), empty["workspace"].clone(), empty["people"].clone()),
        (json!(0), Value::Null, json!([]))
    );
    let (_, beth) = beta.person_with_session("beth", Some(beta.company), "admin").await;
    let quiet_page = Browser::from_api(&api, &beth).get(&format!("/cycles/{quiet}")).await;
    assert!(quiet_page.expect(200).contains("nothing to calibrate"));
});
