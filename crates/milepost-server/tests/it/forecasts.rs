//! Forecasts through the API (SPEC §4, docs/forecasting.md): a key result with three or
//! more check-ins in its cycle carries a forecast at the cycle's end, whose probability
//! moves with the latest value; with fewer it carries none and its status follows pace.
//!
//! The clock stands at 2026-11-16T00:00Z; the cycle ends at 2027-01-01T00:00Z, 46 days
//! later. Check-ins come a week apart, at −14, −7 and 0 days.

use crate::harness::{Api, Org, assert_close, at_hours, id};
use milepost_core::stats::{student_t_cdf, student_t_quantile};
use serde_json::{Value, json};

const DAY: i64 = 24;

/// Creates an objective with increase key results "from 30 to 50" (and a milestone) and
/// returns their ids in order.
async fn key_results(api: &Api, org: &Org, count: usize) -> (Vec<i64>, i64) {
    let mut key_results: Vec<Value> = (0..count)
        .map(|i| json!({"title": format!("Increase NPS {i} from 30 to 50"), "kind": "increase", "start": 30, "target": 50}))
        .collect();
    key_results.push(json!({"title": "Launch the survey", "kind": "milestone"}));
    let objective = api
        .objective_planned(json!({
            "cycle_id": org.cycle, "title": "Delight our customers", "owner_team_id": org.company,
            "key_results": key_results,
        }))
        .await;
    let mut ids: Vec<i64> = objective["key_results"].as_array().unwrap().iter().map(id).collect();
    let milestone = ids.pop().unwrap();
    (ids, milestone)
}

async fn check_in(api: &Api, key_result: i64, days_ago: i64, value: f64) -> Value {
    let body = json!({"value": value, "confidence": 8, "checked_in_at": at_hours(-days_ago * DAY)});
    api.check_in(key_result, body).await["key_result"].clone()
}

http_test!(three_check_ins_make_a_forecast_whose_probability_follows_the_latest_value, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let (ids, milestone) = key_results(&api, &org, 3).await;
    let latest = [35.0, 37.0, 44.0];

    // Two check-ins: no forecast, and the status follows pace (expected 0.5 now).
    for (&key_result, &value) in ids.iter().zip(&latest) {
        check_in(&api, key_result, 7, 36.0).await;
        let kr = check_in(&api, key_result, 0, value).await;
        assert_eq!(kr["forecast"], Value::Null, "two points fall back to pace: {kr}");
    }
    let statuses = |krs: &[Value]| krs.iter().map(|k| k["status"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let mut krs = Vec::new();
    for &key_result in &ids {
        krs.push(api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200));
    }
    // Progress 0.25, 0.35 and 0.7 against 0.5 expected: gaps of 0.25, 0.15 and none.
    assert_eq!(statuses(&krs), ["at_risk", "at_risk", "on_track"]);

    // A third check-in, back-dated a week before the others, brings the forecasts.
    krs.clear();
    for &key_result in &ids {
        krs.push(check_in(&api, key_result, 14, 33.0).await);
    }
    for kr in &krs {
        let forecast = &kr["forecast"];
        assert_eq!(forecast["points"], 3, "{kr}");
        assert_eq!(forecast["at"], "2027-01-01T00:00:00Z");
        let (low, value, high) = (
            forecast["low"].as_f64().unwrap(),
            forecast["value"].as_f64().unwrap(),
            forecast["high"].as_f64().unwrap(),
        );
        assert!(low <= value && value <= high, "{forecast}");
    }
    // By hand for the middle one (33, 36, 37), docs/forecasting.md's worked example. The
    // trend is the weighted median of the pairs' rates 3/7 a day (weight 7 days), 1/7
    // (7) and 4/14 (14): 4/14, so the point forecast is 37 + 46 × 4/14 = 50.14. The noise
    // comes from the steps before the latest (one, 33 → 36, with no residual around its
    // own rate) pooled with the prior: a walk whose spread over the 60 days from the
    // first point to the end is 0.4 × (50 − 30) = 8, worth 4 steps, so σ² = 64/60 a day
    // with 4 degrees of freedom. The spread is σ √(46 + 46²/14) and the distribution
    // Student's t with 4 degrees of freedom around 50.14.
    let value = 37.0 + 46.0 * 4.0 / 14.0;
    let width = (64.0f64 / 60.0 * (46.0 + 46.0 * 46.0 / 14.0)).sqrt();
    let t90 = student_t_quantile(0.9, 4.0);
    let middle = &krs[1]["forecast"];
    assert_close(&middle["value"], value);
    assert_close(&middle["low"], value - t90 * width);
    assert_close(&middle["high"], value + t90 * width);
    assert_close(&middle["probability"], 1.0 - student_t_cdf((50.0 - value) / width, 4.0));
    assert!((middle["probability"].as_f64().unwrap() - 0.5037).abs() < 1e-4, "{middle}");
    // From 35 the trend is 1/7 a day (rates 3/7, −1/7, 2/14): 41.57, about 0.30. From 44
    // (3/7, 8/7, 11/14) it is 80.14, about 0.95, never 1. The spread is the same: it does
    // not depend on the latest value.
    let from_35 = 35.0 + 46.0 / 7.0;
    assert_close(&krs[0]["forecast"]["probability"], 1.0 - student_t_cdf((50.0 - from_35) / width, 4.0));
    let from_44 = 44.0 + 46.0 * 11.0 / 14.0;
    assert_close(&krs[2]["forecast"]["probability"], 1.0 - student_t_cdf((50.0 - from_44) / width, 4.0));
    // A better latest value, a higher probability; and the forecast now decides the
    // status: the middle one, behind pace, is heading for its target.
    assert_eq!(statuses(&krs), ["at_risk", "on_track", "on_track"]);

    // A milestone is done or not: no forecast however many check-ins.
    for days_ago in [14, 7, 0] {
        check_in(&api, milestone, days_ago, 0.0).await;
    }
    let kr = api.get(&format!("/api/v1/key-results/{milestone}")).await.expect(200);
    assert_eq!(kr["forecast"], Value::Null, "{kr}");
    // The objective's view carries the same forecasts.
    let objective = api.get(&format!("/api/v1/objectives/{}", krs[1]["objective_id"])).await.expect(200);
    assert_eq!(objective["key_results"][1]["forecast"], krs[1]["forecast"]);
});

http_test!(a_decrease_key_result_is_forecast_downwards, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective = api
        .objective(json!({
            "cycle_id": org.cycle, "title": "Answer faster", "owner_team_id": org.company,
            "key_results": [{"title": "Cut first response time from 8h to 2.5h", "kind": "decrease", "start": 8, "target": 2.5}],
        }))
        .await;
    let key_result = id(&objective["key_results"][0]);
    // Down 0.7 h a week, steadily: from 6.6 h now, 46 more days end at 6.6 − 4.6 = 2.0 h.
    for (days_ago, value) in [(14, 8.0), (7, 7.3), (0, 6.6)] {
        check_in(&api, key_result, days_ago, value).await;
    }
    let kr = api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    let forecast = &kr["forecast"];
    assert!((forecast["value"].as_f64().unwrap() - 2.0).abs() < 1e-9, "{forecast}");
    // Two weeks of a straight line do not make 46 more days certain: the prior's noise
    // (0.4 × 5.5 h over the 60 days from the first point) spreads it, and 2.0 h is only
    // 0.5 h under the target: a little better than even.
    let width = ((0.4f64 * 5.5).powi(2) / 60.0 * (46.0 + 46.0 * 46.0 / 14.0)).sqrt();
    assert_close(&forecast["probability"], student_t_cdf((2.5 - 2.0) / width, 4.0));
    assert!(forecast["low"].as_f64().unwrap() < 2.0 && forecast["high"].as_f64().unwrap() > 2.0, "{forecast}");
    // A correction at the same instant, 7.5 h: the last one given is the latest value,
    // and both values of today stay in the history. The pairs' rates are −0.1 a day
    // (8 → 7.3, 8 → 6.6, 7.3 → 6.6: 28 days of weight), −0.5/14 (8 → 7.5: 14) and
    // +0.2/7 (7.3 → 7.5: 7); the median is −0.1, ending at 7.5 − 4.6 = 2.9 h, short of
    // the target. The noise now has two steps before the latest (8 → 7.3 → 6.6, no
    // residual): σ² = 4 × prior / 5 with 5 degrees of freedom.
    let slow = check_in(&api, key_result, 0, 7.5).await;
    assert_close(&slow["forecast"]["value"], 2.9);
    let prior = (0.4f64 * 5.5).powi(2) / 60.0;
    let width = (4.0 * prior / 5.0 * (46.0 + 46.0 * 46.0 / 14.0)).sqrt();
    assert_close(&slow["forecast"]["probability"], student_t_cdf((2.5 - 2.9) / width, 5.0));
    assert!(slow["forecast"]["probability"].as_f64().unwrap() < forecast["probability"].as_f64().unwrap(), "{slow}");
});

http_test!(a_key_result_fed_by_a_kpi_is_forecast_from_its_measurements, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi =
        json!({"name": "Weekly active teams", "direction": "higher_is_better", "target": 30, "cadence": "weekly"});
    let kpi = id(&api.post("/api/v1/kpis", kpi).await.expect(201));
    let objective = api
        .objective(json!({
            "cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.company,
            "key_results": [{"title": "Raise weekly active teams from 10 to 30", "kind": "increase", "start": 10,
                             "target": 30, "kpi_id": kpi}],
        }))
        .await;
    let key_result = id(&objective["key_results"][0]);
    // One batch of four weekly measurements writes one check-in (the latest), but the
    // forecast reads all four: +1 a week from 16 now, 46 more days end at 16 + 46/7.
    let rows: Vec<Value> = [(21i64, 13.0), (14, 14.0), (7, 15.0), (0, 16.0)]
        .iter()
        .map(|(days_ago, value)| json!({"measured_at": at_hours(-days_ago * DAY), "value": value}))
        .collect();
    let done = api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), json!(rows)).await.expect(200);
    assert_eq!(done["check_ins"], 1, "{done}");
    let kr = api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    assert_eq!(kr["forecast"]["points"], 4, "{kr}");
    assert_close(&kr["forecast"]["value"], 16.0 + 46.0 / 7.0);
    // The noise: the steps before the latest (13 → 14 → 15) have no residual; one degree
    // of freedom beside the prior's four, σ² = (4 × 8²/67 + 0) / 5 a day over the 67 days
    // from the first measurement to the end.
    let width = ((4.0 * 64.0 / 67.0) / 5.0 * (46.0f64 + 46.0 * 46.0 / 21.0)).sqrt();
    assert_close(&kr["forecast"]["probability"], 1.0 - student_t_cdf((30.0 - (16.0 + 46.0 / 7.0)) / width, 5.0));
    // The cycle's evaluation (the objective's view) agrees.
    let objective = api.get(&format!("/api/v1/objectives/{}", id(&objective))).await.expect(200);
    assert_eq!(objective["key_results"][0]["forecast"], kr["forecast"]);
    // A manual check-in counts beside the measurements.
    let corrected = check_in(&api, key_result, 0, 20.0).await;
    assert_eq!(corrected["forecast"]["points"], 5, "{corrected}");
});
