//! What every client meets first: the health probes, the answers to paths and methods
//! that do not exist, the headers every response carries, and the workspace a token
//! acts in.

use crate::harness::{Api, Reply, SECURITY_HEADERS};
use reqwest::Method;
use serde_json::json;
use std::collections::HashSet;

http_test!(health_and_readiness_answer_ok_as_json, |api: Api| async move {
    for path in ["/healthz", "/readyz"] {
        let reply = api.get(path).await;
        assert_eq!(reply.header("content-type"), Some("application/json"), "{path}");
        assert_eq!(reply.expect(200), json!({"status": "ok"}), "{path}");
    }
});

http_test!(an_unknown_path_is_a_404_problem, |api: Api| async move {
    let api = api.new_workspace("acme").await;
    for path in ["/nope", "/api/v1/nope", "/api/v1/teams/1/nope", "/api/v2/teams"] {
        let reply = api.get(path).await;
        reply.problem(404, "not_found");
        assert_eq!(reply.detail(), format!("there is nothing at {path}"));
    }
});

http_test!(a_wrong_method_is_a_405_problem_that_says_what_is_allowed, |api: Api| async move {
    let api = api.new_workspace("acme").await;
    let cases = [
        (Method::DELETE, "/api/v1/teams", "GET,HEAD,POST"),
        (Method::PUT, "/api/v1/objectives/1", "GET,HEAD,PATCH"),
        (Method::GET, "/api/v1/key-results/1/archive", "POST"),
        (Method::POST, "/healthz", "GET,HEAD"),
    ];
    for (method, path, allowed) in cases {
        let reply = Api::send(format!("{method} {path}"), api.request(method.clone(), path)).await;
        reply.problem(405, "method_not_allowed");
        assert_eq!(reply.detail(), format!("{method} is not allowed on {path}"));
        let mut allow: Vec<&str> = reply.header("allow").unwrap_or_default().split(',').map(str::trim).collect();
        allow.sort_unstable();
        assert_eq!(allow.join(","), allowed, "{method} {path}");
    }
});

http_test!(every_response_carries_a_request_id_and_the_security_headers, |api: Api| async move {
    let acme = api.new_workspace("acme").await;
    let big = format!("{{\"name\": \"{}\"}}", "a".repeat(1024 * 1024));
    let json_post = |path: &str, body: String| {
        Api::send(
            format!("POST {path}"),
            acme.request(Method::POST, path).header("content-type", "application/json").body(body),
        )
    };
    let replies: Vec<Reply> = vec![
        api.get("/healthz").await,
        api.get("/api/openapi.json").await,
        acme.get("/api/v1/teams").await,
        acme.post("/api/v1/teams", json!({"slug": "support", "name": "Support"})).await,
        acme.get("/api/v1/teams/99").await,
        acme.get("/api/v1/teams/abc").await,
        api.get("/api/v1/teams").await,
        api.with_token("mp_nope").get("/api/v1/teams").await,
        acme.as_role("viewer").await.post("/api/v1/teams", json!({"name": "Sales"})).await,
        acme.post("/api/v1/teams", json!({"name": 5})).await,
        json_post("/api/v1/teams", big).await,
        Api::send("POST text".into(), acme.request(Method::POST, "/api/v1/teams").body("{}")).await,
        Api::send("DELETE".into(), acme.request(Method::DELETE, "/api/v1/teams")).await,
        acme.get("/nope").await,
    ];
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 200, 201, 404, 400, 401, 401, 403, 422, 413, 415, 405, 404]);
    let mut ids = HashSet::new();
    for reply in &replies {
        for (name, value) in SECURITY_HEADERS {
            assert_eq!(reply.header(name), Some(value), "{}: {name}", reply.request);
        }
        let request_id = reply.header("x-request-id").unwrap_or_default();
        assert!(!request_id.is_empty(), "{} has no x-request-id", reply.request);
        assert!(ids.insert(request_id.to_owned()), "{} reused the request id {request_id}", reply.request);
    }
});

http_test!(a_request_id_sent_by_the_client_comes_back, |api: Api| async move {
    let reply =
        Api::send("GET /healthz".into(), api.request(Method::GET, "/healthz").header("x-request-id", "trace-42")).await;
    assert_eq!(reply.header("x-request-id"), Some("trace-42"));
    let reply =
        Api::send("GET /nope".into(), api.request(Method::GET, "/nope").header("x-request-id", "trace-43")).await;
    assert_eq!(reply.header("x-request-id"), Some("trace-43"));
});

http_test!(a_token_reads_its_own_workspace_and_no_other, |api: Api| async move {
    let acme = api.new_workspace("acme").await;
    let beta = api.new_workspace("beta").await;
    let read = acme.get("/api/v1/workspace").await.expect(200);
    assert_eq!(read["slug"], "acme");
    assert_eq!(read["name"], "Workspace acme");
    assert_eq!(read["version"], 1);
    assert_eq!(read["created_at"], crate::harness::NOW);
    assert!(read["id"].is_i64(), "{read}");
    let other = beta.get("/api/v1/workspace").await.expect(200);
    assert_eq!(other["slug"], "beta");
    assert_ne!(other["id"], read["id"]);
    // Every role reads its workspace; nothing else answers for workspaces over HTTP.
    for role in ["editor", "member", "viewer"] {
        assert_eq!(acme.as_role(role).await.get("/api/v1/workspace").await.expect(200), read, "{role}");
    }
    for (method, path) in [
        (Method::GET, "/api/v1/workspaces"),
        (Method::POST, "/api/v1/workspaces"),
        (Method::GET, "/api/v1/workspaces/acme"),
    ] {
        let request = acme.request(method.clone(), path).json(&json!({"slug": "gamma", "name": "Gamma"}));
        let reply = Api::send(format!("{method} {path}"), request).await;
        reply.problem(404, "not_found");
        assert_eq!(reply.detail(), format!("there is nothing at {path}"));
    }
    // The workspace is changed (PATCH, admins, with its version), never deleted over HTTP.
    let reply = Api::send("DELETE".into(), acme.request(Method::DELETE, "/api/v1/workspace")).await;
    reply.problem(405, "method_not_allowed");
    let reply = Api::send("PATCH".into(), acme.request(Method::PATCH, "/api/v1/workspace").json(&json!({}))).await;
    reply.problem(422, "invalid");
    // A new workspace is usable at once, and starts empty.
    assert_eq!(beta.get("/api/v1/teams").await.expect(200)["items"], json!([]));
});

http_test!(a_database_that_does_not_answer_gets_503_never_500, |api: Api| async move {
    let acme = api.new_workspace("acme").await;
    acme.team("support", None).await;
    acme.close_database().await;
    let health = api.get("/healthz").await;
    assert_eq!(health.expect(200), json!({"status": "ok"}), "the process itself is still up");
    let ready = api.get("/readyz").await;
    ready.problem(503, "unavailable");
    assert_eq!(ready.header("retry-after"), Some("1"), "a 503 says when to try again");
    for reply in [acme.get("/api/v1/teams").await, acme.post("/api/v1/teams", json!({"name": "Sales"})).await] {
        reply.problem(503, "unavailable");
        assert_eq!(reply.header("retry-after"), Some("1"), "{}: a 503 says when to try again", reply.request);
        assert!(!reply.text.to_lowercase().contains("pool"), "no internals reach the client: {}", reply.text);
    }
});
