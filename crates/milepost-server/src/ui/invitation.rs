//! `/invitations/{secret}`: the link an admin's invitation gives (`/invitations/mi_…`)
//! opens a page where the person invited chooses a password, and is logged in
//! (`app.access().accept_invitation`, the API's use case).

use super::form::{Form, Problems, head};
use super::session::LoginParts;
use super::{PageError, PageResult, page, see_other};
use crate::api::session::cookie;
use crate::extract::Slug;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use milepost_app::session::{AcceptInvitation, SESSION_LENGTH};
use milepost_app::{App, AppError};

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    secret: String,
    problems: Problems,
}

/// `GET /invitations/{secret}`: the form to choose a password.
pub async fn show_invitation(Slug(secret): Slug) -> PageResult {
    Ok(page(StatusCode::OK, &InvitationPage { secret, problems: Problems::default() }))
}

/// `POST /invitations/{secret}`: accepts the invitation with the password chosen and
/// logs the person in. A wrong, used or expired link is told at the top of the form
/// (401), a bad password next to it (422).
pub async fn accept_invitation(
    State(app): State<App>,
    _same_site: LoginParts,
    Slug(secret): Slug,
    Form(fields): Form,
) -> PageResult {
    let mut problems = Problems::default();
    let password = fields.text("password").to_owned();
    let status = if password != fields.text("password_again") {
        problems.add("password_again", "the two passwords differ: type the same one twice");
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        match app.access().accept_invitation(AcceptInvitation { token: secret.clone(), password }).await {
            Ok(session) => {
                let mut response = see_other("/");
                let value = cookie(&session.secret, SESSION_LENGTH.as_secs()).map_err(PageError::from)?;
                response.headers_mut().insert(header::SET_COOKIE, value);
                return Ok(response);
            }
            Err(error @ AppError::Unauthenticated { .. }) => {
                problems.add("", error.to_string());
                StatusCode::UNAUTHORIZED
            }
            Err(error) => problems.refused(error, |path| Some(head(path).to_owned()))?,
        }
    };
    Ok(page(status, &InvitationPage { secret, problems }))
}
