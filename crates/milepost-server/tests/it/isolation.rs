//! Workspaces are sealed from each other: another workspace's things are not found,
//! never listed, and a reference to one in a body is refused exactly as a reference to
//! a thing that does not exist, so a client cannot even learn that it exists.

use crate::harness::{Api, GHOST, Org, Reply, id};
use serde_json::{Value, json};

/// Two workspaces with the same furniture, and in each an objective with a key result,
/// a check-in and an initiative.
struct Two {
    a: Org,
    b: Org,
    objective: [i64; 2],
    key_result: [i64; 2],
    check_in: [i64; 2],
    initiative: [i64; 2],
}

async fn two(api: &Api) -> Two {
    let mut orgs = Vec::new();
    let (mut objective, mut key_result, mut check_in, mut initiative) = ([0; 2], [0; 2], [0; 2], [0; 2]);
    for (index, slug) in ["acme", "globex"].into_iter().enumerate() {
        let org = Org::new(api, slug).await;
        let created = org.team_objective("Grow", org.team, json!([Org::increase("Grow revenue", 1.0, 2.0)])).await;
        objective[index] = id(&created);
        key_result[index] = id(&created["key_results"][0]);
        check_in[index] = id(&org.api.check_in(key_result[index], json!({"value": 1.5})).await["check_in"]);
        let body = json!({"title": "Automate", "owner_person_id": org.dana, "key_result_ids": [key_result[index]]});
        initiative[index] = id(&org.api.post("/api/v1/initiatives", body).await.expect(201));
        orgs.push(org);
    }
    let b = orgs.pop().unwrap();
    let a = orgs.pop().unwrap();
    Two { a, b, objective, key_result, check_in, initiative }
}

/// Asserts that `real` (about a thing of the other workspace, `real_id`) is the very
/// answer `ghost` (about [`GHOST`], which exists nowhere) is, but for the id.
#[track_caller]
fn same_as_missing(real: &Reply, ghost: &Reply, real_id: i64) {
    assert!(real.status >= 400, "{} was accepted: {}", real.request, real.text);
    assert_eq!(real.status, ghost.status, "{}: {} vs {}", real.request, real.text, ghost.text);
    assert_eq!(real.header("content-type"), ghost.header("content-type"), "{}", real.request);
    assert_eq!(real.text, ghost.text.replace(&GHOST.to_string(), &real_id.to_string()), "{}", real.request);
}

http_test!(things_of_another_workspace_are_not_found, |api: Api| async move {
    let Two { a, b, objective, key_result, check_in, initiative } = two(&api).await;
    let things = [
        ("/api/v1/teams", a.team, json!({"name": "Stolen"})),
        ("/api/v1/people", a.dana, json!({"name": "Stolen"})),
        ("/api/v1/cycles", a.cycle, json!({"name": "Stolen"})),
        ("/api/v1/objectives", objective[0], json!({"title": "Stolen"})),
        ("/api/v1/key-results", key_result[0], json!({"title": "Stolen"})),
        ("/api/v1/initiatives", initiative[0], json!({"title": "Stolen"})),
    ];
    for (collection, thing, change) in things {
        let path = format!("{collection}/{thing}");
        let ghost_path = format!("{collection}/{GHOST}");
        let original = a.api.get(&path).await.expect(200);
        let mut change = change;
        change["version"] = original["version"].clone();

        let read = b.api.get(&path).await;
        read.problem(404, "not_found");
        same_as_missing(&read, &b.api.get(&ghost_path).await, thing);
        let patch = b.api.patch(&path, change.clone()).await;
        same_as_missing(&patch, &b.api.patch(&ghost_path, change.clone()).await, thing);
        patch.problem(404, "not_found");
        for action in ["archive", "restore"] {
            let body = json!({"version": original["version"]});
            let reply = b.api.post(&format!("{path}/{action}"), body.clone()).await;
            reply.problem(404, "not_found");
            same_as_missing(&reply, &b.api.post(&format!("{ghost_path}/{action}"), body).await, thing);
        }
        assert_eq!(a.api.get(&path).await.expect(200), original, "{path} is untouched");
    }

    let check_ins = format!("/api/v1/key-results/{}/check-ins", key_result[0]);
    let ghost_check_ins = format!("/api/v1/key-results/{GHOST}/check-ins");
    let reply = b.api.post(&check_ins, json!({"value": 2})).await;
    reply.problem(404, "not_found");
    same_as_missing(&reply, &b.api.post(&ghost_check_ins, json!({"value": 2})).await, key_result[0]);
    let reply = b.api.get(&check_ins).await;
    reply.problem(404, "not_found");
    same_as_missing(&reply, &b.api.get(&ghost_check_ins).await, key_result[0]);
    let reply = b.api.get(&format!("/api/v1/check-ins/{}", check_in[0])).await;
    reply.problem(404, "not_found");
    same_as_missing(&reply, &b.api.get(&format!("/api/v1/check-ins/{GHOST}")).await, check_in[0]);
    let new = Org::increase("Grow more", 1.0, 2.0);
    let reply = b.api.post(&format!("/api/v1/objectives/{}/key-results", objective[0]), new.clone()).await;
    reply.problem(404, "not_found");
    same_as_missing(&reply, &b.api.post(&format!("/api/v1/objectives/{GHOST}/key-results"), new).await, objective[0]);
    assert_eq!(a.api.walk(&check_ins, 100).await.len(), 1, "A's key result has its one check-in");
    assert_eq!(
        a.api.get(&format!("/api/v1/objectives/{}", objective[0])).await.expect(200)["key_results"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // B's lists hold exactly B's things, filters naming A's things find nothing.
    let lists = [
        ("/api/v1/teams", vec![b.company, b.department, b.team]),
        ("/api/v1/people", vec![b.dana, b.eli]),
        ("/api/v1/cycles", vec![b.cycle]),
        ("/api/v1/objectives", vec![objective[1]]),
        ("/api/v1/key-results", vec![key_result[1]]),
        ("/api/v1/initiatives", vec![initiative[1]]),
        (&*format!("/api/v1/key-results/{}/check-ins", key_result[1]), vec![check_in[1]]),
    ];
    for (list, expected) in lists {
        let separator = if list.contains('?') { '&' } else { '?' };
        assert_eq!(b.api.walk_ids(&format!("{list}{separator}include_archived=true"), 500).await, expected, "{list}");
    }
    for filter in [
        format!("/api/v1/objectives?cycle_id={}", a.cycle),
        format!("/api/v1/objectives?team_id={}", a.team),
        format!("/api/v1/objectives?parent_objective_id={}", objective[0]),
        format!("/api/v1/key-results?objective_id={}", objective[0]),
        format!("/api/v1/key-results?cycle_id={}", a.cycle),
        format!("/api/v1/key-results?owner_person_id={}", a.dana),
        format!("/api/v1/people?team_id={}", a.team),
        format!("/api/v1/teams?parent_team_id={}", a.company),
        format!("/api/v1/initiatives?key_result_id={}", key_result[0]),
        format!("/api/v1/initiatives?owner_person_id={}", a.dana),
    ] {
        assert_eq!(b.api.get(&filter).await.expect(200)["items"], json!([]), "{filter}");
    }
});

http_test!(a_reference_to_another_workspace_is_refused_like_a_missing_one, |api: Api| async move {
    let Two { a, b, objective, key_result, initiative, .. } = two(&api).await;
    let b_objective = api_get(&b.api, &format!("/api/v1/objectives/{}", objective[1])).await;
    let b_person = api_get(&b.api, &format!("/api/v1/people/{}", b.eli)).await;
    let b_initiative = api_get(&b.api, &format!("/api/v1/initiatives/{}", initiative[1])).await;
    let b_team = api_get(&b.api, &format!("/api/v1/teams/{}", b.team)).await;
    // An objective body valid in B, with `extra` fields laid over it.
    let objective_in_b = |extra: Value| {
        let mut body = json!({"cycle_id": b.cycle, "title": "Grow", "owner_team_id": b.team});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    // (method, path, a body with "REF" where the reference goes, the id of A's thing to put there)
    let cases: Vec<(&str, String, Value, i64)> = vec![
        ("POST", "/api/v1/people".into(), json!({"name": "Zoe", "email": "zoe@example.com", "team_id": "REF"}), a.team),
        ("POST", "/api/v1/teams".into(), json!({"name": "Sub", "parent_team_id": "REF"}), a.team),
        ("POST", "/api/v1/objectives".into(), objective_in_b(json!({"cycle_id": "REF"})), a.cycle),
        ("POST", "/api/v1/objectives".into(), objective_in_b(json!({"owner_team_id": "REF"})), a.team),
        (
            "POST",
            "/api/v1/objectives".into(),
            json!({"cycle_id": b.cycle, "title": "Grow", "owner_person_id": "REF"}),
            a.dana,
        ),
        ("POST", "/api/v1/objectives".into(), objective_in_b(json!({"parent_objective_id": "REF"})), objective[0]),
        ("POST", "/api/v1/objectives".into(), objective_in_b(json!({"parent_key_result_id": "REF"})), key_result[0]),
        (
            "POST",
            "/api/v1/objectives".into(),
            objective_in_b(json!({"key_results": [{"title": "Ship", "kind": "milestone", "owner_person_id": "REF"}]})),
            a.dana,
        ),
        (
            "POST",
            format!("/api/v1/objectives/{}/key-results", objective[1]),
            json!({"title": "Ship", "kind": "milestone", "owner_person_id": "REF"}),
            a.dana,
        ),
        (
            "POST",
            format!("/api/v1/key-results/{}/check-ins", key_result[1]),
            json!({"value": 1.8, "author_person_id": "REF"}),
            a.dana,
        ),
        ("POST", "/api/v1/initiatives".into(), json!({"title": "Automate", "owner_person_id": "REF"}), a.dana),
        ("POST", "/api/v1/initiatives".into(), json!({"title": "Automate", "key_result_ids": ["REF"]}), key_result[0]),
        (
            "PATCH",
            format!("/api/v1/people/{}", b.eli),
            json!({"version": b_person["version"], "team_id": "REF"}),
            a.team,
        ),
        (
            "PATCH",
            format!("/api/v1/teams/{}", b.team),
            json!({"version": b_team["version"], "parent_team_id": "REF"}),
            a.company,
        ),
        (
            "PATCH",
            format!("/api/v1/objectives/{}", objective[1]),
            json!({"version": b_objective["version"], "parent_objective_id": "REF"}),
            objective[0],
        ),
        (
            "PATCH",
            format!("/api/v1/objectives/{}", objective[1]),
            json!({"version": b_objective["version"], "owner_person_id": "REF"}),
            a.dana,
        ),
        (
            "PATCH",
            format!("/api/v1/initiatives/{}", initiative[1]),
            json!({"version": b_initiative["version"], "key_result_ids": ["REF"]}),
            key_result[0],
        ),
        (
            "PATCH",
            format!("/api/v1/key-results/{}", key_result[1]),
            json!({"version": 2, "owner_person_id": "REF"}),
            a.dana,
        ),
    ];
    for (method, path, body, reference) in cases {
        let with = |value: i64| {
            serde_json::from_str::<Value>(&body.to_string().replace("\"REF\"", &value.to_string())).unwrap()
        };
        let send = |body: Value| {
            let api = b.api.clone();
            let path = path.clone();
            async move { if method == "POST" { api.post(&path, body).await } else { api.patch(&path, body).await } }
        };
        let real = send(with(reference)).await;
        let ghost = send(with(GHOST)).await;
        assert_eq!(real.status, 422, "{method} {path} {body}: {}", real.text);
        assert_eq!(real.body["code"], "invalid");
        same_as_missing(&real, &ghost, reference);
    }
    // Nothing of that reached B.
    assert_eq!(b.api.walk_ids("/api/v1/objectives?include_archived=true", 100).await, [objective[1]]);
    assert_eq!(b.api.walk_ids("/api/v1/teams?include_archived=true", 100).await, [b.company, b.department, b.team]);
    assert_eq!(b.api.walk_ids("/api/v1/people?include_archived=true", 100).await, [b.dana, b.eli]);
    assert_eq!(b.api.walk_ids("/api/v1/initiatives?include_archived=true", 100).await, [initiative[1]]);
    assert_eq!(api_get(&b.api, &format!("/api/v1/objectives/{}", objective[1])).await, b_objective);
    assert_eq!(b.api.walk(&format!("/api/v1/key-results/{}/check-ins", key_result[1]), 100).await.len(), 1);
});

/// Reads `path`, which must exist.
async fn api_get(api: &Api, path: &str) -> Value {
    api.get(path).await.expect(200)
}
