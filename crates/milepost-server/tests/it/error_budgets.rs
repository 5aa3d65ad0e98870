//! Error budgets of maintain and range key results (issue 20) through the front door:
//! the share a sentence states or the API gives (`required_share`), the `error_budget`
//! object of the key result view, the status at risk when the budget burns too fast or is
//! spent, the bad inputs, the cycle review's columns and the objective page.
//!
//! The clock stands at 2026-11-16T00:00Z, day 46 of the 92-day cycle 2026-Q4 (from
//! 2026-10-01): 13 weekly slices, of which 6 have ended (days 0–42); the seventh is open.

use crate::harness::{Api, Org, assert_close, at_hours, id, password_of};
use crate::ui::Browser;
use serde_json::{Value, json};

/// Checks in `values` on a weekly key result, one a week on day 3 of each slice from
/// the cycle's start (days 3, 10, 17 …), with confidence 8.
async fn weekly_check_ins(org: &Org, key_result: i64, values: &[f64]) {
    for (week, value) in values.iter().enumerate() {
        let day = 7 * week as i64 + 3;
        org.api
            .check_in(
                key_result,
                json!({"value": value, "confidence": 8, "author_person_id": org.dana,
                       "checked_in_at": at_hours(-(46 - day) * 24)}),
            )
            .await;
    }
}

/// A maintain key result of Dana's, planned before the cycle began, with `extra`
/// fields beside its sentence; returns its view.
async fn latency_key_result(org: &Org, title: &str, extra: Value) -> Value {
    let mut key_result = json!({"title": title});
    for (field, value) in extra.as_object().into_iter().flatten() {
        key_result[field] = value.clone();
    }
    let objective = org
        .api
        .objective_planned(json!({"cycle_id": org.cycle, "title": "Keep checkout fast",
                                  "owner_person_id": org.dana, "key_results": [key_result]}))
        .await;
    objective["key_results"][0].clone()
}

async fn key_result(api: &Api, id: i64) -> Value {
    api.get(&format!("/api/v1/key-results/{id}")).await.expect(200)
}

async fn set_share(api: &Api, id: i64, share: Value) -> Value {
    let version = key_result(api, id).await["version"].clone();
    api.patch(&format!("/api/v1/key-results/{id}"), json!({"version": version, "required_share": share}))
        .await
        .expect(200)
}

http_test!(a_stated_share_sets_the_error_budget_and_a_fast_burn_is_at_risk, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let kr = latency_key_result(&org, "Keep p95 latency under 300 ms in 70% of weeks", json!({})).await;
    let kr_id = id(&kr);
    assert_eq!(kr["kind"], "maintain");
    assert_eq!(kr["comparator"], "<=");
    assert_close(&kr["target"], 300.0);
    assert_close(&kr["required_share"], 0.7);
    // Week 1 (days 7–13) misses; the open seventh week is not judged yet.
    weekly_check_ins(&org, kr_id, &[250.0, 320.0, 250.0, 250.0, 250.0, 250.0, 250.0]).await;

    let view = key_result(&org.api, kr_id).await;
    let budget = &view["error_budget"];
    assert_eq!(budget["slices_total"], 13, "{budget}");
    assert_eq!(budget["slices_judged"], 6);
    assert_eq!((budget["slices_met"].clone(), budget["slices_missed"].clone()), (json!(5), json!(1)));
    assert_eq!(budget["slices_without_data"], 0);
    assert_close(&budget["share_met"], 5.0 / 6.0);
    assert_close(&budget["required_share"], 0.7);
    assert_close(&budget["budget_share"], 0.3);
    // ⌊0.3 × 13⌋ = 3 misses allowed, 1 used; one miss in six weeks against 30% allowed.
    assert_eq!((budget["budget_slices"].clone(), budget["budget_left_slices"].clone()), (json!(3), json!(2)));
    assert_close(&budget["budget_left"], 2.0 / 3.0);
    assert_close(&budget["burn_rate"], (1.0 / 6.0) / 0.3);
    assert_eq!((budget["at_risk"].clone(), budget["spent"].clone()), (json!(false), json!(false)));
    // Expected to meet 70% of weeks, not all: the pace does not hold it against 100%.
    assert_close(&view["expected_progress"], 0.7);
    assert!(!view["status_reason"].as_str().unwrap().starts_with("error_budget"), "{view}");

    // 90% leaves ⌊1.3⌋ = 1 miss, already used, and the recent rate would miss more: at risk.
    let view = set_share(&org.api, kr_id, json!(0.9)).await;
    assert_close(&view["required_share"], 0.9);
    assert_eq!(view["error_budget"]["budget_left_slices"], 0);
    assert_eq!(view["error_budget"]["at_risk"], true);
    assert_eq!(view["error_budget"]["spent"], false);
    assert_eq!(
        (view["status"].clone(), view["status_reason"].clone()),
        (json!("at_risk"), json!("error_budget_burning"))
    );

    // Every slice required (null, the default): the one miss spends a zero budget.
    let view = set_share(&org.api, kr_id, Value::Null).await;
    assert_eq!(view["required_share"], Value::Null);
    assert_eq!(view["error_budget"]["budget_slices"], 0);
    assert_eq!(view["error_budget"]["burn_rate"], Value::Null, "no budget to burn");
    assert_eq!(view["error_budget"]["spent"], true);
    assert_eq!(
        (view["status"].clone(), view["status_reason"].clone()),
        (json!("at_risk"), json!("error_budget_spent"))
    );

    // The list says the same as the key result alone.
    let listed = org.api.get(&format!("/api/v1/key-results?objective_id={}", view["objective_id"])).await.expect(200);
    assert_eq!(listed["items"][0]["error_budget"], view["error_budget"]);
});

http_test!(a_required_share_given_wins_and_bad_ones_are_refused_at_their_field, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    // Given beside a sentence that says another share: the field wins.
    let kr =
        latency_key_result(&org, "Keep uptime at or above 99.9% in 11 of 12 weeks", json!({"required_share": 0.5}))
            .await;
    assert_close(&kr["required_share"], 0.5);
    let said = latency_key_result(&org, "Keep uptime at or above 99.9% in 11 of 12 weeks", json!({})).await;
    assert_close(&said["required_share"], 11.0 / 12.0);
    let range = latency_key_result(&org, "Keep churn between 2% and 3% on 95% of days", json!({})).await;
    assert_eq!(range["kind"], "range");
    assert_close(&range["required_share"], 0.95);
    assert!(range["error_budget"].is_object(), "{range}");
    let increase = latency_key_result(&org, "Increase NPS from 30 to 50", json!({})).await;
    assert_eq!((increase["required_share"].clone(), increase["error_budget"].clone()), (Value::Null, Value::Null));

    let objective =
        id(&org.api.objective(json!({"cycle_id": org.cycle, "title": "More", "owner_person_id": org.dana})).await);
    let path = format!("/api/v1/objectives/{objective}/key-results");
    for bad in [json!(0), json!(-0.5), json!(1.01), json!("most")] {
        let reply = org.api.post(&path, json!({"title": "Keep uptime at or above 99%", "required_share": bad})).await;
        if bad.is_string() {
            assert_eq!(reply.status, 422, "{}", reply.text);
        } else {
            reply.invalid_at(&["/required_share"]);
        }
    }
    org.api
        .post(&path, json!({"title": "Increase NPS from 30 to 50", "required_share": 0.9}))
        .await
        .invalid_at(&["/required_share"]);
    // Nothing was written by the refused requests.
    let listed = org.api.get(&format!("/api/v1/key-results?objective_id={objective}")).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    // A change refused at its field leaves the key result as it was.
    let version = kr["version"].clone();
    org.api
        .patch(&format!("/api/v1/key-results/{}", id(&kr)), json!({"version": version, "required_share": 2}))
        .await
        .invalid_at(&["/required_share"]);
    let after = key_result(&org.api, id(&kr)).await;
    assert_eq!((after["version"].clone(), after["required_share"].clone()), (version, json!(0.5)));
});

http_test!(the_review_and_the_objective_page_show_the_error_budget, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let kr = latency_key_result(&org, "Keep p95 latency under 300 ms in 70% of weeks", json!({})).await;
    weekly_check_ins(&org, id(&kr), &[250.0, 320.0, 250.0, 250.0, 250.0, 250.0, 250.0]).await;
    let objective = kr["objective_id"].as_i64().unwrap();

    org.api.give_password(org.dana, &password_of("dana")).await;
    let dana = org.log_in("dana").await;
    let browser = Browser::logged_in(&org.api, &dana).await;
    let page = browser.get(&format!("/objectives/{objective}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Error budget"), "{}", page.text);
    assert!(page.text.contains("5 of 6 weeks met (83%)"), "{}", page.text);
    assert!(page.text.contains("70% of weeks required"), "{}", page.text);
    assert!(page.text.contains("3 weeks missed allowed of 13 (30%)"), "{}", page.text);
    assert!(page.text.contains("2 weeks left (67%)"), "{}", page.text);
    assert!(page.text.contains("burn rate 0.6× over the last 6 weeks"), "{}", page.text);
    // At risk by its budget, the words beside the badge say so.
    set_share(&org.api, id(&kr), json!(0.9)).await;
    let page = browser.get(&format!("/objectives/{objective}")).await;
    assert!(
        page.text
            .contains("decided by the error budget: it will run out before the cycle ends at the current burn rate"),
        "{}",
        page.text
    );

    // The cycle's review has its columns.
    let cycle = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    org.api
        .patch(&format!("/api/v1/cycles/{}", org.cycle), json!({"version": cycle["version"], "status": "closed"}))
        .await
        .expect(200);
    let path = format!("/api/v1/cycles/{}/report", org.cycle);
    let report = org.api.get(&path).await.expect(200);
    let reported = &report["objectives"][0]["key_results"][0];
    assert_close(&reported["share_met"], 5.0 / 6.0);
    assert_close(&reported["required_share"], 0.9);
    assert_close(&reported["error_budget"], 0.1);
    assert_close(&reported["error_budget_left"], 0.0);
    let csv = org.api.get(&format!("{path}?format=csv")).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    let mut lines = csv.text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",last_confidence,share_met,required_share,error_budget,error_budget_left,burn_rate")
    );
    let row = lines.next().unwrap();
    assert!(row.contains(",0.8333,0.9000,0.1000,0.0000,"), "{row}");
    let markdown = org.api.get(&format!("{path}?format=md")).await;
    assert!(markdown.text.contains("| error budget |"), "{}", markdown.text);
    assert!(markdown.text.contains("met 83% of 90% required · 0% of budget left"), "{}", markdown.text);
    let html = org.api.get(&format!("{path}?format=html")).await;
    assert!(html.text.contains("met 83% of 90% required"), "{}", html.text);
});

http_test!(a_kpi_with_a_target_reads_its_quarter_as_an_error_budget, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let kpi = org
        .api
        .post(
            "/api/v1/kpis",
            json!({"name": "Website uptime", "unit": "%", "direction": "higher_is_better", "target": 99.9,
                   "warning_band": 0.1, "cadence": "daily", "owner_person_id": org.dana}),
        )
        .await
        .expect(201);
    let kpi_id = id(&kpi);
    // One value at noon of each of the quarter's days 36–45 (the quarter began 2026-10-01);
    // day 40 misses (amber counts as a miss of the target).
    let rows: Vec<Value> = (36..46)
        .map(|day: i64| {
            let value = if day == 40 { 99.85 } else { 99.95 };
            json!({"measured_at": at_hours(-(46 - day) * 24 + 12), "value": value})
        })
        .collect();
    let recorded = org.api.post(&format!("/api/v1/kpis/{kpi_id}/measurements/batch"), Value::Array(rows)).await;
    assert!((200..300).contains(&recorded.status), "{}", recorded.text);
    let view = org.api.get(&format!("/api/v1/kpis/{kpi_id}")).await.expect(200);
    let budget = &view["state"]["error_budget"];
    assert_eq!(budget["slices_total"], 92, "{budget}");
    assert_eq!(budget["slices_without_data"], 36, "{budget}");
    assert_eq!((budget["slices_judged"].clone(), budget["slices_missed"].clone()), (json!(10), json!(1)));
    assert_close(&budget["share_met"], 0.9);
    assert_close(&budget["required_share"], 1.0);
    assert_eq!((budget["spent"].clone(), budget["at_risk"].clone()), (json!(true), json!(true)));

    org.api.give_password(org.dana, &password_of("dana")).await;
    let dana = org.log_in("dana").await;
    let browser = Browser::logged_in(&org.api, &dana).await;
    let page = browser.get(&format!("/kpis/{kpi_id}")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Error budget"), "{}", page.text);
    assert!(page.text.contains("9 of 10 days met (90%)"), "{}", page.text);
    let board = browser.get("/kpis").await;
    assert!(board.text.contains("error budget spent (1 day missed)"), "{}", board.text);
});
