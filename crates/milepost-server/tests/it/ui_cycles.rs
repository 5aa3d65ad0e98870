//! Cycles in the web app: editors and admins create and edit cycles from a form that
//! offers the quarter after the last one; bad dates are shown at the field and nothing
//! is written; a stale form is a 409; members are refused; a cycle's status is an
//! admin's to change, and a closed one does not reopen from the form. The admin's
//! dashboard asks to close a cycle whose last day has passed.

use crate::harness::{Api, Org, id};
use crate::ui::Browser;
use serde_json::Value;

/// Every cycle of the workspace, as the API lists them.
async fn cycles(api: &Api) -> Vec<Value> {
    api.walk("/api/v1/cycles?include_archived=true", 100).await
}

/// The form fields of a cycle.
fn cycle_fields<'a>(name: &'a str, start: &'a str, end: &'a str, kind: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![("name", name), ("start_date", start), ("end_date", end), ("kind", kind)]
}

/// The id a successful form post redirects to: `/cycles/{id}`.
#[track_caller]
fn created(reply: &crate::ui::Page) -> i64 {
    assert_eq!(reply.status, 303, "{}", reply.text);
    reply.location().trim_start_matches("/cycles/").parse().unwrap()
}

http_test!(an_editor_creates_the_next_quarter_and_edits_it_with_the_form, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, editor) = org.person_with_session("ed", Some(org.department), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let timeline = browser.get("/cycles").await;
    assert!(timeline.expect(200).contains("href=\"/cycles/new\""), "an editor sees the link: {}", timeline.text);
    assert!(timeline.text.contains(&format!("href=\"/cycles/{}/edit\"", org.cycle)), "{}", timeline.text);

    // After 2026 Q4, the form offers 2027 Q1.
    let form = browser.get("/cycles/new").await;
    let form = form.expect(200);
    for field in ["name", "start_date", "end_date", "kind"] {
        assert!(form.contains(&format!("<label for=\"{field}\">")), "{field} has a label: {form}");
    }
    assert!(form.contains("value=\"2027 Q1\""), "{form}");
    assert!(form.contains("value=\"2027-01-01\""), "{form}");
    assert!(form.contains("value=\"2027-03-31\""), "{form}");
    assert!(form.contains("<option value=\"quarter\" selected>"), "{form}");
    assert!(!form.contains("name=\"status\""), "an editor does not set the status: {form}");

    let reply = browser.post_form("/cycles/new", &cycle_fields("2027 Q1", "2027-01-01", "2027-03-31", "quarter")).await;
    let q1 = created(&reply);
    let cycle = org.api.get(&format!("/api/v1/cycles/{q1}")).await.expect(200);
    assert_eq!(cycle["name"], "2027 Q1");
    assert_eq!(cycle["slug"], "2027-q1");
    assert_eq!(cycle["kind"], "quarter");
    assert_eq!(cycle["status"], "planning", "it starts by itself on its start date");
    assert_eq!(cycle["start_date"], "2027-01-01");
    assert_eq!(cycle["end_date"], "2027-03-31");
    let page = browser.get(&format!("/cycles/{q1}")).await;
    assert!(page.expect(200).contains(&format!("href=\"/cycles/{q1}/edit\"")), "{}", page.text);
    let form = browser.get("/cycles/new").await;
    assert!(form.expect(200).contains("value=\"2027 Q2\""), "then the quarter after it: {}", form.text);
    assert!(form.text.contains("value=\"2027-06-30\""), "{}", form.text);

    // Bad dates are shown next to their field, and nothing is written.
    let before = cycles(&org.api).await;
    for (start, end, kind, field, says) in [
        ("2027-04-01", "2027-05-15", "quarter", "end_date", "ends on 2027-06-30"),
        ("2027-04-02", "2027-06-30", "quarter", "start_date", "first day of a month"),
        ("2027-06-30", "2027-04-01", "custom", "end_date", "on or after"),
        ("someday", "2027-06-30", "custom", "start_date", ""),
    ] {
        let reply = browser.post_form("/cycles/new", &cycle_fields("2027 Q2", start, end, kind)).await;
        assert_eq!(reply.status, 422, "{start} {end}: {}", reply.text);
        assert!(reply.text.contains(&format!("id=\"{field}-error\"")), "{start} {end}: {}", reply.text);
        assert!(reply.text.contains(says), "{start} {end}: {}", reply.text);
        assert!(reply.text.contains(&format!("value=\"{start}\"")), "what was typed stays: {}", reply.text);
    }
    assert_eq!(cycles(&org.api).await, before, "a refused form writes nothing");

    // Editing: the form shows the cycle; a change saves; a stale form is a 409.
    let edit = browser.get(&format!("/cycles/{q1}/edit")).await;
    assert!(edit.expect(200).contains("name=\"version\" value=\"1\""), "{}", edit.text);
    assert!(edit.text.contains("value=\"2027 Q1\""), "{}", edit.text);
    let mut fields = cycle_fields("2027 Q1 (kick-off)", "2027-01-04", "2027-03-26", "custom");
    fields.push(("version", "1"));
    let reply = browser.post_form(&format!("/cycles/{q1}/edit"), &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let cycle = org.api.get(&format!("/api/v1/cycles/{q1}")).await.expect(200);
    assert_eq!((cycle["name"].as_str(), cycle["kind"].as_str()), (Some("2027 Q1 (kick-off)"), Some("custom")));
    assert_eq!(cycle["start_date"], "2027-01-04");
    let mut stale = cycle_fields("Stale", "2027-01-01", "2027-03-31", "quarter");
    stale.push(("version", "1"));
    let reply = browser.post_form(&format!("/cycles/{q1}/edit"), &stale).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert!(reply.text.contains("form-problems"), "{}", reply.text);
    assert!(reply.text.contains("value=\"Stale\""), "what was typed stays: {}", reply.text);
    assert_eq!(org.api.get(&format!("/api/v1/cycles/{q1}")).await.expect(200), cycle, "nothing changed");

    // The status is an admin's: an editor's crafted post is refused and changes nothing.
    let mut closing = cycle_fields("2027 Q1 (kick-off)", "2027-01-04", "2027-03-26", "custom");
    closing.extend([("version", "2"), ("status", "closed")]);
    let reply = browser.post_form(&format!("/cycles/{q1}/edit"), &closing).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(org.api.get(&format!("/api/v1/cycles/{q1}")).await.expect(200), cycle, "nothing changed");
});

http_test!(an_admin_changes_a_cycles_status_with_the_form_and_reopens_it_only_with_a_reason, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let browser = Browser::from_api(&api, &admin);
    let path = format!("/cycles/{}/edit", org.cycle);
    let form = browser.get(&path).await;
    assert!(form.expect(200).contains("<option value=\"active\" selected>"), "{}", form.text);
    let mut fields = cycle_fields("Cycle 2026-q4", "2026-10-01", "2026-12-31", "quarter");
    fields.extend([("version", "1"), ("status", "closed")]);
    let reply = browser.post_form(&path, &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let closed = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    assert_eq!(closed["status"], "closed");
    let form = browser.get(&path).await;
    assert!(form.expect(200).contains("reopens from its page"), "{}", form.text);

    // Reopening is not a form edit: 409, saying how, and nothing changes.
    let mut reopening = cycle_fields("Cycle 2026-q4", "2026-10-01", "2026-12-31", "quarter");
    reopening.extend([("version", "2"), ("status", "active")]);
    let reply = browser.post_form(&path, &reopening).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert!(reply.text.contains("reopen"), "{}", reply.text);
    assert_eq!(org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200), closed);

    // It reopens from its own form, with a reason: a blank one is shown at the field.
    let page = browser.get(&format!("/cycles/{}", org.cycle)).await;
    let reopen = format!("/cycles/{}/reopen", org.cycle);
    assert!(page.expect(200).contains(&format!("href=\"{reopen}\"")), "{}", page.text);
    let form = browser.get(&reopen).await;
    assert!(form.expect(200).contains("name=\"version\" value=\"2\""), "{}", form.text);
    let reply = browser.post_form(&reopen, &[("version", "2"), ("reason", "  ")]).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("id=\"reason-error\""), "{}", reply.text);
    assert_eq!(org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200), closed);
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let editor = Browser::from_api(&api, &editor);
    let page = editor.get(&format!("/cycles/{}", org.cycle)).await;
    assert!(!page.expect(200).contains(&reopen), "only admins reopen: {}", page.text);
    assert_eq!(editor.get(&reopen).await.status, 403);
    let reply = editor.post_form(&reopen, &[("version", "2"), ("reason", "mine")]).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    let reply = browser.post_form(&reopen, &[("version", "2"), ("reason", "The churn numbers came in late")]).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let reopened = org.api.get(&format!("/api/v1/cycles/{}", org.cycle)).await.expect(200);
    assert_eq!(reopened["status"], "active");
    let page = browser.get(&format!("/cycles/{}", org.cycle)).await;
    assert!(page.expect(200).contains("The churn numbers came in late"), "{}", page.text);
});

http_test!(members_and_viewers_cannot_plan_cycles, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let before = cycles(&org.api).await;
    for (handle, role) in [("mo", "member"), ("vic", "viewer")] {
        let (_, person) = org.person_with_session(handle, Some(org.team), role).await;
        let browser = Browser::from_api(&api, &person);
        let timeline = browser.get("/cycles").await;
        assert!(!timeline.expect(200).contains("/cycles/new"), "{role}: {}", timeline.text);
        assert_eq!(browser.get("/cycles/new").await.status, 403, "{role}");
        assert_eq!(browser.get(&format!("/cycles/{}/edit", org.cycle)).await.status, 403, "{role}");
        let reply =
            browser.post_form("/cycles/new", &cycle_fields("2027 Q1", "2027-01-01", "2027-03-31", "quarter")).await;
        assert_eq!(reply.status, 403, "{role}: {}", reply.text);
        let mut fields = cycle_fields("Mine", "2026-10-01", "2026-12-31", "quarter");
        fields.push(("version", "1"));
        let reply = browser.post_form(&format!("/cycles/{}/edit", org.cycle), &fields).await;
        assert_eq!(reply.status, 403, "{role}: {}", reply.text);
    }
    assert_eq!(cycles(&org.api).await, before, "nothing was written");

    // A post from another site is refused, even an editor's.
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let browser = Browser::from_api(&api, &editor);
    let fields = cycle_fields("2027 Q1", "2027-01-01", "2027-03-31", "quarter");
    let reply = browser.post_form_with("/cycles/new", &fields, &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(cycles(&org.api).await, before, "nothing was written");
});

http_test!(the_admin_dashboard_asks_to_close_a_cycle_that_ended, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    org.person_with_session("mo", Some(org.team), "member").await;
    let prompt = "Cycle 2026-q4 ended on 2026-12-31: review and close it";
    let dashboard = Browser::from_api(&api, &admin).get("/").await;
    assert!(!dashboard.expect(200).contains("review and close it"), "not before it ends: {}", dashboard.text);

    // The day after its last day (logged in anew: sessions end after a while).
    api.shift_clock(jiff::SignedDuration::from_hours(24 * 47));
    let admin = Browser::from_api(&api, &org.log_in("ada").await);
    let member = Browser::from_api(&api, &org.log_in("mo").await);
    let dashboard = admin.get("/").await;
    assert!(dashboard.expect(200).contains(prompt), "{}", dashboard.text);
    assert!(
        dashboard.text.contains(&format!("<a href=\"/cycles/{}/close\">{prompt}", org.cycle)),
        "{}",
        dashboard.text
    );
    let dashboard = member.get("/").await;
    assert!(!dashboard.expect(200).contains("review and close it"), "a member cannot close it: {}", dashboard.text);

    // Closed, it asks no more.
    let path = format!("/api/v1/cycles/{}", org.cycle);
    org.api.patch(&path, serde_json::json!({"version": 1, "status": "closed"})).await.expect(200);
    let dashboard = admin.get("/").await;
    assert!(!dashboard.expect(200).contains("review and close it"), "{}", dashboard.text);
    api.shift_clock(jiff::SignedDuration::ZERO);
});

http_test!(with_several_active_cycles_the_dashboard_shows_the_one_around_today, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    // A short cycle that ended and awaits closing, and the year around today, both active.
    let sprint = id(&org.api.cycle("sprint", "2026-10-01", "2026-10-14", "active").await);
    org.api.cycle("2026", "2026-01-01", "2026-12-31", "active").await;
    let (_, member) = org.person_with_session("mo", Some(org.team), "member").await;
    let dashboard = Browser::from_api(&api, &member).get("/").await;
    let lead = format!("<p class=\"lead\">Cycle <a href=\"/cycles/{}\">", org.cycle);
    assert!(dashboard.expect(200).contains(&lead), "the quarter around today: {}", dashboard.text);
    assert!(!dashboard.text.contains(&format!("href=\"/cycles/{sprint}\"")), "{}", dashboard.text);
});
