//! Comments on objectives, key results and check-ins: written, listed, changed within
//! the edit window by their author only, deleted by their author or an admin (the text
//! kept in the audit trail), Markdown rendered with no HTML of the commenter's own,
//! `@handle` mentions checked against who may see the objective, and every route a 404
//! for a thing the caller may not see.

use crate::harness::{Api, GHOST, Org, id, password_of};
use jiff::SignedDuration;
use serde_json::{Value, json};

/// A team-only objective of the platform team (with a key result and a check-in), and an
/// objective for everyone (with a key result and a check-in).
struct Things {
    org: Org,
    hidden: i64,
    hidden_key_result: i64,
    hidden_check_in: i64,
    open: i64,
    open_key_result: i64,
    open_check_in: i64,
}

async fn things(api: &Api) -> Things {
    let org = Org::new(api, "acme").await;
    let admin = org.api.clone();
    let hidden = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Fix the pager", "owner_team_id": org.team,
                          "visibility": "team", "key_results": [Org::increase("Cut pages from 10 to 0", 0.0, 10.0)]}))
        .await;
    let hidden_key_result = id(&hidden["key_results"][0]);
    let hidden_check_in = id(&admin.check_in(hidden_key_result, json!({"value": 3})).await["check_in"]);
    let open = org.team_objective("Ship faster", org.team, json!([Org::increase("Deploy daily", 0.0, 5.0)])).await;
    let open_key_result = id(&open["key_results"][0]);
    let open_check_in = id(&admin.check_in(open_key_result, json!({"value": 1})).await["check_in"]);
    Things {
        hidden: id(&hidden),
        hidden_key_result,
        hidden_check_in,
        open: id(&open),
        open_key_result,
        open_check_in,
        org,
    }
}

/// A client logged in as `handle` (dana or eli of the [`Org`]), given a password first.
pub async fn session(org: &Org, handle: &str) -> Api {
    let person = if handle == "dana" { org.dana } else { org.eli };
    org.api.give_password(person, &password_of(handle)).await;
    org.log_in(handle).await
}

fn threads(t: &Things, hidden: bool) -> [String; 3] {
    let (o, k, c) = if hidden {
        (t.hidden, t.hidden_key_result, t.hidden_check_in)
    } else {
        (t.open, t.open_key_result, t.open_check_in)
    };
    [
        format!("/api/v1/objectives/{o}/comments"),
        format!("/api/v1/key-results/{k}/comments"),
        format!("/api/v1/check-ins/{c}/comments"),
    ]
}

http_test!(comments_are_written_listed_and_answered_on_each_kind_of_thing, |api: Api| async move {
    let t = things(&api).await;
    let dana = session(&t.org, "dana").await;
    for thread in threads(&t, false) {
        let reply = dana.post(&thread, json!({"body": "Looks **good**"})).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let location = reply.header("location").unwrap().to_owned();
        let first = reply.body.clone();
        assert_eq!(first["html"], "<p>Looks <strong>good</strong></p>\n");
        assert_eq!(first["author_handle"], "dana");
        assert_eq!(first["deleted"], false);
        assert_eq!(dana.get(&location).await.expect(200), first);
        let answer = t.org.api.post(&thread, json!({"body": "Thanks", "reply_to": id(&first)})).await.expect(201);
        assert_eq!(answer["reply_to"], id(&first));
        // One level of replies: a reply to a reply is refused at reply_to.
        t.org.api.post(&thread, json!({"body": "Deeper", "reply_to": id(&answer)})).await.invalid_at(&["/reply_to"]);
        let listed = dana.walk(&thread, 1).await;
        assert_eq!(listed.iter().map(id).collect::<Vec<_>>(), [id(&first), id(&answer)]);
    }
    // A reply must answer a comment on the same thing.
    let [objective, key_result, _] = threads(&t, false);
    let on_objective = dana.walk(&objective, 50).await;
    dana.post(&key_result, json!({"body": "x", "reply_to": id(&on_objective[0])})).await.invalid_at(&["/reply_to"]);
    // Bad bodies: empty, too long, unknown fields, each a clear 4xx that writes nothing.
    dana.post(&objective, json!({"body": "   "})).await.invalid_at(&["/body"]);
    dana.post(&objective, json!({"body": "x".repeat(10_001)})).await.invalid_at(&["/body"]);
    assert_eq!(dana.post(&objective, json!({"body": "x", "colour": "red"})).await.status, 422);
    assert_eq!(dana.walk(&objective, 50).await.len(), 2);
    // A viewer reads but does not write.
    let viewer = t.org.api.as_role("viewer").await;
    assert_eq!(viewer.walk(&objective, 50).await.len(), 2);
    viewer.post(&objective, json!({"body": "hi"})).await.problem(403, "forbidden");
});

http_test!(markdown_is_rendered_without_any_html_of_the_commenter, |api: Api| async move {
    let t = things(&api).await;
    let [thread, _, _] = threads(&t, false);
    let hostile = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div><p onclick=\"alert(1)\">*nested* <b>markup</b></p></div>",
        "![x](https://tracker.example/p.png)",
        "<javascript:alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<iframe src=//evil.example></iframe>",
    ];
    for body in hostile {
        let comment = t.org.api.post(&thread, json!({"body": body})).await.expect(201);
        let html = comment["html"].as_str().unwrap();
        // Text that only looks like markup is harmless: what must not be there is a tag.
        for bad in ["<script", "<img", "<a href=\"javascript", "<div", "<iframe", "<p onclick", "href=\"data:"] {
            assert!(!html.contains(bad), "{body} rendered as {html}");
        }
        // Every link that is one leads to the web or to mail.
        for (at, _) in html.match_indices("<a href=\"") {
            let target = &html[at + 9..];
            assert!(["http://", "https://", "mailto:"].iter().any(|s| target.starts_with(s)), "{body}: {html}");
        }
        // The text as written is kept, for its author to change.
        assert_eq!(comment["body"], body);
    }
    let link = t.org.api.post(&thread, json!({"body": "[docs](https://example.com/a?b=1&c=2)"})).await.expect(201);
    assert_eq!(link["html"], "<p><a href=\"https://example.com/a?b=1&amp;c=2\">docs</a></p>\n");
});

http_test!(mentions_need_a_person_who_can_see_the_objective, |api: Api| async move {
    let t = things(&api).await;
    let admin = t.org.api.clone();
    let [hidden, _, _] = threads(&t, true);
    let [open, _, _] = threads(&t, false);
    // eli is in the department, not the platform team: the hidden objective is not theirs to see.
    let refused = admin.post(&hidden, json!({"body": "@dana and @eli, look"})).await;
    refused.invalid_at(&["/body"]);
    assert!(refused.text.contains("@eli"), "{}", refused.text);
    assert!(!refused.text.contains("@dana"), "{}", refused.text);
    let unknown = admin.post(&open, json!({"body": "cc @nobody-here"})).await;
    unknown.invalid_at(&["/body"]);
    assert!(unknown.text.contains("@nobody-here"), "{}", unknown.text);
    assert!(admin.walk(&hidden, 50).await.is_empty() && admin.walk(&open, 50).await.is_empty());
    // An email address is no mention; @dana may see the hidden objective.
    let ok = admin.post(&hidden, json!({"body": "@dana mail ops@example.com"})).await.expect(201);
    assert_eq!(ok["mentions"], json!(["dana"]));
    let both = admin.post(&open, json!({"body": "@Dana @eli"})).await.expect(201);
    assert_eq!(both["mentions"], json!(["dana", "eli"]));
    // Each mention is in the audit trail, in the comment's transaction.
    let events = admin.walk("/api/v1/events", 500).await;
    let mentions: Vec<&Value> = events.iter().filter(|e| e["action"] == "mention").collect();
    assert_eq!(mentions.len(), 3, "{mentions:?}");
});

http_test!(an_author_edits_within_the_window_and_deletes_leaving_the_text_in_the_audit_trail, |api: Api| async move {
    let t = things(&api).await;
    let admin = t.org.api.clone();
    let dana = session(&t.org, "dana").await;
    let [thread, _, _] = threads(&t, false);
    let comment = dana.post(&thread, json!({"body": "First draft"})).await.expect(201);
    let path = format!("/api/v1/comments/{}", id(&comment));
    // Someone else, even an admin, does not change it.
    admin.patch(&path, json!({"version": 1, "body": "Hijack"})).await.problem(403, "forbidden");
    dana.patch(&path, json!({"version": 1, "body": ""})).await.invalid_at(&["/body"]);
    let changed = dana.patch(&path, json!({"version": 1, "body": "Second draft"})).await.expect(200);
    assert_eq!((changed["body"].as_str(), changed["version"].as_i64()), (Some("Second draft"), Some(2)));
    dana.patch(&path, json!({"version": 1, "body": "Stale"})).await.problem(409, "stale_version");
    // Fifteen minutes on, the window is closed.
    admin.shift_clock(SignedDuration::from_mins(16));
    dana.patch(&path, json!({"version": 2, "body": "Too late"})).await.problem(409, "edit_window_closed");
    admin.shift_clock(SignedDuration::ZERO);
    // Another member may not delete it; its author may.
    let eli = session(&t.org, "eli").await;
    eli.delete(&format!("{path}?version=2")).await.problem(403, "forbidden");
    assert_eq!(dana.delete(&path).await.status, 400);
    dana.delete(&format!("{path}?version=2")).await.expect(204);
    let deleted = admin.get(&path).await.expect(200);
    assert_eq!(
        (deleted["deleted"].as_bool(), deleted["body"].as_str(), deleted["html"].as_str()),
        (Some(true), Some(""), Some(""))
    );
    let listed = admin.walk(&thread, 50).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["body"], "");
    assert!(!admin.get(&path).await.text.contains("Second draft"));
    dana.delete(&format!("{path}?version=3")).await.problem(409, "deleted");
    // The trail keeps what it said.
    let events = admin.walk("/api/v1/events", 500).await;
    let delete = events.iter().find(|e| e["action"] == "delete" && e["entity"] == "comment").unwrap();
    assert_eq!(delete["before"]["body"], "Second draft");
    assert_eq!(delete["after"]["body"], "");
    // An admin deletes anyone's comment.
    let other = dana.post(&thread, json!({"body": "Another"})).await.expect(201);
    admin.delete(&format!("/api/v1/comments/{}?version=1", id(&other))).await.expect(204);
});

http_test!(comments_on_a_hidden_objective_do_not_exist_outside_its_team, |api: Api| async move {
    let t = things(&api).await;
    let admin = t.org.api.clone();
    let mut hidden_comments = Vec::new();
    for thread in threads(&t, true) {
        hidden_comments.push(id(&admin.post(&thread, json!({"body": "secret plan"})).await.expect(201)));
    }
    let eli = session(&t.org, "eli").await;
    let member = admin.as_role("member").await;
    for caller in [&eli, &member] {
        for (thread, ghost) in threads(&t, true).iter().zip([
            format!("/api/v1/objectives/{GHOST}/comments"),
            format!("/api/v1/key-results/{GHOST}/comments"),
            format!("/api/v1/check-ins/{GHOST}/comments"),
        ]) {
            let real = caller.get(thread).await;
            real.problem(404, "not_found");
            caller.get(&ghost).await.problem(404, "not_found");
            assert!(!real.text.contains("secret"));
            caller.post(thread, json!({"body": "peek"})).await.problem(404, "not_found");
        }
        for comment in &hidden_comments {
            let path = format!("/api/v1/comments/{comment}");
            let reply = caller.get(&path).await;
            reply.problem(404, "not_found");
            assert!(!reply.text.contains("secret"));
            caller.patch(&path, json!({"version": 1, "body": "x"})).await.problem(404, "not_found");
            caller.delete(&format!("{path}?version=1")).await.problem(404, "not_found");
        }
    }
    // Its team sees them.
    let dana = session(&t.org, "dana").await;
    for thread in threads(&t, true) {
        assert_eq!(dana.walk(&thread, 50).await.len(), 1);
    }
    for comment in &hidden_comments {
        admin.get(&format!("/api/v1/comments/{comment}")).await.expect(200);
    }
    // Another workspace sees nothing either.
    let other = Org::new(&api, "globex").await;
    other.api.get(&format!("/api/v1/comments/{}", hidden_comments[0])).await.problem(404, "not_found");
});
