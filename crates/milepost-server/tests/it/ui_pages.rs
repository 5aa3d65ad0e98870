//! The web app's pages through the front door: each needs a session (else a redirect
//! to /login), renders for the person logged in with what the JSON API says, carries
//! the pages' Content-Security-Policy, and respects visibility and workspaces exactly
//! like the API.

use crate::harness::{Api, Org, id};
use crate::ui::{Browser, PAGE_CSP, Seeded, seed};
use serde_json::json;

http_test!(every_page_redirects_to_login_without_a_session, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::anonymous(&api);
    let objective = format!("/objectives/{}", seeded.objective);
    let cycle = format!("/cycles/{}", org.cycle);
    for path in ["/", "/alignment", "/check-in", "/cycles", cycle.as_str(), objective.as_str(), "/objectives/new"] {
        let reply = browser.get(path).await;
        assert_eq!(reply.status, 303, "{path}: {}", reply.text);
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(reply.location(), format!("/login?next={next}"), "{path}");
    }
    // A cookie that stands for no session is the same as none.
    let reply = Browser::with_cookie(&api, "mps_not-a-session").get("/").await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.location(), "/login?next=%2F");
});

http_test!(every_page_renders_with_the_numbers_of_the_api_and_the_pages_csp, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let objective = format!("/objectives/{}", seeded.objective);
    let cycle = format!("/cycles/{}", org.cycle);
    let edit = format!("/objectives/{}/edit", seeded.objective);
    let new_key_result = format!("/objectives/{}/key-results/new", seeded.objective);
    let new_initiative = format!("/objectives/{}/initiatives/new", seeded.objective);
    for path in [
        "/",
        "/alignment",
        "/check-in",
        "/cycles",
        cycle.as_str(),
        objective.as_str(),
        "/objectives/new",
        edit.as_str(),
        new_key_result.as_str(),
        new_initiative.as_str(),
    ] {
        let reply = browser.get(path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert_eq!(reply.header("content-type"), "text/html; charset=utf-8", "{path}");
        assert_eq!(reply.header("content-security-policy"), PAGE_CSP, "{path}");
        assert!(reply.text.contains("<nav aria-label=\"Main\">"), "{path}: every page has the nav bar");
        assert!(reply.text.contains("Person mo"), "{path}: the person logged in is named");
    }

    // The dashboard: my key result, due for a check-in; the company's objective; the one at risk.
    let dashboard = browser.get("/").await.text;
    assert!(dashboard.contains("Raise weekly active teams from 10 to 30"), "{dashboard}");
    assert!(dashboard.contains("Company objectives") && dashboard.contains("Grow the product"), "{dashboard}");
    let api_view = org.api.get(&format!("/api/v1/key-results/{}", seeded.lagging)).await.expect(200);
    assert_eq!(api_view["status"], "off_track", "the fixture's lagging key result is off track: {api_view}");
    let risk = dashboard.split("Key results at risk").nth(1).unwrap();
    assert!(risk.contains("Cut churn from 8% to 4%") && risk.contains("Off track"), "{risk}");

    // The objective page: values with units, status in words, check-in history with its note and blocker.
    let page = browser.get(&objective).await.text;
    for expected in [
        "Raise weekly active teams from 10 to 30",
        "<dd><strong>20</strong></dd>",
        "On track",
        "8%",
        "Onboarding emails went out",
        "⛔ Waiting for the data team",
        "7/10",
        "data-chart=",
        "Write the onboarding guide",
    ] {
        assert!(page.contains(expected), "the objective page should show {expected:?}: {page}");
    }
    // Its child aligns to it, and names it as its parent.
    assert!(page.contains("Team platform objective"), "{page}");
    let child = browser.get(&format!("/objectives/{}", seeded.child)).await.text;
    assert!(child.contains("Aligns to <a href=\"/objectives/") && child.contains("Grow the product"), "{child}");

    // The alignment tree, level by level: the company at the root with its subtree's
    // two objectives; opened at the department, the platform team under it.
    let page = browser.get("/alignment").await.text;
    let tree = page.split("aria-label=\"Alignment tree\"").nth(1).unwrap();
    assert!(tree.contains("<strong>Team company</strong>") && !tree.contains("Team engineering"), "{tree}");
    assert!(page.contains("2 objectives under the company"), "{page}");
    let opened = browser.get(&format!("/alignment?team_id={}", org.department)).await.text;
    let tree = opened.split("aria-label=\"Alignment tree\"").nth(1).unwrap();
    let department = tree.find("<strong>Team engineering</strong>").unwrap();
    let team = tree.find("<strong>Team platform</strong>").unwrap();
    assert!(department < team, "{tree}");
    let filtered = browser.get(&format!("/alignment?team_id={}", org.team)).await.text;
    assert!(
        filtered.contains("1 objectives under Team platform") && !filtered.contains("Grow the product"),
        "{filtered}"
    );
    assert!(filtered.contains("Team platform objective"), "{filtered}");
    let blank = browser.get(&format!("/alignment?cycle_id=&team_id={}&status=", org.team)).await.text;
    assert!(blank.contains("1 objectives under Team platform"), "a filter left blank is no filter: {blank}");
    let by_status = browser.get("/alignment?status=done").await.text;
    assert!(by_status.contains("0 objectives under the company"), "{by_status}");
    let bad = browser.get("/alignment?status=sunny").await;
    assert_eq!(bad.status, 400, "{}", bad.text);

    // The cycles: the timeline and the cycle page.
    let cycles = browser.get("/cycles").await.text;
    assert!(cycles.contains("Cycle 2026-q4") && cycles.contains("Active"), "{cycles}");
    let cycle_page = browser.get(&cycle).await.text;
    assert!(cycle_page.contains("Grow the product") && !cycle_page.contains("Review"), "{cycle_page}");
});

http_test!(a_closed_cycle_shows_its_review_with_scores_and_outcomes, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let cycle = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    org.api
        .patch(&format!("/api/v1/cycles/{}", org.cycle), json!({"version": cycle["version"], "status": "closed"}))
        .await
        .expect(200);
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let page = browser.get(&format!("/cycles/{}", org.cycle)).await.text;
    let api_view = org.api.get(&format!("/api/v1/objectives/{}", seeded.objective)).await.expect(200);
    let score = api_view["score"]["value"].as_f64().unwrap();
    assert!(page.contains("Review"), "{page}");
    assert!(
        page.contains(&format!("{score:.1} · {}", capitalised(api_view["score"]["colour"].as_str().unwrap()))),
        "{page}"
    );
    assert!(page.contains("Committed") && page.contains("of 2 succeeded"), "{page}");
    assert!(page.contains("✕ Missed"), "{page}");
});

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

http_test!(pages_respect_visibility_and_workspaces_like_the_api, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded: Seeded = seed(&org).await;
    // A team-only objective of the platform team: mo (in the department) does not see it.
    let hidden = id(&org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Secret platform plan", "owner_team_id": org.team, "visibility": "team"}))
        .await);
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let reply = browser.get(&format!("/objectives/{hidden}")).await;
    assert_eq!(reply.status, 404, "{}", reply.text);
    assert_eq!(reply.header("content-type"), "text/html; charset=utf-8");
    assert!(reply.text.contains("does not exist"), "{}", reply.text);
    let api_reply = browser.api().get(&format!("/api/v1/objectives/{hidden}")).await;
    assert_eq!(api_reply.status, 404, "the API agrees");
    for path in ["/", "/alignment", "/cycles"] {
        assert!(!browser.get(path).await.text.contains("Secret platform plan"), "{path}");
    }
    // Another workspace's objective is a 404 like a missing one.
    let beta = Org::new(&api, "beta").await;
    let theirs = id(&beta.team_objective("Beta's own plan", beta.company, json!([])).await);
    let reply = browser.get(&format!("/objectives/{theirs}")).await;
    assert_eq!(reply.status, 404);
    assert_eq!(browser.get("/objectives/987654321").await.status, 404);
    assert_eq!(browser.get("/objectives/zero").await.status, 400);
    // A viewer reads every page, has nothing to check in on, and may not create.
    let (_, viewer) = org.person_with_session("vic", Some(org.company), "viewer").await;
    let viewer = Browser::from_api(&api, &viewer);
    assert!(viewer.get("/check-in").await.text.contains("nothing to check in on"));
    assert_eq!(viewer.get(&format!("/objectives/{}", seeded.objective)).await.status, 200);
    let page = viewer.get(&format!("/objectives/{}", seeded.objective)).await.text;
    assert!(!page.contains("Edit objective"), "a viewer is offered no edit");
});

http_test!(static_files_are_served_with_their_media_types, |api: Api| async move {
    let browser = Browser::anonymous(&api);
    for (path, media_type) in [
        ("/static/milepost.css", "text/css; charset=utf-8"),
        ("/static/milepost.js", "text/javascript; charset=utf-8"),
        ("/static/vendor/htmx.min.js", "text/javascript; charset=utf-8"),
        ("/static/vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        ("/static/vendor/pico.classless.min.css", "text/css; charset=utf-8"),
    ] {
        let reply = browser.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), media_type, "{path}");
        assert!(reply.text.len() > 100, "{path}");
    }
    assert_eq!(browser.get("/static/nope.js").await.status, 404);
    assert_eq!(browser.get("/static/vendor/VENDOR.md").await.status, 404, "the notes are not served");
    // The API keeps its own, stricter policy.
    let reply = api.get("/healthz").await;
    assert_eq!(
        reply.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    );
});

http_test!(the_kpi_board_and_a_kpi_page_show_health_in_words_and_the_series, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let kpi = org
        .api
        .post(
            "/api/v1/kpis",
            json!({"name": "Checkout uptime", "unit": "%", "direction": "higher_is_better", "target": 99.9, "warning_band": 0.4, "cadence": "daily"}),
        )
        .await
        .expect(201);
    let kpi_id = id(&kpi);
    // Ten days far below the target: red.
    for day in (1..=10).rev() {
        let at = crate::harness::at_hours(-24 * day);
        org.api
            .post(&format!("/api/v1/kpis/{kpi_id}/measurements"), json!({"value": 97.0, "measured_at": at}))
            .await
            .expect(201);
    }
    let board = org.api.get("/api/v1/kpis/board").await.expect(200);
    assert_eq!(board["items"][0]["kpi"]["state"]["health"], "red", "{board}");
    let lagging_ids = board["lagging"].as_array().unwrap().clone();
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let page = browser.get("/kpis").await;
    let text = page.expect(200);
    let lagging = text.split("id=\"board-heading\"").next().unwrap();
    // The lagging list says what the board says.
    assert_eq!(lagging.contains("Checkout uptime"), !lagging_ids.is_empty(), "{board} {text}");
    assert_eq!(lagging.contains("No KPI is lagging"), lagging_ids.is_empty(), "{text}");
    assert!(text.contains("✕</span> Off target") && text.contains("97%") && text.contains("≥ 99.9%"), "{text}");
    assert!(text.contains("<svg class=\"sparkline"), "{text}");
    let dashboard = browser.get("/").await.text;
    let kpis = dashboard.split("id=\"kpi-heading\"").nth(1).unwrap();
    assert!(kpis.contains("1 off target") && kpis.contains("0 on target"), "{kpis}");
    let page = browser.get(&format!("/kpis/{kpi_id}")).await;
    let text = page.expect(200);
    assert!(text.contains("10 points from 10 measurements"), "{text}");
    assert!(text.contains("data-chart=") && text.contains("&#34;target&#34;"), "{text}");
    let narrow = browser.get(&format!("/kpis/{kpi_id}?from=2026-11-10&to=2026-11-12")).await;
    assert!(narrow.expect(200).contains("3 points from 3 measurements"), "{}", narrow.text);
    assert_eq!(browser.get(&format!("/kpis/{kpi_id}?from=2026-11-12&to=2026-11-10")).await.status, 400);
    assert_eq!(browser.get("/kpis/987654321").await.status, 404);
});

http_test!(the_dashboard_shows_no_key_result_of_an_objective_the_viewer_cannot_see, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    // A team-only objective of the company team, owned by it: mo (in the department) does
    // not see it, though mo owns its key result, which is off track.
    let hidden = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Secret company plan", "owner_team_id": org.company,
                          "visibility": "team", "key_results": [{"title": "Sign the secret partner", "kind": "increase",
                          "start": 0, "target": 10, "owner_person_id": seeded.mo}]}))
        .await;
    let key_result = id(&hidden["key_results"][0]);
    org.api.check_in(key_result, json!({"value": 0, "confidence": 1})).await;
    let api_view = org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    assert_eq!(api_view["status"], "off_track", "{api_view}");
    // Someone in the company team sees it in each list of the dashboard.
    let (_, insider) = org.person_with_session("ina", Some(org.company), "member").await;
    let dashboard = Browser::from_api(&api, &insider).get("/").await.text;
    let company = dashboard.split("id=\"company-heading\"").nth(1).unwrap();
    assert!(company.contains("Secret company plan"), "{dashboard}");
    let risk = dashboard.split("id=\"risk-heading\"").nth(1).unwrap();
    assert!(risk.contains("Sign the secret partner"), "{dashboard}");
    // mo sees it nowhere on the dashboard, as the API's lists do not show it to mo.
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let dashboard = browser.get("/").await.text;
    assert!(dashboard.contains("Raise weekly active teams from 10 to 30"), "mo's own key results: {dashboard}");
    assert!(!dashboard.contains("Secret company plan"), "{dashboard}");
    assert!(!dashboard.contains("Sign the secret partner"), "{dashboard}");
    let mine = seeded.member.get(&format!("/api/v1/key-results?owner_person_id={}", seeded.mo)).await.expect(200);
    assert!(!mine.to_string().contains("Sign the secret partner"), "the API agrees: {mine}");
});
