//! The KPI loop on the web and in the API (issue 20, point 1): a KPI's source set,
//! tried without recording, run and removed from the KPI page, against a real JSON
//! server the test starts, with the operator's allow-list applied to a test as to a
//! run; a stored password never shown and kept when left as `***`; key results linked
//! to a KPI from their forms, their start taken from the KPI's current value; the KPI
//! page listing the key results it feeds as the viewer may see them; the dashboard's
//! "Recovering" linking to the recovery OKR.

use crate::harness::{Api, Org, id, on_store_allowing};
use crate::ui::Browser;
use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// A JSON endpoint on port 0 serving `{"data": {"value": 97.5}}` at `/status.json`,
/// keeping the `Authorization` headers it receives. Its base URL and those headers.
async fn json_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let router = Router::new().route(
        "/status.json",
        get(move |headers: axum::http::HeaderMap| {
            let kept = kept.clone();
            async move {
                if let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
                    kept.lock().unwrap().push(auth.to_owned());
                }
                axum::Json(json!({"data": {"value": 97.5}}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, seen)
}

/// A test on SQLite and on PostgreSQL, its server allowed to fetch from the JSON server
/// only (its base URL and the headers it saw given to the body).
macro_rules! json_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (base, seen) = json_server().await;
                on_store_allowing(false, vec![format!("{base}/")], |api| $body(api, base, seen)).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let (base, seen) = json_server().await;
                on_store_allowing(true, vec![format!("{base}/")], |api| $body(api, base, seen)).await;
            }
        }
    };
}

/// A daily uptime KPI, target 99, owned by `owner`.
async fn uptime(api: &Api, owner: i64) -> Value {
    let body = json!({"name": "Uptime", "unit": "%", "direction": "higher_is_better", "target": 99.0,
        "cadence": "daily", "owner_person_id": owner});
    api.post("/api/v1/kpis", body).await.expect(201)
}

/// How many measurements a KPI has, as its series says.
async fn measurements(api: &Api, kpi: i64) -> u64 {
    let series = api.get(&format!("/api/v1/kpis/{kpi}/series?from=2000-01-01T00:00:00Z")).await.expect(200);
    series["measurements"].as_u64().unwrap()
}

json_test!(a_source_is_tried_without_recording_and_the_allow_list_applies_to_the_try, |api: Api,
                                                                                       base: String,
                                                                                       _seen: Arc<
    Mutex<Vec<String>>,
>| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = uptime(&api, org.dana).await;
    let path = format!("/api/v1/kpis/{}", id(&kpi));

    // No source yet and none given: nothing to try.
    api.post(&format!("{path}/source/test"), json!({})).await.problem(409, "no_source");

    // A proposed source is tried before it is saved: the value, and nothing written.
    let proposed = json!({"kind": "http_json", "url": format!("{base}/status.json"), "path": "data.value"});
    let tried = api.post(&format!("{path}/source/test"), json!({"source": proposed})).await.expect(200);
    assert_eq!(tried["value"], 97.5, "{tried}");
    assert_eq!(tried["error"], Value::Null);
    assert!(tried["measured_at"].is_string());
    let after = api.get(&path).await.expect(200);
    assert_eq!(after["source"], Value::Null, "a try saves nothing");
    assert_eq!(after["version"], kpi["version"]);
    assert_eq!(after["last_run_at"], Value::Null);
    assert_eq!(measurements(&api, id(&kpi)).await, 0, "a try records nothing");

    // A bad path is a sentence, not a failure of the request; still nothing written.
    let bad = json!({"kind": "http_json", "url": format!("{base}/status.json"), "path": "data.nothing"});
    let tried = api.post(&format!("{path}/source/test"), json!({"source": bad})).await.expect(200);
    assert_eq!(tried["value"], Value::Null);
    assert!(tried["error"].as_str().is_some_and(|e| !e.is_empty()), "{tried}");
    assert_eq!(api.get(&path).await.expect(200)["last_error"], Value::Null, "a failed try records no error");

    // The operator's allow-list: a URL outside it (the cloud's metadata service) is
    // refused at the URL, exactly as saving it is, and never fetched.
    let outside = json!({"kind": "http_json", "url": "http://169.254.169.254/latest/meta-data/", "path": "a"});
    let refused = api.post(&format!("{path}/source/test"), json!({"source": outside.clone()})).await;
    refused.invalid_at(&["/source/url"]);
    let saved = api.patch(&path, json!({"version": kpi["version"], "source": outside})).await;
    saved.invalid_at(&["/source/url"]);
    // A malformed source is refused field by field.
    let empty = json!({"kind": "http_json", "url": format!("{base}/status.json"), "path": ""});
    api.post(&format!("{path}/source/test"), json!({"source": empty})).await.invalid_at(&["/source/path"]);

    // Saved, the KPI's own source is tried by default; a run records.
    let source = json!({"kind": "http_json", "url": format!("{base}/status.json"), "path": "data.value"});
    api.patch(&path, json!({"version": kpi["version"], "source": source})).await.expect(200);
    let tried = api.post(&format!("{path}/source/test"), json!({})).await.expect(200);
    assert_eq!(tried["value"], 97.5);
    assert_eq!(measurements(&api, id(&kpi)).await, 0);
    let ran = api.post(&format!("{path}/source/run"), json!({})).await.expect(200);
    assert_eq!(ran["state"]["last_value"], 97.5);
    assert_eq!(measurements(&api, id(&kpi)).await, 1);

    // Members and viewers may not try sources, as they may not run them.
    let (_, member) = org.person_with_session("mo", Some(org.team), "member").await;
    member.post(&format!("{path}/source/test"), json!({})).await.expect(403);
});

json_test!(a_stored_password_is_never_shown_and_three_stars_keep_it_only_for_the_same_place, |api: Api,
                                                                                              base: String,
                                                                                              seen: Arc<
    Mutex<Vec<String>>,
>| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = uptime(&api, org.dana).await;
    let path = format!("/api/v1/kpis/{}", id(&kpi));
    let with_password = base.replacen("http://", "http://reader:s3cret@", 1);
    let source = json!({"kind": "http_json", "url": format!("{with_password}/status.json"), "path": "data.value"});
    let saved = api.patch(&path, json!({"version": kpi["version"], "source": source})).await.expect(200);
    let shown = saved["source"]["url"].as_str().unwrap().to_owned();
    assert!(shown.contains("reader:***@") && !shown.contains("s3cret"), "{shown}");

    // Sent back as shown (a change of path only), the password stays.
    let change = json!({"kind": "http_json", "url": shown, "path": "data.value"});
    let saved = api.patch(&path, json!({"version": saved["version"], "source": change})).await.expect(200);
    api.post(&format!("{path}/source/run"), json!({})).await.expect(200);
    let expected = format!("Basic {}", base64_of("reader:s3cret"));
    assert_eq!(seen.lock().unwrap().last(), Some(&expected), "the stored password was sent, not ***");
    // The page never shows it either.
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    for page in [format!("/kpis/{}", id(&kpi)), format!("/kpis/{}/source", id(&kpi))] {
        let text = browser.get(&page).await.expect(200).to_owned();
        assert!(!text.contains("s3cret") && text.contains("reader:***@"), "{page}: {text}");
    }

    // Moved to another host with ***, the stored password would go there: refused.
    let elsewhere = json!({"kind": "http_json", "url": "http://reader:***@localhost:9/status.json", "path": "a"});
    api.patch(&path, json!({"version": saved["version"], "source": elsewhere.clone()}))
        .await
        .invalid_at(&["/source/url"]);
    api.post(&format!("{path}/source/test"), json!({"source": elsewhere})).await.invalid_at(&["/source/url"]);
});

/// Base64 of `text`, as HTTP basic authentication writes it.
fn base64_of(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

json_test!(
    an_editor_sets_tests_runs_and_removes_a_source_from_the_kpi_page,
    |api: Api, base: String, _seen: Arc<Mutex<Vec<String>>>| async move {
        let org = Org::new(&api, "acme").await;
        let kpi = uptime(&org.api, org.dana).await;
        let kpi_id = id(&kpi);
        let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
        let browser = Browser::from_api(&api, &editor);
        let page = browser.get(&format!("/kpis/{kpi_id}")).await.expect(200).to_owned();
        assert!(page.contains("id=\"source-heading\"") && page.contains("No source"), "{page}");
        assert!(page.contains(&format!("href=\"/kpis/{kpi_id}/source\"")), "an editor may set one");

        let url = format!("{base}/status.json");
        let form = |action: &'static str, path: &'static str| {
            vec![
                ("kind", "http_json".to_owned()),
                ("url", url.clone()),
                ("password", String::new()),
                ("query", String::new()),
                ("path", path.to_owned()),
                ("action", action.to_owned()),
            ]
        };
        let pairs = |fields: &[(&'static str, String)]| -> Vec<(&'static str, String)> { fields.to_vec() };
        let post = |fields: Vec<(&'static str, String)>| {
            let browser = browser.clone();
            async move {
                let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                browser.post_form(&format!("/kpis/{kpi_id}/source"), &refs).await
            }
        };
        // Test: the value shown, nothing recorded or saved.
        let tried = post(pairs(&form("test", "data.value"))).await;
        assert_eq!(tried.status, 200, "{}", tried.text);
        assert!(tried.text.contains("id=\"source-test-value\">97.5%<"), "{}", tried.text);
        assert_eq!(measurements(&org.api, kpi_id).await, 0);
        assert_eq!(org.api.get(&format!("/api/v1/kpis/{kpi_id}")).await.expect(200)["source"], Value::Null);
        // A bad path: the reason shown, still nothing.
        let tried = post(pairs(&form("test", "data.nothing"))).await;
        assert!(tried.text.contains("id=\"source-test-error\""), "{}", tried.text);
        // A URL the operator does not allow: said at the URL, 422.
        let mut outside = form("test", "a");
        outside[1].1 = "http://169.254.169.254/latest/meta-data/".to_owned();
        let refused = post(outside).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.text.contains("id=\"url-error\""), "{}", refused.text);

        // Save, then run now: the value recorded and shown.
        let saved = post(pairs(&form("save", "data.value"))).await;
        assert_eq!(saved.status, 303, "{}", saved.text);
        let page = browser.get(&format!("/kpis/{kpi_id}")).await.expect(200).to_owned();
        assert!(page.contains("JSON over HTTP") && page.contains("data.value"), "{page}");
        assert!(page.contains("id=\"source-last-run\">not yet<"), "{page}");
        let ran = browser.post_form(&format!("/kpis/{kpi_id}/source/run"), &[]).await;
        assert_eq!(ran.status, 303, "{}", ran.text);
        assert_eq!(measurements(&org.api, kpi_id).await, 1);
        let page = browser.get(&format!("/kpis/{kpi_id}")).await.expect(200).to_owned();
        assert!(page.contains("id=\"source-last-value\">97.5%<"), "{page}");
        assert!(!page.contains("id=\"source-last-error\""));

        // Removing needs the box ticked; then the source goes and the measurement stays.
        let unconfirmed = browser.post_form(&format!("/kpis/{kpi_id}/source/remove"), &[]).await;
        assert_eq!(unconfirmed.status, 422, "{}", unconfirmed.text);
        assert!(unconfirmed.text.contains("id=\"confirm-error\""));
        assert!(org.api.get(&format!("/api/v1/kpis/{kpi_id}")).await.expect(200)["source"].is_object());
        let removed = browser.post_form(&format!("/kpis/{kpi_id}/source/remove"), &[("confirm", "yes")]).await;
        assert_eq!(removed.status, 303, "{}", removed.text);
        assert_eq!(org.api.get(&format!("/api/v1/kpis/{kpi_id}")).await.expect(200)["source"], Value::Null);
        assert_eq!(measurements(&org.api, kpi_id).await, 1, "its measurements stay");

        // A member sees the section but no controls, and is refused the form and the posts.
        let (_, member) = org.person_with_session("mo", Some(org.team), "member").await;
        let outsider = Browser::from_api(&api, &member);
        let page = outsider.get(&format!("/kpis/{kpi_id}")).await.expect(200).to_owned();
        assert!(page.contains("id=\"source-heading\"") && !page.contains(&format!("/kpis/{kpi_id}/source\"")));
        assert_eq!(outsider.get(&format!("/kpis/{kpi_id}/source")).await.status, 403);
        let refs: Vec<(&str, String)> = form("save", "data.value");
        let refs: Vec<(&str, &str)> = refs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(outsider.post_form(&format!("/kpis/{kpi_id}/source"), &refs).await.status, 403);
        assert_eq!(outsider.post_form(&format!("/kpis/{kpi_id}/source/run"), &[]).await.status, 403);
        assert_eq!(org.api.get(&format!("/api/v1/kpis/{kpi_id}")).await.expect(200)["source"], Value::Null);
        // From another site, nothing changes.
        let cross =
            browser.post_form_with(&format!("/kpis/{kpi_id}/source"), &refs, &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(cross.status, 403);
        assert_eq!(org.api.get(&format!("/api/v1/kpis/{kpi_id}")).await.expect(200)["source"], Value::Null);
    }
);

http_test!(key_results_link_a_kpi_and_take_their_start_from_its_current_value, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let kpi = uptime(&org.api, org.dana).await;
    let kpi_id = id(&kpi);
    let objective = org.team_objective("Keep the site up", org.team, json!([])).await;
    let objective_id = id(&objective);
    let new_path = format!("/api/v1/objectives/{objective_id}/key-results");

    // The API: without a measurement there is nothing to start from.
    let body = json!({"title": "Raise uptime to 99.9%", "kpi_id": kpi_id, "start_from_kpi": true});
    let refused = org.api.post(&new_path, body.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.pointers().contains(&"/start_from_kpi".to_owned()), "{}", refused.text);
    org.api
        .post(
            &format!("/api/v1/kpis/{kpi_id}/measurements"),
            json!({"value": 95.0, "measured_at": "2026-11-10T00:00:00Z"}),
        )
        .await
        .expect(201);
    org.api
        .post(
            &format!("/api/v1/kpis/{kpi_id}/measurements"),
            json!({"value": 96.5, "measured_at": "2026-11-12T00:00:00Z"}),
        )
        .await
        .expect(201);
    let made = org.api.post(&new_path, body).await.expect(201);
    assert_eq!(made["start"], 96.5, "the latest measurement: {made}");
    assert_eq!(made["kpi_id"], kpi_id);
    // Asking without a KPI, or with a start as well, is said at the field.
    let lone = json!({"title": "Raise uptime to 99.9%", "start_from_kpi": true});
    let refused = org.api.post(&new_path, lone).await;
    assert!(refused.status == 422 && refused.pointers().contains(&"/start_from_kpi".to_owned()), "{}", refused.text);
    let both = json!({"title": "Raise uptime to 99.9%", "kpi_id": kpi_id, "start": 90, "start_from_kpi": true});
    org.api.post(&new_path, both).await.invalid_at(&["/start_from_kpi"]);

    // The web form offers the KPI with its current value, and takes the start from it.
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let form = browser.get(&format!("/objectives/{objective_id}/key-results/new")).await.expect(200).to_owned();
    assert!(form.contains(&format!("<option value=\"{kpi_id}\">Uptime (now 96.5%)</option>")), "{form}");
    let fields = [
        ("key_results.0.title", "Raise uptime to 99.5%"),
        ("key_results.0.kind", ""),
        ("key_results.0.start", ""),
        ("key_results.0.target", ""),
        ("key_results.0.unit", ""),
        ("key_results.0.owner", ""),
        ("key_results.0.kpi", &kpi_id.to_string()),
        ("key_results.0.start_from_kpi", "yes"),
    ];
    let saved = browser.post_form(&format!("/objectives/{objective_id}/key-results/new"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let key_result: i64 = saved.location().rsplit("key-result-").next().unwrap().parse().unwrap();
    let made = org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    assert_eq!((made["start"].as_f64(), made["kpi_id"].as_i64()), (Some(96.5), Some(kpi_id)), "{made}");

    // The edit form: the KPI chosen, "use its current value" says the value; a newer
    // measurement moves the start when asked (with the reason a begun cycle needs).
    let edit = browser.get(&format!("/key-results/{key_result}/edit")).await.expect(200).to_owned();
    assert!(edit.contains(&format!("<option value=\"{kpi_id}\" selected>")), "{edit}");
    assert!(edit.contains("Use the KPI's current value (96.5%) as the start"), "{edit}");
    org.api
        .post(
            &format!("/api/v1/kpis/{kpi_id}/measurements"),
            json!({"value": 97.25, "measured_at": "2026-11-13T00:00:00Z"}),
        )
        .await
        .expect(201);
    // The measurement checked the key result in: the form is read again after it.
    let version = org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200)["version"].to_string();
    let change = [
        ("version", version.as_str()),
        ("title", "Raise uptime to 99.5%"),
        ("kind", "increase"),
        ("start", "96.5"),
        ("target", "99.5"),
        ("unit", "%"),
        ("weight", "1"),
        ("owner", ""),
        ("kpi", &kpi_id.to_string()),
        ("start_from_kpi", "yes"),
        ("reason", "rebaselined on the KPI"),
    ];
    let saved = browser.post_form(&format!("/key-results/{key_result}/edit"), &change).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let changed = org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    assert_eq!(changed["start"], 97.25, "{changed}");
    // Unlinking from the form.
    let version = changed["version"].to_string();
    let unlink = [
        ("version", version.as_str()),
        ("title", "Raise uptime to 99.5%"),
        ("kind", "increase"),
        ("start", "97.25"),
        ("target", "99.5"),
        ("unit", "%"),
        ("weight", "1"),
        ("owner", ""),
        ("kpi", ""),
    ];
    let saved = browser.post_form(&format!("/key-results/{key_result}/edit"), &unlink).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200)["kpi_id"], Value::Null);
});

http_test!(the_kpi_page_lists_the_key_results_it_feeds_that_the_viewer_may_see, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let kpi = uptime(&org.api, org.dana).await;
    let kpi_id = id(&kpi);
    let linked = |title: &str| json!({"title": title, "kind": "increase", "start": 90, "target": 99, "kpi_id": kpi_id});
    let open = org.team_objective("Open work on uptime", org.team, json!([linked("Raise uptime to 99%")])).await;
    let hidden = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Secret uptime plan", "owner_team_id": org.team,
            "visibility": "team", "key_results": [linked("Cut outages to 99% uptime")]}))
        .await;
    // Another key result of the same objective, not linked: not listed.
    let unlinked = json!({"title": "Hire 2 SREs", "kind": "increase", "start": 0, "target": 2});
    org.api.post(&format!("/api/v1/objectives/{}/key-results", id(&open)), unlinked).await.expect(201);

    let (_, insider) = org.person_with_session("ina", Some(org.team), "member").await;
    let page = Browser::from_api(&api, &insider).get(&format!("/kpis/{kpi_id}")).await.expect(200).to_owned();
    for shown in ["Open work on uptime", "Raise uptime to 99%", "Secret uptime plan", "Cut outages to 99% uptime"] {
        assert!(page.contains(shown), "a member of the team sees {shown}: {page}");
    }
    assert!(!page.contains("Hire 2 SREs"), "only the key results it feeds");

    let sales = id(&org.api.team("sales", Some(org.company)).await);
    let (_, outsider) = org.person_with_session("oz", Some(sales), "member").await;
    let page = Browser::from_api(&api, &outsider).get(&format!("/kpis/{kpi_id}")).await.expect(200).to_owned();
    assert!(page.contains("Open work on uptime") && page.contains("Raise uptime to 99%"), "{page}");
    assert!(
        !page.contains("Secret uptime plan")
            && !page.contains("Cut outages")
            && !page.contains(&format!("/objectives/{}", id(&hidden))),
        "a team-only objective stays hidden from outsiders: {page}"
    );
});

http_test!(the_board_and_the_dashboard_link_a_recovering_kpi_to_its_recovery_okr, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let kpi = id(&uptime(&org.api, org.dana).await);
    // Red the last two complete days: lagging.
    let red: Vec<Value> = [-12, -36]
        .iter()
        .map(|hours| json!({"measured_at": crate::harness::at_hours(*hours), "value": 90.0}))
        .collect();
    org.api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), Value::Array(red)).await.expect(200);
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    for page in ["/", "/kpis"] {
        let text = browser.get(page).await.expect(200).to_owned();
        assert!(text.contains(&format!("href=\"/kpis/{kpi}/recover\"")), "{page} offers the fix: {text}");
        assert!(!text.contains("recovering-link"), "{page}: nothing works on it yet");
    }
    let drafted = org.api.post(&format!("/api/v1/kpis/{kpi}/draft-objective"), json!({})).await.expect(201);
    let link = format!("<a href=\"/objectives/{}\" class=\"recovering-link\">", id(&drafted));
    for page in ["/", "/kpis"] {
        let text = browser.get(page).await.expect(200).to_owned();
        assert!(text.contains(&link), "{page} links Recovering to the recovery OKR: {text}");
        assert!(!text.contains(&format!("href=\"/kpis/{kpi}/recover\"")), "{page} no longer offers to create one");
    }
    // Someone who may not see the recovery OKR (team-only, another team) still sees the
    // KPI recovering, linked to the KPI's page rather than to the objective.
    let objective_path = format!("/api/v1/objectives/{}", id(&drafted));
    let version = org.api.get(&objective_path).await.expect(200)["version"].clone();
    org.api
        .patch(
            &objective_path,
            json!({"version": version, "owner_person_id": null, "owner_team_id": org.team, "visibility": "team"}),
        )
        .await
        .expect(200);
    let sales = id(&org.api.team("sales", Some(org.company)).await);
    let (_, outsider) = org.person_with_session("oz", Some(sales), "member").await;
    let text = Browser::from_api(&api, &outsider).get("/").await.expect(200).to_owned();
    assert!(text.contains(&format!("<a href=\"/kpis/{kpi}#work-heading\" class=\"recovering-link\">")), "{text}");
    assert!(!text.contains(&format!("/objectives/{}", id(&drafted))), "{text}");
});

http_test!(a_sql_source_is_tried_read_only_and_its_target_is_checked_as_for_a_run, |api: Api| async move {
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let kpi = uptime(&api, org.dana).await;
    let path = format!("/api/v1/kpis/{}", id(&kpi));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("metrics.db").display());
    let mut conn =
        sqlx::sqlite::SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true).connect().await.unwrap();
    sqlx::query("CREATE TABLE uptime (day TEXT, value REAL)").execute(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO uptime VALUES ('2026-11-15', 99.25)").execute(&mut conn).await.unwrap();

    let query = "SELECT value, day AS measured_at FROM uptime ORDER BY day DESC LIMIT 1";
    let source = json!({"kind": "sql", "url": url, "query": query});
    let tried = api.post(&format!("{path}/source/test"), json!({"source": source})).await.expect(200);
    assert_eq!((tried["value"].as_f64(), tried["measured_at"].as_str()), (Some(99.25), Some("2026-11-15T00:00:00Z")));
    assert_eq!(measurements(&api, id(&kpi)).await, 0, "a try records nothing");

    // A write is refused by the read-only connection: the reason, and nothing written.
    let write = json!({"kind": "sql", "url": url, "query": "INSERT INTO uptime VALUES ('x', 1) RETURNING value"});
    let tried = api.post(&format!("{path}/source/test"), json!({"source": write})).await.expect(200);
    assert!(tried["error"].as_str().unwrap_or_default().contains("readonly"), "{tried}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uptime").fetch_one(&mut conn).await.unwrap();
    assert_eq!(count, 1, "nothing was written");
    // A statement a source may never run is refused at the query, as when saved.
    let attach = json!({"kind": "sql", "url": url, "query": "ATTACH DATABASE 'x.db' AS x"});
    api.post(&format!("{path}/source/test"), json!({"source": attach})).await.invalid_at(&["/source/query"]);
    // A database the operator does not allow (outside the temporary folder) is refused
    // at the URL, and Milepost's own never opened.
    let elsewhere = json!({"kind": "sql", "url": "sqlite:///etc/milepost.db", "query": "SELECT 1"});
    api.post(&format!("{path}/source/test"), json!({"source": elsewhere})).await.invalid_at(&["/source/url"]);
    conn.close().await.unwrap();
});
