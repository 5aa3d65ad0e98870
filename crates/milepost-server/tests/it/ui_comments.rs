//! Comments and the inbox in the web app, through the real pages: threads on the
//! objective page (the objective's, each key result's and each check-in's), posted and
//! deleted with plain forms, Markdown shown without the commenter's HTML, refusals
//! shown with the text kept, team-only objectives' threads out of reach, and `/inbox`
//! with its count in the navigation.

use crate::harness::{Api, Org, id, password_of};
use crate::ui::{Browser, seed};
use serde_json::json;

http_test!(comments_are_posted_answered_and_deleted_from_the_objective_page, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let page = format!("/objectives/{}", seeded.objective);
    let before = browser.get(&page).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert!(before.text.contains("Discussion") && before.text.contains("Add a comment on this objective"));

    let posted = browser
        .post_form(
            &format!("{page}/comments"),
            &[("body", "Hello **team** <script>alert(1)</script> [x](javascript:alert(1))")],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let comment: i64 = posted.location().rsplit("#comment-").next().unwrap().parse().unwrap();
    assert!(posted.location().starts_with(&page));
    let shown = browser.get(&page).await;
    assert!(shown.text.contains(&format!("id=\"comment-{comment}\"")), "{}", shown.text);
    assert!(shown.text.contains("Hello <strong>team</strong> &lt;script&gt;alert(1)&lt;/script&gt;"), "{}", shown.text);
    assert!(!shown.text.contains("<script>alert(1)") && !shown.text.contains("href=\"javascript"));

    // A reply, and comments on a key result and on a check-in, all on the same page.
    let reply =
        browser.post_form(&format!("{page}/comments"), &[("body", "Me too"), ("reply_to", &comment.to_string())]).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let on_key_result =
        browser.post_form(&format!("/key-results/{}/comments", seeded.on_track), &[("body", "KR note")]).await;
    assert_eq!(on_key_result.status, 303, "{}", on_key_result.text);
    let check_ins = seeded.member.walk(&format!("/api/v1/key-results/{}/check-ins", seeded.on_track), 50).await;
    let check_in = id(&check_ins[0]);
    let on_check_in = browser.post_form(&format!("/check-ins/{check_in}/comments"), &[("body", "Why 20?")]).await;
    assert_eq!(on_check_in.status, 303, "{}", on_check_in.text);
    let shown = browser.get(&page).await;
    for text in ["Me too", "KR note", "Why 20?", "replied", "Comments on the check-in of"] {
        assert!(shown.text.contains(text), "{text} missing: {}", shown.text);
    }

    // A refusal shows why, with the text kept to try again.
    let refused = browser.post_form(&format!("{page}/comments"), &[("body", "cc @nobody-here")]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("@nobody-here is not anyone"), "{}", refused.text);
    assert!(refused.text.contains(">cc @nobody-here</textarea>"), "{}", refused.text);
    let empty = browser.post_form(&format!("{page}/comments"), &[("body", "  ")]).await;
    assert_eq!(empty.status, 422, "{}", empty.text);

    // Deleted by its author: the thread says so, the text is gone.
    let comment_json = seeded.member.get(&format!("/api/v1/comments/{comment}")).await.expect(200);
    let deleted = browser
        .post_form(&format!("/comments/{comment}/delete"), &[("version", &comment_json["version"].to_string())])
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.text);
    let shown = browser.get(&page).await;
    assert!(shown.text.contains("This comment was deleted."));
    assert!(!shown.text.contains("Hello <strong>team</strong>"));

    // A form from another site changes nothing.
    let cross = browser
        .post_form_with(&format!("{page}/comments"), &[("body", "From afar")], &[("sec-fetch-site", "cross-site")])
        .await;
    assert_eq!(cross.status, 403);
    assert!(!browser.get(&page).await.text.contains("From afar"));
});

http_test!(a_team_only_objectives_thread_is_out_of_reach_outside_its_team, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    let hidden = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Fix the pager", "owner_team_id": org.team,
                          "visibility": "team", "key_results": [Org::increase("Cut pages from 10 to 0", 0.0, 10.0)]}))
        .await;
    let thread = format!("/api/v1/objectives/{}/comments", id(&hidden));
    let secret = org.api.post(&thread, json!({"body": "secret plan"})).await.expect(201);
    // mo is in the department, not the platform team.
    let browser = Browser::logged_in(&api, &seeded.member).await;
    let posted = browser.post_form(&format!("/objectives/{}/comments", id(&hidden)), &[("body", "peek")]).await;
    assert_eq!(posted.status, 404, "{}", posted.text);
    let key_result = id(&hidden["key_results"][0]);
    assert_eq!(
        browser.post_form(&format!("/key-results/{key_result}/comments"), &[("body", "peek")]).await.status,
        404
    );
    let delete = browser.post_form(&format!("/comments/{}/delete", id(&secret)), &[("version", "1")]).await;
    assert_eq!(delete.status, 404);
    assert!(!delete.text.contains("secret plan"));
    assert_eq!(org.api.walk(&thread, 50).await.len(), 1);
});

http_test!(the_inbox_page_lists_mentions_with_a_count_in_the_navigation, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let seeded = seed(&org).await;
    org.api.give_password(org.dana, &password_of("dana")).await;
    let dana = Browser::logged_in(&api, &org.log_in("dana").await).await;
    let empty = dana.get("/inbox").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(empty.text.contains("Nothing waits for you."), "{}", empty.text);
    let mo = Browser::logged_in(&api, &seeded.member).await;
    let posted =
        mo.post_form(&format!("/objectives/{}/comments", seeded.objective), &[("body", "@dana can you help?")]).await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let inbox = dana.get("/inbox").await;
    assert!(inbox.text.contains("You were mentioned in a comment"), "{}", inbox.text);
    assert!(inbox.text.contains("can you help?"));
    assert!(
        inbox.text.contains("<span class=\"count\">1<span class=\"visually-hidden\"> waiting</span></span>"),
        "{}",
        inbox.text
    );
    let key = dana.api().get("/api/v1/me/inbox").await.expect(200)["items"][0]["key"].as_str().unwrap().to_owned();
    let done = dana.post_form("/inbox/dismiss", &[("key", &key), ("back", "/inbox")]).await;
    assert_eq!(done.status, 303, "{}", done.text);
    assert_eq!(done.location(), "/inbox");
    assert!(dana.get("/inbox").await.text.contains("Nothing waits for you."));
    let bad = dana.post_form("/inbox/dismiss", &[("key", "<b>")]).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
});
