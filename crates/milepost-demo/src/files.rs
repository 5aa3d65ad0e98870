//! The demo's files, embedded from `data/` (see `data/README.md`): what each is, and
//! how to read the two small lists that no Milepost format covers (teams and people,
//! initiatives).
//!
//! The files are written for one fixed day, [`ANCHOR`]: their previous quarter is
//! [`ANCHOR_PREVIOUS`], their current one [`ANCHOR_CURRENT`]. [`crate::shift`] moves
//! them to today.

use jiff::civil::Date;
use milepost_app::AppError;
use milepost_app::check_in_import::split_fields;

/// The day the files describe as today.
pub const ANCHOR: Date = Date::constant(2026, 12, 7);
/// The files' previous quarter, closed, as their `cycle:` lines and paths name it.
pub const ANCHOR_PREVIOUS: &str = "2026-Q3";
/// The files' current quarter, around [`ANCHOR`].
pub const ANCHOR_CURRENT: &str = "2026-Q4";

#[derive(rust_embed::Embed)]
#[folder = "data/"]
struct Data;

/// A file of `data/` as text.
pub fn text(path: &str) -> Result<String, AppError> {
    let file = Data::get(path).ok_or_else(|| AppError::NotFound { what: "demo file", id: path.to_owned() })?;
    String::from_utf8(file.data.into_owned())
        .map_err(|_| AppError::invalid("", format!("the demo file {path} is not UTF-8 text")))
}

/// Every file under `folder` (`okrs/2026-Q4/`) with its text, in path order.
pub fn under(folder: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut paths: Vec<String> = Data::iter().filter(|p| p.starts_with(folder)).map(|p| p.into_owned()).collect();
    paths.sort();
    paths.into_iter().map(|path| Ok((text(&path)?, path))).map(|r| r.map(|(t, p)| (p, t))).collect()
}

/// The rows of a small CSV file of `data/` below its header, each as its fields by name.
pub fn rows(path: &str) -> Result<Vec<Row>, AppError> {
    let text = text(path)?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let broken = |line: usize| AppError::invalid("", format!("the demo file {path} has a broken line {line}"));
    let header = lines.next().and_then(split_fields).ok_or_else(|| broken(1))?;
    lines
        .enumerate()
        .map(|(index, line)| {
            let fields = split_fields(line).filter(|f| f.len() == header.len()).ok_or_else(|| broken(index + 2))?;
            Ok(Row { names: header.clone(), fields })
        })
        .collect()
}

/// One row of a small CSV file.
#[derive(Debug, Clone)]
pub struct Row {
    names: Vec<String>,
    fields: Vec<String>,
}

impl Row {
    /// The field under `name`; `None` when blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        let at = self.names.iter().position(|n| n == name)?;
        self.fields.get(at).map(String::as_str).filter(|f| !f.is_empty())
    }

    /// The field under `name`, which must be there.
    pub fn need(&self, name: &str) -> Result<&str, AppError> {
        self.get(name).ok_or_else(|| AppError::invalid("", format!("a demo row has no {name}: {:?}", self.fields)))
    }
}
