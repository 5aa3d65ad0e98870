//! Formula KPIs and driver trees (issue 20) through the API: a formula KPI is computed
//! for each period of its cadence from its inputs' last values there, its history is
//! recomputed when an input is corrected, it takes no values of its own; formulas are
//! refused with their column and reason, units are checked, cycles among formulas and
//! drivers are refused naming the cycle; the tree shows each node's health and, for a
//! lagging KPI, the driver that explains most of its change.

use crate::harness::{Api, NOWHERE, Org, at_hours, id};
use crate::ui::Browser;
use serde_json::{Value, json};

async fn create(api: &Api, body: Value) -> Value {
    api.post("/api/v1/kpis", body).await.expect(201)
}

/// A weekly KPI, higher is better.
fn weekly(slug: &str, unit: Option<&str>, target: f64) -> Value {
    json!({"name": slug, "slug": slug, "unit": unit, "direction": "higher_is_better", "target": target,
           "cadence": "weekly"})
}

/// Records `value` for `kpi` `days` before now (Monday 2026-11-16).
async fn record(api: &Api, kpi: i64, days: i64, value: f64) -> Value {
    let body = json!({"value": value, "measured_at": at_hours(-24 * days)});
    api.post(&format!("/api/v1/kpis/{kpi}/measurements"), body).await.expect(201)
}

/// The (time, value) pairs of a KPI's series.
async fn values(api: &Api, kpi: i64) -> Vec<(String, f64)> {
    let series = api.get(&format!("/api/v1/kpis/{kpi}/series?from=2026-10-01T00:00:00Z")).await.expect(200);
    series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["at"].as_str().unwrap().to_owned(), p["value"].as_f64().unwrap()))
        .collect()
}

fn formula_kpi(formula: &str, unit: Option<&str>) -> Value {
    json!({"name": "Revenue", "slug": "revenue", "unit": unit, "direction": "higher_is_better", "target": 5000,
           "cadence": "weekly", "formula": formula})
}

http_test!(a_formula_kpi_is_computed_per_period_and_recomputed_when_an_input_is_corrected, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let orders = id(&create(&api, weekly("orders", Some("count"), 100.0)).await);
    let aov = id(&create(&api, weekly("average-order-value", Some("EUR"), 50.0)).await);
    // The week of Nov 2: orders twice (the last one counts), the order value once.
    record(&api, orders, 13, 70.0).await;
    record(&api, orders, 8, 100.0).await;
    record(&api, aov, 10, 50.0).await;
    // The week of Nov 9.
    record(&api, orders, 3, 80.0).await;
    record(&api, aov, 4, 45.0).await;

    // The unit is left out: it takes the formula's, EUR. Its history is there at once.
    let revenue = create(&api, formula_kpi("orders * average_order_value", None)).await;
    assert_eq!(revenue["unit"], "EUR");
    assert_eq!(revenue["formula"], "orders * average_order_value");
    let revenue = id(&revenue);
    let expected = vec![("2026-11-02T00:00:00Z".to_owned(), 5000.0), ("2026-11-09T00:00:00Z".to_owned(), 3600.0)];
    assert_eq!(values(&api, revenue).await, expected, "each week from the inputs' last values in it");

    // A correction of an input computes the touched week again, as a correction.
    record(&api, orders, 3, 90.0).await;
    let corrected = values(&api, revenue).await;
    assert_eq!(corrected[1], ("2026-11-09T00:00:00Z".to_owned(), 4050.0));
    assert_eq!(corrected[0].1, 5000.0, "the other week stays");
    let events = api.get(&format!("/api/v1/events?entity=kpi&entity_id={revenue}")).await.expect(200);
    let recomputes: Vec<&Value> =
        events["items"].as_array().unwrap().iter().filter(|e| e["action"] == "recompute_formula").collect();
    assert_eq!(recomputes.len(), 2, "computed at creation, then again after the correction: {events}");
    assert_eq!(recomputes[1]["after"]["written"], 1, "only the corrected week: {events}");
    // A week with an order value but no orders has no value.
    record(&api, aov, 0, 40.0).await;
    assert_eq!(values(&api, revenue).await.len(), 2, "no orders this week yet: no revenue");
    record(&api, orders, 0, 10.0).await;
    assert_eq!(values(&api, revenue).await[2], ("2026-11-16T00:00:00Z".to_owned(), 400.0));

    // It takes no values of its own, one or many.
    let path = format!("/api/v1/kpis/{revenue}/measurements");
    api.post(&path, json!({"value": 1})).await.problem(409, "formula_kpi");
    api.post(&format!("{path}/batch"), json!([{"measured_at": at_hours(-1), "value": 1}]))
        .await
        .problem(409, "formula_kpi");

    // A formula that is taken away leaves the history and takes values again.
    let current = api.get(&format!("/api/v1/kpis/{revenue}")).await.expect(200);
    let plain =
        api.patch(&format!("/api/v1/kpis/{revenue}"), json!({"version": current["version"], "formula": null})).await;
    assert_eq!(plain.expect(200)["formula"], Value::Null);
    api.post(&path, json!({"value": 1})).await.expect(201);
});

http_test!(bad_formulas_are_refused_with_where_and_why, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    create(&api, weekly("orders", Some("count"), 100.0)).await;
    create(&api, weekly("average-order-value", Some("EUR"), 50.0)).await;
    create(&api, weekly("us-sales", Some("USD"), 50.0)).await;
    create(&api, weekly("uptime", Some("%"), 99.0)).await;
    create(&api, weekly("latency", Some("ms"), 200.0)).await;

    let refused = api.post("/api/v1/kpis", formula_kpi("orders * (average-order-value", None)).await;
    refused.invalid_at(&["/formula"]);
    assert!(refused.text.contains("column 30: unclosed parenthesis opened at column 10"), "{}", refused.text);
    let refused = api.post("/api/v1/kpis", formula_kpi("orders * ", None)).await;
    refused.invalid_at(&["/formula"]);
    assert!(refused.text.contains("column 10: expected a KPI name or number"), "{}", refused.text);
    let refused = api.post("/api/v1/kpis", formula_kpi("orders / 0", None)).await;
    assert!(refused.text.contains("division by zero"), "{}", refused.text);
    let refused = api.post("/api/v1/kpis", formula_kpi("orders * ordrs", None)).await;
    refused.invalid_at(&["/formula"]);
    assert!(refused.text.contains("column 10: there is no KPI \\\"ordrs\\\""), "{}", refused.text);

    // Units: EUR + USD and % + ms are refused; a declared unit must be what it gives.
    let refused = api.post("/api/v1/kpis", formula_kpi("average-order-value + us-sales", None)).await;
    refused.invalid_at(&["/formula"]);
    assert!(refused.text.contains("cannot add USD to EUR"), "{}", refused.text);
    let refused = api.post("/api/v1/kpis", formula_kpi("uptime - latency", None)).await;
    assert!(refused.text.contains("cannot subtract ms from %"), "{}", refused.text);
    let refused = api.post("/api/v1/kpis", formula_kpi("orders * average-order-value", Some("USD"))).await;
    refused.invalid_at(&["/unit"]);
    assert!(refused.text.contains("the formula gives EUR, not USD"), "{}", refused.text);
    // A ratio of equal units may be a percentage.
    let ratio = json!({"name": "Share", "unit": "%", "direction": "higher_is_better", "target": 50,
                       "cadence": "weekly", "formula": "100 * us-sales / (us-sales + us-sales)"});
    create(&api, ratio).await;

    // No source beside a formula; every problem at once.
    let mut both = formula_kpi("orders * average-order-value", Some("USD"));
    both["source"] = json!({"kind": "http_json", "url": NOWHERE, "path": "value"});
    let refused = api.post("/api/v1/kpis", both).await;
    assert!(refused.pointers().contains(&"/source".to_owned()), "{}", refused.text);
    assert!(refused.pointers().contains(&"/unit".to_owned()), "{}", refused.text);
    // Nothing was written.
    assert_eq!(api.get("/api/v1/kpis?limit=500").await.expect(200)["items"].as_array().unwrap().len(), 6);
});

http_test!(cycles_among_formulas_and_drivers_are_refused_naming_the_cycle, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let orders = create(&api, weekly("orders", Some("count"), 100.0)).await;
    let aov = create(&api, weekly("average-order-value", Some("EUR"), 50.0)).await;
    create(&api, formula_kpi("orders * average-order-value", None)).await;
    let visits = create(
        &api,
        json!({"name": "Visits", "direction": "higher_is_better", "target": 1000,
                                     "cadence": "weekly", "drivers": ["orders"]}),
    )
    .await;
    assert_eq!(visits["drivers"], json!(["orders"]));

    // orders → revenue → orders, through a named driver.
    let path = format!("/api/v1/kpis/{}", id(&orders));
    let refused = api.patch(&path, json!({"version": orders["version"], "drivers": ["revenue"]})).await;
    refused.invalid_at(&["/drivers"]);
    assert!(refused.text.contains("orders → revenue → orders"), "{}", refused.text);
    // Through a formula.
    let path = format!("/api/v1/kpis/{}", id(&aov));
    let refused = api.patch(&path, json!({"version": aov["version"], "formula": "revenue / orders"})).await;
    refused.invalid_at(&["/formula"]);
    assert!(refused.text.contains("average-order-value → revenue → average-order-value"), "{}", refused.text);
    // Longer: orders → visits → orders.
    let path = format!("/api/v1/kpis/{}", id(&orders));
    let refused = api.patch(&path, json!({"version": orders["version"], "drivers": ["visits"]})).await;
    assert!(refused.text.contains("orders → visits → orders"), "{}", refused.text);
    // Itself, an unknown driver, one twice.
    let refused = api.patch(&path, json!({"version": orders["version"], "drivers": ["orders", "nope", "nope"]})).await;
    refused.invalid_at(&["/drivers/1", "/drivers/2", "/drivers"]);
    // A KPI that others name keeps its slug.
    let refused = api.patch(&path, json!({"version": orders["version"], "slug": "sales"})).await;
    refused.invalid_at(&["/slug"]);
    assert!(refused.text.contains("revenue"), "{}", refused.text);
    // Nothing changed.
    assert_eq!(api.get(&path).await.expect(200)["version"], orders["version"]);
});

http_test!(the_driver_tree_shows_health_and_what_explains_a_lagging_kpi, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let orders = id(&create(&api, weekly("orders", Some("count"), 100.0)).await);
    let aov = id(&create(&api, weekly("average-order-value", Some("EUR"), 40.0)).await);
    let visits = id(&create(&api, weekly("visits", None, 1000.0)).await);
    // Revenue falls from 4000 to 3000: orders fell 100 → 60 while the order value rose
    // 40 → 50; alone, the orders' fall costs 1600 and the value's rise brings 1000.
    for (kpi, before, after) in [(orders, 100.0, 60.0), (aov, 40.0, 50.0), (visits, 1000.0, 900.0)] {
        record(&api, kpi, 8, before).await;
        record(&api, kpi, 3, after).await;
    }
    let mut revenue = formula_kpi("orders * average-order-value", Some("EUR"));
    revenue["drivers"] = json!(["visits"]);
    let revenue = create(&api, revenue).await;
    assert_eq!(revenue["state"]["lagging"], true, "red in both weeks: {revenue}");
    let tree = api.get(&format!("/api/v1/kpis/{}/tree", id(&revenue))).await.expect(200);
    let nodes = tree["nodes"].as_array().unwrap();
    let slugs: Vec<&str> = nodes.iter().map(|n| n["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["revenue", "orders", "average-order-value", "visits"]);
    let relations: Vec<&str> = nodes.iter().map(|n| n["relation"].as_str().unwrap()).collect();
    assert_eq!(relations, ["root", "input", "input", "driver"]);
    assert_eq!(nodes[0]["explained_by"], "orders", "through the formula: {tree}");
    assert_eq!(nodes[1]["state"]["health"], "red");
    assert_eq!(nodes[2]["state"]["health"], "green");
    assert_eq!(nodes[1]["parent_id"], nodes[0]["id"]);
    assert_eq!(nodes[1]["depth"], 1);

    // Without a formula: the driver that worsened most relative to itself (orders −40%,
    // visits −10%).
    let growth = id(&create(
        &api,
        json!({"name": "Growth", "direction": "higher_is_better", "target": 10,
                                         "cadence": "weekly", "drivers": ["visits", "orders"]}),
    )
    .await);
    record(&api, growth, 8, 5.0).await;
    record(&api, growth, 3, 4.0).await;
    let tree = api.get(&format!("/api/v1/kpis/{growth}/tree")).await.expect(200);
    assert_eq!(tree["nodes"][0]["explained_by"], "orders", "{tree}");
    assert_eq!(tree["nodes"][1]["relation"], "driver");
    api.get("/api/v1/kpis/999999/tree").await.problem(404, "not_found");

    // The page shows the tree with each node's health, and what explains the fall.
    let (_, person) = org.person_with_session("rae", Some(org.team), "member").await;
    let browser = Browser::from_api(&api, &person);
    let page = browser.get(&format!("/kpis/{}", id(&revenue))).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Driver tree"), "{}", page.text);
    assert!(page.text.contains(&format!("Most of the change comes from <a href=\"/kpis/{orders}\">orders</a>")));
    assert!(page.text.contains("Computed from its formula"), "{}", page.text);
    assert!(!page.text.contains("id=\"record\""), "nobody records a formula KPI's values");
});
