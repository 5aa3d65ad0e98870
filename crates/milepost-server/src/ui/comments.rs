//! Comment threads on the objective page (the objective's, each key result's and each
//! check-in's, read in one go), the forms that write and delete comments, and `/inbox`.
//! Everything works without JavaScript: plain forms answered with 303 back to the
//! comment on its objective's page.

use super::form::{Form, Problems, head};
use super::view::day;
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::caller::Role;
use milepost_app::comment::{CommentSubject, CommentView, NewCommentInput};
use milepost_app::inbox::InboxItem;
use milepost_app::{App, AppError, ListParams};
use milepost_core::{CheckInId, CommentId, KeyResultId, ObjectiveId};
use serde::Deserialize;
use std::collections::HashMap;

/// One comment as a thread shows it.
struct CommentLine {
    id: i64,
    author: String,
    when: String,
    iso: String,
    edited: bool,
    deleted: bool,
    /// Its safe HTML (rendered by the app, with no HTML of the author's own).
    html: String,
    can_delete: bool,
    version: i64,
}

/// A comment with the replies to it.
struct CommentGroup {
    comment: CommentLine,
    replies: Vec<CommentLine>,
}

/// One thread: the comments on one thing, and the form to add to it.
#[derive(Template)]
#[template(path = "comment_thread.html")]
struct Thread<'a> {
    /// Where its forms post: `/objectives/3/comments`.
    action: String,
    /// A prefix unique on the page, for the form fields' ids.
    anchor: String,
    /// What the comments are on, for people: "this objective".
    label: &'a str,
    groups: Vec<CommentGroup>,
    count: usize,
    can_write: bool,
}

/// Every comment of an objective's page, by the thing it is on.
pub(crate) struct Threads {
    by_subject: HashMap<(CommentSubject, i64), Vec<CommentView>>,
    person: Option<i64>,
    admin: bool,
    can_write: bool,
}

impl Threads {
    /// Reads every comment of the objective's page in one go.
    pub(crate) async fn of_objective(app: &App, viewer: &Viewer, id: ObjectiveId) -> Result<Threads, AppError> {
        let caller = &viewer.caller;
        let mut by_subject: HashMap<(CommentSubject, i64), Vec<CommentView>> = HashMap::new();
        for comment in app.comments().of_objective(caller, id).await? {
            by_subject.entry((comment.subject, comment.subject_id)).or_default().push(comment);
        }
        Ok(Threads {
            by_subject,
            person: caller.person,
            admin: caller.role == Role::Admin,
            can_write: caller.role != Role::Viewer,
        })
    }

    /// The number of comments on a thing.
    pub(crate) fn count(&self, subject: CommentSubject, id: i64) -> usize {
        self.by_subject.get(&(subject, id)).map_or(0, Vec::len)
    }

    /// The thread of one thing as HTML.
    pub(crate) fn render(&self, subject: CommentSubject, id: i64) -> String {
        let (path, label) = match subject {
            CommentSubject::Objective => ("objectives", "this objective"),
            CommentSubject::KeyResult => ("key-results", "this key result"),
            CommentSubject::CheckIn => ("check-ins", "this check-in"),
        };
        let line = |c: &CommentView| CommentLine {
            id: c.id.get(),
            author: c.author_name.clone().unwrap_or_else(|| "An API token".to_owned()),
            when: day(c.created_at),
            iso: c.created_at.to_string(),
            edited: c.updated_at != c.created_at && !c.deleted,
            deleted: c.deleted,
            html: c.html.clone(),
            can_delete: !c.deleted
                && (self.admin
                    || (self.can_write && c.author_person_id.is_some() && c.author_person_id == self.person)),
            version: c.version,
        };
        let comments = self.by_subject.get(&(subject, id)).map(Vec::as_slice).unwrap_or_default();
        let mut groups: Vec<CommentGroup> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for comment in comments {
            match comment.reply_to.and_then(|parent| index.get(&parent)) {
                Some(&at) => groups[at].replies.push(line(comment)),
                None => {
                    index.insert(comment.id.get(), groups.len());
                    groups.push(CommentGroup { comment: line(comment), replies: Vec::new() });
                }
            }
        }
        let thread = Thread {
            action: format!("/{path}/{id}/comments"),
            anchor: format!("{}-{id}", subject.as_str()),
            label,
            count: comments.len(),
            groups,
            can_write: self.can_write,
        };
        thread.render().unwrap_or_else(|error| {
            tracing::error!(%error, "a comment thread could not be rendered");
            String::new()
        })
    }
}

/// The page that says why a comment was not posted, with its text to try again.
#[derive(Template)]
#[template(path = "comment_refused.html")]
struct RefusedPage {
    layout: Layout,
    action: String,
    body: String,
    reply_to: String,
    problems: Problems,
    back: String,
}

async fn save(app: App, viewer: Viewer, subject: CommentSubject, id: i64, fields: super::form::Fields) -> PageResult {
    let caller = &viewer.caller;
    let body = fields.text("body").to_owned();
    let mut problems = Problems::default();
    let reply_to = match fields.optional("reply_to") {
        Some(text) => match text.parse::<i64>() {
            Ok(parent) => Some(parent),
            Err(_) => {
                problems.add("", "the comment to answer is not a number");
                None
            }
        },
        None => None,
    };
    let code = if problems.is_empty() {
        match app.comments().create(caller, subject, id, NewCommentInput { body: body.clone(), reply_to }).await {
            Ok(comment) => {
                return Ok(see_other(&format!("/objectives/{}#comment-{}", comment.objective_id, comment.id)));
            }
            Err(error) => problems.refused(error, |path| Some(head(path).to_owned()))?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let path = match subject {
        CommentSubject::Objective => "objectives",
        CommentSubject::KeyResult => "key-results",
        CommentSubject::CheckIn => "check-ins",
    };
    let template = RefusedPage {
        layout: Layout::new(&viewer, "", "Comment not posted"),
        action: format!("/{path}/{id}/comments"),
        body,
        reply_to: reply_to.map(|r| r.to_string()).unwrap_or_default(),
        problems,
        back: match subject {
            CommentSubject::Objective => format!("/objectives/{id}"),
            _ => "/".to_owned(),
        },
    };
    Ok(page(code, &template))
}

/// `POST /objectives/{id}/comments`: a comment on an objective.
pub async fn save_objective_comment(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    Form(fields): Form,
) -> PageResult {
    save(app, viewer, CommentSubject::Objective, id.get(), fields).await
}

/// `POST /key-results/{id}/comments`: a comment on a key result.
pub async fn save_key_result_comment(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KeyResultId>,
    Form(fields): Form,
) -> PageResult {
    save(app, viewer, CommentSubject::KeyResult, id.get(), fields).await
}

/// `POST /check-ins/{id}/comments`: a comment on a check-in.
pub async fn save_check_in_comment(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<CheckInId>,
    Form(fields): Form,
) -> PageResult {
    save(app, viewer, CommentSubject::CheckIn, id.get(), fields).await
}

/// `POST /comments/{id}/delete`: deletes a comment (its author or an admin).
pub async fn delete_comment(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<CommentId>,
    Form(fields): Form,
) -> PageResult {
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    if !problems.is_empty() {
        return Err(
            AppError::Invalid(vec![milepost_app::FieldError::parameter("version", problems.of("version"))]).into()
        );
    }
    let deleted = app.comments().delete(&viewer.caller, id, version).await?;
    Ok(see_other(&format!("/objectives/{}#comment-{}", deleted.objective_id, deleted.id)))
}

/// One inbox item as the page shows it.
struct InboxLine {
    key: String,
    kind: &'static str,
    title: String,
    detail: String,
    link: String,
    when: String,
}

fn kind_words(item: &InboxItem) -> &'static str {
    use milepost_app::inbox::InboxKind;
    match item.kind {
        InboxKind::CheckInDue => "Check-in due",
        InboxKind::Mention => "Mention",
        InboxKind::Reply => "Reply",
        InboxKind::AtRisk => "At risk",
        InboxKind::OffTrack => "Off track",
        InboxKind::Stale => "Stale",
        InboxKind::KpiLagging => "KPI lagging",
        InboxKind::CycleToClose => "Cycle to close",
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    items: Vec<InboxLine>,
    total: usize,
    next: Option<String>,
    /// Where this page began, for the dismiss forms to come back to.
    here: String,
}

/// Which page of the inbox.
#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    /// The number of items before this page.
    after: Option<String>,
}

/// `GET /inbox`: the person's inbox, 50 items a page.
pub async fn show_inbox(State(app): State<App>, viewer: Viewer, Query(query): Query<InboxQuery>) -> PageResult {
    let params = ListParams { limit: Some(50), after: query.after.clone() };
    let inbox = app.inbox().page(&viewer.caller, params).await?;
    let items = inbox
        .items
        .iter()
        .map(|item| InboxLine {
            key: item.key.clone(),
            kind: kind_words(item),
            title: item.title.clone(),
            detail: item.detail.clone(),
            link: item.link.clone(),
            when: item.at.map(day).unwrap_or_default(),
        })
        .collect();
    let here = match &query.after {
        Some(after) => format!("/inbox?after={}", super::form::encode(after)),
        None => "/inbox".to_owned(),
    };
    let template = InboxPage {
        layout: Layout::new(&viewer, "inbox", "Inbox"),
        items,
        total: inbox.total,
        next: inbox.next_cursor,
        here,
    };
    Ok(page(StatusCode::OK, &template))
}

/// `POST /inbox/dismiss`: marks an item done or dismissed, and goes back to the inbox.
pub async fn dismiss_inbox_item(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    app.inbox().dismiss(&viewer.caller, fields.text("key")).await?;
    let back = fields.text("back");
    Ok(see_other(if back.starts_with("/inbox") { back } else { "/inbox" }))
}
