//! Bad input gets a clear answer that says what is wrong and where, never a 500, and
//! never changes anything: problem documents with `errors[]` naming each `pointer`
//! into the body, `parameter` or `header`, all the problems of a request at once; and
//! a request without valid credentials gets 401 with a `WWW-Authenticate` challenge.

use crate::harness::{Api, BEARER_CHALLENGE, GHOST, Org, at_hours, id};
use reqwest::Method;
use serde_json::{Value, json};

/// How many items a list has, archived ones included.
async fn count(api: &Api, path: &str) -> usize {
    let separator = if path.contains('?') { '&' } else { '?' };
    api.walk(&format!("{path}{separator}include_archived=true"), 500).await.len()
}

http_test!(a_request_without_a_valid_token_is_refused_with_401_and_a_challenge, |api: Api| async move {
    let acme = api.new_workspace("acme").await;
    let anonymous = api.without_token();
    let real = acme.token().to_owned();
    let unknown = format!("mp_{}", "0".repeat(64));
    // (what is sent as the Authorization header, or none)
    let headers: Vec<Option<String>> = vec![
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some(format!("Basic {real}")),
        Some(format!("Token {real}")),
        Some(real.clone()),
        Some(format!("Bearer {unknown}")),
        Some(format!("Bearer {}", real.trim_start_matches("mp_"))),
        Some(format!("Bearer {}", real.to_uppercase())),
        Some(format!("Bearer {real}x")),
        Some(format!("Bearer {}", &real[..real.len() - 1])),
    ];
    for header in headers {
        for method in [Method::GET, Method::POST] {
            let mut request = anonymous.request(method.clone(), "/api/v1/teams").json(&json!({"name": "Support"}));
            if let Some(value) = &header {
                request = request.header("authorization", value);
            }
            let reply = Api::send(format!("{method} /api/v1/teams with {header:?}"), request).await;
            reply.problem(401, "unauthenticated");
            assert_eq!(reply.header("www-authenticate"), Some(BEARER_CHALLENGE), "{}", reply.request);
            assert!(!reply.text.contains(&real), "{}: the answer never echoes a token", reply.request);
            if header.is_none() {
                assert!(reply.detail().contains("Authorization: Bearer"), "{}", reply.text);
            }
        }
    }
    // The scheme is case-insensitive (RFC 9110); the token itself is not.
    let request = anonymous.request(Method::GET, "/api/v1/teams").header("authorization", format!("bearer {real}"));
    Api::send("GET with bearer".into(), request).await.expect(200);
    assert_eq!(count(&acme, "/api/v1/teams").await, 0, "nothing was created anywhere");
});

http_test!(a_body_that_is_not_the_right_json_gets_422_pointing_at_the_field, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let json = Some("application/json");

    let malformed = api.post_raw("/api/v1/teams", json, r#"{"name": "#).await;
    malformed.problem(422, "invalid");
    assert!(malformed.detail().starts_with("the body is not valid JSON"), "{}", malformed.text);
    let trailing = api.post_raw("/api/v1/teams", json, r#"{"name": "Support"} {"#).await;
    trailing.problem(422, "invalid");
    assert!(trailing.detail().starts_with("the body is not valid JSON"), "{}", trailing.text);
    api.post_raw("/api/v1/teams", json, "").await.problem(422, "invalid");
    api.post_raw("/api/v1/teams", json, "[1, 2]").await.problem(422, "invalid");

    let wrong_type = api.post("/api/v1/objectives", json!({"cycle_id": org.cycle, "title": 5})).await;
    wrong_type.invalid_at(&["/title"]);
    assert!(wrong_type.detail().contains("expected a string"), "{}", wrong_type.text);
    let unknown = api.post("/api/v1/teams", json!({"name": "Support", "colour": "red"})).await;
    unknown.invalid_at(&["/colour"]);
    assert!(unknown.detail().contains("unknown field `colour`"), "{}", unknown.text);
    let missing = api.post("/api/v1/teams", json!({"slug": "support"})).await;
    missing.invalid_at(&[""]);
    assert!(missing.detail().contains("missing field `name`"), "{}", missing.text);
    let nested = api
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team, "key_results": [
                Org::increase("Grow revenue", 1.0, 2.0),
                {"title": "Grow users", "kind": "increase", "start": "ten", "target": 20},
            ]}),
        )
        .await;
    nested.invalid_at(&["/key_results/1/start"]);
    let variant = api
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team,
                   "key_results": [{"title": "Grow", "kind": "sideways"}]}),
        )
        .await;
    variant.invalid_at(&["/key_results/0/kind"]);
    assert!(variant.detail().contains("sideways"), "{}", variant.text);

    assert_eq!(count(&api, "/api/v1/teams").await, 3, "only the Org's teams");
    assert_eq!(count(&api, "/api/v1/objectives").await, 0);
});

http_test!(a_body_that_is_not_json_gets_415, |api: Api| async move {
    let api = api.new_workspace("acme").await;
    let body = r#"{"name": "Support"}"#;
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("application/jsonx")]
    {
        let reply = api.post_raw("/api/v1/teams", content_type, body).await;
        reply.problem(415, "unsupported_media_type");
        assert!(reply.detail().contains("Content-Type: application/json"), "{}", reply.text);
    }
    assert_eq!(count(&api, "/api/v1/teams").await, 0);
    // Parameters and case do not matter.
    api.post_raw("/api/v1/teams", Some("Application/JSON; charset=utf-8"), body).await.expect(201);
});

http_test!(a_body_over_one_mebibyte_gets_413, |api: Api| async move {
    let api = api.new_workspace("acme").await;
    let limit = milepost_server::BODY_LIMIT;
    let padded = |size: usize| {
        let frame = r#"{"name": ""}"#.len();
        format!(r#"{{"name": "{}"}}"#, "a".repeat(size - frame))
    };
    let at_limit = padded(limit);
    assert_eq!(at_limit.len(), limit);
    // Exactly at the limit the body is read (and then refused for its overlong name).
    let reply = api.post_raw("/api/v1/teams", Some("application/json"), at_limit).await;
    reply.invalid_at(&["/name"]);
    let over = api.post_raw("/api/v1/teams", Some("application/json"), padded(limit + 1)).await;
    over.problem(413, "too_large");
    assert_eq!(count(&api, "/api/v1/teams").await, 0);
});

http_test!(bad_ids_and_list_parameters_get_400_naming_the_parameter, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    for path in [
        "/api/v1/teams/abc",
        "/api/v1/teams/0",
        "/api/v1/teams/-1",
        "/api/v1/teams/1.5",
        "/api/v1/teams/99999999999999999999",
        "/api/v1/objectives/abc",
        "/api/v1/key-results/abc/check-ins",
        "/api/v1/check-ins/x",
    ] {
        let reply = api.get(path).await;
        reply.bad_parameter("id");
        assert!(reply.detail().contains("is not an id"), "{}", reply.text);
    }
    api.patch("/api/v1/teams/abc", json!({"version": 1})).await.bad_parameter("id");
    api.post("/api/v1/objectives/abc/key-results", json!({})).await.bad_parameter("id");

    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("after=abc", "after"),
        ("after=0", "after"),
        ("after=-5", "after"),
        ("include_archived=maybe", "include_archived"),
        ("colour=red", "colour"),
    ] {
        let reply = api.get(&format!("/api/v1/teams?{query}")).await;
        reply.bad_parameter(parameter);
    }
    api.get("/api/v1/objectives?status=nope").await.bad_parameter("status");
    api.get("/api/v1/objectives?cycle_id=q4").await.bad_parameter("cycle_id");
    api.get("/api/v1/key-results?limit=0").await.bad_parameter("limit");
    api.get(&format!("/api/v1/key-results/{GHOST}/check-ins?after=abc")).await.bad_parameter("after");
    api.get("/api/v1/people?role=boss").await.bad_parameter("role");

    // Both problems of one request, together.
    let both = api.get("/api/v1/cycles?limit=0&after=abc").await;
    both.problem(400, "bad_request");
    assert_eq!(both.locations("parameter"), ["limit", "after"]);
    assert_eq!(both.detail(), "the request has 2 problems");

    // The edges of the range are fine.
    for query in ["limit=1", "limit=500", "after=1", "after="] {
        api.get(&format!("/api/v1/teams?{query}")).await.expect(200);
    }
});

http_test!(key_results_that_cannot_be_measured_are_refused_with_pointers, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let create = |key_result: Value| {
        let api = api.clone();
        let body =
            json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team, "key_results": [key_result]});
        async move { api.post("/api/v1/objectives", body).await }
    };
    let equal = create(Org::increase("Grow revenue from 5 to 5", 5.0, 5.0)).await;
    equal.invalid_at(&["/key_results/0/target"]);
    assert!(equal.detail().contains("start and target are both 5"), "{}", equal.text);
    let backwards = create(Org::increase("Grow revenue from 5 to 4", 5.0, 4.0)).await;
    backwards.invalid_at(&["/key_results/0/target"]);
    assert!(backwards.detail().contains("target above its start"), "{}", backwards.text);
    let cases = [
        (json!({"title": "Cut costs", "kind": "decrease", "start": 5, "target": 6}), "/key_results/0/target"),
        (json!({"title": "Grow", "kind": "increase", "target": 6}), "/key_results/0/start"),
        (json!({"title": "Grow", "kind": "increase", "start": 1}), "/key_results/0/target"),
        (json!({"title": "Grow", "kind": "increase", "start": 1, "target": 2, "delta": 1}), "/key_results/0/target"),
        (json!({"title": "Hold", "kind": "maintain"}), "/key_results/0/target"),
        (json!({"title": "Band", "kind": "range", "range": [3, 2]}), "/key_results/0/range"),
        (json!({"title": "Band", "kind": "range"}), "/key_results/0/range"),
        (json!({"title": "Grow", "kind": "increase", "start": 1, "target": 2, "weight": 0}), "/key_results/0/weight"),
        (json!({"title": "  ", "kind": "milestone"}), "/key_results/0/title"),
        (json!({"title": "Ship", "kind": "milestone", "owner_person_id": GHOST}), "/key_results/0/owner_person_id"),
        (json!({"title": "Ship", "kind": "milestone", "kpi_id": GHOST}), "/key_results/0/kpi_id"),
        (
            json!({"title": "Hold", "kind": "maintain", "target": 1, "target_schedule": [{"date": "2026-11-01", "value": 1}]}),
            "/key_results/0/target_schedule",
        ),
        (
            json!({"title": "Grow", "kind": "increase", "start": 1, "target": 2,
                   "target_schedule": [{"date": "2027-02-01", "value": 1.5}]}),
            "/key_results/0/target_schedule",
        ),
    ];
    for (key_result, pointer) in cases {
        let reply = create(key_result.clone()).await;
        assert_eq!(reply.status, 422, "{key_result}: {}", reply.text);
        reply.invalid_at(&[pointer]);
    }

    // Relative targets follow from the start; the stored target is absolute.
    let relative = create(json!({"title": "Grow 20%", "kind": "increase", "start": 50, "relative_change": 0.2})).await;
    let relative = relative.expect(201);
    let kr = &relative["key_results"][0];
    assert!((kr["target"].as_f64().unwrap() - 60.0).abs() < 1e-9, "{kr}");
    assert_eq!(kr["relative_change"], 0.2);

    // Added alone to an objective, the pointer is into that body.
    let objective = id(&relative);
    let path = format!("/api/v1/objectives/{objective}/key-results");
    api.post(&path, Org::increase("Flat", 3.0, 3.0)).await.invalid_at(&["/target"]);
    api.post(&path, json!({"title": "Grow", "kind": "increase", "start": 1, "target": 2, "weight": -1}))
        .await
        .invalid_at(&["/weight"]);
    api.post(&format!("/api/v1/objectives/{GHOST}/key-results"), Org::increase("Grow", 1.0, 2.0))
        .await
        .problem(404, "not_found");
    assert_eq!(count(&api, "/api/v1/key-results").await, 1);
});

http_test!(every_problem_of_a_request_is_reported_at_once, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let reply = api
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": org.cycle, "title": "", "key_results": [
                {"title": "a", "kind": "increase", "start": 5, "target": 5},
                {"title": "b", "kind": "increase", "start": 5, "target": 4},
                {"title": "", "kind": "decrease", "start": 5, "target": 6, "weight": 0},
            ]}),
        )
        .await;
    reply.invalid_at(&[
        "/title",
        "/owner_person_id",
        "/key_results/0/target",
        "/key_results/1/target",
        "/key_results/2/title",
        "/key_results/2/weight",
        "/key_results/2/target",
    ]);
    assert_eq!(reply.detail(), "the request has 7 problems");

    let both_owners = api
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team, "owner_person_id": org.dana}),
        )
        .await;
    both_owners.invalid_at(&["/owner_team_id"]);
    let person = api.post("/api/v1/people", json!({"name": "", "email": "not an email", "team_id": GHOST})).await;
    person.invalid_at(&["/name", "/email", "/team_id"]);
    let cycle = api
        .post("/api/v1/cycles", json!({"name": "Backwards", "start_date": "2026-12-31", "end_date": "2026-10-01"}))
        .await;
    cycle.invalid_at(&["/end_date"]);
    let cycle =
        api.post("/api/v1/cycles", json!({"name": "Odd", "start_date": "2026-13-01", "end_date": "soon"})).await;
    cycle.invalid_at(&["/start_date", "/end_date"]);
    let initiative = api
        .post(
            "/api/v1/initiatives",
            json!({"title": "", "link": "ftp://x", "due_date": "tomorrow", "key_result_ids": [GHOST, GHOST]}),
        )
        .await;
    initiative.invalid_at(&["/title", "/link", "/key_result_ids/0", "/key_result_ids/1", "/due_date"]);
    assert_eq!(count(&api, "/api/v1/objectives").await, 0);
    assert_eq!(count(&api, "/api/v1/people").await, 2);
    assert_eq!(count(&api, "/api/v1/cycles").await, 1);
    assert_eq!(count(&api, "/api/v1/initiatives").await, 0);
});

http_test!(nothing_is_written_when_any_part_of_a_request_is_invalid, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let reply = api
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team, "key_results": [
                Org::increase("Grow revenue from 1 to 2", 1.0, 2.0),
                Org::increase("Grow users from 10 to 20", 10.0, 20.0),
                Org::increase("Grow margin from 3 to 3", 3.0, 3.0),
            ]}),
        )
        .await;
    reply.invalid_at(&["/key_results/2/target"]);
    assert_eq!(count(&api, "/api/v1/objectives").await, 0, "no objective");
    assert_eq!(count(&api, "/api/v1/key-results").await, 0, "and none of its valid key results");

    // The same for a key result added alone, a check-in, a change and an archive.
    let objective = org.team_objective("Grow", org.team, json!([Org::increase("Grow revenue", 1.0, 2.0)])).await;
    let objective_path = format!("/api/v1/objectives/{}", id(&objective));
    let key_result = id(&objective["key_results"][0]);
    let key_result_path = format!("/api/v1/key-results/{key_result}");
    let before = (api.get(&objective_path).await.expect(200), api.get(&key_result_path).await.expect(200));
    api.post(&format!("{objective_path}/key-results"), Org::increase("Flat", 1.0, 1.0)).await.invalid_at(&["/target"]);
    api.post(&format!("{key_result_path}/check-ins"), json!({"value": 2, "confidence": 11}))
        .await
        .invalid_at(&["/confidence"]);
    api.patch(&objective_path, json!({"version": 1, "title": "Grow more", "owner_team_id": GHOST}))
        .await
        .invalid_at(&["/owner_team_id"]);
    api.patch(&key_result_path, json!({"version": 1, "title": "Grow", "weight": 0})).await.invalid_at(&["/weight"]);
    api.post(&format!("{key_result_path}/archive"), json!({"version": "one"})).await.invalid_at(&["/version"]);
    let after = (api.get(&objective_path).await.expect(200), api.get(&key_result_path).await.expect(200));
    assert_eq!(before, after);
    assert_eq!(count(&api, &format!("{key_result_path}/check-ins")).await, 0);
    assert_eq!(count(&api, "/api/v1/key-results").await, 1);
});

http_test!(check_ins_that_cannot_be_true_are_refused, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective = org
        .team_objective(
            "Ship",
            org.team,
            json!([Org::increase("Grow revenue", 1.0, 2.0), {"title": "Launch the app", "kind": "milestone"}]),
        )
        .await;
    let (revenue, launch) = (id(&objective["key_results"][0]), id(&objective["key_results"][1]));
    let check_in = |key_result: i64, body: Value| {
        let api = api.clone();
        async move { api.post(&format!("/api/v1/key-results/{key_result}/check-ins"), body).await }
    };
    let cases = [
        (revenue, json!({"value": 1.5, "confidence": 11}), vec!["/confidence"]),
        (revenue, json!({"value": 1.5, "confidence": -1}), vec!["/confidence"]),
        (revenue, json!({"value": 1.5, "checked_in_at": at_hours(1)}), vec!["/checked_in_at"]),
        (revenue, json!({"value": 1.5, "checked_in_at": "yesterday"}), vec!["/checked_in_at"]),
        (revenue, json!({"value": "ten"}), vec!["/value"]),
        (revenue, json!({"confidence": 5}), vec![""]),
        (revenue, json!({"value": 1.5, "author_person_id": GHOST}), vec!["/author_person_id"]),
        (revenue, json!({"value": 1.5, "note": "n".repeat(10_001)}), vec!["/note"]),
        (
            revenue,
            json!({"value": 1.5, "confidence": 12, "checked_in_at": at_hours(24)}),
            vec!["/confidence", "/checked_in_at"],
        ),
        (launch, json!({"value": 2}), vec!["/value"]),
        (launch, json!({"value": -0.5}), vec!["/value"]),
    ];
    for (key_result, body, pointers) in cases {
        let reply = check_in(key_result, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        reply.invalid_at(&pointers);
    }
    let future = check_in(revenue, json!({"value": 1.5, "checked_in_at": at_hours(1)})).await;
    assert!(future.detail().contains("in the future"), "{}", future.text);
    check_in(GHOST, json!({"value": 1})).await.problem(404, "not_found");
    for key_result in [revenue, launch] {
        let kr = api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
        assert_eq!(kr["version"], 1, "no refused check-in touched the key result");
        assert_eq!(kr["current"], Value::Null);
        assert_eq!(count(&api, &format!("/api/v1/key-results/{key_result}/check-ins")).await, 0);
    }
    // The edges are fine: confidence 0 and 10, half a milestone, a clock a little behind ours.
    check_in(revenue, json!({"value": 1.5, "confidence": 0})).await.expect(201);
    check_in(revenue, json!({"value": 1.5, "confidence": 10})).await.expect(201);
    let half = check_in(launch, json!({"value": 0.5})).await.expect(201);
    assert_eq!(half["key_result"]["progress"], 0.5);
    let skewed = json!({"value": 1.6, "checked_in_at": "2026-11-16T00:04:00Z"});
    check_in(revenue, skewed).await.expect(201);
});

http_test!(a_closed_cycle_is_graded_and_takes_no_more_check_ins_or_key_results, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective =
        org.team_objective("Grow", org.team, json!([Org::increase("Grow revenue from 0 to 10", 0.0, 10.0)])).await;
    let key_result = id(&objective["key_results"][0]);
    api.check_in(key_result, json!({"value": 5})).await;
    let cycle = api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    let closed = api
        .patch(&format!("/api/v1/cycles/{}", org.cycle), json!({"version": cycle["version"], "status": "closed"}))
        .await
        .expect(200);
    assert_eq!(closed["status"], "closed");

    let refused = api.post(&format!("/api/v1/key-results/{key_result}/check-ins"), json!({"value": 9})).await;
    refused.problem(409, "cycle_closed");
    assert!(refused.detail().contains("2026-q4"), "{}", refused.text);
    let late = api
        .post("/api/v1/objectives", json!({"cycle_id": org.cycle, "title": "Too late", "owner_team_id": org.team}))
        .await;
    late.invalid_at(&["/cycle_id"]);

    // Graded: progress 0.5 scores 0.5, yellow; a committed objective needed 1.0.
    let kr = api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    assert_eq!(kr["current"], 5.0, "the refused check-in changed nothing");
    assert_eq!(kr["score"], json!({"value": 0.5, "colour": "yellow", "frozen": true}));
    let objective_path = format!("/api/v1/objectives/{}", id(&objective));
    let graded = api.get(&objective_path).await.expect(200);
    assert_eq!(graded["score"], json!({"value": 0.5, "colour": "yellow", "succeeded": false, "frozen": true}));
    assert_eq!(count(&api, &format!("/api/v1/key-results/{key_result}/check-ins")).await, 1);

    // A key result added after the close would change the grade: refused like a check-in.
    let added =
        api.post(&format!("{objective_path}/key-results"), Org::increase("Grow more from 0 to 1", 0.0, 1.0)).await;
    added.problem(409, "cycle_closed");
    assert_eq!(api.get(&objective_path).await.expect(200), graded);
    assert_eq!(count(&api, "/api/v1/key-results").await, 1);
});

http_test!(a_taken_slug_handle_or_email_is_a_409_duplicate, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let cases = [
        ("/api/v1/teams", json!({"slug": "platform", "name": "Another platform"}), "/slug"),
        ("/api/v1/people", json!({"handle": "dana", "name": "Dana Two", "email": "dana2@example.com"}), "/handle"),
        ("/api/v1/people", json!({"handle": "dana2", "name": "Dana Two", "email": "DANA@example.com"}), "/email"),
        (
            "/api/v1/cycles",
            json!({"slug": "2026-q4", "name": "Q4", "start_date": "2026-10-01", "end_date": "2026-12-31"}),
            "/slug",
        ),
    ];
    for (path, body, pointer) in cases {
        let reply = api.post(path, body).await;
        reply.problem(409, "duplicate");
        assert_eq!(reply.pointers(), [pointer], "{path}: {}", reply.text);
    }
    assert_eq!(count(&api, "/api/v1/teams").await, 3);
    assert_eq!(count(&api, "/api/v1/people").await, 2);
    assert_eq!(count(&api, "/api/v1/cycles").await, 1);
    // Renaming onto a taken slug is refused too.
    let team = api.get(&format!("/api/v1/teams/{}", org.team)).await.expect(200);
    let reply =
        api.patch(&format!("/api/v1/teams/{}", org.team), json!({"version": team["version"], "slug": "company"})).await;
    reply.problem(409, "duplicate");
    assert_eq!(api.get(&format!("/api/v1/teams/{}", org.team)).await.expect(200), team);
    // Slugs are per workspace.
    let other = api.new_workspace("globex").await;
    other.team("platform", None).await;
});

http_test!(moving_the_goalposts_after_the_cycle_began_needs_a_reason, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective =
        org.team_objective("Grow", org.team, json!([Org::increase("Grow revenue from 0 to 10", 0.0, 10.0)])).await;
    let path = format!("/api/v1/key-results/{}", id(&objective["key_results"][0]));
    for body in [
        json!({"version": 1, "target": 20}),
        json!({"version": 1, "start": 2}),
        json!({"version": 1, "target": 20, "reason": "   "}),
        json!({"version": 1, "delta": 5}),
    ] {
        let reply = api.patch(&path, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        reply.invalid_at(&["/reason"]);
        assert!(reply.detail().contains("reason"), "{}", reply.text);
    }
    assert_eq!(api.get(&path).await.expect(200)["version"], 1);

    let moved = api.patch(&path, json!({"version": 1, "target": 20, "reason": "The board raised the bar"})).await;
    let moved = moved.expect(200);
    assert_eq!(moved["target"], 20.0);
    assert_eq!(moved["version"], 2);
    // Changes that do not move the goalposts need no reason.
    let renamed = api.patch(&path, json!({"version": 2, "title": "Grow revenue from 0 to 20", "target": 20})).await;
    assert_eq!(renamed.expect(200)["title"], "Grow revenue from 0 to 20");

    // Before a cycle begins, goals move freely.
    let planning = id(&api.cycle("2027-q1", "2027-01-01", "2027-03-31", "planning").await);
    let future = api
        .objective(json!({"cycle_id": planning, "title": "Plan", "owner_team_id": org.team,
                          "key_results": [Org::increase("Grow from 0 to 10", 0.0, 10.0)]}))
        .await;
    assert_eq!(future["added_after_start"], false);
    let path = format!("/api/v1/key-results/{}", id(&future["key_results"][0]));
    let moved = api.patch(&path, json!({"version": 1, "target": 30})).await.expect(200);
    assert_eq!(moved["target"], 30.0);
    assert_eq!(moved["status"], "not_started");
});

http_test!(a_person_is_the_author_of_what_they_write_through_any_door, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let (ada, session) = org.person_with_session("ada", Some(org.team), "admin").await;
    let objective =
        org.team_objective("Grow", org.team, json!([Org::increase("Grow revenue from 0 to 10", 0.0, 10.0)])).await;
    let key_result = id(&objective["key_results"][0]);

    // A check-in through the JSON API with a session cookie names the person logged in.
    let path = format!("/api/v1/key-results/{key_result}/check-ins");
    let made = session.post(&path, json!({"value": 3, "confidence": 6})).await.expect(201);
    assert_eq!(made["check_in"]["author_person_id"], ada, "{made}");
    let stored = admin.get(&format!("/api/v1/check-ins/{}", id(&made["check_in"]))).await.expect(200);
    assert_eq!(stored["author_person_id"], ada);
    // Naming somebody else is refused, and nothing is written.
    let reply = session.post(&path, json!({"value": 4, "author_person_id": org.dana})).await;
    reply.invalid_at(&["/author_person_id"]);
    assert_eq!(admin.walk_ids(&path, 100).await.len(), 1);
    // A machine token acts for nobody, and may say whom it reports for.
    let by_token = admin.post(&path, json!({"value": 4})).await.expect(201);
    assert_eq!(by_token["check_in"]["author_person_id"], Value::Null);
    let for_dana = admin.post(&path, json!({"value": 5, "author_person_id": org.dana})).await.expect(201);
    assert_eq!(for_dana["check_in"]["author_person_id"], org.dana);

    // Moving a goal after the cycle began records who moved it, when and why.
    let kr_path = format!("/api/v1/key-results/{key_result}");
    let version = admin.get(&kr_path).await.expect(200)["version"].clone();
    session
        .patch(&kr_path, json!({"version": version, "target": 20, "reason": "The board raised the bar"}))
        .await
        .expect(200);
    let changes = session.get(&format!("{kr_path}/goal-changes")).await.expect(200);
    let changes = changes.as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["field"], "target");
    assert_eq!(changes[0]["old_value"], 10.0);
    assert_eq!(changes[0]["new_value"], 20.0);
    assert_eq!(changes[0]["reason"], "The board raised the bar");
    assert_eq!(changes[0]["author_person_id"], ada);
    // Another workspace's key result reads as missing.
    let other = api.new_workspace("globex").await;
    other.get(&format!("{kr_path}/goal-changes")).await.problem(404, "not_found");
});
