//! The app's one error type. The server turns it into `application/problem+json`; the
//! CLI prints it. Each variant carries what a person needs to fix the request.

use milepost_core::Slug;
use milepost_store::{StoreError, Unique};
use serde::Serialize;
use thiserror::Error;

/// One step of a [`Path`]: a field's name or an item's index in a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A field of an object (`title`).
    Field(String),
    /// An item of a list, counted from 0 (a CSV file's rows count as a list).
    Index(usize),
}

/// Where in a request body a problem is: the steps from the body's root, such as
/// `key_results`, `0`, `target`. Each front end writes it its own way, in one place: the
/// API as a JSON pointer (`/key_results/0/target`, [`Path::pointer`]), the web app as a
/// form field's name, the CLI next to the line of the file it read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Path(Vec<Segment>);

impl Path {
    /// The body itself.
    pub fn root() -> Path {
        Path::default()
    }

    /// This path, one field further in.
    pub fn field(mut self, name: impl Into<String>) -> Path {
        self.0.push(Segment::Field(name.into()));
        self
    }

    /// This path, at item `index` of the list it names.
    pub fn index(mut self, index: usize) -> Path {
        self.0.push(Segment::Index(index));
        self
    }

    /// `inner` read from this path: `/check_ins/3` then `/value` is
    /// `/check_ins/3/value`.
    pub fn join(mut self, inner: Path) -> Path {
        self.0.extend(inner.0);
        self
    }

    /// The steps, from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this is the body itself.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path without its first `count` steps, when it starts with `prefix`.
    pub fn strip_prefix(&self, prefix: &Path) -> Option<Path> {
        self.0.starts_with(&prefix.0).then(|| Path(self.0[prefix.0.len()..].to_vec()))
    }

    /// The path as a JSON pointer (RFC 6901): `/key_results/0/target`, `~` and `/` in a
    /// name escaped as `~0` and `~1`; empty for the body itself.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            out.push('/');
            match segment {
                Segment::Field(name) => out.push_str(&name.replace('~', "~0").replace('/', "~1")),
                Segment::Index(index) => out.push_str(&index.to_string()),
            }
        }
        out
    }

    /// Reads a JSON pointer: each step made only of digits is an index.
    pub fn from_pointer(pointer: &str) -> Path {
        let steps = pointer.strip_prefix('/').unwrap_or(pointer);
        if steps.is_empty() {
            return Path::root();
        }
        Path(
            steps
                .split('/')
                .map(|step| match step.parse::<usize>() {
                    Ok(index) if !step.starts_with('+') => Segment::Index(index),
                    _ => Segment::Field(step.replace("~1", "/").replace("~0", "~")),
                })
                .collect(),
        )
    }
}

/// A path written as a JSON pointer, for the fixed places a use case names
/// (`"/title"`); places with an index are built with [`Path::field`] and
/// [`Path::index`].
impl From<&str> for Path {
    fn from(pointer: &str) -> Path {
        Path::from_pointer(pointer)
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.pointer())
    }
}

impl Serialize for Path {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.pointer())
    }
}

/// Where in a request a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A place in the request body, answered by the API as a JSON pointer
    /// (`/key_results/0/target`).
    #[serde(rename = "pointer")]
    Body(Path),
    /// A query-string or path parameter.
    Parameter(String),
    /// A request header.
    Header(String),
}

// [`Location`] as the API writes it, for the OpenAPI document: a body place is its
// JSON pointer. (The doc comment below is the schema's description.)
/// Where in a request a problem is.
#[derive(utoipa::ToSchema)]
#[schema(as = Location)]
#[serde(rename_all = "snake_case")]
#[expect(dead_code, reason = "only its schema is used")]
enum LocationSchema {
    /// A JSON pointer into the request body (`/key_results/0/target`).
    Pointer(String),
    /// A query-string or path parameter.
    Parameter(String),
    /// A request header.
    Header(String),
}

impl utoipa::PartialSchema for Location {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <LocationSchema as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Location {
    fn name() -> std::borrow::Cow<'static, str> {
        "Location".into()
    }
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
    /// A problem with a body field, at `path` (a [`Path`], or a fixed place written as
    /// a JSON pointer: `"/title"`).
    pub fn body(path: impl Into<Path>, detail: impl ToString) -> FieldError {
        FieldError { location: Location::Body(path.into()), detail: detail.to_string() }
    }

    /// A problem in row `index` (from 0) of a CSV file, read at `line`, in `column`: the
    /// detail names the row and the line as a person counts them, and the location
    /// points at the row's field as the JSON batch of the same rows would.
    pub fn csv(index: usize, line: usize, column: &str, detail: impl std::fmt::Display) -> FieldError {
        let path = if column.is_empty() { Path::root().index(index) } else { Path::root().index(index).field(column) };
        FieldError::body(path, format!("row {} (line {line}): {detail}", index + 1))
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
    pub fn invalid(path: impl Into<Path>, detail: impl ToString) -> AppError {
        AppError::Invalid(vec![FieldError::body(path, detail)])
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
    pub fn push(&mut self, path: impl Into<Path>, detail: impl ToString) {
        self.0.push(FieldError::body(path, detail));
    }

    /// Keeps the value of `result`, or notes its error at `path`.
    pub fn check<T, E: ToString>(&mut self, path: impl Into<Path>, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(path, error);
                None
            }
        }
    }

    /// Whether nothing is wrong so far.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes in the problems of a part of the request checked on its own: a problem at
    /// its top-level field `name` lands at `{prefix}{name}` (`/name` of a first cycle
    /// becomes `/cycle_name`).
    pub(crate) fn absorb(&mut self, inner: Problems, prefix: &str) {
        for mut error in inner.0 {
            if let Location::Body(path) = &mut error.location
                && let Some(Segment::Field(name)) = path.0.first_mut()
            {
                *name = format!("{prefix}{name}");
            }
            self.0.push(error);
        }
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
        StoreError::Duplicate { unique } => {
            let field = match unique {
                Unique::WorkspaceSlug | Unique::TeamSlug | Unique::CycleSlug | Unique::KpiSlug => Some("slug"),
                Unique::PersonHandle => Some("handle"),
                Unique::PersonEmail => Some("email"),
                Unique::Secret | Unique::Other(_) => None,
            };
            let detail = match field {
                Some(field) => format!("another {what} in this workspace already has this {field}"),
                None => format!("another {what} like this already exists"),
            };
            AppError::Conflict {
                code: "duplicate",
                detail,
                location: field.map(|f| Location::Body(Path::root().field(f))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_written_as_a_json_pointer_with_escapes() {
        let path = Path::root().field("key_results").index(3).field("a/b~c");
        assert_eq!(path.pointer(), "/key_results/3/a~1b~0c");
        assert_eq!(Path::from_pointer(&path.pointer()), path, "read back step by step");
        assert_eq!(Path::root().pointer(), "");
        assert_eq!(Path::from(""), Path::root());
        assert_eq!(Path::from("/title"), Path::root().field("title"));
        assert_eq!(Path::from("/2/value").segments(), [Segment::Index(2), Segment::Field("value".into())]);
    }

    #[test]
    fn a_path_joins_and_strips_by_steps_not_by_text() {
        let row = Path::root().field("check_ins").index(1);
        let full = row.clone().join(Path::from("/value"));
        assert_eq!(full.pointer(), "/check_ins/1/value");
        assert_eq!(full.strip_prefix(&row), Some(Path::root().field("value")));
        // `/check_ins/10` does not start with `/check_ins/1`, though its text does.
        let tenth = Path::root().field("check_ins").index(10).field("value");
        assert_eq!(tenth.strip_prefix(&row), None);
    }

    #[test]
    fn the_api_answers_a_body_problem_at_its_pointer() {
        let error = FieldError::body(Path::root().field("key_results").index(0).field("target"), "must be a number");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json, serde_json::json!({"pointer": "/key_results/0/target", "detail": "must be a number"}));
        let csv = FieldError::csv(4, 7, "value", "\"lots\" is not a number");
        assert_eq!(csv.location, Location::Body(Path::from("/4/value")));
        assert_eq!(csv.detail, "row 5 (line 7): \"lots\" is not a number");
    }
}
