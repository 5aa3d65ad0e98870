//! The app's one error type. The server turns it into `application/problem+json`; the
//! CLI prints it. Each variant carries what a person needs to fix the request.

use milepost_core::Slug;
use milepost_store::StoreError;
use serde::Serialize;
use thiserror::Error;

/// Where in a request a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A JSON pointer into the request body (`/key_results/0/target`).
    Pointer(String),
    /// A query-string or path parameter.
    Parameter(String),
    /// A request header.
    Header(String),
}

/// One thing wrong with a request, and where.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Where the problem is.
    #[serde(flatten)]
    pub location: Location,
    /// What is wrong, in words a person understands.
    pub detail: String,
}

impl FieldError {
    /// A problem with a body field, at the JSON pointer `pointer`.
    pub fn body(pointer: impl Into<String>, detail: impl ToString) -> FieldError {
        FieldError { location: Location::Pointer(pointer.into()), detail: detail.to_string() }
    }

    /// A problem with a query or path parameter.
    pub fn parameter(name: impl Into<String>, detail: impl ToString) -> FieldError {
        FieldError { location: Location::Parameter(name.into()), detail: detail.to_string() }
    }
}

/// Why an operation did not happen. Nothing was written when any of these is returned.
#[derive(Debug, Error)]
pub enum AppError {
    /// The input is wrong; each problem names its place.
    #[error("{}", summary(.0))]
    Invalid(Vec<FieldError>),
    /// The thing asked for does not exist in the caller's workspace. Things of other
    /// workspaces get exactly this answer too.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// What kind of thing (`objective`).
        what: &'static str,
        /// The id or name asked for.
        id: String,
    },
    /// The caller edited an old version: someone else changed it first.
    #[error(
        "{what} {id} was changed by someone else: it is at version {current}, the request was based on version {given}. Reload it and apply the change again"
    )]
    StaleVersion {
        /// What kind of thing.
        what: &'static str,
        /// Its id.
        id: i64,
        /// The version now.
        current: i64,
        /// The version the caller sent.
        given: i64,
    },
    /// The change clashes with the state of things (a slug taken, a closed cycle).
    #[error("{detail}")]
    Conflict {
        /// A stable code (`duplicate`, `cycle_closed`, `archived`).
        code: &'static str,
        /// What clashes.
        detail: String,
        /// The field at fault, when there is one.
        location: Option<Location>,
    },
    /// No valid credentials: no token, or one that is unknown, expired or revoked.
    #[error("{detail}")]
    Unauthenticated {
        /// What was wrong with the credentials.
        detail: String,
    },
    /// The caller is known but its role does not allow this.
    #[error("{detail}")]
    Forbidden {
        /// Why not.
        detail: String,
    },
    /// Too many attempts (failed logins): try again after `retry_after_secs`.
    #[error("{detail}")]
    TooManyRequests {
        /// Seconds to wait.
        retry_after_secs: u64,
        /// What was refused and why.
        detail: String,
    },
    /// The database's disk is full: the change was refused and nothing of it saved.
    #[error("the server's disk is full: nothing was saved; free space on it and try again")]
    DiskFull,
    /// Storage failed; details go to the log, not to the client.
    #[error("storage failed")]
    Store(#[source] StoreError),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::DiskFull => AppError::DiskFull,
            other => AppError::Store(other),
        }
    }
}

fn summary(problems: &[FieldError]) -> String {
    match problems {
        [one] => one.detail.clone(),
        many => format!("the request has {} problems", many.len()),
    }
}

impl AppError {
    /// A single invalid body field.
    pub fn invalid(pointer: impl Into<String>, detail: impl ToString) -> AppError {
        AppError::Invalid(vec![FieldError::body(pointer, detail)])
    }

    /// A stable machine-readable code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid",
            AppError::NotFound { .. } => "not_found",
            AppError::StaleVersion { .. } => "stale_version",
            AppError::Conflict { code, .. } => code,
            AppError::Unauthenticated { .. } => "unauthenticated",
            AppError::Forbidden { .. } => "forbidden",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::DiskFull => "disk_full",
            AppError::Store(_) => "internal",
        }
    }
}

/// Collects every problem of a request before refusing it, so a person fixes all of
/// them in one go rather than one per round trip.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    /// No problems yet.
    pub fn new() -> Problems {
        Problems::default()
    }

    /// Notes a problem with a body field.
    pub fn push(&mut self, pointer: impl Into<String>, detail: impl ToString) {
        self.0.push(FieldError::body(pointer, detail));
    }

    /// Keeps the value of `result`, or notes its error at `pointer`.
    pub fn check<T, E: ToString>(&mut self, pointer: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(pointer, error);
                None
            }
        }
    }

    /// Whether nothing is wrong so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was noted, or every problem as one error.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self.0)) }
    }
}

/// Maps a storage error on a versioned update to the app's words for it.
pub(crate) fn on_update(error: StoreError, what: &'static str, id: i64, given: i64) -> AppError {
    match error {
        StoreError::NotFound => AppError::NotFound { what, id: id.to_string() },
        StoreError::Conflict { current } => AppError::StaleVersion { what, id, current, given },
        other => duplicate_or(other, what),
    }
}

/// Turns a unique-constraint failure into a conflict a person can act on.
pub(crate) fn duplicate_or(error: StoreError, what: &'static str) -> AppError {
    match error {
        StoreError::Duplicate { constraint } => {
            let field = ["slug", "handle", "email"].into_iter().find(|f| constraint.contains(f));
            let detail = match field {
                Some(field) => format!("another {what} in this workspace already has this {field}"),
                None => format!("another {what} like this already exists"),
            };
            AppError::Conflict {
                code: "duplicate",
                detail,
                location: field.map(|f| Location::Pointer(format!("/{f}"))),
            }
        }
        other => other.into(),
    }
}

/// Checks a slug, or makes one from the name when none was given.
pub(crate) fn slug_or_from(problems: &mut Problems, slug: Option<&str>, name: &str) -> Option<String> {
    match slug {
        Some(text) => problems.check("/slug", Slug::parse(text)).map(|s| s.as_str().to_owned()),
        None => match Slug::from_title(name) {
            Some(slug) => Some(slug.as_str().to_owned()),
            None => {
                if !name.trim().is_empty() {
                    problems.push("/slug", "no slug can be made from this name: give one (letters, digits and '-')");
                }
                None
            }
        },
    }
}
