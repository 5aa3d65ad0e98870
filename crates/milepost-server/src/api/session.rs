//! `/api/v1/session`: log in with email and password, see who is logged in, change
//! the password, log out. The session lives in an HttpOnly, Secure, SameSite=Lax cookie.

use crate::extract::{Authenticated, ClientAddress, Json, SESSION_COOKIE, refuse_cross_site, session_cookie};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use milepost_app::App;
use milepost_app::session::{
    AcceptInvitation, CreatedInvitation, Login, NewInvitation, PasswordChange, SESSION_LENGTH, SessionView,
};
use milepost_core::PersonId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn cookie(value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age}"
    ))
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the session cookie could not be set"))
}

/// Refuses a login posted from another site (login CSRF).
pub struct SameSite;

impl<S: Send + Sync> FromRequestParts<S> for SameSite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        refuse_cross_site(parts)?;
        Ok(SameSite)
    }
}

/// Logs in with email and password and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = Login, security(()),
    responses((status = 200, description = "Logged in; the session cookie is set", body = SessionView,
        headers(("set-cookie" = String, description = "The session cookie"))), ErrorResponses))]
pub async fn create_session(
    State(app): State<App>,
    _same_site: SameSite,
    ClientAddress(address): ClientAddress,
    Json(login): Json<Login>,
) -> Result<Response, ApiError> {
    let session = app.access().login(login, &address).await?;
    let view = SessionView { workspace: session.workspace, person: session.person, expires_at: session.expires_at };
    let mut response = Json(view).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&session.secret, SESSION_LENGTH.as_secs())?);
    Ok(response)
}

/// Who is logged in with this session.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", security(("session" = [])),
    responses((status = 200, description = "The session", body = SessionView), ErrorResponses))]
pub async fn get_session(State(app): State<App>, headers: HeaderMap) -> Result<Json<SessionView>, ApiError> {
    let secret = session_cookie(&headers).ok_or_else(|| {
        ApiError::from(milepost_app::AppError::Unauthenticated { detail: "nobody is logged in".to_owned() })
    })?;
    let (_, view) = app.access().authenticate_session(&secret).await?;
    Ok(Json(view))
}

/// Logs out: the session ends and the cookie is cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(()),
    responses((status = 204, description = "Logged out"), ErrorResponses))]
pub async fn delete_session(
    State(app): State<App>,
    _same_site: SameSite,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(secret) = session_cookie(&headers) {
        app.access().logout(&secret).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0)?);
    Ok(response)
}

/// Changes the logged-in person's password; their other sessions end.
#[utoipa::path(post, path = "/api/v1/session/password", tag = "session", request_body = PasswordChange,
    security(("session" = [])),
    responses((status = 204, description = "Changed"), ErrorResponses))]
pub async fn change_password(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    headers: HeaderMap,
    Json(change): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let secret = session_cookie(&headers).unwrap_or_default();
    app.access().change_password(&caller, &secret, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new password for a person.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// At least 10 characters.
    pub password: String,
}

/// Sets a person's password (admins; a person changes their own with
/// /api/v1/session/password); their sessions end.
#[utoipa::path(post, path = "/api/v1/people/{id}/password", tag = "people", request_body = NewPassword,
    params(("id" = i64, Path, minimum = 1, description = "The person's id")),
    responses((status = 204, description = "Set"), ErrorResponses))]
pub async fn set_person_password(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    crate::extract::Id(id): crate::extract::Id<PersonId>,
    Json(new): Json<NewPassword>,
) -> Result<StatusCode, ApiError> {
    app.access().set_password(&caller, id, &new.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invites a person (admins): adds them and returns a link, valid a week and once,
/// with which they choose a password.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "session", request_body = NewInvitation,
    responses((status = 201, description = "Invited; the token is shown this once", body = CreatedInvitation), ErrorResponses))]
pub async fn create_invitation(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(new): Json<NewInvitation>,
) -> Result<(StatusCode, Json<CreatedInvitation>), ApiError> {
    Ok((StatusCode::CREATED, Json(app.access().invite(&caller, new).await?)))
}

/// Accepts an invitation: chooses a password and logs in.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "session", request_body = AcceptInvitation, security(()),
    responses((status = 200, description = "Accepted and logged in; the session cookie is set", body = SessionView,
        headers(("set-cookie" = String, description = "The session cookie"))), ErrorResponses))]
pub async fn accept_invitation(
    State(app): State<App>,
    _same_site: SameSite,
    Json(accept): Json<AcceptInvitation>,
) -> Result<Response, ApiError> {
    let session = app.access().accept_invitation(accept).await?;
    let view = SessionView { workspace: session.workspace, person: session.person, expires_at: session.expires_at };
    let mut response = Json(view).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&session.secret, SESSION_LENGTH.as_secs())?);
    Ok(response)
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router
        .routes(routes!(create_invitation))
        .routes(routes!(accept_invitation))
        .routes(routes!(create_session, get_session, delete_session))
        .routes(routes!(change_password))
        .routes(routes!(set_person_password))
}
