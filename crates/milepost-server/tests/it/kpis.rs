//! KPIs through the API: definitions with their checks, measurements one at a time
//! and in all-or-nothing batches (JSON and CSV), identity by KPI and time, health,
//! trend and lagging on the board, downsampled series, linked key results that check
//! themselves in, and isolation between workspaces.

use crate::harness::{Api, GHOST, Org, at_hours, id};
use serde_json::{Value, json};

/// A daily uptime KPI: 99.9% or more is green, down to 99.8% amber.
fn uptime(owner: Option<i64>) -> Value {
    json!({"name": "Website uptime", "unit": "%", "direction": "higher_is_better", "target": 99.9,
           "warning_band": 0.1, "cadence": "daily", "owner_person_id": owner, "tags": ["reliability"]})
}

async fn create(api: &Api, body: Value) -> Value {
    api.post("/api/v1/kpis", body).await.expect(201)
}

/// `rows` as a JSON batch of (hours from now, value).
fn batch(rows: &[(i64, f64)]) -> Value {
    rows.iter().map(|(hours, value)| json!({"measured_at": at_hours(*hours), "value": value})).collect()
}

http_test!(kpis_are_defined_read_listed_changed_promoted_and_archived, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let reply = api.post("/api/v1/kpis", uptime(Some(org.dana))).await;
    assert_eq!(reply.header("location"), Some(format!("/api/v1/kpis/{}", id(&reply.body)).as_str()));
    let kpi = reply.expect(201);
    assert_eq!(kpi["slug"], "website-uptime");
    assert_eq!(kpi["tier"], "kpi", "a KPI unless said otherwise");
    assert_eq!(kpi["lagging_after"], 2);
    assert_eq!(kpi["state"]["health"], "no_data", "no measurement is no data, never green");
    assert_eq!(kpi["tags"], json!(["reliability"]));
    let path = format!("/api/v1/kpis/{}", id(&kpi));
    assert_eq!(api.get(&path).await.expect(200), kpi);

    // Every problem at once, each at its field.
    let bad = json!({"name": " ", "direction": "higher_is_better", "cadence": "daily", "warning_band": -1,
                     "tags": ["a", "a"], "lagging_after": 0, "owner_person_id": GHOST});
    api.post("/api/v1/kpis", bad).await.invalid_at(&[
        "/name",
        "/owner_person_id",
        "/warning_band",
        "/target",
        "/tags/1",
        "/lagging_after",
    ]);
    let no_range = json!({"name": "Churn", "direction": "within_range", "cadence": "weekly", "range": [3, 2]});
    api.post("/api/v1/kpis", no_range).await.invalid_at(&["/range"]);
    api.post("/api/v1/kpis", json!({"name": "Churn", "direction": "sideways", "cadence": "weekly"}))
        .await
        .invalid_at(&["/direction"]);
    api.post("/api/v1/kpis", uptime(None)).await.problem(409, "duplicate");

    // A plain metric, promoted to a KPI with one change, and demoted again.
    let metric = create(
        &api,
        json!({"name": "Signups", "direction": "higher_is_better", "target": 100,
                                     "cadence": "weekly", "tier": "metric"}),
    )
    .await;
    let metric_path = format!("/api/v1/kpis/{}", id(&metric));
    let listed = api.get("/api/v1/kpis?tier=metric").await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().iter().map(id).collect::<Vec<_>>(), [id(&metric)]);
    let promoted = api.patch(&metric_path, json!({"version": metric["version"], "tier": "kpi"})).await.expect(200);
    assert_eq!(promoted["tier"], "kpi");
    api.patch(&metric_path, json!({"version": metric["version"], "tier": "metric"}))
        .await
        .problem(409, "stale_version");
    let all = api.get("/api/v1/kpis?tier=kpi").await.expect(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    let archived = api.post(&format!("{path}/archive"), json!({"version": kpi["version"]})).await.expect(200);
    assert_eq!(archived["archived"], true);
    assert_eq!(api.get("/api/v1/kpis").await.expect(200)["items"].as_array().unwrap().len(), 1);
    let refused = api.post(&format!("{path}/measurements"), json!({"value": 99.9})).await;
    refused.problem(409, "archived");
    let restored = api.post(&format!("{path}/restore"), json!({"version": archived["version"]})).await.expect(200);
    assert_eq!(restored["archived"], false);
});

http_test!(a_measurement_is_recorded_once_and_a_correction_is_a_new_row, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = id(&create(&api, uptime(None)).await);
    let path = format!("/api/v1/kpis/{kpi}/measurements");
    let at = at_hours(-3);
    let first = api.post(&path, json!({"value": 99.95, "measured_at": at})).await.expect(201);
    assert_eq!(first["written"], true);
    assert_eq!(first["measurement"]["source"], "api");
    assert_eq!(first["kpi"]["state"]["health"], "green");
    assert_eq!(first["kpi"]["state"]["last_value"], 99.95);
    let again = api.post(&path, json!({"value": 99.95, "measured_at": at})).await.expect(200);
    assert_eq!(again["written"], false, "the same value at the same time is the same measurement");
    assert_eq!(again["measurement"]["id"], first["measurement"]["id"]);
    let corrected = api.post(&path, json!({"value": 99.5, "measured_at": at})).await.expect(201);
    assert_ne!(corrected["measurement"]["id"], first["measurement"]["id"], "a correction is a new row");
    assert_eq!(corrected["kpi"]["state"]["last_value"], 99.5, "the latest recorded wins");
    assert_eq!(corrected["kpi"]["state"]["health"], "red");
    let series = api.get(&format!("/api/v1/kpis/{kpi}/series")).await.expect(200);
    assert_eq!(series["measurements"], 1, "one time, one value: {series}");
    assert_eq!(series["points"][0]["value"], 99.5);

    // Default time is now; the future is refused at its field.
    let now = api.post(&path, json!({"value": 100})).await.expect(201);
    assert_eq!(now["measurement"]["measured_at"], "2026-11-16T00:00:00Z");
    api.post(&path, json!({"value": 100, "measured_at": at_hours(2)})).await.invalid_at(&["/measured_at"]);
    api.post(&path, json!({"value": "lots"})).await.invalid_at(&["/value"]);
    api.post(&format!("/api/v1/kpis/{GHOST}/measurements"), json!({"value": 1})).await.problem(404, "not_found");
});

http_test!(a_batch_is_all_or_nothing_and_names_its_bad_row, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = id(&create(&api, uptime(None)).await);
    let path = format!("/api/v1/kpis/{kpi}/measurements/batch");
    let series = format!("/api/v1/kpis/{kpi}/series");

    let mut rows = batch(&[(-30, 99.9), (-29, 99.8), (-28, 99.7)]);
    rows[2]["value"] = json!("high");
    let refused = api.post(&path, rows).await;
    refused.invalid_at(&["/2/value"]);
    assert!(refused.detail().starts_with("row 3: "), "{}", refused.text);
    let refused = api.post(&path, batch(&[(-30, 99.9), (5, 99.8)])).await;
    refused.invalid_at(&["/1/measured_at"]);
    let csv = "measured_at,value\n2026-11-01,99.9\nyesterday,99.8\n2026-11-03,NaN\n";
    let refused = api.post_raw(&path, Some("text/csv"), csv).await;
    refused.invalid_at(&["/1/measured_at", "/2/value"]);
    assert!(refused.body["errors"][0]["detail"].as_str().unwrap().starts_with("row 2 (line 3)"), "{}", refused.text);
    assert_eq!(api.get(&series).await.expect(200)["measurements"], 0, "nothing of a refused batch is written");
    api.post_raw(&path, Some("text/plain"), "x").await.problem(415, "unsupported_media_type");
    api.post(&path, json!([])).await.problem(422, "invalid");

    // A thousand hourly rows as CSV, then the same again: written once.
    let mut csv = String::from("measured_at,value\n");
    for hour in 0..1000 {
        csv.push_str(&format!("{},{}\n", at_hours(-1000 + hour), 99.0 + (hour % 10) as f64 / 10.0));
    }
    let done = api.post_raw(&path, Some("text/csv"), csv.clone()).await.expect(200);
    assert_eq!(
        (done["received"].clone(), done["written"].clone(), done["unchanged"].clone()),
        (json!(1000), json!(1000), json!(0))
    );
    let again = api.post_raw(&path, Some("text/csv"), csv).await.expect(200);
    assert_eq!((again["written"].clone(), again["unchanged"].clone()), (json!(0), json!(1000)), "{again}");
    // JSON: one correction, one new time, one unchanged; the batch's last row for a time wins.
    let mixed = batch(&[(-1000, 42.0), (-1000, 99.0), (-999, 12.0), (-1001, 99.95)]);
    let mixed = api.post(&path, mixed).await.expect(200);
    assert_eq!(mixed["written"], 2, "{mixed}");
    assert_eq!(mixed["corrected"], 1, "{mixed}");
    assert_eq!(mixed["unchanged"], 2, "{mixed}");
    let all = api.get(&format!("{series}?max_points=5000&from={}", at_hours(-2000))).await.expect(200);
    assert_eq!(all["measurements"], 1001);
    assert_eq!(all["downsampled"], false);
    let values: Vec<f64> =
        all["points"].as_array().unwrap()[..3].iter().map(|p| p["value"].as_f64().unwrap()).collect();
    assert_eq!(values, [99.95, 99.0, 12.0], "the correction wins");

    // The audit trail holds one event per batch that wrote something.
    let events = api.get("/api/v1/events?entity=kpi&limit=500").await.expect(200);
    let recorded = events["items"].as_array().unwrap().iter().filter(|e| e["action"] == "record_measurements").count();
    assert_eq!(recorded, 2);
});

http_test!(series_are_downsampled_on_the_server, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = id(&create(&api, uptime(None)).await);
    let rows: Vec<(i64, f64)> = (0..240).map(|h| (-240 + h, h as f64)).collect();
    api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), batch(&rows)).await.expect(200);
    let path = format!("/api/v1/kpis/{kpi}/series?from={}&to={}&max_points=10", at_hours(-240), at_hours(0));
    let series = api.get(&path).await.expect(200);
    assert_eq!(series["downsampled"], true);
    let points = series["points"].as_array().unwrap();
    assert!(points.len() <= 10 && points.len() >= 9, "{}", points.len());
    assert_eq!(points.iter().map(|p| p["count"].as_u64().unwrap()).sum::<u64>(), 240);
    let first = &points[0];
    assert_eq!(first["min"], 0.0);
    assert!(first["max"].as_f64().unwrap() < 30.0);
    assert_eq!(first["value"], first["max"], "values rise, so a bucket's last is its max");
    for window in points.windows(2) {
        assert!(window[0]["at"].as_str() < window[1]["at"].as_str(), "points are in time order");
    }
    api.get(&format!("/api/v1/kpis/{kpi}/series?max_points=0")).await.bad_parameter("max_points");
    api.get(&format!("/api/v1/kpis/{kpi}/series?from={}&to={}", at_hours(0), at_hours(-5))).await.bad_parameter("from");
});

http_test!(the_board_shows_health_trend_lagging_and_sparklines, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let lagging = id(&create(&api, uptime(None)).await);
    let latency = json!({"name": "p95 latency", "unit": "ms", "direction": "lower_is_better", "target": 800,
                         "warning_band": 150, "cadence": "daily"});
    let healthy = id(&create(&api, latency).await);
    let metric = json!({"name": "Page views", "direction": "higher_is_better", "target": 1, "cadence": "daily",
                        "tier": "metric"});
    let metric = id(&create(&api, metric).await);
    let silent = id(&create(
        &api,
        json!({"name": "NPS", "direction": "higher_is_better", "target": 50,
                                          "cadence": "weekly"}),
    )
    .await);
    // Three red days in a row, falling; latency improving and on target.
    let red = batch(&[(-60, 99.5), (-36, 99.3), (-12, 99.0)]);
    api.post(&format!("/api/v1/kpis/{lagging}/measurements/batch"), red).await.expect(200);
    let fast = batch(&[(-84, 790.0), (-60, 700.0), (-36, 600.0), (-12, 500.0)]);
    api.post(&format!("/api/v1/kpis/{healthy}/measurements/batch"), fast).await.expect(200);
    api.post(&format!("/api/v1/kpis/{metric}/measurements"), json!({"value": 5})).await.expect(201);
    // NPS was measured three weeks ago: no data now, never a stale green.
    api.post(&format!("/api/v1/kpis/{silent}/measurements"), json!({"value": 60, "measured_at": at_hours(-21 * 24)}))
        .await
        .expect(201);

    let board = api.get("/api/v1/kpis/board").await.expect(200);
    let items = board["items"].as_array().unwrap();
    assert_eq!(items.iter().map(|e| id(&e["kpi"])).collect::<Vec<_>>(), [lagging, healthy, silent], "KPIs only");
    assert_eq!(board["lagging"], json!([lagging]));
    let state = |index: usize| items[index]["kpi"]["state"].clone();
    assert_eq!(state(0)["health"], "red");
    assert_eq!(state(0)["lagging"], true);
    assert_eq!(state(0)["recovering"], false, "no objective works on it yet");
    assert_eq!(state(0)["trend"], "worsening");
    assert_eq!(state(0)["last_value"], 99.0);
    assert_eq!(state(1)["health"], "green");
    assert_eq!(state(1)["trend"], "improving");
    assert_eq!(state(1)["lagging"], false);
    assert_eq!(state(2)["health"], "no_data");
    assert_eq!(state(2)["last_value"], 60.0, "the last value is still shown");
    let sparkline: Vec<f64> =
        items[0]["sparkline"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect();
    assert_eq!(sparkline, [99.5, 99.3, 99.0], "oldest first");

    // Configurable per KPI: wanting four red days, uptime is red but not lagging.
    let current = api.get(&format!("/api/v1/kpis/{lagging}")).await.expect(200);
    let patient = json!({"version": current["version"], "lagging_after": 4});
    let patient = api.patch(&format!("/api/v1/kpis/{lagging}"), patient).await.expect(200);
    assert_eq!(patient["state"]["health"], "red");
    assert_eq!(patient["state"]["lagging"], false);
    assert_eq!(api.get("/api/v1/kpis/board").await.expect(200)["lagging"], json!([]));
});

http_test!(a_key_result_linked_to_a_kpi_checks_itself_in, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = id(&create(&api, uptime(Some(org.dana))).await);
    let maintain = json!({"title": "Keep uptime at or above 99.9%", "kind": "maintain", "target": 99.9, "kpi_id": kpi});
    let grow = json!({"title": "Grow uptime from 99 to 99.99", "kind": "increase", "start": 99, "target": 99.99,
                      "kpi_id": kpi});
    let objective = api
        .objective(json!({"cycle_id": org.cycle, "title": "Be reliable", "owner_person_id": org.dana,
                          "key_results": [maintain, grow]}))
        .await;
    let key_results: Vec<i64> = objective["key_results"].as_array().unwrap().iter().map(id).collect();

    // A batch reaching back before the cycle: one check-in per key result, the latest in the cycle.
    let before_cycle = -(46 * 24) - 48;
    let rows = batch(&[(before_cycle, 10.0), (-50, 99.5), (-26, 99.95), (-2, 99.7)]);
    let done = api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), rows).await.expect(200);
    assert_eq!(done["check_ins"], 2, "{done}");
    for key_result in &key_results {
        let view = api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
        assert_eq!(view["current"], 99.7, "{view}");
        let check_ins = api.get(&format!("/api/v1/key-results/{key_result}/check-ins")).await.expect(200);
        let check_ins = check_ins["items"].as_array().unwrap();
        assert_eq!(check_ins.len(), 1);
        assert_eq!(check_ins[0]["source"], "kpi");
        assert_eq!(check_ins[0]["checked_in_at"], at_hours(-2));
    }
    // The maintain key result scores from every measurement of the cycle, like an SLO:
    // one of three met 99.9%.
    let maintain = api.get(&format!("/api/v1/key-results/{}", key_results[0])).await.expect(200);
    assert!((maintain["progress"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9, "{maintain}");
    let listed = api.get(&format!("/api/v1/objectives/{}", id(&objective))).await.expect(200);
    assert_eq!(listed["key_results"][0]["progress"], maintain["progress"], "the cycle's evaluation agrees");
    // Re-sending changes nothing, so no check-in either; a measurement before the cycle makes none.
    let again = api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), batch(&[(-2, 99.7)])).await.expect(200);
    assert_eq!(again["check_ins"], 0);
    let old = api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), batch(&[(before_cycle - 1, 1.0)])).await;
    assert_eq!(old.expect(200)["check_ins"], 0);
    // One more measurement, one more check-in each.
    api.post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"value": 99.99})).await.expect(201);
    let view = api.get(&format!("/api/v1/key-results/{}", key_results[1])).await.expect(200);
    assert_eq!(view["current"], 99.99);
});

http_test!(another_workspaces_kpis_look_like_missing_ones, |api: Api| async move {
    let ours = Org::new(&api, "acme").await;
    let theirs = Org::new(&api, "globex").await;
    let kpi = id(&create(&theirs.api, uptime(None)).await);
    let api = ours.api.clone();
    for path in [format!("/api/v1/kpis/{kpi}"), format!("/api/v1/kpis/{kpi}/series")] {
        api.get(&path).await.problem(404, "not_found");
    }
    api.post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"value": 1})).await.problem(404, "not_found");
    api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), batch(&[(-1, 1.0)])).await.problem(404, "not_found");
    api.patch(&format!("/api/v1/kpis/{kpi}"), json!({"version": 1, "name": "Mine"})).await.problem(404, "not_found");
    assert_eq!(api.get("/api/v1/kpis/board").await.expect(200)["items"], json!([]));
    assert_eq!(api.get("/api/v1/kpis").await.expect(200)["items"], json!([]));
    // The same slug may exist in both.
    create(&api, uptime(None)).await;
});

http_test!(a_lagging_kpi_drafts_an_objective_to_fix_it, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = id(&create(&api, uptime(Some(org.dana))).await);
    let draft = format!("/api/v1/kpis/{kpi}/draft-objective");
    let batch_path = format!("/api/v1/kpis/{kpi}/measurements/batch");
    api.post(&batch_path, batch(&[(-12, 99.0)])).await.expect(200);
    api.post(&draft, json!({})).await.problem(409, "not_lagging");
    api.post(&batch_path, batch(&[(-36, 99.2)])).await.expect(200);

    let reply = api.post(&draft, json!({})).await;
    let objective = reply.expect(201);
    assert_eq!(objective["title"], "Get Website uptime back on target");
    assert_eq!(objective["cycle_id"], org.cycle, "the current cycle");
    assert_eq!(objective["owner_person_id"], org.dana, "owned by the KPI's owner");
    let key_result = &objective["key_results"][0];
    assert_eq!(key_result["title"], "Bring Website uptime from 99% to 99.9%");
    assert_eq!(key_result["kind"], "increase");
    assert_eq!((key_result["start"].clone(), key_result["target"].clone()), (json!(99.0), json!(99.9)));
    assert_eq!(key_result["kpi_id"], kpi);
    let kpi_now = api.get(&format!("/api/v1/kpis/{kpi}")).await.expect(200);
    assert_eq!(kpi_now["state"]["recovering"], true, "an active objective works on it: {kpi_now}");
    // The drafted key result updates itself from then on.
    api.post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"value": 99.5})).await.expect(201);
    let key_result = api.get(&format!("/api/v1/key-results/{}", id(key_result))).await.expect(200);
    assert_eq!(key_result["current"], 99.5);

    // A KPI nobody owns has nobody to own its objective.
    let orphan = id(&create(
        &api,
        json!({"name": "Orphan", "direction": "lower_is_better", "target": 1,
                                          "cadence": "daily"}),
    )
    .await);
    api.post(&format!("/api/v1/kpis/{orphan}/measurements/batch"), batch(&[(-36, 5.0), (-12, 5.0)])).await.expect(200);
    api.post(&format!("/api/v1/kpis/{orphan}/draft-objective"), json!({})).await.problem(409, "no_owner");
    let viewer = api.as_role("viewer").await;
    viewer.post(&draft, json!({})).await.problem(403, "forbidden");
});

http_test!(a_lagging_kpi_has_one_active_recovery_objective_however_often_it_is_drafted, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = id(&create(&api, uptime(Some(org.dana))).await);
    let draft = format!("/api/v1/kpis/{kpi}/draft-objective");
    api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), batch(&[(-36, 99.0), (-12, 99.0)])).await.expect(200);
    let count = |api: Api| async move {
        let objectives = api.walk("/api/v1/objectives?include_archived=true", 100).await;
        objectives.iter().filter(|o| o["title"] == "Get Website uptime back on target").count()
    };

    // Eight drafts at the same moment: one creates it, the others answer it.
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (api, draft) = (api.clone(), draft.clone());
        racers.spawn(async move { api.post(&draft, json!({})).await });
    }
    let mut created = Vec::new();
    let mut found = Vec::new();
    while let Some(reply) = racers.join_next().await {
        let reply = reply.unwrap();
        match reply.status {
            201 => created.push(id(&reply.body)),
            200 => found.push(id(&reply.body)),
            other => panic!("a draft answered {other}: {}", reply.text),
        }
        assert_eq!(reply.header("location"), Some(format!("/api/v1/objectives/{}", id(&reply.body)).as_str()));
    }
    assert_eq!(created.len(), 1, "exactly one draft creates the objective: {created:?} {found:?}");
    assert!(found.iter().all(|f| *f == created[0]), "the others answer the same one: {found:?}");
    assert_eq!(count(api.clone()).await, 1);

    // Later drafts answer it too, and write nothing.
    let events = api.walk("/api/v1/events", 500).await.len();
    let again = api.post(&draft, json!({})).await.expect(200);
    assert_eq!(id(&again), created[0]);
    assert_eq!(api.walk("/api/v1/events", 500).await.len(), events);

    // Once it is archived, it no longer works on the KPI: a new draft creates a new one.
    let path = format!("/api/v1/objectives/{}", created[0]);
    let version = api.get(&path).await.expect(200)["version"].clone();
    api.post(&format!("{path}/archive"), json!({"version": version})).await.expect(200);
    let next = api.post(&draft, json!({})).await.expect(201);
    assert_ne!(id(&next), created[0]);
    assert_eq!(api.post(&draft, json!({})).await.expect(200)["id"], next["id"]);
    assert_eq!(count(api.clone()).await, 2);
});

http_test!(a_kpi_red_for_its_last_whole_periods_lags_while_the_current_one_is_empty, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let body = json!({"name": "Page load", "unit": "ms", "direction": "lower_is_better", "target": 800,
                      "warning_band": 150, "cadence": "monthly", "owner_person_id": org.dana});
    let kpi = id(&create(&api, body).await);
    // Red in October and in November (measured on the 20th and the 10th).
    let red = json!([{"measured_at": "2026-10-20T09:00:00Z", "value": 1200},
                     {"measured_at": "2026-11-10T09:00:00Z", "value": 1100}]);
    api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), red).await.expect(200);
    let lagging = |api: Api| async move {
        let board = api.get("/api/v1/kpis/board").await.expect(200);
        let item = board["items"].as_array().unwrap().iter().find(|i| i["kpi"]["id"] == kpi).cloned().unwrap();
        let listed = board["lagging"].as_array().unwrap().contains(&json!(kpi));
        assert_eq!(item["kpi"]["state"]["lagging"].as_bool().unwrap(), listed, "{board}");
        (listed, item["kpi"]["state"]["health"].as_str().unwrap().to_owned())
    };
    // Mid-November, November is not complete: only October is.
    assert_eq!(lagging(api.clone()).await, (false, "red".to_owned()));
    // On 20 December, October and November are whole and red; December has no value yet.
    api.shift_clock(jiff::SignedDuration::from_hours(34 * 24 + 12));
    assert_eq!(lagging(api.clone()).await, (true, "red".to_owned()));
    let drafted = api.post(&format!("/api/v1/kpis/{kpi}/draft-objective"), json!({})).await.expect(201);
    assert_eq!(drafted["key_results"][0]["title"], "Bring Page load from 1100 ms to 800 ms");
    // A value on target in December clears it at once.
    let green = json!({"measured_at": "2026-12-20T10:00:00Z", "value": 700});
    api.post(&format!("/api/v1/kpis/{kpi}/measurements"), green).await.expect(201);
    assert_eq!(lagging(api.clone()).await, (false, "green".to_owned()));
});

http_test!(a_lagging_kpi_offers_an_okr_in_the_browser_and_shows_it_recovering, |api: Api| async move {
    use crate::harness::password_of;
    use crate::ui::Browser;
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    api.give_password(org.dana, &password_of("dana")).await;
    let dana = Browser::logged_in(&api, &org.log_in("dana").await).await;
    let kpi = id(&create(&api, uptime(Some(org.dana))).await);
    let batch_path = format!("/api/v1/kpis/{kpi}/measurements/batch");
    api.post(&batch_path, batch(&[(-36, 99.2), (-12, 99.0)])).await.expect(200);
    let page = format!("/kpis/{kpi}");

    // Lagging, nobody on it: the KPI page offers the OKR, and so does the board.
    let text = dana.get(&page).await.expect(200).to_owned();
    assert!(
        text.contains(&format!(
            "href=\"/kpis/{kpi}/recover\" role=\"button\" id=\"recover-link\">Create an OKR to fix this"
        )),
        "{text}"
    );
    assert!(text.contains("No key result is linked to this KPI yet"), "{text}");
    assert!(!text.contains("id=\"recovering\""), "{text}");
    let board = dana.get("/kpis").await.expect(200).to_owned();
    assert!(board.contains(&format!("href=\"/kpis/{kpi}/recover\"")), "{board}");

    // The form shows the objective as it will be made.
    let form = dana.get(&format!("/kpis/{kpi}/recover")).await.expect(200).to_owned();
    assert!(form.contains("Get Website uptime back on target"), "{form}");
    assert!(form.contains("Bring Website uptime from 99% to 99.9%"), "{form}");
    assert!(
        form.contains("Person dana (the KPI&#39;s owner)") || form.contains("Person dana (the KPI's owner)"),
        "{form}"
    );
    assert!(form.contains(&format!("<option value=\"{}\" selected>", org.cycle)), "the current cycle: {form}");

    // A viewer may not make it: refused on the page, nothing made.
    let (_, viewer) = org.person_with_session("vic", Some(org.team), "viewer").await;
    let viewer = Browser::logged_in(&api, &viewer).await;
    let viewer_page = viewer.get(&page).await.expect(200).to_owned();
    assert!(!viewer_page.contains("Create an OKR to fix this"), "{viewer_page}");
    let cycle = org.cycle.to_string();
    let refused = viewer.post_form(&format!("/kpis/{kpi}/recover"), &[("cycle_id", cycle.as_str())]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);

    // Saving makes it and goes to it.
    let saved = dana.post_form(&format!("/kpis/{kpi}/recover"), &[("cycle_id", cycle.as_str())]).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let objective = saved.location().trim_start_matches("/objectives/").parse::<i64>().unwrap();
    let view = api.get(&format!("/api/v1/objectives/{objective}")).await.expect(200);
    assert_eq!(view["key_results"][0]["kpi_id"], kpi);

    // From then on the KPI page says recovering and links the OKR; the form sends there.
    let text = dana.get(&page).await.expect(200).to_owned();
    assert!(text.contains("id=\"recovering\""), "{text}");
    assert!(text.contains(&format!("href=\"/objectives/{objective}\" role=\"button\" class=\"secondary\" id=\"recovery-link\">View the recovery OKR")), "{text}");
    assert!(!text.contains("id=\"recover-link\""), "{text}");
    let work = text.split("id=\"work-heading\"").nth(1).unwrap();
    assert!(work.contains("Get Website uptime back on target") && work.contains("the recovery OKR"), "{work}");
    assert!(work.contains("Bring Website uptime from 99% to 99.9%"), "{work}");
    let board = dana.get("/kpis").await.expect(200).to_owned();
    assert!(board.contains("Recovering"), "{board}");
    let again = dana.get(&format!("/kpis/{kpi}/recover")).await;
    assert_eq!((again.status, again.location()), (303, format!("/objectives/{objective}").as_str()));
    // Saving again makes no second one.
    let twice = dana.post_form(&format!("/kpis/{kpi}/recover"), &[("cycle_id", cycle.as_str())]).await;
    assert_eq!(twice.location(), format!("/objectives/{objective}"));
});

http_test!(a_kpi_owner_records_values_and_pastes_rows_from_its_page, |api: Api| async move {
    use crate::harness::password_of;
    use crate::ui::Browser;
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    api.give_password(org.dana, &password_of("dana")).await;
    let dana = Browser::logged_in(&api, &org.log_in("dana").await).await;
    let kpi = id(&create(&api, uptime(Some(org.dana))).await);
    let path = format!("/kpis/{kpi}/measurements");
    let series = |api: Api| async move {
        let reply = api.get(&format!("/api/v1/kpis/{kpi}/series")).await.expect(200);
        reply["points"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect::<Vec<f64>>()
    };
    let page = dana.get(&format!("/kpis/{kpi}")).await.expect(200).to_owned();
    assert!(page.contains(&format!("action=\"{path}\"")), "the owner may record: {page}");

    // One value, for a day.
    let one = dana.post_form(&path, &[("value", "99.5"), ("measured_at", "2026-11-14"), ("rows", "")]).await;
    assert_eq!(one.status, 303, "{}", one.text);
    assert_eq!(one.location(), format!("/kpis/{kpi}?recorded=1#record"));
    assert_eq!(series(api.clone()).await, [99.5]);
    let shown = dana.get(one.location()).await.expect(200).to_owned();
    assert!(shown.contains("✓ Recorded 1 value."), "{shown}");

    // Bad input is said at its field, and nothing is written.
    let bad = dana.post_form(&path, &[("value", "lots"), ("measured_at", "yesterday-ish"), ("rows", "")]).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("id=\"value-error\"") && bad.text.contains("id=\"measured_at-error\""), "{}", bad.text);
    let rows = "2026-11-15,99.6\n2026-11-16,much\nnot a day,99";
    let pasted = dana.post_form(&path, &[("value", ""), ("rows", rows)]).await;
    assert_eq!(pasted.status, 422, "{}", pasted.text);
    let problem = pasted.text.split("id=\"rows-error\"").nth(1).unwrap().split("</small>").next().unwrap();
    assert!(problem.contains("row 2") && problem.contains("row 3"), "every bad row at once: {problem}");
    assert_eq!(series(api.clone()).await, [99.5], "all or nothing");

    // Good rows are recorded together.
    let good = dana.post_form(&path, &[("value", ""), ("rows", "2026-11-15,99.6\n2026-11-16,99.7\n")]).await;
    assert_eq!(good.location(), format!("/kpis/{kpi}?recorded=2#record"));
    assert_eq!(series(api.clone()).await, [99.5, 99.6, 99.7]);

    // A viewer sees no form, and a post is refused without writing.
    let (_, viewer) = org.person_with_session("vic", Some(org.team), "viewer").await;
    let viewer = Browser::logged_in(&api, &viewer).await;
    assert!(!viewer.get(&format!("/kpis/{kpi}")).await.expect(200).contains(&format!("action=\"{path}\"")));
    let refused = viewer.post_form(&path, &[("value", "1"), ("measured_at", ""), ("rows", "")]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(series(api.clone()).await, [99.5, 99.6, 99.7]);
});
