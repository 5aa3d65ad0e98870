//! The web app's forms, posted as a browser without JavaScript posts them: logging in
//! and out, the weekly check-in (every problem next to its field, all or nothing),
//! creating an objective with key results read from sentences, and CSRF: a form posted
//! from another site is refused with 403 and changes nothing; from this site it works.

use crate::harness::{Api, Org, password_of};
use crate::ui::{Browser, seed};
use serde_json::{Value, json};

/// How many check-ins a key result has, as the API lists them.
async fn check_in_count(api: &Api, key_result: i64) -> usize {
    api.get(&format!("/api/v1/key-results/{key_result}/check-ins?limit=500")).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

http_test!(the_login_form_logs_in_goes_on_and_logging_out_ends_the_session, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, _) = org.person_with_session("mo", Some(org.department), "member").await;
    let browser = Browser::anonymous(&api);
    let form = browser.get("/login?next=%2Fcheck-in").await;
    let text = form.expect(200);
    assert!(text.contains("<label for=\"email\">Email</label>") && text.contains("value=\"/check-in\""), "{text}");

    let wrong = browser
        .post_form(
            "/login",
            &[("workspace", "acme"), ("email", "mo@example.com"), ("password", "not it at all"), ("next", "/")],
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert!(wrong.text.contains("role=\"alert\"") && wrong.session_cookie().is_none(), "{}", wrong.text);
    assert!(wrong.text.contains("value=\"mo@example.com\""), "what was typed stays: {}", wrong.text);

    let missing = browser.post_form("/login", &[("workspace", ""), ("email", ""), ("password", "")]).await;
    assert_eq!(missing.status, 422);
    for field in ["workspace-error", "email-error", "password-error"] {
        assert!(missing.text.contains(&format!("id=\"{field}\"")), "{field}: {}", missing.text);
    }

    let password = password_of("mo");
    let fields =
        [("workspace", "acme"), ("email", "mo@example.com"), ("password", password.as_str()), ("next", "/check-in")];
    let ok = browser.post_form("/login", &fields).await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    assert_eq!(ok.location(), "/check-in");
    let cookie = ok.session_cookie().unwrap();
    assert!(ok.header("set-cookie").contains("HttpOnly; Secure; SameSite=Lax"), "{}", ok.header("set-cookie"));
    let logged_in = Browser::with_cookie(&api, &cookie);
    assert_eq!(logged_in.get("/").await.status, 200);

    // Another site as the place to go on is not followed.
    let elsewhere = [
        ("workspace", "acme"),
        ("email", "mo@example.com"),
        ("password", password.as_str()),
        ("next", "//evil.example/"),
    ];
    assert_eq!(browser.post_form("/login", &elsewhere).await.location(), "/");

    let out = logged_in.post_form("/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.location(), "/login");
    assert!(out.header("set-cookie").starts_with("milepost_session=;"), "{}", out.header("set-cookie"));
    assert_eq!(logged_in.get("/").await.status, 303, "the session has ended");
});

http_test!(the_weekly_check_in_saves_every_row_in_one_submit_or_none, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let (a, b) = (seeded.on_track, seeded.lagging);
    let form = browser.get("/check-in").await;
    let text = form.expect(200);
    for field in [format!("value-{a}"), format!("confidence-{a}"), format!("note-{a}"), format!("blockers-{b}")] {
        assert!(text.contains(&format!("<label for=\"{field}\">")), "every input has a label: {field}");
    }
    assert!(text.contains(&format!("name=\"value.{a}\" value=\"20\"")), "the form starts at the current value: {text}");
    let ids = format!("{a},{b}");
    let (value_a, value_b) = (format!("value.{a}"), format!("value.{b}"));
    let (confidence_a, confidence_b) = (format!("confidence.{a}"), format!("confidence.{b}"));
    let (note_a, note_b) = (format!("note.{a}"), format!("note.{b}"));

    // One good row and one bad: nothing is saved, the problem is next to its field.
    let before = (check_in_count(&org.api, a).await, check_in_count(&org.api, b).await);
    let bad = browser
        .post_form(
            "/check-in",
            &[
                ("key_results", &ids),
                (&value_a, "24"),
                (&confidence_a, "8"),
                (&note_a, "Good week"),
                (&value_b, "7.5"),
                (&confidence_b, "11"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains(&format!("id=\"confidence-{b}-error\"")), "{}", bad.text);
    assert!(bad.text.contains(&format!("aria-describedby=\"confidence-{b}-error\"")), "{}", bad.text);
    assert!(!bad.text.contains(&format!("id=\"value-{a}-error\"")), "the good row has no error");
    assert!(bad.text.contains("Nothing was saved"), "{}", bad.text);
    assert!(bad.text.contains("Good week") && bad.text.contains("value=\"24\""), "what was typed stays: {}", bad.text);
    assert_eq!((check_in_count(&org.api, a).await, check_in_count(&org.api, b).await), before, "all or nothing");

    // Not a number: said at the field, nothing saved.
    let nan = browser.post_form("/check-in", &[("key_results", &ids), (&value_a, "lots"), (&value_b, "7")]).await;
    assert_eq!(nan.status, 422);
    assert!(
        nan.text.contains(&format!("id=\"value-{a}-error\"")) && nan.text.contains("is not a number"),
        "{}",
        nan.text
    );
    assert_eq!((check_in_count(&org.api, a).await, check_in_count(&org.api, b).await), before);

    // Both good: both saved, in one submit, by mo.
    let good = browser
        .post_form(
            "/check-in",
            &[
                ("key_results", &ids),
                (&value_a, "24"),
                (&confidence_a, "8"),
                (&note_a, "Good week"),
                (&value_b, "7.5"),
                (&confidence_b, "4"),
                (&note_b, ""),
            ],
        )
        .await;
    assert_eq!(good.status, 303, "{}", good.text);
    assert_eq!(good.location(), "/check-in?saved=2");
    assert!(browser.get("/check-in?saved=2").await.text.contains("Saved 2 check-ins"));
    let view = org.api.get(&format!("/api/v1/key-results/{a}")).await.expect(200);
    assert_eq!(view["current"], 24.0);
    assert_eq!(view["confidence"], 8);
    let history = org.api.get(&format!("/api/v1/key-results/{a}/check-ins")).await.expect(200);
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["note"].clone(), last["author_person_id"].clone()), (json!("Good week"), json!(seeded.mo)));
    assert_eq!(org.api.get(&format!("/api/v1/key-results/{b}")).await.expect(200)["current"], 7.5);
    // The objective page shows it.
    let page = browser.get(&format!("/objectives/{}", seeded.objective)).await.text;
    assert!(page.contains("Good week") && page.contains("<dd><strong>24</strong></dd>"), "{page}");

    // A row without a value is skipped; nothing at all is said, not saved.
    let empty = browser.post_form("/check-in", &[("key_results", &ids), (&value_a, ""), (&value_b, "")]).await;
    assert_eq!(empty.location(), "/check-in?saved=0", "{}", empty.text);
    assert!(browser.get("/check-in?saved=0").await.text.contains("Nothing changed: no check-in saved."));
    assert_eq!(org.api.get(&format!("/api/v1/key-results/{a}")).await.expect(200)["current"], 24.0);
    // Someone else's key result cannot be slipped into the form.
    let (_, other) = org.person_with_session("zoe", Some(org.department), "member").await;
    let stranger = Browser::from_api(&api, &other);
    let refused = stranger.post_form("/check-in", &[("key_results", &a.to_string()), (&value_a, "99")]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(org.api.get(&format!("/api/v1/key-results/{a}")).await.expect(200)["current"], 24.0);
});

http_test!(a_new_objective_reads_its_key_results_from_sentences, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let cycle = org.cycle.to_string();
    let owner = format!("person:{}", seeded.mo);
    let parent = seeded.objective.to_string();
    let created = browser
        .post_form(
            "/objectives/new",
            &[
                ("title", "Make onboarding effortless"),
                ("cycle_id", &cycle),
                ("owner", &owner),
                ("commitment", "aspirational"),
                ("visibility", "workspace"),
                ("parent", &parent),
                ("key_results.0.title", "Increase activation from 40% to 65%"),
                ("key_results.0.kind", ""),
                ("key_results.1.title", "Keep setup time at or below 10 min"),
                ("key_results.2.title", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let objective_id: i64 = created.location().trim_start_matches("/objectives/").parse().unwrap();
    let view = org.api.get(&format!("/api/v1/objectives/{objective_id}")).await.expect(200);
    assert_eq!(view["title"], "Make onboarding effortless");
    assert_eq!(
        (view["commitment"].clone(), view["parent_objective_id"].clone()),
        (json!("aspirational"), json!(seeded.objective))
    );
    let key_results = view["key_results"].as_array().unwrap();
    assert_eq!(key_results.len(), 2, "the empty row is skipped");
    let first: Vec<Value> =
        ["kind", "start", "target", "unit", "owner_person_id"].iter().map(|f| key_results[0][*f].clone()).collect();
    assert_eq!(first, [json!("increase"), json!(40.0), json!(65.0), json!("%"), json!(seeded.mo)]);
    assert_eq!(
        (key_results[1]["kind"].clone(), key_results[1]["comparator"].clone()),
        (json!("maintain"), json!("<="))
    );
    let page = browser.get(created.location()).await.text;
    assert!(page.contains("Increase activation from 40% to 65%") && page.contains("Aspirational"), "{page}");
});

http_test!(a_wrong_new_objective_says_what_is_wrong_at_each_field_and_writes_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let cycle = org.cycle.to_string();
    let owner = format!("person:{}", seeded.mo);
    let before = org.api.walk_ids("/api/v1/objectives", 100).await;
    let reply = browser
        .post_form(
            "/objectives/new",
            &[
                ("title", ""),
                ("cycle_id", &cycle),
                ("owner", &owner),
                ("key_results.0.title", "Improve the vibe"),
                ("key_results.1.title", "Grow revenue"),
                ("key_results.1.kind", "increase"),
                ("key_results.1.start", "5"),
                ("key_results.1.target", "5"),
                ("key_results.2.title", "Ship it"),
                ("key_results.2.kind", "increase"),
                ("key_results.2.target", "ten"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("id=\"kr-0-kind-error\""), "nothing measurable in row 0: {}", reply.text);
    assert!(
        reply.text.contains("id=\"kr-2-target-error\"") && reply.text.contains("“ten” is not a number"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("value=\"Grow revenue\""), "what was typed stays");
    assert_eq!(org.api.walk_ids("/api/v1/objectives", 100).await, before, "nothing written");

    // Past the form's own checks, the app's: an empty title and start = target, each at its field.
    let reply = browser
        .post_form(
            "/objectives/new",
            &[
                ("title", ""),
                ("cycle_id", &cycle),
                ("owner", &owner),
                ("key_results.0.title", "Grow revenue"),
                ("key_results.0.kind", "increase"),
                ("key_results.0.start", "5"),
                ("key_results.0.target", "5"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("id=\"title-error\""), "{}", reply.text);
    assert!(
        reply.text.contains("id=\"kr-0-target-error\"") || reply.text.contains("id=\"kr-0-start-error\""),
        "{}",
        reply.text
    );
    assert_eq!(org.api.walk_ids("/api/v1/objectives", 100).await, before, "nothing written");

    // A member may not give an objective to someone else.
    let other = format!("person:{}", org.dana);
    let refused =
        browser.post_form("/objectives/new", &[("title", "Not mine"), ("cycle_id", &cycle), ("owner", &other)]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(org.api.walk_ids("/api/v1/objectives", 100).await, before);
});

http_test!(editing_an_objective_and_its_key_results_and_adding_key_results_and_initiatives, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let browser = Browser::from_api(&api, &admin);
    let objective = seeded.objective;
    let form = browser.get(&format!("/objectives/{objective}/edit")).await;
    assert!(form.expect(200).contains("name=\"version\" value=\"1\""), "{}", form.text);
    let owner = format!("team:{}", org.company);
    let fields = [
        ("version", "1"),
        ("title", "Grow the product, faster"),
        ("owner", owner.as_str()),
        ("commitment", "committed"),
        ("visibility", "workspace"),
        ("parent", ""),
    ];
    let saved = browser.post_form(&format!("/objectives/{objective}/edit"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(
        org.api.get(&format!("/api/v1/objectives/{objective}")).await.expect(200)["title"],
        "Grow the product, faster"
    );
    // The same form again is stale: 409, said on the form.
    let stale = browser.post_form(&format!("/objectives/{objective}/edit"), &fields).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert!(stale.text.contains("changed by someone else"), "{}", stale.text);

    let added = browser
        .post_form(
            &format!("/objectives/{objective}/key-results/new"),
            &[("key_results.0.title", "Double paid seats from 200 to 400")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text);
    let view = org.api.get(&format!("/api/v1/objectives/{objective}")).await.expect(200);
    let last = view["key_results"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].clone(), last["start"].clone(), last["target"].clone()),
        (json!("increase"), json!(200.0), json!(400.0))
    );

    // Moving a key result's target after the cycle began needs a reason, asked for at its field.
    let edit = format!("/key-results/{}/edit", seeded.lagging);
    let form = browser.get(&edit).await;
    assert!(form.expect(200).contains("name=\"target\" value=\"4\""), "{}", form.text);
    let version =
        org.api.get(&format!("/api/v1/key-results/{}", seeded.lagging)).await.expect(200)["version"].to_string();
    assert!(form.text.contains(&format!("name=\"version\" value=\"{version}\"")), "{}", form.text);
    let moved = [
        ("version", version.as_str()),
        ("title", "Cut churn from 8% to 3%"),
        ("start", "8"),
        ("target", "3"),
        ("unit", "%"),
        ("weight", "1"),
        ("owner", ""),
    ];
    let no_reason = browser.post_form(&edit, &moved).await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.text);
    assert!(no_reason.text.contains("id=\"reason-error\""), "{}", no_reason.text);
    assert_eq!(org.api.get(&format!("/api/v1/key-results/{}", seeded.lagging)).await.expect(200)["target"], 4.0);
    let with_reason: Vec<(&str, &str)> =
        moved.iter().copied().chain([("reason", "The board raised the bar")]).collect();
    let saved = browser.post_form(&edit, &with_reason).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(saved.location(), format!("/objectives/{objective}#key-result-{}", seeded.lagging));
    let view = org.api.get(&format!("/api/v1/key-results/{}", seeded.lagging)).await.expect(200);
    assert_eq!((view["target"].clone(), view["title"].clone()), (json!(3.0), json!("Cut churn from 8% to 3%")));

    let key_result = format!("key_result.{}", seeded.lagging);
    let initiative = browser
        .post_form(
            &format!("/objectives/{objective}/initiatives/new"),
            &[
                ("title", "Call every churned customer"),
                ("status", "active"),
                ("due_date", "2026-12-01"),
                (key_result.as_str(), "on"),
            ],
        )
        .await;
    assert_eq!(initiative.status, 303, "{}", initiative.text);
    let listed = org.api.get(&format!("/api/v1/initiatives?key_result_id={}", seeded.lagging)).await.expect(200);
    assert_eq!(listed["items"][0]["title"], "Call every churned customer");
    let initiative = listed["items"][0]["id"].as_i64().unwrap();
    let page = browser.get(&format!("/objectives/{objective}")).await.text;
    assert!(page.contains(&format!("href=\"/initiatives/{initiative}/edit\"")), "{page}");
    let edit = format!("/initiatives/{initiative}/edit");
    let form = browser.get(&edit).await;
    assert!(form.expect(200).contains("value=\"2026-12-01\""), "{}", form.text);
    let on_track = format!("key_result.{}", seeded.on_track);
    let changed =
        [("version", "1"), ("title", "Call every churned customer"), ("status", "done"), (on_track.as_str(), "on")];
    let saved = browser.post_form(&edit, &changed).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let view = org.api.get(&format!("/api/v1/initiatives/{initiative}")).await.expect(200);
    assert_eq!((view["status"].clone(), view["key_result_ids"].clone()), (json!("done"), json!([seeded.on_track])));
    assert_eq!(view["due_date"], Value::Null, "a day emptied on the form is cleared");
    assert_eq!(browser.post_form(&edit, &changed).await.status, 409, "the same form again is stale");
    let bad_day = browser
        .post_form(&format!("/objectives/{objective}/initiatives/new"), &[("title", "Later"), ("due_date", "someday")])
        .await;
    assert_eq!(bad_day.status, 422, "{}", bad_day.text);
    assert!(bad_day.text.contains("id=\"due_date-error\""), "{}", bad_day.text);
});

http_test!(a_key_results_kind_is_changed_on_its_edit_form_like_the_api_changes_it, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let key_result = seeded.on_track;
    let edit = format!("/key-results/{key_result}/edit");
    let read = || async { org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200) };
    // The form offers every kind, the key result's own chosen.
    let form = browser.get(&edit).await;
    let form = form.expect(200);
    assert!(form.contains("<select id=\"kind\" name=\"kind\""), "{form}");
    assert!(form.contains("<option value=\"increase\" selected>"), "{form}");
    assert!(form.contains("<option value=\"range\">"), "{form}");
    // mo keeps owning it, so mo may go on changing it.
    let owner = seeded.mo.to_string();
    let owner = owner.as_str();
    let post = |version: String, fields: Vec<(&'static str, &'static str)>| {
        let edit = edit.clone();
        let browser = &browser;
        async move {
            let mut all = vec![("version", version.as_str()), ("unit", ""), ("weight", "1"), ("owner", owner)];
            all.extend(fields);
            all.push(("reason", "We measure it differently now"));
            browser.post_form(&edit, &all).await
        }
    };
    // Increase → maintain: the target is the threshold; "at or below" comes from the sentence.
    let version = read().await["version"].to_string();
    let saved =
        post(version, vec![("title", "Keep p95 latency at or below 300"), ("kind", "maintain"), ("target", "300")])
            .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let view = read().await;
    assert_eq!(
        (view["kind"].clone(), view["target"].clone(), view["comparator"].clone()),
        (json!("maintain"), json!(300.0), json!("<=")),
        "{view}"
    );
    let form = browser.get(&edit).await;
    let form = form.expect(200);
    assert!(form.contains("<option value=\"maintain\" selected>"), "{form}");
    // Maintain → range: start and target are its low and high ends.
    let version = view["version"].to_string();
    let saved = post(
        version,
        vec![("title", "Keep p95 latency within 200 to 400"), ("kind", "range"), ("start", "200"), ("target", "400")],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let view = read().await;
    assert_eq!((view["kind"].clone(), view["range"].clone()), (json!("range"), json!([200.0, 400.0])), "{view}");
    // An empty range is refused next to the target, and nothing changes.
    let version = view["version"].to_string();
    let refused = post(
        version.clone(),
        vec![("title", "Keep it within 400 to 200"), ("kind", "range"), ("start", "400"), ("target", "200")],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("id=\"target-error\""), "{}", refused.text);
    assert!(
        refused.text.contains("<option value=\"range\" selected>"),
        "the form keeps the kind chosen: {}",
        refused.text
    );
    assert_eq!(read().await, view, "nothing changed");
    // A kind that does not exist is refused next to the kind.
    let refused = post(version.clone(), vec![("title", "Keep it"), ("kind", "sideways"), ("target", "1")]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("id=\"kind-error\""), "{}", refused.text);
    assert_eq!(read().await, view, "nothing changed");
    // Range → milestone, and back to increase.
    let saved = post(version, vec![("title", "Launch the latency dashboard"), ("kind", "milestone")]).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let view = read().await;
    assert_eq!(view["kind"], json!("milestone"), "{view}");
    let version = view["version"].to_string();
    let saved = post(
        version,
        vec![
            ("title", "Raise weekly active teams from 10 to 40"),
            ("kind", "increase"),
            ("start", "10"),
            ("target", "40"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let view = read().await;
    assert_eq!(
        (view["kind"].clone(), view["start"].clone(), view["target"].clone()),
        (json!("increase"), json!(10.0), json!(40.0)),
        "{view}"
    );
});

http_test!(typing_a_sentence_fills_the_key_result_fields, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let fragment =
        browser.get("/key-results/parse?index=1&key_results.1.title=Keep%20uptime%20at%20or%20above%2099.9%25").await;
    let text = fragment.expect(200);
    assert!(text.starts_with("<div class=\"grid kr-fields\" id=\"kr-1-fields\">"), "a fragment, not a page: {text}");
    assert!(text.contains("<option value=\"maintain\" selected>"), "{text}");
    assert!(text.contains("name=\"key_results.1.target\" value=\"99.9\""), "{text}");
    assert!(text.contains("name=\"key_results.1.unit\" value=\"%\""), "{text}");
    let vague = browser.get("/key-results/parse?index=0&key_results.0.title=Improve%20things").await;
    assert!(vague.text.contains("id=\"kr-0-kind-error\""), "{}", vague.text);
});

http_test!(a_form_posted_from_another_site_is_refused_and_changes_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let a = seeded.on_track;
    let ids = a.to_string();
    let value = format!("value.{a}");
    let cycle = org.cycle.to_string();
    let owner = format!("person:{}", seeded.mo);
    let password = password_of("mo");
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/check-in".into(), vec![("key_results", ids.as_str()), (value.as_str(), "29")]),
        (
            "/objectives/new".into(),
            vec![("title", "Planted by another site"), ("cycle_id", cycle.as_str()), ("owner", owner.as_str())],
        ),
        ("/login".into(), vec![("workspace", "acme"), ("email", "mo@example.com"), ("password", password.as_str())]),
        ("/logout".into(), vec![]),
    ];
    let objectives = org.api.walk_ids("/api/v1/objectives", 100).await;
    let cross_site: [&[(&str, &str)]; 3] =
        [&[("sec-fetch-site", "cross-site")], &[("sec-fetch-site", "same-site")], &[("origin", "http://evil.example")]];
    for (path, fields) in &forms {
        for headers in cross_site {
            let reply = browser.post_form_with(path, fields, headers).await;
            assert_eq!(reply.status, 403, "{path} {headers:?}: {}", reply.text);
            assert_eq!(reply.header("content-type"), "text/html; charset=utf-8", "{path}");
            assert!(reply.text.contains("another site"), "{path}: {}", reply.text);
            assert!(reply.session_cookie().is_none(), "{path}: no cookie is set or cleared");
        }
    }
    assert_eq!(check_in_count(&org.api, a).await, 1, "no check-in was written");
    assert_eq!(org.api.walk_ids("/api/v1/objectives", 100).await, objectives, "no objective was written");
    assert_eq!(browser.get("/").await.status, 200, "the session was not ended");

    // The same forms from this site work (same-origin, or an Origin naming this host).
    let host = api.url("").trim_start_matches("http://").to_owned();
    let origin = format!("http://{host}");
    let reply = browser.post_form_with("/check-in", &forms[0].1, &[("origin", origin.as_str())]).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(check_in_count(&org.api, a).await, 2);
    let reply = browser.post_form("/objectives/new", &forms[1].1).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let reply = browser.post_form("/login", &forms[2].1).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert!(reply.session_cookie().is_some());
    let reply = browser.post_form("/logout", &[]).await;
    assert_eq!(reply.status, 303);
    assert_eq!(browser.get("/").await.status, 303, "logged out");
});

http_test!(a_key_result_sentence_over_two_thousand_characters_is_refused_at_its_field, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let sentence = "Increase activation from 40% to 65%";
    // 2,001 characters, most of them two bytes long.
    let long = format!("{sentence} {}", "é".repeat(2_000 - sentence.chars().count()));
    assert_eq!(long.chars().count(), 2_001);
    let before = org.api.walk_ids("/api/v1/objectives", 100).await;
    let reply = browser
        .post_form(
            "/objectives/new",
            &[
                ("title", "Make onboarding effortless"),
                ("cycle_id", &org.cycle.to_string()),
                ("owner", &format!("person:{}", seeded.mo)),
                ("key_results.0.title", &long),
            ],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let error = reply.text.split("id=\"kr-0-title-error\"").nth(1).unwrap_or_else(|| panic!("{}", reply.text));
    assert!(error.contains("2001 characters, more than the 2000"), "said at the sentence: {}", reply.text);
    assert_eq!(org.api.walk_ids("/api/v1/objectives", 100).await, before, "nothing written");

    // Typing it says so as well, below the sentence.
    let query: String = long
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_owned(),
            '%' => "%25".to_owned(),
            'é' => "%C3%A9".to_owned(),
            c => c.to_string(),
        })
        .collect();
    let fragment = browser.get(&format!("/key-results/parse?index=0&key_results.0.title={query}")).await;
    let text = fragment.expect(200);
    let error = text.split("id=\"kr-0-kind-error\"").nth(1).unwrap_or_else(|| panic!("{text}"));
    assert!(error.contains("2001 characters"), "{text}");
});
