//! People logging in: `POST /api/v1/session` checks an email and a password and sets a
//! session cookie (HttpOnly, Secure, SameSite=Lax, 14 days) that then stands for the
//! person on every operation; logging out, a password change, a password set by an
//! admin, archiving the person and time all end sessions. A wrong password, an unknown
//! email and an unknown workspace get one and the same 401; a burst of failures is
//! refused with 429 even for the right password; a browser's cross-site write with the
//! cookie is refused (a bearer token is not ambient, so it is not); and no event ever
//! holds a password or its hash. Two servers on one PostgreSQL share all of it.
//!
//! Argon2 makes each login cost tens of milliseconds, so the tests log in sparingly.

use crate::harness::{
    Api, BEARER_CHALLENGE, Org, Reply, SESSION_COOKIE, at_hours, id, password_of, two_servers_on_postgres,
};
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::{Value, json};

/// The one sentence every failed login gets.
const WRONG: &str = "the email or the password is wrong";

/// The cookie a login sets, attribute for attribute.
fn set_cookie(value: &str, max_age: u32) -> String {
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age}")
}

/// Sends `method path` as `api` does, with the extra `headers` and, when given, a JSON body.
async fn send_with(api: &Api, method: Method, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Reply {
    let mut builder = api.request(method.clone(), path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    Api::send(format!("{method} {path} with {headers:?}"), builder).await
}

/// Asserts a refusal for want of a working session (or token): 401 with the challenge.
#[track_caller]
fn ended(reply: &Reply) {
    reply.problem(401, "unauthenticated");
    assert_eq!(reply.header("www-authenticate"), Some(BEARER_CHALLENGE), "{}", reply.request);
}

/// Every event of the caller's workspace, oldest first.
async fn trail(admin: &Api) -> Vec<Value> {
    admin.walk("/api/v1/events", 500).await
}

/// An objective of `org`'s cycle owned by `owner`, with one key result from 0 to 10.
async fn objective_of(org: &Org, owner: i64) -> Value {
    org.api
        .objective(json!({"cycle_id": org.cycle, "title": format!("Objective of {owner}"), "owner_person_id": owner,
                          "key_results": [Org::increase("Grow from 0 to 10", 0.0, 10.0)]}))
        .await
}

http_test!(logging_in_sets_a_secure_cookie_that_stands_for_the_person, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    org.api.give_password(org.dana, &password_of("dana")).await;
    let login = api.log_in_reply("acme", "dana@example.com", &password_of("dana")).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let cookie = login.session_cookie().unwrap();
    assert!(
        cookie.len() == 67 && cookie.starts_with("ms_") && cookie[3..].chars().all(|c| c.is_ascii_hexdigit()),
        "the cookie should be ms_ and 64 hex digits: {cookie}"
    );
    assert_eq!(login.set_cookies(), [set_cookie(&cookie, 14 * 24 * 3600)], "one cookie, with every attribute");
    let session = login.body.clone();
    assert_eq!(session["workspace"], "acme");
    assert_eq!(session["person"]["id"], org.dana);
    assert_eq!(session["person"]["role"], "editor");
    assert_eq!(session["expires_at"], at_hours(14 * 24));
    for secret in [password_of("dana").as_str(), "$argon2", "password"] {
        assert!(!login.text.contains(secret), "the login answer holds {secret:?}: {}", login.text);
    }

    let dana = api.with_session(&cookie);
    assert_eq!(dana.get("/api/v1/session").await.expect(200), session);
    assert_eq!(dana.get("/api/v1/workspace").await.expect(200)["slug"], "acme");
    // Beside other cookies of the site, too.
    let builder = api
        .request(Method::GET, "/api/v1/session")
        .header("cookie", format!("theme=dark; {SESSION_COOKIE}={cookie}; lang=en"));
    assert_eq!(Api::send("GET /api/v1/session among cookies".to_owned(), builder).await.expect(200), session);

    // The email is matched without regard to case or the spaces around it; each
    // login is a session of its own.
    let again = api.log_in_reply("acme", " Dana@Example.COM ", &password_of("dana")).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_ne!(again.session_cookie().unwrap(), cookie);

    // Without a cookie there is no session, and a token is none.
    ended(&api.get("/api/v1/session").await);
    ended(&org.api.get("/api/v1/session").await);
});

http_test!(logging_out_clears_the_cookie_and_ends_that_session_only, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    org.api.give_password(org.dana, &password_of("dana")).await;
    let dana = org.log_in("dana").await;
    let elsewhere = org.log_in("dana").await;

    let logout = dana.delete("/api/v1/session").await;
    assert_eq!(logout.status, 204, "{}", logout.text);
    assert!(logout.text.is_empty(), "{}", logout.text);
    assert_eq!(logout.set_cookies(), [set_cookie("", 0)], "the cookie is cleared");
    ended(&dana.get("/api/v1/session").await);
    ended(&dana.get("/api/v1/workspace").await);
    ended(&dana.post("/api/v1/teams", json!({"name": "Sales"})).await);
    assert_eq!(elsewhere.get("/api/v1/session").await.expect(200)["person"]["id"], org.dana);

    // Logging out again, or with no session at all, is harmless.
    assert_eq!(dana.delete("/api/v1/session").await.status, 204);
    assert_eq!(api.delete("/api/v1/session").await.status, 204);
    assert_eq!(elsewhere.get("/api/v1/session").await.status, 200);

    // A made-up cookie, or a token sent as the cookie, is no session.
    ended(&api.with_session(&format!("ms_{}", "0".repeat(64))).get("/api/v1/workspace").await);
    ended(&api.with_session(org.api.token()).get("/api/v1/workspace").await);
    ended(&api.with_session("").get("/api/v1/workspace").await);
});

http_test!(a_wrong_password_an_unknown_email_and_an_unknown_workspace_get_the_same_401, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    org.api.give_password(org.dana, &password_of("dana")).await;
    // fay could log in, but has left.
    let fay = org.api.person("fay", Some(org.team), "member").await;
    org.api.give_password(id(&fay), &password_of("fay")).await;
    org.api.post(&format!("/api/v1/people/{}/archive", id(&fay)), json!({"version": fay["version"]})).await.expect(200);

    let wrong_password = api.log_in_reply("acme", "dana@example.com", "not the password of dana").await;
    wrong_password.problem(401, "unauthenticated");
    assert_eq!(wrong_password.detail(), WRONG);
    for reply in [
        api.log_in_reply("acme", "nobody@example.com", &password_of("dana")).await,
        api.log_in_reply("initech", "dana@example.com", &password_of("dana")).await,
        // eli has no password, and an archived person logs in no more.
        api.log_in_reply("acme", "eli@example.com", &password_of("eli")).await,
        api.log_in_reply("acme", "fay@example.com", &password_of("fay")).await,
    ] {
        assert_eq!(reply.status, 401, "{}: {}", reply.request, reply.text);
        assert_eq!(reply.text, wrong_password.text, "{}: the body tells something", reply.request);
        for header in ["content-type", "www-authenticate"] {
            assert_eq!(reply.header(header), wrong_password.header(header), "{}: {header}", reply.request);
        }
        assert!(reply.set_cookies().is_empty(), "{}: {:?}", reply.request, reply.set_cookies());
    }
    assert!(wrong_password.set_cookies().is_empty());
});

http_test!(failed_logins_lock_the_email_after_5_and_the_address_after_20_for_15_minutes, |api: Api| async move {
    let a = Org::new(&api, "acme").await;
    let b = Org::new(&api, "globex").await;
    a.api.give_password(a.dana, &password_of("dana")).await;
    a.api.give_password(a.eli, &password_of("eli")).await;
    b.api.give_password(b.dana, "the other dana's password").await;
    for attempt in 1..=5 {
        let reply = api.log_in_reply("acme", "dana@example.com", &format!("guess number {attempt}")).await;
        assert_eq!(reply.status, 401, "attempt {attempt}: {}", reply.text);
    }
    let locked = |reply: Reply| {
        reply.problem(429, "too_many_requests");
        assert_eq!(reply.header("retry-after"), Some("900"), "{}", reply.request);
        assert!(reply.set_cookies().is_empty(), "{}: {:?}", reply.request, reply.set_cookies());
    };
    // Even the right password, however the email is written.
    locked(api.log_in_reply("acme", "dana@example.com", &password_of("dana")).await);
    locked(api.log_in_reply("acme", " DANA@example.com", &password_of("dana")).await);
    // The lock is on the email of that workspace: B's dana and A's eli, from the same
    // address, log in.
    let theirs = api.log_in("globex", "dana@example.com", "the other dana's password").await;
    let session = theirs.get("/api/v1/session").await.expect(200);
    assert_eq!((&session["workspace"], &session["person"]["id"]), (&json!("globex"), &json!(b.dana)));
    a.log_in("eli").await;

    // Fifteen more failures from the address, at most four for any email, make twenty:
    // now the address is locked, for every email.
    for attempt in 0..15 {
        let email = format!("guess{}@example.com", attempt % 4);
        let reply = api.log_in_reply("acme", &email, "password123456").await;
        assert_eq!(reply.status, 401, "attempt {attempt}: {}", reply.text);
    }
    locked(api.log_in_reply("acme", "eli@example.com", &password_of("eli")).await);

    api.shift_clock(SignedDuration::from_mins(14));
    locked(api.log_in_reply("acme", "dana@example.com", &password_of("dana")).await);
    api.shift_clock(SignedDuration::from_mins(16));
    let dana = a.log_in("dana").await;
    assert_eq!(dana.get("/api/v1/session").await.expect(200)["person"]["id"], a.dana);
    a.log_in("eli").await;
});

http_test!(a_cross_site_write_or_login_is_refused_and_changes_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, session) = org.person_with_session("mo", Some(org.team), "member").await;
    let objective = objective_of(&org, mo).await;
    let path = format!("/api/v1/objectives/{}", id(&objective));
    let key_result = id(&objective["key_results"][0]);
    let check_ins = format!("/api/v1/key-results/{key_result}/check-ins");
    let events = trail(&org.api).await;

    for header in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
        ("origin", "null"),
    ] {
        let headers = [header];
        let writes = [
            (Method::PATCH, path.clone(), Some(json!({"version": 1, "title": "Hijacked"}))),
            (Method::POST, format!("{path}/archive"), Some(json!({"version": 1}))),
            (Method::POST, check_ins.clone(), Some(json!({"value": 10}))),
            (
                Method::POST,
                "/api/v1/session/password".to_owned(),
                Some(json!({"current_password": password_of("mo"), "new_password": "chosen by the attacker"})),
            ),
            (
                Method::POST,
                format!("/api/v1/people/{mo}/password"),
                Some(json!({"password": "chosen by the attacker"})),
            ),
            (Method::DELETE, "/api/v1/session".to_owned(), None),
        ];
        for (method, target, body) in writes {
            let reply = send_with(&session, method, &target, &headers, body).await;
            reply.problem(403, "forbidden");
            assert!(reply.set_cookies().is_empty(), "{}: {:?}", reply.request, reply.set_cookies());
        }
        // Reads change nothing, and a top-level navigation may carry the cookie.
        assert_eq!(send_with(&session, Method::GET, &path, &headers, None).await.expect(200)["version"], 1);
    }

    // Nor does a login from another site begin a session (login CSRF).
    let login = json!({"workspace": "acme", "email": "mo@example.com", "password": password_of("mo")});
    for header in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")] {
        let reply = send_with(&api, Method::POST, "/api/v1/session", &[header], Some(login.clone())).await;
        reply.problem(403, "forbidden");
        assert!(reply.set_cookies().is_empty(), "{}: {:?}", reply.request, reply.set_cookies());
    }

    let after = org.api.get(&path).await.expect(200);
    assert_eq!(
        (&after["version"], &after["title"], &after["archived"]),
        (&json!(1), &objective["title"], &json!(false))
    );
    assert_eq!(org.api.walk_ids(&check_ins, 100).await, Vec::<i64>::new());
    assert_eq!(trail(&org.api).await, events, "a refused write leaves no event");
    // Still logged in, with the same password, which logs in from this site.
    assert_eq!(session.get("/api/v1/session").await.expect(200)["person"]["id"], mo);
    let same_site = [("sec-fetch-site", "same-origin")];
    let reply = send_with(&api, Method::POST, "/api/v1/session", &same_site, Some(login)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.session_cookie().is_some(), "{:?}", reply.set_cookies());
});

http_test!(a_same_origin_write_with_the_cookie_is_allowed_and_names_the_person, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, session) = org.person_with_session("mo", Some(org.team), "member").await;
    let objective = objective_of(&org, mo).await;
    let path = format!("/api/v1/objectives/{}", id(&objective));
    // The Origin of a page of this server: scheme, host and port, as the Host header has them.
    let origin = api.url("");
    let start = trail(&org.api).await.len();

    let variants: [&[(&str, &str)]; 5] = [
        &[("sec-fetch-site", "same-origin")],
        &[("sec-fetch-site", "none")],
        &[("origin", origin.as_str())],
        &[("sec-fetch-site", "same-origin"), ("origin", origin.as_str())],
        // Neither header: not a browser, which carries no ambient cookie to abuse.
        &[],
    ];
    for (index, headers) in variants.iter().enumerate() {
        let version = index + 1;
        let body = json!({"version": version, "title": format!("Retitled {version}")});
        let changed = send_with(&session, Method::PATCH, &path, headers, Some(body)).await.expect(200);
        assert_eq!(changed["version"], version + 1);
    }
    let events = trail(&org.api).await;
    let added = &events[start..];
    assert_eq!(added.len(), variants.len(), "{added:?}");
    for event in added {
        assert_eq!((&event["actor_person_id"], &event["actor_token_id"]), (&json!(mo), &Value::Null), "{event}");
    }
});

http_test!(a_bearer_token_is_not_ambient_so_cross_site_headers_do_not_refuse_it, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, session) = org.person_with_session("mo", Some(org.team), "member").await;
    let cross_site: [&[(&str, &str)]; 2] = [&[("sec-fetch-site", "cross-site")], &[("origin", "https://evil.example")]];
    for (index, headers) in cross_site.iter().enumerate() {
        let body = json!({"name": format!("Sales {index}"), "parent_team_id": org.company});
        send_with(&org.api, Method::POST, "/api/v1/teams", headers, Some(body)).await.expect(201);
    }
    // With both a token and the cookie, the token is the caller, and the trail says so.
    let token = org.api.token_id(&org.api).await;
    let cookie = format!("{SESSION_COOKIE}={}", session.session());
    let headers = [("sec-fetch-site", "cross-site"), ("cookie", cookie.as_str())];
    let body = json!({"name": "Marketing", "parent_team_id": org.company});
    let team = send_with(&org.api, Method::POST, "/api/v1/teams", &headers, Some(body)).await.expect(201);
    let events = org.api.get("/api/v1/events?entity=team&limit=500").await.expect(200);
    let created = events["items"].as_array().unwrap().iter().find(|e| e["entity_id"] == team["id"]).unwrap().clone();
    assert_eq!((&created["actor_token_id"], &created["actor_person_id"]), (&json!(token), &Value::Null), "{created}");
    assert_ne!(created["actor_person_id"], json!(mo));
});

http_test!(changing_the_password_ends_the_other_sessions_but_not_this_one, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, here) = org.person_with_session("mo", Some(org.team), "member").await;
    let there = org.log_in("mo").await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    here.post("/api/v1/session/password", change("not my password at all", "a long new password"))
        .await
        .invalid_at(&["/current_password"]);
    here.post("/api/v1/session/password", change(&password_of("mo"), "too short")).await.invalid_at(&["/new_password"]);
    // Failed changes end nothing.
    assert_eq!(there.get("/api/v1/session").await.status, 200);

    let reply = here.post("/api/v1/session/password", change(&password_of("mo"), "a long new password")).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty(), "{}", reply.text);
    assert_eq!(here.get("/api/v1/session").await.expect(200)["person"]["id"], mo);
    ended(&there.get("/api/v1/session").await);
    ended(&there.get("/api/v1/workspace").await);

    api.log_in_reply("acme", "mo@example.com", &password_of("mo")).await.problem(401, "unauthenticated");
    api.log_in("acme", "mo@example.com", "a long new password").await;
    // A token has no password to change; nobody at all is not let in.
    let body = change("a long new password", "another new password");
    org.api.post("/api/v1/session/password", body.clone()).await.problem(403, "forbidden");
    ended(&api.post("/api/v1/session/password", body).await);
});

http_test!(a_password_set_for_a_person_ends_every_session_of_theirs, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, first) = org.person_with_session("mo", Some(org.team), "member").await;
    let second = org.log_in("mo").await;
    let (_, nia) = org.person_with_session("nia", Some(org.team), "member").await;
    let set = format!("/api/v1/people/{mo}/password");

    nia.post(&set, json!({"password": "nia's choice for mo"})).await.problem(403, "forbidden");
    org.api.post(&set, json!({"password": "too short"})).await.invalid_at(&["/password"]);
    assert_eq!(first.get("/api/v1/session").await.status, 200);

    org.api.give_password(mo, "set by the admin for mo").await;
    ended(&first.get("/api/v1/session").await);
    ended(&second.get("/api/v1/session").await);
    assert_eq!(nia.get("/api/v1/session").await.status, 200, "only that person's sessions end");
    api.log_in_reply("acme", "mo@example.com", &password_of("mo")).await.problem(401, "unauthenticated");

    // The person themselves may not: without the current password a stolen session could
    // take the account over. They change it with /api/v1/session/password instead.
    let third = api.log_in("acme", "mo@example.com", "set by the admin for mo").await;
    third.post(&set, json!({"password": "mo's very own choice"})).await.problem(403, "forbidden");
    assert_eq!(third.get("/api/v1/session").await.status, 200, "a refused change ends nothing");
    api.log_in("acme", "mo@example.com", "set by the admin for mo").await;
});

http_test!(an_archived_person_is_logged_out_and_cannot_log_in, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, session) = org.person_with_session("mo", Some(org.team), "member").await;
    let person = org.api.get(&format!("/api/v1/people/{mo}")).await.expect(200);
    org.api.post(&format!("/api/v1/people/{mo}/archive"), json!({"version": person["version"]})).await.expect(200);
    ended(&session.get("/api/v1/session").await);
    ended(&session.get("/api/v1/workspace").await);
    let again = api.log_in_reply("acme", "mo@example.com", &password_of("mo")).await;
    again.problem(401, "unauthenticated");
    assert_eq!(again.detail(), WRONG);
});

http_test!(a_session_ends_after_14_days, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    org.api.give_password(org.dana, &password_of("dana")).await;
    let dana = org.log_in("dana").await;
    let fortnight = SignedDuration::from_hours(14 * 24);

    api.shift_clock(fortnight - SignedDuration::from_secs(1));
    assert_eq!(dana.get("/api/v1/workspace").await.status, 200);
    api.shift_clock(fortnight);
    ended(&dana.get("/api/v1/session").await);
    ended(&dana.get("/api/v1/workspace").await);
    // Logging in again begins a fortnight anew.
    let login = api.log_in_reply("acme", "dana@example.com", &password_of("dana")).await.expect(200);
    assert_eq!(login["expires_at"], at_hours(28 * 24));
});

http_test!(password_events_hold_neither_the_password_nor_its_hash, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, session) = org.person_with_session("mo", Some(org.team), "member").await;
    let change = json!({"current_password": password_of("mo"), "new_password": "changed by mo himself"});
    session.post("/api/v1/session/password", change).await.expect(204);

    let events = trail(&org.api).await;
    let about_mo = |action: &str| {
        let found = events.iter().filter(|e| e["action"] == action && e["entity_id"] == mo).cloned();
        found.collect::<Vec<_>>()
    };
    let set = about_mo("set_password");
    assert_eq!(set.len(), 1, "{events:?}");
    let token = org.api.token_id(&org.api).await;
    assert_eq!((&set[0]["entity"], &set[0]["actor_token_id"]), (&json!("person"), &json!(token)), "{}", set[0]);
    let changed = about_mo("change_password");
    assert_eq!(changed.len(), 1, "{events:?}");
    assert_eq!((&changed[0]["actor_person_id"], &changed[0]["actor_token_id"]), (&json!(mo), &Value::Null));

    let text = serde_json::to_string(&events).unwrap();
    let people = org.api.get("/api/v1/people").await.text + &org.api.get(&format!("/api/v1/people/{mo}")).await.text;
    for secret in [password_of("mo").as_str(), "changed by mo himself", "$argon2", "password_hash"] {
        assert!(!text.contains(secret), "the trail holds {secret:?}: {text}");
        assert!(!people.contains(secret), "the people hold {secret:?}: {people}");
    }
});

http_test!(a_member_logged_in_changes_only_what_they_own, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, session) = org.person_with_session("mo", Some(org.team), "member").await;
    let mine = objective_of(&org, mo).await;
    let mine_path = format!("/api/v1/objectives/{}", id(&mine));
    // dana's objective, with a key result of mo's and one of hers.
    let theirs = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Dana's", "owner_person_id": org.dana, "key_results": [
            {"title": "Mo's part", "kind": "milestone", "owner_person_id": mo},
            {"title": "Dana's part", "kind": "milestone"},
        ]}))
        .await;
    let theirs_path = format!("/api/v1/objectives/{}", id(&theirs));
    let check_in = |key_result: &Value| format!("/api/v1/key-results/{}/check-ins", id(key_result));

    session.patch(&mine_path, json!({"version": 1, "title": "Mine, retitled"})).await.expect(200);
    session.patch(&theirs_path, json!({"version": 1, "title": "Taken"})).await.problem(403, "forbidden");
    // Neither taking someone's objective nor giving one's own away.
    session.patch(&theirs_path, json!({"version": 1, "owner_person_id": mo})).await.problem(403, "forbidden");
    session.patch(&mine_path, json!({"version": 2, "owner_person_id": org.dana})).await.problem(403, "forbidden");
    assert_eq!(org.api.get(&mine_path).await.expect(200)["owner_person_id"], mo);
    assert_eq!(org.api.get(&theirs_path).await.expect(200)["owner_person_id"], org.dana);

    // Check-ins: on a key result of my objective, on my key result of someone's, not on theirs.
    session.post(&check_in(&mine["key_results"][0]), json!({"value": 3})).await.expect(201);
    session.post(&check_in(&theirs["key_results"][0]), json!({"value": 1})).await.expect(201);
    session.post(&check_in(&theirs["key_results"][1]), json!({"value": 1})).await.problem(403, "forbidden");

    // Creations: what mo will own, and nothing else.
    let new = |owner: Value| json!({"cycle_id": org.cycle, "title": "New", "owner_person_id": owner});
    session.post("/api/v1/objectives", new(json!(mo))).await.expect(201);
    session.post("/api/v1/objectives", new(json!(org.dana))).await.problem(403, "forbidden");
    let team_owned = json!({"cycle_id": org.cycle, "title": "New", "owner_team_id": org.team});
    session.post("/api/v1/objectives", team_owned).await.problem(403, "forbidden");
    let key_result = json!({"title": "Ship it", "kind": "milestone"});
    session.post(&format!("{mine_path}/key-results"), key_result.clone()).await.expect(201);
    session.post(&format!("{theirs_path}/key-results"), key_result).await.problem(403, "forbidden");
    session.post("/api/v1/initiatives", json!({"title": "Mine", "owner_person_id": mo})).await.expect(201);
    session
        .post("/api/v1/initiatives", json!({"title": "Hers", "owner_person_id": org.dana}))
        .await
        .problem(403, "forbidden");
    // And nothing of the workspace's administration.
    session.post("/api/v1/teams", json!({"name": "Sales"})).await.problem(403, "forbidden");
    session.post("/api/v1/tokens", json!({"role": "admin"})).await.problem(403, "forbidden");
});

http_test!(a_session_acts_with_the_person_s_current_role, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, session) = org.person_with_session("mo", Some(org.team), "member").await;
    let mine = objective_of(&org, mo).await;
    let path = format!("/api/v1/objectives/{}", id(&mine));
    let person = format!("/api/v1/people/{mo}");

    org.api.patch(&person, json!({"version": 1, "role": "viewer"})).await.expect(200);
    assert_eq!(session.get("/api/v1/session").await.expect(200)["person"]["role"], "viewer");
    session.patch(&path, json!({"version": 1, "title": "Mine"})).await.problem(403, "forbidden");

    org.api.patch(&person, json!({"version": 2, "role": "admin"})).await.expect(200);
    session.patch(&path, json!({"version": 1, "title": "Mine"})).await.expect(200);
    session.post("/api/v1/teams", json!({"name": "Sales"})).await.expect(201);
});

http_test!(team_only_objectives_are_seen_by_the_sessions_of_their_team, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    // mo is in the platform team, eli (of the department above it) is not.
    let (_, mo) = org.person_with_session("mo", Some(org.team), "member").await;
    org.api.give_password(org.eli, &password_of("eli")).await;
    let eli = org.log_in("eli").await;
    let member_token = org.api.as_role("member").await;
    let team_only = org
        .api
        .objective(
            json!({"cycle_id": org.cycle, "title": "Platform's", "owner_team_id": org.team, "visibility": "team"}),
        )
        .await;
    // dana is in the platform team too: her team-only objective is her team's to see.
    let personal = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Dana's", "owner_person_id": org.dana, "visibility": "team"}))
        .await;

    for objective in [&team_only, &personal] {
        let path = format!("/api/v1/objectives/{}", id(objective));
        assert_eq!(mo.get(&path).await.expect(200)["id"], objective["id"]);
        eli.get(&path).await.problem(404, "not_found");
        member_token.get(&path).await.problem(404, "not_found");
    }
    let ids = [id(&team_only), id(&personal)];
    let seen = mo.walk_ids("/api/v1/objectives", 100).await;
    assert!(ids.iter().all(|i| seen.contains(i)), "{seen:?}");
    let seen = eli.walk_ids("/api/v1/objectives", 100).await;
    assert!(ids.iter().all(|i| !seen.contains(i)), "{seen:?}");
});

/// Two app servers on one PostgreSQL database, as behind a load balancer: a session
/// begun on one works on the other, ends on both, and failed logins count on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_share_sessions_and_failed_logins() {
    let Some((one, two)) = two_servers_on_postgres().await else { return };
    let org = Org::new(&one.api, "acme").await;
    org.api.give_password(org.dana, &password_of("dana")).await;
    org.api.give_password(org.eli, &password_of("eli")).await;
    let on_one = org.log_in("dana").await;
    let on_two = two.api.with_session(on_one.session());
    assert_ne!(on_one.url(""), on_two.url(""), "two servers");

    assert_eq!(on_two.get("/api/v1/session").await.expect(200)["person"]["id"], org.dana);
    let body = json!({"cycle_id": org.cycle, "title": "Made on two", "owner_person_id": org.dana});
    let made = on_two.post("/api/v1/objectives", body).await.expect(201);
    assert_eq!(on_one.get(&format!("/api/v1/objectives/{}", id(&made))).await.expect(200)["title"], "Made on two");

    assert_eq!(on_two.delete("/api/v1/session").await.status, 204);
    ended(&on_one.get("/api/v1/session").await);
    ended(&on_one.get("/api/v1/workspace").await);

    for attempt in 1..=5 {
        let reply = one.api.log_in_reply("acme", "eli@example.com", &format!("guess number {attempt}")).await;
        assert_eq!(reply.status, 401, "attempt {attempt}: {}", reply.text);
    }
    two.api.log_in_reply("acme", "eli@example.com", &password_of("eli")).await.problem(429, "too_many_requests");

    two.stop().await;
    one.stop().await;
}

http_test!(a_burst_of_parallel_guesses_cannot_slip_past_the_limit, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    org.api.give_password(org.dana, &password_of("dana")).await;
    let guesses: Vec<_> = (0..12)
        .map(|n| {
            let api = api.clone();
            tokio::spawn(async move {
                api.log_in_reply("acme", "dana@example.com", &format!("parallel guess {n}")).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    assert!(checked <= 5, "at most five passwords were tried: {statuses:?}");
});

http_test!(an_invitation_link_works_once_within_a_week, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let invited = org
        .api
        .post(
            "/api/v1/invitations",
            json!({"email": "Ivy@Example.com", "name": "Ivy Chen", "role": "editor", "team_id": org.team}),
        )
        .await
        .expect(201);
    let token = invited["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("mi_") && token.len() == 67, "{token}");
    assert_eq!(invited["link"], format!("/invitations/{token}"));
    assert_eq!(invited["person"]["email"], "ivy@example.com");
    // Invited, not yet able to log in.
    api.log_in_reply("acme", "ivy@example.com", "any password at all").await.problem(401, "unauthenticated");
    // The secret is not in the audit trail.
    let trail = org.api.get("/api/v1/events?entity=invitation").await.expect(200);
    assert!(!trail.to_string().contains(&token), "{trail}");

    let anonymous = api.without_token();
    let accept = |token: &str, password: &str| {
        anonymous.post("/api/v1/invitations/accept", json!({"token": token, "password": password}))
    };
    accept(&token, "short").await.invalid_at(&["/password"]);
    let accepted = accept(&token, "ivy's own password").await;
    let cookie = accepted.session_cookie().unwrap();
    let session = accepted.expect(200);
    assert_eq!((&session["workspace"], &session["person"]["role"]), (&json!("acme"), &json!("editor")));
    let ivy = api.with_session(&cookie);
    assert_eq!(ivy.get("/api/v1/session").await.expect(200)["person"]["email"], "ivy@example.com");
    api.log_in("acme", "ivy@example.com", "ivy's own password").await;

    // Once only, and the same answer as for a made-up invitation.
    let again = accept(&token, "another password here").await;
    let made_up = accept(&format!("mi_{}", "0".repeat(64)), "another password here").await;
    again.problem(401, "unauthenticated");
    assert_eq!(again.text, made_up.text);

    // A week, no more.
    let late =
        org.api.post("/api/v1/invitations", json!({"email": "late@example.com", "name": "Late"})).await.expect(201);
    api.shift_clock(SignedDuration::from_hours(24 * 7 + 1));
    accept(late["token"].as_str().unwrap(), "too late for this").await.problem(401, "unauthenticated");
    // Only admins invite.
    let editor = org.api.as_role("editor").await;
    editor.post("/api/v1/invitations", json!({"email": "x@example.com", "name": "X"})).await.problem(403, "forbidden");
});
