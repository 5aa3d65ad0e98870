//! Objectives visible to their team only: to a caller outside the team (and API tokens
//! belong to no team) such an objective, its key results and their check-ins do not
//! exist — 404 exactly as for an id that exists nowhere, never 403, and absent from
//! every list — while an admin sees them like any other.

use crate::harness::{Api, GHOST, Org, Reply, id};
use serde_json::{Value, json};

/// Asserts that `real`, about the hidden thing `real_id`, is the very answer `ghost`
/// (about [`GHOST`]) is, but for the id: a 404 that tells nothing.
#[track_caller]
fn as_if_missing(real: &Reply, ghost: &Reply, real_id: i64) {
    real.problem(404, "not_found");
    assert_eq!(real.text, ghost.text.replace(&GHOST.to_string(), &real_id.to_string()), "{}", real.request);
}

/// Workspace A with a team-only objective of its platform team (with a key result and
/// a check-in), a team-only objective of the person dana, and one for everyone.
struct Hidden {
    org: Org,
    team_only: i64,
    key_result: i64,
    check_in: i64,
    personal: i64,
    personal_key_result: i64,
    open: i64,
    open_key_result: i64,
}

async fn hidden(api: &Api) -> Hidden {
    let org = Org::new(api, "acme").await;
    let admin = org.api.clone();
    let objective = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Fix the pager", "owner_team_id": org.team,
                          "visibility": "team", "key_results": [Org::increase("Cut pages from 10 to 0", 0.0, 10.0)]}))
        .await;
    assert_eq!(objective["visibility"], "team");
    let key_result = id(&objective["key_results"][0]);
    let check_in = id(&admin.check_in(key_result, json!({"value": 3})).await["check_in"]);
    let personal = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Grow as a lead", "owner_person_id": org.dana,
                          "visibility": "team", "key_results": [{"title": "Run 5 retros", "kind": "milestone"}]}))
        .await;
    let open = org.team_objective("Ship faster", org.team, json!([Org::increase("Deploy daily", 0.0, 5.0)])).await;
    Hidden {
        team_only: id(&objective),
        key_result,
        check_in,
        personal: id(&personal),
        personal_key_result: id(&personal["key_results"][0]),
        open: id(&open),
        open_key_result: id(&open["key_results"][0]),
        org,
    }
}

http_test!(a_team_only_objective_does_not_exist_for_tokens_outside_its_team, |api: Api| async move {
    let h = hidden(&api).await;
    let admin = h.org.api.clone();
    let before = admin.get(&format!("/api/v1/objectives/{}", h.team_only)).await.expect(200);
    for role in ["editor", "member", "viewer"] {
        let caller = admin.as_role(role).await;
        for (objective, key_result) in [(h.team_only, h.key_result), (h.personal, h.personal_key_result)] {
            let reads = [
                (format!("/api/v1/objectives/{objective}"), format!("/api/v1/objectives/{GHOST}"), objective),
                (format!("/api/v1/key-results/{key_result}"), format!("/api/v1/key-results/{GHOST}"), key_result),
                (
                    format!("/api/v1/key-results/{key_result}/check-ins"),
                    format!("/api/v1/key-results/{GHOST}/check-ins"),
                    key_result,
                ),
            ];
            for (path, ghost, real_id) in reads {
                as_if_missing(&caller.get(&path).await, &caller.get(&ghost).await, real_id);
            }
        }
        let check_in = caller.get(&format!("/api/v1/check-ins/{}", h.check_in)).await;
        as_if_missing(&check_in, &caller.get(&format!("/api/v1/check-ins/{GHOST}")).await, h.check_in);

        // Absent from every list, however it is asked for.
        let org = &h.org;
        for list in [
            "/api/v1/objectives?include_archived=true".to_owned(),
            format!("/api/v1/objectives?cycle_id={}", org.cycle),
            format!("/api/v1/objectives?team_id={}", org.team),
            format!("/api/v1/objectives?owner_person_id={}", org.dana),
        ] {
            let ids = caller.walk_ids(&list, 500).await;
            assert!(!ids.contains(&h.team_only) && !ids.contains(&h.personal), "{role}: {list} lists {ids:?}");
        }
        // Pages skip what is hidden: the first page of one is the open objective, not an empty one.
        for limit in [1, 2, 500] {
            assert_eq!(caller.walk_ids("/api/v1/objectives", limit).await, [h.open], "{role}, {limit} a page");
            let key_results = caller.walk_ids("/api/v1/key-results?include_archived=true", limit).await;
            assert_eq!(key_results, [h.open_key_result], "{role}, {limit} a page");
        }
        for list in [
            format!("/api/v1/key-results?objective_id={}", h.team_only),
            format!("/api/v1/key-results?team_id={}", org.team),
            format!("/api/v1/key-results?owner_person_id={}", org.dana),
        ] {
            let ids = caller.walk_ids(&list, 500).await;
            assert!(!ids.contains(&h.key_result) && !ids.contains(&h.personal_key_result), "{role}: {list}: {ids:?}");
        }
        assert_eq!(caller.get("/api/v1/objectives?limit=1").await.expect(200)["items"][0]["id"], h.open);
    }
    assert_eq!(admin.get(&format!("/api/v1/objectives/{}", h.team_only)).await.expect(200), before);
});

http_test!(an_editor_cannot_change_what_it_cannot_see, |api: Api| async move {
    let h = hidden(&api).await;
    let admin = h.org.api.clone();
    let editor = admin.as_role("editor").await;
    let objective = format!("/api/v1/objectives/{}", h.team_only);
    let key_result = format!("/api/v1/key-results/{}", h.key_result);
    let before = (admin.get(&objective).await.expect(200), admin.get(&key_result).await.expect(200));
    let events = admin.walk("/api/v1/events", 500).await;
    let kr_version = before.1["version"].clone();
    let writes: [(&str, String, String, Value, i64); 6] = [
        (
            "PATCH",
            objective.clone(),
            format!("/api/v1/objectives/{GHOST}"),
            json!({"version": 1, "title": "Seen"}),
            h.team_only,
        ),
        (
            "POST",
            format!("{objective}/archive"),
            format!("/api/v1/objectives/{GHOST}/archive"),
            json!({"version": 1}),
            h.team_only,
        ),
        (
            "POST",
            format!("{objective}/key-results"),
            format!("/api/v1/objectives/{GHOST}/key-results"),
            json!({"title": "Sneak in", "kind": "milestone"}),
            h.team_only,
        ),
        (
            "PATCH",
            key_result.clone(),
            format!("/api/v1/key-results/{GHOST}"),
            json!({"version": kr_version, "title": "Seen"}),
            h.key_result,
        ),
        (
            "POST",
            format!("{key_result}/archive"),
            format!("/api/v1/key-results/{GHOST}/archive"),
            json!({"version": kr_version}),
            h.key_result,
        ),
        (
            "POST",
            format!("{key_result}/check-ins"),
            format!("/api/v1/key-results/{GHOST}/check-ins"),
            json!({"value": 9}),
            h.key_result,
        ),
    ];
    for (method, path, ghost, body, real_id) in writes {
        let send = |path: String| {
            let (editor, body) = (editor.clone(), body.clone());
            async move { if method == "POST" { editor.post(&path, body).await } else { editor.patch(&path, body).await } }
        };
        as_if_missing(&send(path).await, &send(ghost).await, real_id);
    }
    let after = (admin.get(&objective).await.expect(200), admin.get(&key_result).await.expect(200));
    assert_eq!(after, before, "nothing changed");
    assert_eq!(admin.walk("/api/v1/events", 500).await, events, "nothing was recorded");
    // The same editor changes the open objective as usual.
    let open = format!("/api/v1/objectives/{}", h.open);
    editor.patch(&open, json!({"version": 1, "title": "Ship much faster"})).await.expect(200);
});

http_test!(an_admin_sees_team_only_objectives_like_any_other, |api: Api| async move {
    let h = hidden(&api).await;
    for admin in [h.org.api.clone(), h.org.api.as_role("admin").await] {
        let objective = admin.get(&format!("/api/v1/objectives/{}", h.team_only)).await.expect(200);
        assert_eq!(objective["visibility"], "team");
        assert_eq!(objective["key_results"][0]["id"], h.key_result);
        admin.get(&format!("/api/v1/key-results/{}", h.key_result)).await.expect(200);
        admin.get(&format!("/api/v1/check-ins/{}", h.check_in)).await.expect(200);
        let check_ins = admin.walk_ids(&format!("/api/v1/key-results/{}/check-ins", h.key_result), 10).await;
        assert_eq!(check_ins, [h.check_in]);
        assert_eq!(admin.walk_ids("/api/v1/objectives", 2).await, [h.team_only, h.personal, h.open]);
        let key_results = admin.walk_ids("/api/v1/key-results", 2).await;
        assert_eq!(key_results, [h.key_result, h.personal_key_result, h.open_key_result]);
    }
    // Opened to the workspace, it is seen by every token.
    let admin = h.org.api.clone();
    let viewer = admin.as_role("viewer").await;
    let path = format!("/api/v1/objectives/{}", h.team_only);
    admin.patch(&path, json!({"version": 1, "visibility": "workspace"})).await.expect(200);
    assert_eq!(viewer.get(&path).await.expect(200)["visibility"], "workspace");
    assert!(viewer.walk_ids("/api/v1/key-results", 10).await.contains(&h.key_result));
});

http_test!(a_team_only_objective_cannot_be_found_by_referring_to_it, |api: Api| async move {
    let h = hidden(&api).await;
    let admin = h.org.api.clone();
    let initiative = admin
        .post(
            "/api/v1/initiatives",
            json!({"title": "Pager rota", "key_result_ids": [h.key_result, h.open_key_result]}),
        )
        .await
        .expect(201);
    let editor = admin.as_role("editor").await;
    let refer = |body: Value| editor.post("/api/v1/objectives", body);
    let base = json!({"cycle_id": h.org.cycle, "title": "Align", "owner_team_id": h.org.team});
    let with = |key: &str, value: i64| {
        let mut body = base.clone();
        body[key] = json!(value);
        body
    };
    // Aligning to a hidden objective or key result answers as for one that exists nowhere.
    for (key, hidden_id) in [("parent_objective_id", h.team_only), ("parent_key_result_id", h.key_result)] {
        let real = refer(with(key, hidden_id)).await;
        let ghost = refer(with(key, GHOST)).await;
        real.problem(422, "invalid");
        assert_eq!(real.text, ghost.text.replace(&GHOST.to_string(), &hidden_id.to_string()), "{key}");
    }
    // Linking an initiative to a hidden key result, likewise.
    let linked = editor.post("/api/v1/initiatives", json!({"title": "Sneak", "key_result_ids": [h.key_result]})).await;
    linked.problem(422, "invalid");
    // Filters that name hidden things find nothing, and hidden links are not shown.
    let by_key_result = editor.get(&format!("/api/v1/initiatives?key_result_id={}", h.key_result)).await.expect(200);
    assert_eq!(by_key_result["items"], json!([]));
    let children = editor.get(&format!("/api/v1/objectives?parent_objective_id={}", h.team_only)).await.expect(200);
    assert_eq!(children["items"], json!([]));
    let seen = editor.get(&format!("/api/v1/initiatives/{}", id(&initiative))).await.expect(200);
    assert_eq!(seen["key_result_ids"], json!([h.open_key_result]), "only the visible link");
    let all = admin.get(&format!("/api/v1/initiatives/{}", id(&initiative))).await.expect(200);
    assert_eq!(all["key_result_ids"], json!([h.key_result, h.open_key_result]), "an admin sees both");
    // An editor can still change the initiative without losing the link it cannot see.
    let version = seen["version"].clone();
    editor
        .patch(&format!("/api/v1/initiatives/{}", id(&initiative)), json!({"version": version, "status": "active"}))
        .await
        .expect(200);
    let after = admin.get(&format!("/api/v1/initiatives/{}", id(&initiative))).await.expect(200);
    assert_eq!(after["key_result_ids"], json!([h.key_result, h.open_key_result]));
});
