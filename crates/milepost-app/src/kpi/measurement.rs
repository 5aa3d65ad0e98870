//! Measurements in: one, or a batch of up to [`BATCH_MAX`] (JSON rows or CSV text),
//! checked as a whole before anything is written.
//!
//! A measurement is identified by its KPI and the time it measures. Sending a value
//! that is already the value at that time changes nothing (so importing a file twice
//! writes nothing the second time); a different value at a time that has one is a
//! correction, recorded as a new row (SPEC §3: corrections are new rows, never
//! rewrites), and the latest recorded row wins. Within one batch, the last row for a
//! time wins. Each batch that writes appends one event to the audit trail, and the
//! key results linked to the KPI get their check-ins in the same transaction
//! (see [`super::feed`]).

use super::{KpiView, board, feed, not_found, view};
use crate::Caller;
use crate::access::record;
use crate::error::{AppError, FieldError, Path};
use crate::kpi::Kpis;
use crate::permission::{Action, require};
use crate::time::from_ms;
use jiff::{SignedDuration, Timestamp};
use milepost_core::KpiId;
use milepost_core::MeasurementId;
use milepost_store::{MeasurementRow, NewMeasurement as StoreMeasurement};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most measurements one batch may carry.
pub const BATCH_MAX: usize = 100_000;
/// How far ahead of the server's clock a measurement's time may be (clock skew).
const FUTURE_SKEW: SignedDuration = SignedDuration::from_mins(5);
/// The most problems one refused batch reports (the first ones, by row).
const PROBLEMS_MAX: usize = 100;

/// Where a measurement came from (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementSource {
    /// The JSON API.
    Api,
    /// A CSV file or body.
    Csv,
    /// `milepost kpi record`.
    Cli,
    /// A SQL query run by the scheduler.
    Sql,
    /// A PromQL query run by the scheduler.
    Prometheus,
    /// A JSON HTTP endpoint polled by the scheduler.
    Http,
    /// Entered by hand in the web app.
    Manual,
}

impl MeasurementSource {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MeasurementSource::Api => "api",
            MeasurementSource::Csv => "csv",
            MeasurementSource::Cli => "cli",
            MeasurementSource::Sql => "sql",
            MeasurementSource::Prometheus => "prometheus",
            MeasurementSource::Http => "http",
            MeasurementSource::Manual => "manual",
        }
    }
}

/// One measurement to record.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeasurement {
    /// The value.
    pub value: f64,
    /// The time it measures (default now; may be earlier, never later).
    pub measured_at: Option<Timestamp>,
}

/// One row of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementInput {
    /// The time it measures.
    pub measured_at: Timestamp,
    /// The value.
    pub value: f64,
}

/// A measurement as recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeasurementView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: MeasurementId,
    /// The KPI.
    pub kpi_id: i64,
    /// The value.
    pub value: f64,
    /// The time it measures.
    pub measured_at: Timestamp,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// Where it came from: api, csv, cli, sql, prometheus, http, manual.
    pub source: String,
}

impl From<MeasurementRow> for MeasurementView {
    fn from(row: MeasurementRow) -> Self {
        MeasurementView {
            id: MeasurementId(row.id),
            kpi_id: row.kpi_id,
            value: row.value,
            measured_at: from_ms(row.measured_at),
            recorded_at: from_ms(row.recorded_at),
            source: row.source,
        }
    }
}

/// One measurement's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordedMeasurement {
    /// The measurement that stands at that time now.
    pub measurement: MeasurementView,
    /// Whether a row was written (false: that value was already recorded for that time).
    pub written: bool,
    /// The KPI with its state after it.
    pub kpi: KpiView,
}

/// A batch's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeasurementBatchResult {
    /// The KPI.
    pub kpi_id: i64,
    /// Rows received.
    pub received: u64,
    /// Rows written: new times, and corrections of times that had another value.
    pub written: u64,
    /// Of those, corrections.
    pub corrected: u64,
    /// Rows that changed nothing: the value was already recorded for that time (or a
    /// later row of the batch gave the same time).
    pub unchanged: u64,
    /// Check-ins written on the key results the KPI feeds.
    pub check_ins: u64,
    /// The earliest time in the batch.
    pub first_measured_at: Option<Timestamp>,
    /// The latest time in the batch.
    pub last_measured_at: Option<Timestamp>,
}

/// Reads CSV one line at a time, so a file of any size streams: columns
/// `measured_at,value` (a header naming them, in either order, is optional); times as
/// RFC 3339 (`2026-11-16T09:00:00Z`) or a day (`2026-11-16`, midnight UTC). A bad row is
/// reported with its row number (the first data row is row 1) and line, at the pointer
/// `/<row - 1>/<column>`.
#[derive(Debug, Clone)]
pub struct CsvReader {
    columns: (usize, usize),
    first: bool,
    lines: usize,
    rows: usize,
}

impl Default for CsvReader {
    fn default() -> Self {
        CsvReader { columns: (0, 1), first: true, lines: 0, rows: 0 }
    }
}

impl CsvReader {
    /// Reads the next line: `None` for a blank line or the header, else the row or
    /// the problem with it.
    pub fn read_line(&mut self, line: &str) -> Option<Result<MeasurementInput, FieldError>> {
        self.lines += 1;
        let line = line.trim();
        if line.is_empty() {
            return None;
        }
        let fields: Vec<&str> = line.split(',').map(|f| f.trim().trim_matches('"').trim()).collect();
        // Only the first line may be the header.
        if std::mem::take(&mut self.first) {
            let names: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            if let (Some(at), Some(value)) =
                (names.iter().position(|n| n == "measured_at"), names.iter().position(|n| n == "value"))
            {
                self.columns = (at, value);
                return None;
            }
        }
        let index = self.rows;
        self.rows += 1;
        Some(
            parse_row(&fields, self.columns)
                .map_err(|(column, detail)| FieldError::csv(index, self.lines, column, detail)),
        )
    }
}

/// Reads a whole CSV text (see [`CsvReader`]), reporting every bad row (up to 100).
pub fn parse_csv(text: &str) -> Result<Vec<MeasurementInput>, AppError> {
    let mut reader = CsvReader::default();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for line in text.lines() {
        match reader.read_line(line) {
            Some(Ok(row)) => rows.push(row),
            Some(Err(problem)) if problems.len() < PROBLEMS_MAX => problems.push(problem),
            Some(Err(_)) | None => {}
        }
    }
    if problems.is_empty() { Ok(rows) } else { Err(AppError::Invalid(problems)) }
}

fn parse_row(fields: &[&str], (at, value): (usize, usize)) -> Result<MeasurementInput, (&'static str, String)> {
    if fields.len() != 2 {
        return Err(("measured_at", format!("has {} columns; write measured_at,value", fields.len())));
    }
    let measured_at = parse_time(fields[at]).ok_or_else(|| {
        ("measured_at", format!("{:?} is not a time: write 2026-11-16T09:00:00Z or 2026-11-16", fields[at]))
    })?;
    let value = fields[value]
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ("value", format!("{:?} is not a finite number", fields[value])))?;
    Ok(MeasurementInput { measured_at, value })
}

/// Reads a time as RFC 3339, or a `YYYY-MM-DD` day as its midnight in UTC.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    let day = text.parse::<jiff::civil::Date>().ok()?;
    day.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// Checks a batch as a whole: its size, and each row's value and time.
/// How a refused measurement is named: a single one's problems name its fields
/// (`/value`), a batch's its row too (`/3/value`, "row 4: …").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One measurement.
    One,
    /// A batch of rows.
    Batch,
}

impl Shape {
    fn problem(self, index: usize, field: &str, detail: impl std::fmt::Display) -> FieldError {
        match self {
            Shape::One => FieldError::body(Path::root().field(field), detail),
            Shape::Batch => {
                FieldError::body(Path::root().index(index).field(field), format!("row {}: {detail}", index + 1))
            }
        }
    }
}

fn check_batch(rows: &[MeasurementInput], now: Timestamp, shape: Shape) -> Result<(), AppError> {
    if rows.is_empty() {
        return Err(AppError::invalid("", "the batch has no measurements"));
    }
    if rows.len() > BATCH_MAX {
        return Err(AppError::invalid(
            "",
            format!("the batch has {} measurements; send at most {BATCH_MAX} at a time", rows.len()),
        ));
    }
    let latest = now.saturating_add(FUTURE_SKEW).unwrap_or(now);
    let mut problems = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        if problems.len() >= PROBLEMS_MAX {
            break;
        }
        if !row.value.is_finite() {
            problems.push(shape.problem(index, "value", "must be a finite number"));
        }
        if row.measured_at > latest {
            let detail = format!("{} is in the future: a measurement reports what was", row.measured_at);
            problems.push(shape.problem(index, "measured_at", detail));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems)) }
}

impl Kpis<'_> {
    /// Records one measurement of a KPI (default time: now). Sending the value a time
    /// already has changes nothing and says so (`written: false`).
    pub async fn record(
        self,
        caller: &Caller,
        kpi_id: KpiId,
        new: NewMeasurement,
        source: MeasurementSource,
    ) -> Result<RecordedMeasurement, AppError> {
        let kpi_id = kpi_id.get();
        let measured_at = new.measured_at.unwrap_or_else(|| self.app.now());
        let row = MeasurementInput { measured_at, value: new.value };
        let (result, mut tx) = self.write_measurements(caller, kpi_id, vec![row], source, Shape::One).await?;
        let stored = tx
            .measurement_at(caller.workspace, kpi_id, measured_at.as_millisecond())
            .await?
            .ok_or_else(|| not_found(kpi_id))?;
        let kpi = tx.kpi(caller.workspace, kpi_id).await?.ok_or_else(|| not_found(kpi_id))?;
        tx.commit().await?;
        // The KPI's health reads its recent measurements: after commit, not under the write lock.
        let state = board::state(&mut self.app.store().read().await?, &kpi, self.app.now()).await?;
        Ok(RecordedMeasurement { measurement: stored.into(), written: result.written > 0, kpi: view(kpi, state) })
    }

    /// Records a batch of measurements of a KPI, all or nothing: a bad row refuses
    /// the whole batch with its row number.
    pub async fn record_many(
        self,
        caller: &Caller,
        kpi_id: KpiId,
        rows: Vec<MeasurementInput>,
        source: MeasurementSource,
    ) -> Result<MeasurementBatchResult, AppError> {
        let kpi_id = kpi_id.get();
        let (result, tx) = self.write_measurements(caller, kpi_id, rows, source, Shape::Batch).await?;
        tx.commit().await?;
        Ok(result)
    }

    /// Checks and writes a batch inside a transaction the caller commits.
    pub(crate) async fn write_measurements(
        self,
        caller: &Caller,
        kpi_id: i64,
        mut rows: Vec<MeasurementInput>,
        source: MeasurementSource,
        shape: Shape,
    ) -> Result<(MeasurementBatchResult, milepost_store::Tx), AppError> {
        let now = self.app.now();
        // Of what the read model holds, measurements change only the key results that
        // read this KPI (`feed_key_results` names them).
        let mut tx = self.app.write_key_results(caller.workspace, []).await?;
        let kpi = tx.kpi(caller.workspace, kpi_id).await?.ok_or_else(|| not_found(kpi_id))?;
        require(caller, Action::RecordMeasurement { owner: kpi.owner_person_id })?;
        if kpi.archived {
            return Err(AppError::Conflict {
                code: "archived",
                detail: format!("KPI {} is archived: restore it to record measurements", kpi.slug),
                location: None,
            });
        }
        if let Some(formula) = &kpi.formula {
            return Err(AppError::Conflict {
                code: "formula_kpi",
                detail: format!(
                    "KPI {} is computed from its formula ({formula}): record its inputs' values instead",
                    kpi.slug
                ),
                location: None,
            });
        }
        check_batch(&rows, now, shape)?;
        let received = rows.len() as u64;
        // The last row of the batch for a time wins: a stable sort keeps their order.
        rows.sort_by_key(|r| r.measured_at);
        let mut deduplicated: Vec<MeasurementInput> = Vec::with_capacity(rows.len());
        for row in rows {
            match deduplicated.last_mut() {
                Some(last) if last.measured_at == row.measured_at => *last = row,
                _ => deduplicated.push(row),
            }
        }
        let first = deduplicated.first().map(|r| r.measured_at);
        let last = deduplicated.last().map(|r| r.measured_at);
        let (Some(first_at), Some(last_at)) = (first, last) else {
            return Err(AppError::invalid("", "the batch has no measurements"));
        };
        tx.lock_kpi(caller.workspace, kpi_id).await?;
        let existing: HashMap<i64, f64> = milepost_core::health::latest_per_time(
            tx.measurement_values(caller.workspace, kpi_id, first_at.as_millisecond(), last_at.as_millisecond())
                .await?,
        )
        .into_iter()
        .collect();
        let mut corrected = 0;
        let fresh: Vec<StoreMeasurement<'_>> = deduplicated
            .iter()
            .filter(|row| {
                let at = row.measured_at.as_millisecond();
                match existing.get(&at) {
                    Some(value) if *value == row.value => false,
                    Some(_) => {
                        corrected += 1;
                        true
                    }
                    None => true,
                }
            })
            .map(|row| StoreMeasurement {
                value: row.value,
                measured_at: row.measured_at.as_millisecond(),
                source: source.as_str(),
            })
            .collect();
        let now_ms = now.as_millisecond();
        let written = fresh.len() as u64;
        let mut check_ins = 0;
        if !fresh.is_empty() {
            tx.insert_measurements(caller.workspace, kpi_id, &fresh, now_ms).await?;
            let summary = serde_json::json!({
                "source": source.as_str(),
                "received": received,
                "written": written,
                "corrected": corrected,
                "first_measured_at": first_at,
                "last_measured_at": last_at,
            });
            record(&mut tx, caller, "record_measurements", "kpi", kpi_id, None::<&()>, Some(&summary), now_ms).await?;
            let newest: Vec<(Timestamp, f64)> = fresh.iter().map(|m| (from_ms(m.measured_at), m.value)).collect();
            check_ins = feed::feed_key_results(&mut tx, caller, &kpi, &newest, now).await?;
            // The formula KPIs that read this one compute the touched periods again.
            let times: Vec<Timestamp> = newest.iter().map(|p| p.0).collect();
            super::formula::recompute(&mut tx, caller, &kpi, Some(&times), now).await?;
        }
        let result = MeasurementBatchResult {
            kpi_id,
            received,
            written,
            corrected,
            unchanged: received - written,
            check_ins,
            first_measured_at: first,
            last_measured_at: last,
        };
        Ok((result, tx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reads_a_header_in_any_order_and_days_or_instants() {
        let rows = parse_csv("value,measured_at\n1.5,2026-11-16\n2,2026-11-16T09:00:00Z\n\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].value, 1.5);
        assert_eq!(rows[0].measured_at, "2026-11-16T00:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(parse_csv("2026-11-16,3").unwrap()[0].value, 3.0, "no header");
    }

    #[test]
    fn csv_problems_name_row_and_line() {
        let Err(AppError::Invalid(problems)) = parse_csv("measured_at,value\n2026-11-16,1\n2026-11-17,lots\nnope,2")
        else {
            panic!("bad rows accepted")
        };
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].location, crate::Location::Body("/1/value".into()));
        assert!(problems[0].detail.starts_with("row 2 (line 3)"), "{}", problems[0].detail);
        assert_eq!(problems[1].location, crate::Location::Body("/2/measured_at".into()));
    }

    #[test]
    fn batches_are_checked_as_a_whole() {
        let now: Timestamp = "2026-11-16T00:00:00Z".parse().unwrap();
        let ok = MeasurementInput { measured_at: now, value: 1.0 };
        assert!(check_batch(&[ok], now, Shape::Batch).is_ok());
        assert!(check_batch(&[], now, Shape::Batch).is_err());
        let later =
            MeasurementInput { measured_at: now.saturating_add(SignedDuration::from_hours(1)).unwrap(), value: 1.0 };
        let Err(AppError::Invalid(problems)) = check_batch(&[ok, ok, later], now, Shape::Batch) else {
            panic!("future accepted")
        };
        assert_eq!(problems[0].location, crate::Location::Body("/2/measured_at".into()));
        assert!(check_batch(&vec![ok; BATCH_MAX + 1], now, Shape::Batch).is_err());
    }
}
