//! The KPI forms of the web app: defining a KPI shows it on the board; bad fields are
//! shown next to the field and nothing is written; editing changes it (a stale version
//! is a 409); members and viewers are refused; a post from another site is refused.

use crate::harness::{Api, Org};
use crate::ui::Browser;
use serde_json::Value;

/// The names of the workspace's KPIs, as the API lists them.
async fn kpi_names(api: &Api) -> Vec<String> {
    let list = api.get("/api/v1/kpis?limit=500").await.expect(200);
    list["items"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap().to_owned()).collect()
}

/// The form fields of a daily uptime KPI owned by `owner`.
fn uptime(owner: &str) -> Vec<(&'static str, String)> {
    [
        ("name", "Website uptime"),
        ("slug", ""),
        ("description", "Share of minutes the site answers"),
        ("owner", owner),
        ("unit", "%"),
        ("direction", "higher_is_better"),
        ("target", "99.9"),
        ("range_low", ""),
        ("range_high", ""),
        ("warning_band", "0.1"),
        ("cadence", "daily"),
        ("tier", "kpi"),
        ("tags", "reliability, web"),
        ("lagging_after", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn with(fields: &[(&'static str, String)], name: &str, value: &str) -> Vec<(&'static str, String)> {
    fields.iter().map(|(k, v)| (*k, if *k == name { value.to_owned() } else { v.clone() })).collect()
}

http_test!(an_editor_defines_a_kpi_with_the_form_and_it_shows_on_the_board, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (ed, editor) = org.person_with_session("ed", Some(org.department), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let board = ok(&browser, "/kpis").await;
    assert!(board.contains("href=\"/kpis/new\""), "an editor sees the link: {board}");
    let form = ok(&browser, "/kpis/new").await;
    for field in ["name", "slug", "owner", "unit", "direction", "target", "range_low", "range_high", "cadence", "tier"]
    {
        assert!(form.contains(&format!("<label for=\"{field}\">")), "{field} has a label");
    }
    assert!(form.contains(&format!("<option value=\"{ed}\" selected>")), "the owner starts as the editor: {form}");

    let owner = ed.to_string();
    let reply = browser.post_form("/kpis/new", &pairs(&uptime(&owner))).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let location = reply.location().to_owned();
    let id: i64 = location.trim_start_matches("/kpis/").parse().unwrap();
    let kpi = org.api.get(&format!("/api/v1/kpis/{id}")).await.expect(200);
    assert_eq!(kpi["name"], "Website uptime");
    assert_eq!(kpi["slug"], "website-uptime");
    assert_eq!(kpi["owner_person_id"], ed);
    assert_eq!(kpi["target"], 99.9);
    assert_eq!(kpi["cadence"], "daily");
    assert_eq!(kpi["lagging_after"], 3);
    assert_eq!(kpi["tags"], serde_json::json!(["reliability", "web"]));
    let board = ok(&browser, "/kpis").await;
    assert!(board.contains("Website uptime"), "{board}");
    let page = ok(&browser, &location).await;
    assert!(page.contains(&format!("href=\"/kpis/{id}/edit\"")), "an editor sees the edit link: {page}");

    // Within a range, with its band.
    let churn = with(&with(&with(&uptime(""), "name", "Churn"), "direction", "within_range"), "target", "");
    let churn = with(&with(&churn, "range_low", "2"), "range_high", "3");
    let reply = browser.post_form("/kpis/new", &pairs(&churn)).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let id: i64 = reply.location().trim_start_matches("/kpis/").parse().unwrap();
    let kpi = org.api.get(&format!("/api/v1/kpis/{id}")).await.expect(200);
    assert_eq!(kpi["range"], serde_json::json!([2.0, 3.0]));
    assert_eq!(kpi["owner_person_id"], Value::Null);
});

http_test!(bad_kpi_fields_are_shown_next_to_the_field_and_nothing_is_written, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (ed, editor) = org.person_with_session("ed", Some(org.department), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let owner = ed.to_string();
    let good = uptime(&owner);
    // (field, what is typed, the field the message is next to): a lone range end is missing its other end.
    for (typed, value, field) in [
        ("target", "lots", "target"),
        ("name", "", "name"),
        ("range_high", "3", "range_low"),
        ("lagging_after", "-1", "lagging_after"),
    ] {
        let reply = browser.post_form("/kpis/new", &pairs(&with(&good, typed, value))).await;
        assert_eq!(reply.status, 422, "{field}: {}", reply.text);
        assert!(reply.text.contains(&format!("id=\"{field}-error\"")), "{field}: {}", reply.text);
        assert!(reply.text.contains(&format!("aria-describedby=\"{field}-error\"")), "{field}");
        assert!(reply.text.contains("Nothing was saved"), "{field}");
    }
    let reply = browser.post_form("/kpis/new", &pairs(&with(&good, "target", "lots"))).await;
    assert!(reply.text.contains("value=\"lots\""), "what was typed stays: {}", reply.text);
    assert!(kpi_names(&org.api).await.is_empty(), "nothing was written");
});

http_test!(the_edit_form_changes_a_kpi_and_a_stale_version_is_a_conflict, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (ed, editor) = org.person_with_session("ed", Some(org.department), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let owner = ed.to_string();
    let reply = browser.post_form("/kpis/new", &pairs(&uptime(&owner))).await;
    let id: i64 = reply.location().trim_start_matches("/kpis/").parse().unwrap();
    let edit = format!("/kpis/{id}/edit");
    let form = ok(&browser, &edit).await;
    assert!(form.contains("name=\"version\" value=\"1\""), "{form}");
    assert!(form.contains("value=\"Website uptime\"") && form.contains("value=\"reliability, web\""), "{form}");

    let mut changed = with(&with(&uptime(&owner), "name", "Site uptime"), "target", "99.95");
    changed.push(("version", "1".to_owned()));
    let reply = browser.post_form(&edit, &pairs(&changed)).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(reply.location(), format!("/kpis/{id}"));
    let kpi = org.api.get(&format!("/api/v1/kpis/{id}")).await.expect(200);
    assert_eq!(kpi["name"], "Site uptime");
    assert_eq!(kpi["target"], 99.95);
    assert_eq!(kpi["version"], 2);

    // The same form again is based on a version that is gone.
    let stale = with(&changed, "name", "Stale uptime");
    let reply = browser.post_form(&edit, &pairs(&stale)).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert!(reply.text.contains("role=\"alert\""), "{}", reply.text);
    assert_eq!(kpi_names(&org.api).await, vec!["Site uptime".to_owned()], "nothing was written");

    // Bad input on the edit form writes nothing either.
    let bad = with(&with(&changed, "version", "2"), "warning_band", "wide");
    let reply = browser.post_form(&edit, &pairs(&bad)).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("id=\"warning_band-error\""), "{}", reply.text);
    assert_eq!(org.api.get(&format!("/api/v1/kpis/{id}")).await.expect(200)["version"], 2);
});

http_test!(members_and_viewers_may_not_define_or_edit_kpis, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (ed, editor) = org.person_with_session("ed", Some(org.department), "editor").await;
    let owner = ed.to_string();
    let reply = Browser::from_api(&api, &editor).post_form("/kpis/new", &pairs(&uptime(&owner))).await;
    let id: i64 = reply.location().trim_start_matches("/kpis/").parse().unwrap();
    for role in ["member", "viewer"] {
        let (person, session) = org.person_with_session(&format!("{role}1"), Some(org.department), role).await;
        let browser = Browser::from_api(&api, &session);
        let board = ok(&browser, "/kpis").await;
        assert!(!board.contains("href=\"/kpis/new\""), "{role} sees no New KPI link");
        let page = ok(&browser, &format!("/kpis/{id}")).await;
        assert!(!page.contains("/edit\""), "{role} sees no Edit link");
        assert_eq!(browser.get("/kpis/new").await.status, 403, "{role}");
        assert_eq!(browser.get(&format!("/kpis/{id}/edit")).await.status, 403, "{role}");
        let mine = person.to_string();
        let reply = browser.post_form("/kpis/new", &pairs(&with(&uptime(&mine), "name", "Mine"))).await;
        assert_eq!(reply.status, 403, "{role}: {}", reply.text);
        assert!(reply.text.contains("only editors and admins define KPIs") || reply.text.contains("viewer"), "{role}");
        let mut change = with(&uptime(&mine), "name", "Taken over");
        change.push(("version", "1".to_owned()));
        let reply = browser.post_form(&format!("/kpis/{id}/edit"), &pairs(&change)).await;
        assert_eq!(reply.status, 403, "{role}: {}", reply.text);
    }
    assert_eq!(kpi_names(&org.api).await, vec!["Website uptime".to_owned()], "nothing was written");

    // Another workspace's KPI answers 404, like a missing one.
    let other = Org::new(&api, "globex").await;
    let (_, outsider) = other.person_with_session("ozzy", Some(other.department), "editor").await;
    let browser = Browser::from_api(&api, &outsider);
    assert_eq!(browser.get(&format!("/kpis/{id}/edit")).await.status, 404);
    let mut change = with(&uptime(""), "name", "Taken over");
    change.push(("version", "1".to_owned()));
    assert_eq!(browser.post_form(&format!("/kpis/{id}/edit"), &pairs(&change)).await.status, 404);
    assert_eq!(kpi_names(&org.api).await, vec!["Website uptime".to_owned()]);
});

http_test!(a_kpi_form_posted_from_another_site_is_refused_and_writes_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (ed, editor) = org.person_with_session("ed", Some(org.department), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let owner = ed.to_string();
    let fields = uptime(&owner);
    let cross_site: [&[(&str, &str)]; 3] =
        [&[("sec-fetch-site", "cross-site")], &[("sec-fetch-site", "same-site")], &[("origin", "http://evil.example")]];
    for headers in cross_site {
        let reply = browser.post_form_with("/kpis/new", &pairs(&fields), headers).await;
        assert_eq!(reply.status, 403, "{headers:?}: {}", reply.text);
        assert!(reply.text.contains("another site"), "{}", reply.text);
    }
    assert!(kpi_names(&org.api).await.is_empty(), "nothing was written");
    let reply = browser.post_form("/kpis/new", &pairs(&fields)).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let id: i64 = reply.location().trim_start_matches("/kpis/").parse().unwrap();
    let mut change = with(&fields, "name", "Planted");
    change.push(("version", "1".to_owned()));
    let reply = browser.post_form_with(&format!("/kpis/{id}/edit"), &pairs(&change), cross_site[0]).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(kpi_names(&org.api).await, vec!["Website uptime".to_owned()], "nothing was changed");
});

/// The page at `path`, which must load.
async fn ok(browser: &Browser, path: &str) -> String {
    let page = browser.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.text);
    page.text
}

// A KPI computed from others is defined in the form too: its formula and drivers, a bad
// formula shown at its field with its column, and the edit form showing both.
http_test!(the_form_defines_a_formula_kpi_and_its_drivers, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (ed, editor) = org.person_with_session("ed", Some(org.department), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let owner = ed.to_string();
    let kpi = |name: &str, unit: &str| {
        with(&with(&with(&with(&uptime(&owner), "name", name), "unit", unit), "target", "100"), "warning_band", "0")
    };
    for (name, unit) in [("Orders", "count"), ("Average order value", "EUR"), ("Visits", "count")] {
        assert_eq!(browser.post_form("/kpis/new", &pairs(&kpi(name, unit))).await.status, 303);
    }
    let form = ok(&browser, "/kpis/new").await;
    assert!(form.contains("<label for=\"formula\">") && form.contains("<label for=\"drivers\">"), "{form}");

    let computed = |formula: &str| {
        let mut fields = kpi("Revenue", "EUR");
        fields.push(("formula", formula.to_owned()));
        fields.push(("drivers", "visits".to_owned()));
        fields
    };
    let bad = computed("orders * (average-order-value");
    let reply = browser.post_form("/kpis/new", &pairs(&bad)).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("id=\"formula-error\""), "the problem is at the formula: {}", reply.text);
    assert!(reply.text.contains("column"), "it says where: {}", reply.text);
    assert_eq!(kpi_names(&org.api).await.len(), 3, "nothing was written");

    let good = computed("orders * average-order-value");
    let reply = browser.post_form("/kpis/new", &pairs(&good)).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let id: i64 = reply.location().trim_start_matches("/kpis/").parse().unwrap();
    let made = org.api.get(&format!("/api/v1/kpis/{id}")).await.expect(200);
    assert_eq!(
        (&made["formula"], &made["drivers"]),
        (&Value::from("orders * average-order-value"), &serde_json::json!(["visits"]))
    );
    let edit = ok(&browser, &format!("/kpis/{id}/edit")).await;
    assert!(edit.contains("value=\"orders * average-order-value\"") && edit.contains("value=\"visits\""), "{edit}");
});
