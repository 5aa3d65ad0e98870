//! The weekly check-in form as a browser without JavaScript posts it: every field the
//! page drew goes back, changed or not, so these tests read the form from the page,
//! change what a person would change, and post all of it. Only the rows that say
//! something new are saved (a value or confidence that differs as a number, a note,
//! blockers, or the "no change this week" box); a submit that changes nothing writes
//! nothing and says so; the confirmation counts what was saved.

use crate::harness::{Api, Org};
use crate::ui::{Browser, Page, seed};
use jiff::SignedDuration;
use serde_json::{Value, json};

/// The fields of the check-in form on `page`, in order, as a browser would post them:
/// every input and textarea with a name, checkboxes only when ticked.
#[derive(Debug, Clone)]
struct CheckInForm(Vec<(String, String)>);

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl CheckInForm {
    fn of(page: &Page) -> CheckInForm {
        let start =
            page.text.find("<form method=\"post\" action=\"/check-in\"").expect("the page has the check-in form");
        let form = &page.text[start..start + page.text[start..].find("</form>").unwrap()];
        let mut fields = Vec::new();
        let mut rest = form;
        while let Some(at) = rest.find('<') {
            rest = &rest[at..];
            let end = rest.find('>').unwrap();
            let tag = &rest[..end];
            if tag.starts_with("<input ") {
                let ticked = attribute(tag, "type").as_deref() != Some("checkbox") || tag.contains(" checked");
                if let (Some(name), true) = (attribute(tag, "name"), ticked) {
                    fields.push((name, attribute(tag, "value").unwrap_or_default()));
                }
            } else if tag.starts_with("<textarea ") {
                let text = &rest[end + 1..rest.find("</textarea>").unwrap()];
                fields.push((attribute(tag, "name").unwrap(), unescape(text)));
            }
            rest = &rest[end..];
        }
        CheckInForm(fields)
    }

    /// The value of field `name` (which must be on the form).
    fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no field {name}"))
    }

    /// Types `value` into field `name` (which must be on the form).
    fn set(mut self, name: &str, value: &str) -> CheckInForm {
        let field = self.0.iter_mut().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no field {name}"));
        field.1 = value.to_owned();
        self
    }

    /// Ticks the checkbox `name`, with the value it has on the page.
    fn tick(mut self, name: &str, page: &Page) -> CheckInForm {
        let start = page.text.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no checkbox {name}"));
        let tag = &page.text[page.text[..start].rfind('<').unwrap()..start + page.text[start..].find('>').unwrap()];
        assert_eq!(attribute(tag, "type").as_deref(), Some("checkbox"), "{tag}");
        self.0.push((name.to_owned(), attribute(tag, "value").unwrap_or_else(|| "on".into())));
        self
    }

    async fn post(&self, browser: &Browser) -> Page {
        let fields: Vec<(&str, &str)> = self.0.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        browser.post_form("/check-in", &fields).await
    }
}

/// A key result's check-ins, oldest first, as the API lists them.
async fn check_ins(api: &Api, key_result: i64) -> Vec<Value> {
    api.get(&format!("/api/v1/key-results/{key_result}/check-ins?limit=500")).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// A key result as the API shows it.
async fn key_result(api: &Api, key_result: i64) -> Value {
    api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200)
}

/// How many events the audit trail holds.
async fn events(admin: &Api) -> usize {
    admin.walk("/api/v1/events", 500).await.len()
}

/// Follows the 303 of a saved form and returns the confirmation it shows.
async fn confirmation(browser: &Browser, reply: &Page) -> String {
    assert_eq!(reply.status, 303, "{}", reply.text);
    let page = browser.get(reply.location()).await;
    let text = page.expect(200);
    let start = text.find("id=\"saved\">").expect("a confirmation") + "id=\"saved\">".len();
    text[start..start + text[start..].find("</p>").unwrap()].to_owned()
}

http_test!(editing_one_row_saves_that_check_in_alone_and_leaves_the_others_as_they_were, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let (a, b) = (seeded.on_track, seeded.lagging);
    // Twelve days later, both key results are overdue for a check-in: stale.
    org.api.shift_clock(SignedDuration::from_hours(24 * 12));
    let page = browser.get("/check-in").await;
    page.expect(200);
    let untouched = key_result(&org.api, b).await;
    assert_eq!(untouched["status"], "stale", "{untouched}");
    let (before_a, before_b, trail) =
        (check_ins(&org.api, a).await.len(), check_ins(&org.api, b).await.len(), events(&org.api).await);

    let reply = CheckInForm::of(&page).set(&format!("value.{a}"), "24").post(&browser).await;
    assert_eq!(reply.location(), "/check-in?saved=1");
    assert_eq!(confirmation(&browser, &reply).await, "✓ Saved 1 check-in.");
    assert_eq!(check_ins(&org.api, a).await.len(), before_a + 1);
    assert_eq!(check_ins(&org.api, b).await.len(), before_b, "the row left alone was not checked in");
    assert_eq!(key_result(&org.api, b).await, untouched, "still stale, same last check-in, value and confidence");
    assert_eq!(events(&org.api).await, trail + 1, "one event: the one check-in");
    let edited = key_result(&org.api, a).await;
    assert_eq!((edited["current"].clone(), edited["confidence"].clone()), (json!(24.0), json!(7)), "{edited}");
    assert_ne!(edited["status"], "stale");

    // Two rows changed: two saved, and the confirmation counts them.
    let page = browser.get("/check-in").await;
    let reply = CheckInForm::of(&page)
        .set(&format!("confidence.{a}"), "8")
        .set(&format!("blockers.{b}"), "Waiting for the billing fix")
        .post(&browser)
        .await;
    assert_eq!(confirmation(&browser, &reply).await, "✓ Saved 2 check-ins.");
    let last = check_ins(&org.api, b).await.pop().unwrap();
    assert_eq!((last["value"].clone(), last["blockers"].clone()), (json!(8.0), json!("Waiting for the billing fix")));
});

http_test!(a_submit_that_changes_nothing_writes_nothing_and_says_so, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let (a, b) = (seeded.on_track, seeded.lagging);
    // A value with thousands, to write another way.
    org.api.check_in(a, json!({"value": 1000, "confidence": 7})).await;
    let page = browser.get("/check-in").await;
    let form = CheckInForm::of(&page);
    assert_eq!((form.get(&format!("value.{a}")), form.get(&format!("value.{b}"))), ("1000", "8"));
    let views = (key_result(&org.api, a).await, key_result(&org.api, b).await);
    let (before_a, before_b, trail) =
        (check_ins(&org.api, a).await.len(), check_ins(&org.api, b).await.len(), events(&org.api).await);

    // The form as it came, then the same numbers written another way, and blank notes.
    let unchanged = form.clone();
    let rewritten = form
        .set(&format!("value.{a}"), "1,000.00")
        .set(&format!("value.{b}"), " 8.0 ")
        .set(&format!("confidence.{a}"), "07")
        .set(&format!("note.{a}"), "   ")
        .set(&format!("blockers.{b}"), "\n");
    for form in [unchanged, rewritten] {
        let reply = form.post(&browser).await;
        assert_eq!(reply.location(), "/check-in?saved=0", "{form:?}");
        assert_eq!(confirmation(&browser, &reply).await, "Nothing changed: no check-in saved.");
    }
    assert_eq!((check_ins(&org.api, a).await.len(), check_ins(&org.api, b).await.len()), (before_a, before_b));
    assert_eq!(events(&org.api).await, trail, "no event either");
    assert_eq!((key_result(&org.api, a).await, key_result(&org.api, b).await), views);
});

http_test!(the_no_change_box_records_a_check_in_at_the_same_value_on_purpose, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let (a, b) = (seeded.on_track, seeded.lagging);
    org.api.shift_clock(SignedDuration::from_hours(24 * 12));
    let page = browser.get("/check-in").await;
    let text = page.expect(200);
    assert!(
        text.contains(&format!("<label for=\"no-change-{b}\"><input type=\"checkbox\" id=\"no-change-{b}\"")),
        "the box has its label: {text}"
    );
    let before_a = check_ins(&org.api, a).await.len();
    let before_b = check_ins(&org.api, b).await.len();

    let reply = CheckInForm::of(&page).tick(&format!("no_change.{b}"), &page).post(&browser).await;
    assert_eq!(confirmation(&browser, &reply).await, "✓ Saved 1 check-in.");
    let history = check_ins(&org.api, b).await;
    assert_eq!(history.len(), before_b + 1);
    let last = history.last().unwrap();
    assert_eq!(
        (last["value"].clone(), last["confidence"].clone(), last["author_person_id"].clone()),
        (json!(8.0), json!(2), json!(seeded.mo)),
        "{last}"
    );
    assert_ne!(key_result(&org.api, b).await["status"], "stale", "checked in this week");
    assert_eq!(check_ins(&org.api, a).await.len(), before_a, "the other row was left alone");
});

http_test!(a_bad_value_on_a_changed_row_saves_nothing_and_is_said_at_its_field, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::from_api(&api, &seeded.member);
    let (a, b) = (seeded.on_track, seeded.lagging);
    let page = browser.get("/check-in").await;
    let (before_a, before_b, trail) =
        (check_ins(&org.api, a).await.len(), check_ins(&org.api, b).await.len(), events(&org.api).await);

    for (field, typed, message) in [("value", "lots", "is not a number"), ("confidence", "11", "10")] {
        let reply = CheckInForm::of(&page)
            .set(&format!("value.{a}"), "24")
            .set(&format!("note.{a}"), "Good week")
            .set(&format!("{field}.{b}"), typed)
            .post(&browser)
            .await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        let error = format!("id=\"{field}-{b}-error\"");
        let at = reply.text.find(&error).unwrap_or_else(|| panic!("{error}: {}", reply.text));
        assert!(reply.text[at..].split("</small>").next().unwrap().contains(message), "{}", reply.text);
        assert!(!reply.text.contains(&format!("id=\"value-{a}-error\"")), "the good row has no error");
        assert!(reply.text.contains("Nothing was saved"), "{}", reply.text);
        // What was typed stays, beside what the rows showed, for the next submit.
        let again = CheckInForm::of(&reply);
        assert_eq!((again.get(&format!("value.{a}")), again.get(&format!("note.{a}"))), ("24", "Good week"));
        assert_eq!((again.get(&format!("shown_value.{a}")), again.get(&format!("shown_value.{b}"))), ("20", "8"));
        assert_eq!((check_ins(&org.api, a).await.len(), check_ins(&org.api, b).await.len()), (before_a, before_b));
        assert_eq!(events(&org.api).await, trail);
    }
});

http_test!(
    a_row_left_alone_on_a_form_drawn_before_another_check_in_does_not_put_the_old_value_back,
    |api: Api| async move {
        let org = Org::new(&api, "acme").await;
        let seeded = seed(&org).await;
        let browser = Browser::from_api(&api, &seeded.member);
        let (a, b) = (seeded.on_track, seeded.lagging);
        let page = browser.get("/check-in").await;
        // Someone else checks in on a while mo's form is open.
        org.api.check_in(a, json!({"value": 25, "confidence": 9})).await;
        let before_a = check_ins(&org.api, a).await.len();

        let reply = CheckInForm::of(&page).set(&format!("value.{b}"), "7.5").post(&browser).await;
        assert_eq!(confirmation(&browser, &reply).await, "✓ Saved 1 check-in.");
        assert_eq!(check_ins(&org.api, a).await.len(), before_a);
        assert_eq!(key_result(&org.api, a).await["current"], 25.0, "the newer value stands");

        // Saying "no change" on the value it showed would put 20 back: asked again instead.
        let refused = CheckInForm::of(&page).tick(&format!("no_change.{a}"), &page).post(&browser).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.text.contains(&format!("id=\"value-{a}-error\"")), "{}", refused.text);
        assert!(refused.text.contains("moved to 25"), "{}", refused.text);
        assert_eq!(check_ins(&org.api, a).await.len(), before_a);
        // The form drawn again shows the value as it stands, and saving it records that.
        let again = CheckInForm::of(&refused);
        assert_eq!((again.get(&format!("value.{a}")), again.get(&format!("shown_value.{a}"))), ("25", "25"));
        assert_eq!(again.get(&format!("no_change.{a}")), "yes", "the box stays ticked");
        let reply = again.post(&browser).await;
        assert_eq!(confirmation(&browser, &reply).await, "✓ Saved 1 check-in.");
        let last = check_ins(&org.api, a).await.pop().unwrap();
        assert_eq!((last["value"].clone(), last["author_person_id"].clone()), (json!(25.0), json!(seeded.mo)));
    }
);

http_test!(the_check_in_form_is_one_use_case_with_the_callers_key_results_in_active_cycles, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    // One more key result of mo's, archived, and one in a cycle still being planned:
    // neither is on the form.
    let archived = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Old plan", "owner_person_id": seeded.mo,
                          "key_results": [{"title": "Grow signups from 1 to 9", "kind": "increase", "start": 1,
                                           "target": 9, "owner_person_id": seeded.mo}]}))
        .await;
    let archived_key_result = archived["key_results"][0].clone();
    org.api
        .post(
            &format!("/api/v1/key-results/{}/archive", archived_key_result["id"]),
            json!({"version": archived_key_result["version"]}),
        )
        .await
        .expect(200);
    let next = crate::harness::id(&org.api.cycle("2027-q1", "2027-01-01", "2027-03-31", "planning").await);
    org.api
        .objective(json!({"cycle_id": next, "title": "Later", "owner_person_id": seeded.mo,
                          "key_results": [{"title": "Grow signups from 9 to 20", "kind": "increase", "start": 9,
                                           "target": 20, "owner_person_id": seeded.mo}]}))
        .await;

    let app = org.api.app();
    let operator = app.workspaces().caller("acme").await.unwrap();
    let mo = milepost_app::Caller {
        role: milepost_app::person::Role::Member,
        person: Some(seeded.mo),
        team: Some(org.department),
        ..operator.clone()
    };
    let form = app.check_ins().form(&mo).await.unwrap();
    let ids: Vec<i64> = form.key_results.iter().map(|k| k.id.get()).collect();
    assert_eq!(ids, vec![seeded.on_track, seeded.lagging], "mo's key results of the active cycle, in order");
    let shown: Vec<_> = form.key_results.iter().map(|k| (k.current, k.confidence)).collect();
    assert_eq!(shown, vec![(Some(20.0), Some(7)), (Some(8.0), Some(2))], "each row's value and confidence");
    assert!(form.key_results.iter().all(|k| k.last_check_in_at.is_some() && k.check_in_due_at.is_some()));
    let people: Vec<i64> = form.people.iter().map(|p| p.id.get()).collect();
    assert_eq!(people, vec![seeded.mo], "the owner the rows name");

    // The page shows exactly those rows, named after their owner.
    let browser = Browser::from_api(&api, &seeded.member);
    let page = browser.get("/check-in").await;
    page.expect(200);
    let posted = CheckInForm::of(&page);
    assert_eq!(posted.get("key_results"), format!("{},{}", seeded.on_track, seeded.lagging));
    assert_eq!(posted.get(&format!("shown_value.{}", seeded.on_track)), "20");

    // A caller who is no person (an API token, the operator) has no check-in form.
    assert!(app.check_ins().form(&operator).await.unwrap().key_results.is_empty());
});
