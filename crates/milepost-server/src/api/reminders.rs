//! `/api/v1/me/reminders`: the person's own choice about reminder emails.

use crate::extract::{Authenticated, Json};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
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
    router.routes(routes!(get_reminder_preferences, set_reminder_preferences))
}
