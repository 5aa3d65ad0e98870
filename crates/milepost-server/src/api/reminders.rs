//! `/api/v1/me/reminders` and `/api/v1/me/calendar-feed`: the person's own choice about
//! reminder emails, and their private calendar feed (`/calendar/{token}.ics`).

use crate::extract::{Authenticated, Json};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use milepost_app::App;
use milepost_app::calendar::{CalendarFeedView, NewCalendarFeed};
use milepost_app::reminder::ReminderPreferences;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Whether the person logged in gets reminder emails on the workspace's check-in day
/// (a person only: an API token is 403).
#[utoipa::path(get, path = "/api/v1/me/reminders", tag = "reminders",
    responses((status = 200, description = "Their reminder choices", body = ReminderPreferences), ErrorResponses))]
pub async fn get_reminder_preferences(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<Json<ReminderPreferences>, ApiError> {
    Ok(Json(app.reminders().preferences(&caller).await?))
}

/// Turns the person's reminder emails on or off (`{"emails": false}` opts out).
#[utoipa::path(put, path = "/api/v1/me/reminders", tag = "reminders", request_body = ReminderPreferences,
    responses((status = 200, description = "Their reminder choices as set", body = ReminderPreferences), ErrorResponses))]
pub async fn set_reminder_preferences(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(preferences): Json<ReminderPreferences>,
) -> Result<Json<ReminderPreferences>, ApiError> {
    Ok(Json(app.reminders().set_preferences(&caller, preferences).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(get_reminder_preferences, set_reminder_preferences)).routes(routes!(
        get_calendar_feed,
        create_calendar_feed,
        revoke_calendar_feed
    ))
}

/// Whether the person logged in has a private calendar feed (a person only).
#[utoipa::path(get, path = "/api/v1/me/calendar-feed", tag = "reminders",
    responses((status = 200, description = "Their calendar feed", body = CalendarFeedView), ErrorResponses))]
pub async fn get_calendar_feed(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<Json<CalendarFeedView>, ApiError> {
    Ok(Json(app.calendar_feeds().get(&caller).await?))
}

/// Makes the person a new private calendar feed and returns its URL, shown this once;
/// the feed they had stops working.
#[utoipa::path(post, path = "/api/v1/me/calendar-feed", tag = "reminders",
    responses((status = 201, description = "The new feed's URL", body = NewCalendarFeed), ErrorResponses))]
pub async fn create_calendar_feed(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<(StatusCode, Json<NewCalendarFeed>), ApiError> {
    Ok((StatusCode::CREATED, Json(app.calendar_feeds().create(&caller).await?)))
}

/// Revokes the person's calendar feed: its URL answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/me/calendar-feed", tag = "reminders",
    responses((status = 204, description = "Revoked"), ErrorResponses))]
pub async fn revoke_calendar_feed(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<StatusCode, ApiError> {
    app.calendar_feeds().revoke(&caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /calendar/{token}.ics`: the feed itself, for calendar applications, which send
/// no credentials: the token in the URL is the key. Unknown and revoked tokens are 404.
pub async fn calendar_feed(State(app): State<App>, uri: Uri) -> Result<Response, ApiError> {
    let token = uri.path().trim_start_matches("/calendar/").trim_end_matches(".ics");
    let text = app.calendar_feeds().render(token).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, no-cache")], text)
        .into_response())
}
