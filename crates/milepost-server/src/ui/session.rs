//! `/login` and `/logout`: the browser's way into the sessions of
//! `milepost_app::session`, with the same cookie as `POST /api/v1/session`.

use super::form::{Form, Problems};
use super::{PageError, PageResult, page, see_other};
use crate::api::session::cookie;
use crate::extract::{ClientAddress, Query, refuse_cross_site, session_cookie};
use askama::Template;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use milepost_app::session::{Login, SESSION_LENGTH};
use milepost_app::{App, AppError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    workspace: String,
    /// The installation's only workspace: the form does not ask for it.
    only: bool,
    email: String,
    next: String,
    problems: Problems,
}

/// The query of the login page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoginQuery {
    /// Where to go after logging in.
    pub next: Option<String>,
    /// The workspace to fill in.
    pub workspace: Option<String>,
}

/// Where to go after logging in: only a path of this site, never another site.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The cookie that remembers the workspace last logged in to, for the login form.
const WORKSPACE_COOKIE: &str = "milepost_workspace";

/// The workspace the login form remembers, from its cookie.
fn remembered_workspace(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == WORKSPACE_COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The installation's only workspace, when it has exactly one.
async fn only_workspace(app: &App) -> Result<Option<String>, AppError> {
    let workspaces = app.workspaces().list().await?;
    Ok(match workspaces.as_slice() {
        [only] => Some(only.slug.clone()),
        _ => None,
    })
}

/// `GET /login`: the login form. It asks for the workspace only when the installation
/// has several (filled in with the one last logged in to); with none yet, the set-up.
pub async fn show_login(State(app): State<App>, headers: HeaderMap, Query(query): Query<LoginQuery>) -> PageResult {
    if app.first_run().needed().await? {
        return Ok(see_other("/setup"));
    }
    let only = only_workspace(&app).await?;
    let workspace = only.clone().or(query.workspace).or_else(|| remembered_workspace(&headers));
    let template = LoginPage {
        workspace: workspace.unwrap_or_default(),
        only: only.is_some(),
        email: String::new(),
        next: safe_next(query.next.as_deref().unwrap_or("/")),
        problems: Problems::default(),
    };
    Ok(page(StatusCode::OK, &template))
}

/// `POST /login`: logs in and goes where the person was headed.
pub async fn log_in(
    State(app): State<App>,
    _same_site: LoginParts,
    ClientAddress(address): ClientAddress,
    Form(fields): Form,
) -> PageResult {
    let workspace = fields.text("workspace").to_owned();
    let email = fields.text("email").to_owned();
    let next = safe_next(fields.text("next"));
    let mut problems = Problems::default();
    if workspace.is_empty() {
        problems.add("workspace", "give the workspace's short name, such as demo");
    }
    if email.is_empty() {
        problems.add("email", "give your email address");
    }
    if fields.text("password").is_empty() {
        problems.add("password", "give your password");
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        let login =
            Login { workspace: workspace.clone(), email: email.clone(), password: fields.text("password").to_owned() };
        match app.access().login(login, &address).await {
            Ok(session) => {
                let mut response = see_other(&next);
                let value = cookie(&session.secret, SESSION_LENGTH.as_secs()).map_err(PageError::from)?;
                response.headers_mut().insert(header::SET_COOKIE, value);
                // Remembered for a year, for the next login on an installation of several.
                if let Ok(remember) = HeaderValue::from_str(&format!(
                    "{WORKSPACE_COOKIE}={}; Path=/login; HttpOnly; Secure; SameSite=Lax; Max-Age=31536000",
                    session.workspace
                )) {
                    response.headers_mut().append(header::SET_COOKIE, remember);
                }
                return Ok(response);
            }
            Err(error @ (AppError::Unauthenticated { .. } | AppError::TooManyRequests { .. })) => {
                status = if matches!(error, AppError::TooManyRequests { .. }) {
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    StatusCode::UNAUTHORIZED
                };
                problems.add("", error.to_string());
            }
            Err(error) => return Err(error.into()),
        }
    }
    let only = only_workspace(&app).await?.is_some_and(|only| only == workspace);
    let template = LoginPage { workspace, only, email, next, problems };
    Ok(page(status, &template))
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn log_out(State(app): State<App>, _same_site: LoginParts, headers: HeaderMap) -> PageResult {
    if let Some(secret) = session_cookie(&headers) {
        app.access().logout(&secret).await?;
    }
    let mut response = see_other("/login");
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0).map_err(PageError::from)?);
    Ok(response)
}

/// Refuses a login or logout posted from another site (login CSRF), with an HTML page.
pub struct LoginParts;

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for LoginParts {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        refuse_cross_site(parts).map_err(|error| PageError::from(error).into_response())?;
        Ok(LoginParts)
    }
}
