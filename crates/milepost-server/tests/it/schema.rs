//! Real responses against the served OpenAPI document: a tour calls every documented
//! operation once, successfully, and checks each answer against the schema the
//! document gives for it (required properties present, no undocumented ones, types,
//! enums and formats), and a few problem answers against `Problem`.

use crate::harness::{Api, Org, Reply, id, password_of};
use crate::openapi::{OPERATIONS, document};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Checks `value` against `schema` of `doc`, noting each mismatch with where it is.
/// `strict` refuses properties the schema does not name; branches of an `allOf` are
/// checked loosely, since each names only its share of the properties.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, strict: bool, problems: &mut Vec<String>) {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.trim_start_matches("#/components/schemas/");
        let resolved = &doc["components"]["schemas"][name];
        if resolved.is_null() {
            problems.push(format!("{at}: $ref {target} points at nothing"));
        } else {
            check(doc, resolved, value, at, strict, problems);
        }
        return;
    }
    if let Some(branches) = schema["allOf"].as_array() {
        for branch in branches {
            check(doc, branch, value, at, false, problems);
        }
        if strict && let (Some(object), true) = (value.as_object(), schema["properties"].is_null()) {
            let known = known_properties(doc, schema);
            for key in object.keys().filter(|k| !known.contains(*k)) {
                problems.push(format!("{at}: property {key:?} is not documented"));
            }
        }
        return;
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(branches) = schema[keyword].as_array() {
            let fits = branches.iter().any(|branch| {
                let mut inner = Vec::new();
                check(doc, branch, value, at, strict, &mut inner);
                inner.is_empty()
            });
            if !fits {
                problems.push(format!("{at}: {value} fits none of the {keyword} branches"));
            }
            return;
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| is_type(value, t)) {
        problems.push(format!("{at}: {value} is not of type {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(minimum), Some(number)) = (schema["minimum"].as_f64(), value.as_f64())
        && number < minimum
    {
        problems.push(format!("{at}: {number} is below the minimum {minimum}"));
    }
    if let (Some(maximum), Some(number)) = (schema["maximum"].as_f64(), value.as_f64())
        && number > maximum
    {
        problems.push(format!("{at}: {number} is above the maximum {maximum}"));
    }
    if let Some(text) = value.as_str() {
        let ok = match schema["format"].as_str() {
            Some("date-time") => text.parse::<jiff::Timestamp>().is_ok(),
            Some("date") => text.parse::<jiff::civil::Date>().is_ok(),
            _ => true,
        };
        if !ok {
            problems.push(format!("{at}: {text:?} is not a {}", schema["format"]));
        }
    }
    if let Some(items) = value.as_array()
        && schema["items"].is_object()
    {
        for (index, item) in items.iter().enumerate() {
            check(doc, &schema["items"], item, &format!("{at}/{index}"), true, problems);
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema["properties"].as_object();
        for required in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !object.contains_key(required) {
                problems.push(format!("{at}: the required property {required:?} is missing"));
            }
        }
        for (key, inner) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(property) => check(doc, property, inner, &format!("{at}/{key}"), true, problems),
                None if strict && properties.is_some() => {
                    problems.push(format!("{at}: property {key:?} is not documented"));
                }
                None => {}
            }
        }
    }
}

/// The property names an `allOf` (and the `oneOf` branches inside it) can document.
fn known_properties(doc: &Value, schema: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let schema = match schema["$ref"].as_str() {
        Some(target) => &doc["components"]["schemas"][target.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(properties) = schema["properties"].as_object() {
        out.extend(properties.keys().cloned());
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        for branch in schema[keyword].as_array().into_iter().flatten() {
            out.extend(known_properties(doc, branch));
        }
    }
    out
}

fn is_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

/// Checks answers against the operations they came from, and remembers which
/// operations were seen.
struct Tour {
    doc: Value,
    seen: BTreeSet<(String, String)>,
    problems: Vec<String>,
}

impl Tour {
    /// Checks a reply to `method template` against the document and returns its body.
    #[track_caller]
    fn visit(&mut self, method: &str, template: &str, reply: Reply) -> Value {
        let status = reply.status.to_string();
        assert!(reply.status < 300, "{}: {}", reply.request, reply.text);
        if reply.status == 204 {
            assert!(reply.text.is_empty(), "{}: a 204 with a body: {}", reply.request, reply.text);
        }
        let response = &self.doc["paths"][template][method]["responses"][&status];
        assert!(response.is_object(), "{method} {template} does not document the status {status}");
        let schema = &response["content"]["application/json"]["schema"];
        let at = format!("{method} {template} {status}");
        check(&self.doc, schema, &reply.body, &at, true, &mut self.problems);
        self.seen.insert((method.to_owned(), template.to_owned()));
        reply.body
    }

    /// Checks a problem answer against the `Problem` schema.
    fn problem(&mut self, reply: &Reply) {
        let schema = json!({"$ref": "#/components/schemas/Problem"});
        check(&self.doc, &schema, &reply.body, &reply.request, true, &mut self.problems);
    }
}

http_test!(every_operation_answers_as_its_schema_says, |api: Api| async move {
    let doc = document(&api).await;
    let mut tour = Tour { doc, seen: BTreeSet::new(), problems: Vec::new() };
    let t = &mut tour;
    t.visit("get", "/healthz", api.get("/healthz").await);
    t.visit("get", "/readyz", api.get("/readyz").await);
    let org = Org::new(&api, "acme").await;
    let workspace = t.visit("get", "/api/v1/workspace", org.api.get("/api/v1/workspace").await);
    let change = json!({"version": workspace["version"], "name": "Acme", "time_zone": "Europe/Paris",
                        "check_in_day": "thursday", "check_in_hour": 10});
    t.visit("patch", "/api/v1/workspace", org.api.patch("/api/v1/workspace", change).await);
    let api = org.api.clone();

    // Each resource that shares the one shape: create, list, read, change, archive, restore.
    let initiative_body = json!({"title": "Automate", "owner_person_id": org.dana, "due_date": "2026-12-01", "link": "https://example.com/1"});
    let objective_body = json!({
    "cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team, "key_results": [
        {"title": "Grow revenue from 1 to 2", "kind": "increase", "start": 1, "target": 2, "metric": "revenue", "unit": "USD",
         "target_schedule": [{"date": "2026-11-30", "value": 1.5}], "owner_person_id": org.dana},
        {"title": "Keep churn between 2% and 3%", "kind": "range", "range": [2, 3]},
    ]});
    let shapes = [
        ("teams", json!({"slug": "sales", "name": "Sales", "parent_team_id": org.company}), json!({"name": "Sales!"})),
        ("people", json!({"name": "Fay", "email": "fay@example.com", "team_id": org.team}), json!({"role": "viewer"})),
        (
            "cycles",
            json!({"name": "2027 Q1", "start_date": "2027-01-01", "end_date": "2027-03-31"}),
            json!({"name": "Q1"}),
        ),
        ("objectives", objective_body, json!({"title": "Grow more", "rollup_children": true})),
        ("initiatives", initiative_body, json!({"status": "active"})),
        (
            "kpis",
            json!({"name": "Uptime", "unit": "%", "direction": "higher_is_better", "target": 99.9, "warning_band": 0.1,
                   "cadence": "daily", "owner_person_id": org.dana, "tags": ["reliability"]}),
            json!({"name": "Website uptime", "lagging_after": 3}),
        ),
    ];
    let mut created = Vec::new();
    for (resource, new, change) in shapes {
        let collection = format!("/api/v1/{resource}");
        let item = format!("/api/v1/{resource}/{{id}}");
        let view = t.visit("post", &collection, api.post(&collection, new).await);
        let path = format!("{collection}/{}", id(&view));
        t.visit("get", &collection, api.get(&collection).await);
        t.visit("get", &item, api.get(&path).await);
        let mut change = change;
        change["version"] = view["version"].clone();
        let changed = t.visit("patch", &item, api.patch(&path, change).await);
        let archived = t.visit(
            "post",
            &format!("{item}/archive"),
            api.post(&format!("{path}/archive"), json!({"version": changed["version"]})).await,
        );
        let restored = t.visit(
            "post",
            &format!("{item}/restore"),
            api.post(&format!("{path}/restore"), json!({"version": archived["version"]})).await,
        );
        created.push(restored);
    }

    // KPI measurements, one and a batch of each kind, the series and the board.
    let kpi = format!("/api/v1/kpis/{}", id(&created[5]));
    let one = json!({"value": 99.95, "measured_at": "2026-11-15T12:00:00Z"});
    t.visit("post", "/api/v1/kpis/{id}/measurements", api.post(&format!("{kpi}/measurements"), one).await);
    let rows = json!([{"measured_at": "2026-11-14T12:00:00Z", "value": 99.7}, {"measured_at": "2026-11-13T12:00:00Z", "value": 99.8}]);
    let batch = format!("{kpi}/measurements/batch");
    t.visit("post", "/api/v1/kpis/{id}/measurements/batch", api.post(&batch, rows).await);
    let csv = "measured_at,value\n2026-11-12,99.9\n";
    t.visit("post", "/api/v1/kpis/{id}/measurements/batch", api.post_raw(&batch, Some("text/csv"), csv).await);
    let series = t.visit("get", "/api/v1/kpis/{id}/series", api.get(&format!("{kpi}/series?max_points=2")).await);
    assert_eq!(series["downsampled"], true, "{series}");
    let board = t.visit("get", "/api/v1/kpis/board", api.get("/api/v1/kpis/board").await);
    let tree = t.visit("get", "/api/v1/kpis/{id}/tree", api.get(&format!("{kpi}/tree")).await);
    assert_eq!(tree["nodes"][0]["relation"], "root", "{tree}");
    assert!(board["items"][0]["sparkline"].as_array().is_some_and(|s| s.len() == 4), "{board}");
    let red = json!([{"measured_at": "2026-11-15T18:00:00Z", "value": 90}, {"measured_at": "2026-11-14T18:00:00Z", "value": 90},
                     {"measured_at": "2026-11-13T18:00:00Z", "value": 90}]);
    api.post(&batch, red).await.expect(200);
    let path = "/api/v1/kpis/{id}/draft-objective";
    let drafted = t.visit("post", path, api.post(&format!("{kpi}/draft-objective"), json!({})).await);
    assert_eq!(drafted["key_results"][0]["kpi_id"], created[5]["id"], "{drafted}");
    // A pull source that points at nothing: the run answers the KPI with the failure.
    let source = json!({"kind": "http_json", "url": "http://127.0.0.1:9/uptime", "path": "value"});
    let current = api.get(&kpi).await.expect(200);
    api.patch(&kpi, json!({"version": current["version"], "source": source})).await.expect(200);
    let ran = t.visit("post", "/api/v1/kpis/{id}/source/run", api.post(&format!("{kpi}/source/run"), json!({})).await);
    assert!(ran["last_error"].as_str().is_some_and(|e| e.contains("127.0.0.1:9")), "{ran}");
    let path = "/api/v1/kpis/{id}/source/test";
    let tried = t.visit("post", path, api.post(&format!("{kpi}/source/test"), json!({})).await);
    assert!(tried["error"].as_str().is_some_and(|e| e.contains("127.0.0.1:9")), "{tried}");
    assert_eq!(tried["value"], serde_json::Value::Null);

    // Key results and check-ins.
    let objective = id(&created[3]);
    let new = json!({"title": "Keep uptime at or above 99.9%", "kind": "maintain", "target": 99.9, "comparator": ">="});
    let template = "/api/v1/objectives/{id}/key-results";
    let key_result =
        t.visit("post", template, api.post(&format!("/api/v1/objectives/{objective}/key-results"), new).await);
    let path = format!("/api/v1/key-results/{}", id(&key_result));
    let result = t.visit(
        "post",
        "/api/v1/key-results/{id}/check-ins",
        api.post(&format!("{path}/check-ins"), json!({"value": 99.95, "confidence": 7, "note": "Quiet week"})).await,
    );
    t.visit("get", "/api/v1/key-results/{id}/check-ins", api.get(&format!("{path}/check-ins")).await);
    t.visit("get", "/api/v1/check-ins/{id}", api.get(&format!("/api/v1/check-ins/{}", id(&result["check_in"]))).await);
    t.visit("get", "/api/v1/key-results", api.get("/api/v1/key-results").await);
    t.visit("get", "/api/v1/key-results/{id}", api.get(&path).await);
    let changed = t.visit(
        "patch",
        "/api/v1/key-results/{id}",
        api.patch(&path, json!({"version": 2, "title": "Keep uptime up"})).await,
    );
    let moved = json!({"version": changed["version"], "target": 99.5, "reason": "The new region is less stable"});
    let changed = api.patch(&path, moved).await.expect(200);
    let changes =
        t.visit("get", "/api/v1/key-results/{id}/goal-changes", api.get(&format!("{path}/goal-changes")).await);
    assert_eq!(changes[0]["reason"], "The new region is less stable", "{changes}");
    let archived = t.visit(
        "post",
        "/api/v1/key-results/{id}/archive",
        api.post(&format!("{path}/archive"), json!({"version": changed["version"]})).await,
    );
    t.visit(
        "post",
        "/api/v1/key-results/{id}/restore",
        api.post(&format!("{path}/restore"), json!({"version": archived["version"]})).await,
    );
    // A history of check-ins, as JSON and as CSV.
    let key_result_id = id(&key_result);
    let history = json!([{"key_result_id": key_result_id, "checked_in_at": "2026-11-10T15:00:00Z", "value": 99.9}]);
    t.visit("post", "/api/v1/check-ins/import", api.post("/api/v1/check-ins/import", history).await);
    let csv = format!("key_result,checked_in_at,value,note\nKR-{key_result_id},2026-11-11,99.92,\"Quiet, again\"\n");
    t.visit("post", "/api/v1/check-ins/import", api.post_raw("/api/v1/check-ins/import", Some("text/csv"), csv).await);
    // OKR files: the export applies as a no-op; a new file is created.
    let files = t.visit("get", "/api/v1/okr-files", api.get("/api/v1/okr-files").await);
    let linted =
        t.visit("post", "/api/v1/okr-files/lint", api.post("/api/v1/okr-files/lint", json!({"files": files})).await);
    assert_eq!(linted["errors"], 0, "{linted}");
    let noop = api.post("/api/v1/okr-files/apply", json!({"files": files})).await;
    assert_eq!(t.visit("post", "/api/v1/okr-files/apply", noop)["changes"], json!([]));
    let text = "---\ncycle: 2026-q4\nowner: @dana\n---\n\n# Ship faster (committed)\n\n- Cut build time from 20 min to 5 min\n";
    // Dana's other objectives of the cycle are not in the file: archived, as asked.
    let new = api
        .post("/api/v1/okr-files/apply", json!({"files": [{"name": "dana.md", "text": text}], "archive": true}))
        .await;
    assert_eq!(t.visit("post", "/api/v1/okr-files/apply", new)["applied"], true);
    // How the workspace grades, and what closing would freeze.
    let scoring = t.visit("get", "/api/v1/workspace/scoring", api.get("/api/v1/workspace/scoring").await);
    t.visit("put", "/api/v1/workspace/scoring", api.put_json("/api/v1/workspace/scoring", scoring).await);
    let preview = format!("/api/v1/cycles/{}/close", org.cycle);
    let preview = t.visit("get", "/api/v1/cycles/{id}/close", api.get(&preview).await);
    assert!(preview["objectives"].as_array().is_some_and(|o| !o.is_empty()), "{preview}");
    // An objective's retrospective note, written and read.
    let note = format!("/api/v1/objectives/{objective}/retrospective");
    let body = json!({"version": 0, "worked": "Pairing", "did_not_work": "Meetings"});
    assert_eq!(t.visit("put", "/api/v1/objectives/{id}/retrospective", put(&api, &note, body).await)["version"], 1);
    t.visit("get", "/api/v1/objectives/{id}/retrospective", api.get(&note).await);
    // Objectives read with the numbers of a closed cycle too (scores present).
    let cycle = api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    api.patch(&format!("/api/v1/cycles/{}", org.cycle), json!({"version": cycle["version"], "status": "closed"}))
        .await
        .expect(200);
    let graded = t.visit("get", "/api/v1/objectives/{id}", api.get(&format!("/api/v1/objectives/{objective}")).await);
    assert!(graded["score"].is_object(), "{graded}");
    let calibration = format!("/api/v1/cycles/{}/calibration", org.cycle);
    let calibrated = t.visit("get", "/api/v1/cycles/{id}/calibration", api.get(&calibration).await);
    assert!(calibrated["key_results"].as_u64().is_some_and(|n| n > 0), "{calibrated}");
    t.visit("get", "/api/v1/objectives", api.get("/api/v1/objectives").await);
    let found = t.visit("get", "/api/v1/search", api.get("/api/v1/search?q=grow").await);
    assert!(found["groups"][0]["hits"].as_array().is_some_and(|h| !h.is_empty()), "{found}");
    let found = t.visit("get", "/api/v1/search", api.get("/api/v1/search?q=dana&kind=person").await);
    assert!(found["groups"][0]["hits"][0]["snippet"].as_array().is_some_and(|s| !s.is_empty()), "{found}");
    // Its unfinished objectives carried over into the next quarter: previewed, then carried.
    let next = api.cycle("carry-next", "2027-01-01", "2027-03-31", "planning").await;
    let carry = format!("/api/v1/cycles/{}/carry", org.cycle);
    let preview = api.get(&format!("{carry}?target_cycle_id={}", next["id"])).await;
    t.visit("get", "/api/v1/cycles/{id}/carry", preview);
    t.visit("post", "/api/v1/cycles/{id}/carry", api.post(&carry, json!({"target_cycle_id": next["id"]})).await);
    let report = format!("/api/v1/cycles/{}/report", org.cycle);
    let reported = t.visit("get", "/api/v1/cycles/{id}/report", api.get(&report).await);
    assert!(reported["objectives"].as_array().is_some_and(|o| !o.is_empty()), "{reported}");
    // Reopened by an admin with a reason, and its history.
    let closed = api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    let reopen = json!({"version": closed["version"], "reason": "A late number"});
    let reopened = t.visit(
        "post",
        "/api/v1/cycles/{id}/reopen",
        api.post(&format!("/api/v1/cycles/{}/reopen", org.cycle), reopen).await,
    );
    assert_eq!(reopened["status"], "active", "{reopened}");
    let history = format!("/api/v1/cycles/{}/transitions", org.cycle);
    let history = t.visit("get", "/api/v1/cycles/{id}/transitions", api.get(&history).await);
    assert_eq!(history[1]["reason"], "A late number", "{history}");
    // Closed again through the close, confirmed early; both closings listed.
    let close = json!({"version": reopened["version"], "confirm_early": true});
    let path = format!("/api/v1/cycles/{}/close", org.cycle);
    t.visit("post", "/api/v1/cycles/{id}/close", api.post(&path, close).await);
    let closings = format!("/api/v1/cycles/{}/closings", org.cycle);
    let closings = t.visit("get", "/api/v1/cycles/{id}/closings", api.get(&closings).await);
    assert_eq!(closings.as_array().map(Vec::len), Some(2), "{closings}");

    // Tokens and the audit trail.
    let body = json!({"name": "CI import", "role": "editor", "expires_in_days": 30});
    let created = t.visit("post", "/api/v1/tokens", api.post("/api/v1/tokens", body).await);
    t.visit("get", "/api/v1/tokens", api.get("/api/v1/tokens").await);
    let revoke = format!("/api/v1/tokens/{}/revoke", id(&created["details"]));
    t.visit("post", "/api/v1/tokens/{id}/revoke", api.post(&revoke, json!({})).await);
    let events = t.visit("get", "/api/v1/events", api.get("/api/v1/events?limit=500").await);
    assert!(events["items"].as_array().is_some_and(|e| e.len() > 20), "{events}");
    t.visit("get", "/api/v1/events", api.get("/api/v1/events?entity=objective&limit=2").await);
    // Webhooks: made (at a public address that does not resolve), listed, read,
    // changed, tested (the test fails and is logged), its delivery read and retried.
    let hook = json!({"url": "https://hooks.example.invalid/tour", "events": ["objective.created"]});
    let created = t.visit("post", "/api/v1/webhooks", api.post("/api/v1/webhooks", hook).await);
    t.visit("get", "/api/v1/webhooks", api.get("/api/v1/webhooks").await);
    let hook = format!("/api/v1/webhooks/{}", id(&created["webhook"]));
    t.visit("get", "/api/v1/webhooks/{id}", api.get(&hook).await);
    t.visit("patch", "/api/v1/webhooks/{id}", api.patch(&hook, json!({"version": 1, "enabled": false})).await);
    let test = t.visit("post", "/api/v1/webhooks/{id}/test", api.post(&format!("{hook}/test"), json!({})).await);
    assert_eq!(test["status"], "failed", "{test}");
    t.visit("get", "/api/v1/webhooks/{id}/deliveries", api.get(&format!("{hook}/deliveries")).await);
    let delivery = format!("/api/v1/webhook-deliveries/{}", id(&test));
    t.visit("get", "/api/v1/webhook-deliveries/{id}", api.get(&delivery).await);
    t.visit("post", "/api/v1/webhook-deliveries/{id}/retry", api.post(&format!("{delivery}/retry"), json!({})).await);
    t.visit("delete", "/api/v1/webhooks/{id}", api.delete(&hook).await);
    let viewer = api.as_role("viewer").await;

    // Passwords and sessions: dana gets a password, logs in, changes it, logs out.
    let set = format!("/api/v1/people/{}/password", org.dana);
    t.visit("post", "/api/v1/people/{id}/password", api.post(&set, json!({"password": password_of("dana")})).await);
    let login = api.without_token().log_in_reply("acme", "dana@example.com", &password_of("dana")).await;
    let dana = api.with_session(&login.session_cookie().unwrap_or_default());
    t.visit("post", "/api/v1/session", login);
    t.visit("get", "/api/v1/session", dana.get("/api/v1/session").await);
    // Comments and the inbox: dana writes, the admin mentions her and answers her.
    let on_objective = format!("/api/v1/objectives/{objective}/comments");
    let written = dana.post(&on_objective, json!({"body": "Looks **good**"})).await;
    let written = t.visit("post", "/api/v1/objectives/{id}/comments", written);
    t.visit("get", "/api/v1/objectives/{id}/comments", dana.get(&on_objective).await);
    let on_key_result = format!("/api/v1/key-results/{}/comments", id(&key_result));
    let mention = api.post(&on_key_result, json!({"body": "@dana see [this](https://example.com)"})).await;
    t.visit("post", "/api/v1/key-results/{id}/comments", mention);
    t.visit("get", "/api/v1/key-results/{id}/comments", api.get(&on_key_result).await);
    let on_check_in = format!("/api/v1/check-ins/{}/comments", id(&result["check_in"]));
    t.visit("post", "/api/v1/check-ins/{id}/comments", api.post(&on_check_in, json!({"body": "Why so quiet?"})).await);
    t.visit("get", "/api/v1/check-ins/{id}/comments", api.get(&on_check_in).await);
    let comment = format!("/api/v1/comments/{}", id(&written));
    t.visit("get", "/api/v1/comments/{id}", api.get(&comment).await);
    let change = json!({"version": 1, "body": "Looks great"});
    t.visit("patch", "/api/v1/comments/{id}", dana.patch(&comment, change).await);
    api.post(&on_objective, json!({"body": "Thanks", "reply_to": id(&written)})).await.expect(201);
    let inbox = t.visit("get", "/api/v1/me/inbox", dana.get("/api/v1/me/inbox").await);
    assert!(inbox["items"].as_array().is_some_and(|i| i.len() >= 2), "{inbox}");
    let dismiss = json!({"key": inbox["items"][0]["key"]});
    t.visit("post", "/api/v1/me/inbox/dismiss", dana.post("/api/v1/me/inbox/dismiss", dismiss).await);
    t.visit("delete", "/api/v1/comments/{id}", api.delete(&format!("{comment}?version=2")).await);
    // Her reminder emails, turned off and read back.
    let off = dana.put_json("/api/v1/me/reminders", json!({"emails": false})).await;
    t.visit("put", "/api/v1/me/reminders", off);
    t.visit("get", "/api/v1/me/reminders", dana.get("/api/v1/me/reminders").await);
    // Her calendar feed, made, read and revoked.
    t.visit("post", "/api/v1/me/calendar-feed", dana.post("/api/v1/me/calendar-feed", json!(null)).await);
    t.visit("get", "/api/v1/me/calendar-feed", dana.get("/api/v1/me/calendar-feed").await);
    t.visit("delete", "/api/v1/me/calendar-feed", dana.delete("/api/v1/me/calendar-feed").await);
    let change = json!({"current_password": password_of("dana"), "new_password": "a brand new password"});
    t.visit("post", "/api/v1/session/password", dana.post("/api/v1/session/password", change).await);
    t.visit("delete", "/api/v1/session", dana.delete("/api/v1/session").await);
    // An invitation, accepted.
    let invited = t.visit(
        "post",
        "/api/v1/invitations",
        api.post("/api/v1/invitations", json!({"email": "ivy@example.com", "name": "Ivy Chen", "role": "editor"}))
            .await,
    );
    let accept = json!({"token": invited["token"], "password": "ivy's own password"});
    t.visit("post", "/api/v1/invitations/accept", api.without_token().post("/api/v1/invitations/accept", accept).await);

    // Problems, of every location kind.
    for reply in [
        api.post("/api/v1/teams", json!({"name": 5})).await,
        api.get("/api/v1/teams?limit=0").await,
        api.get("/api/v1/search?q=%22*%22").await,
        api.without_token().get("/api/v1/teams").await,
        viewer.post("/api/v1/teams", json!({"name": "Sales"})).await,
        api.get("/api/v1/teams/12345").await,
        api.get("/nope").await,
        api.without_token().log_in_reply("acme", "dana@example.com", "not the password").await,
        dana.get("/api/v1/session").await,
    ] {
        tour.problem(&reply);
    }

    assert!(tour.problems.is_empty(), "responses differ from the document:\n{}", tour.problems.join("\n"));
    let all: BTreeSet<(String, String)> =
        OPERATIONS.iter().map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    let missed: Vec<_> = all.difference(&tour.seen).collect();
    assert!(missed.is_empty(), "the tour did not visit {missed:?}");
});

http_test!(each_view_has_every_required_property_of_its_schema, |api: Api| async move {
    let doc = document(&api).await;
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective = org.team_objective("Grow", org.team, json!([Org::increase("Grow from 0 to 10", 0.0, 10.0)])).await;
    let key_result = &objective["key_results"][0];
    let check_in = api.check_in(id(key_result), json!({"value": 4})).await;
    let initiative = api.post("/api/v1/initiatives", json!({"title": "Automate"})).await.expect(201);
    let views = [
        ("TeamView", api.get(&format!("/api/v1/teams/{}", org.team)).await.expect(200)),
        ("PersonView", api.get(&format!("/api/v1/people/{}", org.dana)).await.expect(200)),
        ("CycleView", api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200)),
        ("ObjectiveView", api.get(&format!("/api/v1/objectives/{}", id(&objective))).await.expect(200)),
        ("KeyResultView", api.get(&format!("/api/v1/key-results/{}", id(key_result))).await.expect(200)),
        ("CheckInView", api.get(&format!("/api/v1/check-ins/{}", id(&check_in["check_in"]))).await.expect(200)),
        ("InitiativeView", api.get(&format!("/api/v1/initiatives/{}", id(&initiative))).await.expect(200)),
        ("CheckInResult", check_in.clone()),
    ];
    for (name, view) in views {
        let schema = &doc["components"]["schemas"][name];
        let required: Vec<&str> = schema["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(required.contains(&"id") || name == "CheckInResult", "{name} should require its id");
        for property in &required {
            assert!(view.get(*property).is_some(), "{name} lacks the required {property:?}: {view}");
        }
        let documented = schema["properties"].as_object().unwrap();
        for key in view.as_object().unwrap().keys() {
            assert!(documented.contains_key(key), "{name} has {key:?}, which its schema does not document");
        }
    }
});

/// `PUT path` with a JSON body.
async fn put(api: &Api, path: &str, body: Value) -> Reply {
    Api::send(format!("PUT {path}"), api.request(reqwest::Method::PUT, path).json(&body)).await
}
