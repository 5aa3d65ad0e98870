//! A closed cycle's confidence calibration (`GET /api/v1/cycles/{id}/calibration` and the
//! cycle's review page): Brier scores of the confidence given in check-ins against the
//! outcomes, per person, per team and for the workspace; the key results of objectives
//! the caller cannot see do not count; a cycle not closed yet is a 409.

use crate::harness::{Api, Org, at_hours, id};
use crate::ui::Browser;
use milepost_core::stats::student_t_cdf;
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

http_test!(the_forecast_is_calibrated_on_the_same_check_ins_from_what_was_known_at_each, |api: Api| async move {
    // The clock stands at 2026-11-16T00:00Z and the cycle ends at 2027-01-01T00:00Z, 46
    // days later. Every key result goes "from 30 to 50"; check-ins come at −14, −7 and 0
    // days. At each check-in the forecast sees only the values known then, so the first
    // two of each key result (one and two points) have none and do not count for it.
    let org = Org::new(&api, "acme").await;
    let grow = |title: &str| json!({"title": title, "kind": "increase", "start": 30, "target": 50});
    let committed = org
        .team_objective("Ship it", org.company, json!([grow("Grow A from 30 to 50"), grow("Grow C from 30 to 50")]))
        .await;
    let aspirational = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Reach further", "owner_team_id": org.company,
                          "commitment": "aspirational", "key_results": [grow("Grow B from 30 to 50")]}))
        .await;
    let (a, c) = (id(&committed["key_results"][0]), id(&committed["key_results"][1]));
    let b = id(&aspirational["key_results"][0]);
    let (dana, eli) = (org.dana, org.eli);
    let at = |days_ago: i64| at_hours(-days_ago * 24);
    for (key_result, body) in [
        // A ends at 37 (progress 0.35): a committed miss, outcome 0. Dana said 5, 6, 8:
        // 0.25, 0.36, 0.64. The forecast at the third (33, 36, 37: the worked example of
        // docs/forecasting.md) is 0.504: (0.504)² = 0.254.
        (a, json!({"value": 33, "confidence": 5, "author_person_id": dana, "checked_in_at": at(14)})),
        (a, json!({"value": 36, "confidence": 6, "author_person_id": dana, "checked_in_at": at(7)})),
        (a, json!({"value": 37, "confidence": 8, "author_person_id": dana, "checked_in_at": at(0)})),
        // B ends at 46 (progress 0.8): an aspirational success, outcome 1. Eli said 3, 4,
        // 9: 0.49, 0.36, 0.01. At the third, the median rate 13/14 a day carries 46 to
        // 88.7 by the cycle's end: probability 0.972, (1 − 0.972)² = 0.0008.
        (b, json!({"value": 33, "confidence": 3, "author_person_id": eli, "checked_in_at": at(14)})),
        (b, json!({"value": 36, "confidence": 4, "author_person_id": eli, "checked_in_at": at(7)})),
        (b, json!({"value": 46, "confidence": 9, "author_person_id": eli, "checked_in_at": at(0)})),
        // C ends at 35: a committed miss. Two check-ins without a confidence count for
        // neither, but their values are known to the forecast at the third, a token's
        // (workspace only) with confidence 5: 0.25. From 33, 36, 35 the median rate 1/7 a
        // day ends at 41.6: probability 0.296, (0.296)² = 0.088.
        (c, json!({"value": 33, "checked_in_at": at(14)})),
        (c, json!({"value": 36, "checked_in_at": at(7)})),
        (c, json!({"value": 35, "confidence": 5, "checked_in_at": at(0)})),
    ] {
        org.api.check_in(key_result, body).await;
    }
    let cycle = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    org.api
        .patch(&format!("/api/v1/cycles/{}", org.cycle), json!({"version": cycle["version"], "status": "closed"}))
        .await
        .expect(200);

    let all = org.api.get(&format!("/api/v1/cycles/{}/calibration", org.cycle)).await.expect(200);
    assert_eq!((all["key_results"].clone(), all["succeeded"].clone()), (json!(3), json!(1)), "{all}");
    // The confidence: seven check-ins, (1.25 + 0.86 + 0.25) / 7 = 0.337…
    assert_eq!(all["workspace"]["check_ins"], 7, "{all}");
    assert_close(&all["workspace"]["brier"], (0.25 + 0.36 + 0.64 + 0.49 + 0.36 + 0.01 + 0.25) / 7.0, "confidence");
    // The forecast: three of them had one. Each is Student's t with 4 degrees of freedom
    // around the point forecast, with the spread of the worked example (the prior's
    // noise: the one earlier step has no residual).
    let width = (64.0f64 / 60.0 * (46.0 + 46.0 * 46.0 / 14.0)).sqrt();
    let reach = |value: f64| 1.0 - student_t_cdf((50.0 - value) / width, 4.0);
    let (pa, pb, pc) = (reach(37.0 + 46.0 * 4.0 / 14.0), reach(46.0 + 46.0 * 13.0 / 14.0), reach(35.0 + 46.0 / 7.0));
    let (ea, eb, ec) = (pa * pa, (1.0 - pb) * (1.0 - pb), pc * pc);
    let forecast = &all["forecast"];
    assert_eq!(forecast["workspace"]["forecasts"], 3, "{all}");
    assert_close(&forecast["workspace"]["brier"], (ea + eb + ec) / 3.0, "the forecast");
    let people = forecast["people"].as_array().unwrap();
    assert_eq!(people.iter().map(|p| p["person_id"].clone()).collect::<Vec<_>>(), [json!(dana), json!(eli)], "{all}");
    assert_eq!((people[0]["forecasts"].clone(), people[1]["forecasts"].clone()), (json!(1), json!(1)));
    assert_close(&people[0]["brier"], ea, "dana's forecasts");
    assert_close(&people[1]["brier"], eb, "eli's forecasts");
    // Teams: eli's department, then dana's platform team.
    let teams = forecast["teams"].as_array().unwrap();
    assert_eq!(
        teams.iter().map(|t| t["team_id"].clone()).collect::<Vec<_>>(),
        [json!(org.department), json!(org.team)]
    );
    assert_eq!((teams[0]["forecasts"].clone(), teams[1]["forecasts"].clone()), (json!(1), json!(1)));
    assert_close(&teams[0]["brier"], eb, "the department's forecasts");
    assert_close(&teams[1]["brier"], ea, "the platform team's forecasts");
    // The confidence figures beside them are unchanged in shape.
    assert_close(&all["people"][0]["brier"], (0.25 + 0.36 + 0.64) / 3.0, "dana");
    assert_close(&all["people"][1]["brier"], (0.49 + 0.36 + 0.01) / 3.0, "eli");

    // The review page shows the forecast column beside the confidence's.
    let (_, ada) = org.person_with_session("ada", Some(org.company), "admin").await;
    let review = Browser::from_api(&api, &ada).get(&format!("/cycles/{}", org.cycle)).await;
    let review = review.expect(200);
    let table = review.split("id=\"calibration-heading\"").nth(1).unwrap_or_default();
    assert!(table.contains("<th scope=\"col\">Forecast's Brier score</th>"), "{review}");
    assert!(
        table.contains("<th scope=\"row\">Everyone</th><td>0.34</td><td>7</td><td>0.11</td><td>3</td></tr>"),
        "{review}"
    );
    assert!(
        table.contains("<th scope=\"row\">Person dana</th><td>0.42</td><td>3</td><td>0.25</td><td>1</td></tr>"),
        "{review}"
    );
    assert!(
        table.contains("<th scope=\"row\">Person eli</th><td>0.29</td><td>3</td><td>0.00</td><td>1</td></tr>"),
        "{review}"
    );

    // How the forecast did: the cycle replayed at the end of each week from 2026-10-01.
    // Each key result has a check-in by the ends of Nov 5 (one point), Nov 12 (two) and
    // the seven weeks from Nov 19 to Dec 31 (three): 9 judgements each, 27 in all; the
    // forecast had one at 21 of them (pace stood in at the others). C's first two had no
    // confidence yet: 25 for the confidence, whose Brier score is exact:
    // A (missed) 0.25 + 0.36 + 7 × 0.64, B (succeeded) 0.49 + 0.36 + 7 × 0.01, C (missed)
    // 7 × 0.25: 7.76 / 25 = 0.310. The 80% intervals: A's (27.9 to 72.4) and C's (19.3 to
    // 63.8) hold their final 37 and 35, B's (66.5 to 110.9) misses 46: 14 of 21.
    let forecast_review = review.split("id=\"forecast-review-heading\"").nth(1).unwrap_or_default();
    assert!(forecast_review.contains("<th scope=\"row\">Forecast</th><td>27</td>"), "{review}");
    assert!(forecast_review.contains("<th scope=\"row\">Pace alone</th><td>27</td>"), "{review}");
    assert!(
        forecast_review.contains("<th scope=\"row\">Owners&#39; confidence</th><td>25</td><td>0.310</td>"),
        "{review}"
    );
    assert!(forecast_review.contains("held the key result's final value in 67% of 21 forecasts"), "{review}");
});

http_test!(a_check_in_with_fewer_than_three_values_known_has_no_forecast_and_does_not_count, |api: Api| async move {
    // Two check-ins only: the confidence counts twice, the forecast never.
    let org = Org::new(&api, "acme").await;
    let objective = org
        .team_objective(
            "Ship it",
            org.company,
            json!([{"title": "Grow A from 30 to 50", "kind": "increase", "start": 30, "target": 50}]),
        )
        .await;
    let a = id(&objective["key_results"][0]);
    let dana = org.dana;
    org.api
        .check_in(
            a,
            json!({"value": 40, "confidence": 7, "author_person_id": dana, "checked_in_at": at_hours(-7 * 24)}),
        )
        .await;
    org.api.check_in(a, json!({"value": 50, "confidence": 9, "author_person_id": dana})).await;
    let cycle = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    org.api
        .patch(&format!("/api/v1/cycles/{}", org.cycle), json!({"version": cycle["version"], "status": "closed"}))
        .await
        .expect(200);
    let all = org.api.get(&format!("/api/v1/cycles/{}/calibration", org.cycle)).await.expect(200);
    // A succeeded: (0.7 − 1)² = 0.09 and (0.9 − 1)² = 0.01.
    assert_eq!(all["workspace"]["check_ins"], 2, "{all}");
    assert_close(&all["workspace"]["brier"], (0.09 + 0.01) / 2.0, "confidence");
    assert_eq!(all["forecast"], json!({"workspace": null, "people": [], "teams": []}), "{all}");
    let (_, ada) = org.person_with_session("ada", Some(org.company), "admin").await;
    let review = Browser::from_api(&api, &ada).get(&format!("/cycles/{}", org.cycle)).await;
    let review = review.expect(200);
    assert!(
        review.contains("<th scope=\"row\">Everyone</th><td>0.05</td><td>2</td><td>—</td><td>0</td></tr>"),
        "{review}"
    );
});
