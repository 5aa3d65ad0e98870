//! The OpenAPI document at `/api/openapi.json`: well formed, one operation per handler
//! named after it, every API operation behind a bearer token or the session cookie (a
//! few say exactly which, and the probes, logging in and logging out need neither),
//! every documented operation routed (and nothing else on those paths), and equal to
//! the checked-in `docs/openapi.json`. Run with
//! `MILEPOST_UPDATE_SNAPSHOTS=1` to write that file from the served document.

use crate::harness::{Api, GHOST, SESSION_COOKIE};
use milepost_sql::test_support::unique_name;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

/// Every operation of the API: method, path, operation id (the handler's name).
/// permissions.rs holds who may call each of them.
pub const OPERATIONS: &[(&str, &str, &str)] = &[
    ("get", "/healthz", "get_health"),
    ("get", "/readyz", "get_readiness"),
    ("get", "/api/v1/workspace", "get_workspace"),
    ("patch", "/api/v1/workspace", "update_workspace"),
    ("get", "/api/v1/tokens", "list_tokens"),
    ("post", "/api/v1/tokens", "create_token"),
    ("post", "/api/v1/tokens/{id}/revoke", "revoke_token"),
    ("get", "/api/v1/events", "list_events"),
    ("get", "/api/v1/teams", "list_teams"),
    ("post", "/api/v1/teams", "create_team"),
    ("get", "/api/v1/teams/{id}", "get_team"),
    ("patch", "/api/v1/teams/{id}", "update_team"),
    ("post", "/api/v1/teams/{id}/archive", "archive_team"),
    ("post", "/api/v1/teams/{id}/restore", "restore_team"),
    ("get", "/api/v1/people", "list_people"),
    ("post", "/api/v1/people", "create_person"),
    ("get", "/api/v1/people/{id}", "get_person"),
    ("patch", "/api/v1/people/{id}", "update_person"),
    ("post", "/api/v1/people/{id}/archive", "archive_person"),
    ("post", "/api/v1/people/{id}/restore", "restore_person"),
    ("post", "/api/v1/people/{id}/password", "set_person_password"),
    ("post", "/api/v1/session", "create_session"),
    ("get", "/api/v1/session", "get_session"),
    ("delete", "/api/v1/session", "delete_session"),
    ("post", "/api/v1/session/password", "change_password"),
    ("post", "/api/v1/invitations", "create_invitation"),
    ("post", "/api/v1/invitations/accept", "accept_invitation"),
    ("get", "/api/v1/cycles", "list_cycles"),
    ("post", "/api/v1/cycles", "create_cycle"),
    ("get", "/api/v1/cycles/{id}", "get_cycle"),
    ("patch", "/api/v1/cycles/{id}", "update_cycle"),
    ("post", "/api/v1/cycles/{id}/archive", "archive_cycle"),
    ("post", "/api/v1/cycles/{id}/restore", "restore_cycle"),
    ("get", "/api/v1/cycles/{id}/calibration", "get_cycle_calibration"),
    ("get", "/api/v1/cycles/{id}/report", "get_cycle_report"),
    ("get", "/api/v1/cycles/{id}/transitions", "list_cycle_transitions"),
    ("get", "/api/v1/cycles/{id}/close", "preview_cycle_close"),
    ("post", "/api/v1/cycles/{id}/close", "close_cycle"),
    ("get", "/api/v1/cycles/{id}/closings", "list_cycle_closings"),
    ("get", "/api/v1/workspace/scoring", "get_scoring"),
    ("put", "/api/v1/workspace/scoring", "set_scoring"),
    ("get", "/api/v1/me/reminders", "get_reminder_preferences"),
    ("put", "/api/v1/me/reminders", "set_reminder_preferences"),
    ("get", "/api/v1/me/calendar-feed", "get_calendar_feed"),
    ("post", "/api/v1/me/calendar-feed", "create_calendar_feed"),
    ("delete", "/api/v1/me/calendar-feed", "revoke_calendar_feed"),
    ("post", "/api/v1/cycles/{id}/reopen", "reopen_cycle"),
    ("get", "/api/v1/cycles/{id}/carry", "preview_carry"),
    ("post", "/api/v1/cycles/{id}/carry", "carry_objectives"),
    ("get", "/api/v1/objectives", "list_objectives"),
    ("post", "/api/v1/objectives", "create_objective"),
    ("get", "/api/v1/objectives/{id}", "get_objective"),
    ("get", "/api/v1/objectives/{id}/retrospective", "get_objective_retrospective"),
    ("put", "/api/v1/objectives/{id}/retrospective", "put_objective_retrospective"),
    ("patch", "/api/v1/objectives/{id}", "update_objective"),
    ("post", "/api/v1/objectives/{id}/archive", "archive_objective"),
    ("post", "/api/v1/objectives/{id}/restore", "restore_objective"),
    ("post", "/api/v1/objectives/{id}/key-results", "create_key_result"),
    ("get", "/api/v1/key-results", "list_key_results"),
    ("get", "/api/v1/key-results/{id}", "get_key_result"),
    ("patch", "/api/v1/key-results/{id}", "update_key_result"),
    ("post", "/api/v1/key-results/{id}/archive", "archive_key_result"),
    ("post", "/api/v1/key-results/{id}/restore", "restore_key_result"),
    ("get", "/api/v1/key-results/{id}/check-ins", "list_check_ins"),
    ("get", "/api/v1/key-results/{id}/goal-changes", "list_goal_changes"),
    ("post", "/api/v1/key-results/{id}/check-ins", "create_check_in"),
    ("get", "/api/v1/check-ins/{id}", "get_check_in"),
    ("post", "/api/v1/check-ins/import", "import_check_ins"),
    ("get", "/api/v1/initiatives", "list_initiatives"),
    ("post", "/api/v1/initiatives", "create_initiative"),
    ("get", "/api/v1/initiatives/{id}", "get_initiative"),
    ("patch", "/api/v1/initiatives/{id}", "update_initiative"),
    ("post", "/api/v1/initiatives/{id}/archive", "archive_initiative"),
    ("post", "/api/v1/initiatives/{id}/restore", "restore_initiative"),
    ("post", "/api/v1/okr-files/apply", "apply_okr_files"),
    ("post", "/api/v1/okr-files/lint", "lint_okr_files"),
    ("get", "/api/v1/okr-files", "export_okr_files"),
    ("get", "/api/v1/kpis", "list_kpis"),
    ("post", "/api/v1/kpis", "create_kpi"),
    ("get", "/api/v1/kpis/{id}", "get_kpi"),
    ("patch", "/api/v1/kpis/{id}", "update_kpi"),
    ("post", "/api/v1/kpis/{id}/archive", "archive_kpi"),
    ("post", "/api/v1/kpis/{id}/restore", "restore_kpi"),
    ("post", "/api/v1/kpis/{id}/measurements", "create_measurement"),
    ("post", "/api/v1/kpis/{id}/measurements/batch", "import_measurements"),
    ("get", "/api/v1/kpis/{id}/series", "get_kpi_series"),
    ("get", "/api/v1/kpis/{id}/tree", "get_kpi_tree"),
    ("get", "/api/v1/kpis/board", "get_kpi_board"),
    ("post", "/api/v1/kpis/{id}/draft-objective", "draft_objective_from_kpi"),
    ("post", "/api/v1/kpis/{id}/source/run", "run_kpi_source"),
    ("post", "/api/v1/kpis/{id}/source/test", "test_kpi_source"),
    ("get", "/api/v1/search", "search_workspace"),
    ("get", "/api/v1/objectives/{id}/comments", "list_objective_comments"),
    ("post", "/api/v1/objectives/{id}/comments", "create_objective_comment"),
    ("get", "/api/v1/key-results/{id}/comments", "list_key_result_comments"),
    ("post", "/api/v1/key-results/{id}/comments", "create_key_result_comment"),
    ("get", "/api/v1/check-ins/{id}/comments", "list_check_in_comments"),
    ("post", "/api/v1/check-ins/{id}/comments", "create_check_in_comment"),
    ("get", "/api/v1/comments/{id}", "get_comment"),
    ("patch", "/api/v1/comments/{id}", "update_comment"),
    ("delete", "/api/v1/comments/{id}", "delete_comment"),
    ("get", "/api/v1/me/inbox", "get_inbox"),
    ("post", "/api/v1/me/inbox/dismiss", "dismiss_inbox_item"),
    ("get", "/api/v1/webhooks", "list_webhooks"),
    ("post", "/api/v1/webhooks", "create_webhook"),
    ("get", "/api/v1/webhooks/{id}", "get_webhook"),
    ("patch", "/api/v1/webhooks/{id}", "update_webhook"),
    ("delete", "/api/v1/webhooks/{id}", "delete_webhook"),
    ("post", "/api/v1/webhooks/{id}/test", "test_webhook"),
    ("get", "/api/v1/webhooks/{id}/deliveries", "list_webhook_deliveries"),
    ("get", "/api/v1/webhook-deliveries/{id}", "get_webhook_delivery"),
    ("post", "/api/v1/webhook-deliveries/{id}/retry", "retry_webhook_delivery"),
];

/// The operations that act on the thing in their path and take no body.
pub const BODILESS_POSTS: &[&str] =
    &["revoke_token", "run_kpi_source", "create_calendar_feed", "test_webhook", "retry_webhook_delivery"];

/// The operations that need no credentials at all: the probes; logging in, which
/// brings its own in the body; and logging out, which needs none to be harmless.
pub const OPEN_OPERATIONS: &[&str] =
    &["get_health", "get_readiness", "create_session", "delete_session", "accept_invitation"];

/// The operations that only make sense for a person logged in: they read the session
/// cookie itself (a token has no session, and no password to change).
pub const SESSION_OPERATIONS: &[&str] = &["get_session", "change_password"];

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The served document.
pub async fn document(api: &Api) -> Value {
    let reply = api.get("/api/openapi.json").await;
    assert_eq!(reply.header("content-type"), Some("application/json"));
    reply.expect(200)
}

/// Every operation of the document: (method, path, operation object).
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), operation.clone()));
            }
        }
    }
    out
}

/// Every `$ref` anywhere in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

http_test!(the_document_is_openapi_3_with_one_operation_per_handler, |api: Api| async move {
    let doc = document(&api).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "openapi: {}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Milepost API");
    assert!(doc["info"]["version"].as_str().is_some_and(|v| !v.is_empty()));

    let documented: BTreeSet<(String, String, String)> = operations(&doc)
        .into_iter()
        .map(|(method, path, op)| (method, path, op["operationId"].as_str().unwrap_or_default().to_owned()))
        .collect();
    let expected: BTreeSet<(String, String, String)> =
        OPERATIONS.iter().map(|(m, p, o)| ((*m).to_owned(), (*p).to_owned(), (*o).to_owned())).collect();
    assert_eq!(documented, expected, "the documented operations and their ids");
    let ids: HashSet<&str> = OPERATIONS.iter().map(|(_, _, id)| *id).collect();
    assert_eq!(ids.len(), OPERATIONS.len(), "operation ids are unique");

    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{at} has no tag");
        assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{at} has no summary");
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.keys().any(|s| s.starts_with('2')), "{at} documents no success");
        for (status, response) in responses {
            // OpenAPI requires a description on every response.
            assert!(
                response["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{at} {status} has no description"
            );
            if status == "204" {
                assert!(response.get("content").is_none(), "{at} 204 documents a body: {response}");
                continue;
            }
            let media = if status.starts_with('2') { "application/json" } else { "application/problem+json" };
            assert!(response["content"][media]["schema"].is_object(), "{at} {status} has no {media} schema");
        }
        // Every API operation takes a bearer token or the session cookie (the
        // document's default); the open ones say they need nothing, the session ones
        // that they need the cookie; no operation still documents the old workspace header.
        let id = op["operationId"].as_str().unwrap_or_default();
        let security = op.get("security");
        if OPEN_OPERATIONS.contains(&id) {
            assert_eq!(security, Some(&json!([{}])), "{at} must declare that it needs no credentials");
        } else if SESSION_OPERATIONS.contains(&id) {
            assert_eq!(security, Some(&json!([{"session": []}])), "{at} must declare that it needs the session");
        } else {
            assert!(security.is_none(), "{at} should take what every operation takes: {}", op["security"]);
            assert!(path.starts_with("/api/v1/"), "{at} is outside /api/v1 yet needs credentials");
        }
        if path.starts_with("/api/v1/") {
            assert!(responses.contains_key("401"), "{at} does not document its 401");
        }
        let headers: Vec<&Value> =
            op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "header").collect();
        assert!(headers.is_empty(), "{at} documents header parameters: {headers:?}");
        if path.contains("{id}") {
            let param = op["parameters"].as_array().and_then(|ps| ps.iter().find(|p| p["in"] == "path"));
            let param = param.unwrap_or_else(|| panic!("{at} does not document its path parameter"));
            assert_eq!(param["name"], "id", "{at}");
            assert_eq!(param["required"], true, "{at}");
            assert_eq!(param["schema"]["type"], "integer", "{at}");
        }
        if (method == "post" || method == "patch") && !BODILESS_POSTS.contains(&id) {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(schema.is_object(), "{at} documents no JSON body");
        }
    }
    assert_eq!(
        doc["security"],
        json!([{"bearer": []}, {"session": []}]),
        "every operation needs a token or the session cookie unless it says otherwise"
    );
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes.keys().collect::<Vec<_>>(), ["bearer", "session"], "the security schemes");
    let bearer = &schemes["bearer"];
    assert_eq!((&bearer["type"], &bearer["scheme"]), (&json!("http"), &json!("bearer")), "{bearer}");
    let session = &schemes["session"];
    assert_eq!(
        (&session["type"], &session["in"], &session["name"]),
        (&json!("apiKey"), &json!("cookie"), &json!(SESSION_COOKIE)),
        "{session}"
    );
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for target in all {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("odd $ref {target}"));
        assert!(schemas.contains_key(name), "$ref {target} points at nothing");
    }
});

http_test!(every_documented_operation_is_routed_and_nothing_else_is, |api: Api| async move {
    let api = api.new_workspace("acme").await;
    let doc = document(&api).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", &GHOST.to_string());
        for method in ["get", "post", "patch", "put", "delete"] {
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let request = api.request(verb, &concrete).json(&json!({}));
            let reply = Api::send(format!("{method} {concrete}"), request).await;
            let routed =
                reply.status != 405 && !(reply.status == 404 && reply.detail().starts_with("there is nothing at"));
            let documented = item.get(method).is_some();
            assert_eq!(routed, documented, "{method} {path}: answered {} {}", reply.status, reply.text);
            assert_ne!(reply.status, 500, "{method} {path}");
        }
    }
});

/// Where the checked-in copy of the document lives.
fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

http_test!(the_served_document_equals_docs_openapi_json, |api: Api| async move {
    let doc = document(&api).await;
    let text = format!("{}\n", serde_json::to_string_pretty(&doc).unwrap());
    let path = snapshot_path();
    if std::env::var("MILEPOST_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        // Write beside it and rename, so the SQLite and PostgreSQL runs of this test
        // never leave a half-written file for each other.
        let temp = path.with_file_name(format!(".{}.tmp", unique_name("openapi")));
        std::fs::write(&temp, &text).unwrap();
        std::fs::rename(&temp, &path).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("{} cannot be read ({error}); run with MILEPOST_UPDATE_SNAPSHOTS=1 to write it", path.display())
    });
    assert!(
        stored == text,
        "{} is not the served document; if the change is intended, run \
         `MILEPOST_UPDATE_SNAPSHOTS=1 cargo test -p milepost-server` and review the diff",
        path.display()
    );
});
