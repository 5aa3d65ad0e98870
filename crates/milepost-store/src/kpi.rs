//! KPIs and their measurements. Stored now so the demo can tell its story; their API
//! and ingestion arrive with the KPI capability.

use crate::{Result, Tx, run};
use milepost_core::WorkspaceId;

/// A KPI as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct KpiRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Short name, unique in the workspace.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What it measures and why it matters.
    pub description: String,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// Unit of the values.
    pub unit: Option<String>,
    /// higher_is_better, lower_is_better or within_range.
    pub direction: String,
    /// Target value.
    pub target: Option<f64>,
    /// Low end of the good band.
    pub range_low: Option<f64>,
    /// High end of the good band.
    pub range_high: Option<f64>,
    /// Distance from the target that is still amber.
    pub warning_band: f64,
    /// daily, weekly, monthly or quarterly.
    pub cadence: String,
    /// kpi or metric.
    pub tier: String,
    /// Tags as a JSON array of strings.
    pub tags: String,
    /// Red periods in a row after which the KPI is lagging.
    pub lagging_after: i64,
    /// Whether archived.
    pub archived: bool,
    /// When created (unix ms).
    pub created_at: i64,
    /// When last changed (unix ms).
    pub updated_at: i64,
    /// Version.
    pub version: i64,
}

/// The fields set on a KPI.
#[derive(Debug, Clone)]
pub struct KpiFields {
    /// Short name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Owner.
    pub owner_person_id: Option<i64>,
    /// Unit.
    pub unit: Option<String>,
    /// Direction name.
    pub direction: String,
    /// Target.
    pub target: Option<f64>,
    /// Band low.
    pub range_low: Option<f64>,
    /// Band high.
    pub range_high: Option<f64>,
    /// Warning band.
    pub warning_band: f64,
    /// Cadence name.
    pub cadence: String,
    /// Tier name.
    pub tier: String,
    /// Tags JSON.
    pub tags: String,
}

/// A measurement as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MeasurementRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The KPI measured.
    pub kpi_id: i64,
    /// The value.
    pub value: f64,
    /// The time it measures (unix ms).
    pub measured_at: i64,
    /// When it was recorded (unix ms).
    pub recorded_at: i64,
    /// Where it came from.
    pub source: String,
}

/// A measurement to record.
#[derive(Debug, Clone, Copy)]
pub struct NewMeasurement<'a> {
    /// The value.
    pub value: f64,
    /// The time it measures (unix ms).
    pub measured_at: i64,
    /// Where it came from.
    pub source: &'a str,
}

impl Tx {
    /// Creates a KPI.
    pub async fn insert_kpi(&mut self, workspace: WorkspaceId, fields: &KpiFields, now: i64) -> Result<KpiRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO kpis (workspace_id, slug, name, description, owner_person_id, unit, direction, target,
                 range_low, range_high, warning_band, cadence, tier, tags, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING *",
            )
            .bind(workspace.get())
            .bind(&fields.slug)
            .bind(&fields.name)
            .bind(&fields.description)
            .bind(fields.owner_person_id)
            .bind(&fields.unit)
            .bind(&fields.direction)
            .bind(fields.target)
            .bind(fields.range_low)
            .bind(fields.range_high)
            .bind(fields.warning_band)
            .bind(&fields.cadence)
            .bind(&fields.tier)
            .bind(&fields.tags)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    /// The KPI with that id.
    pub async fn kpi(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<KpiRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM kpis WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    /// Every KPI of the workspace, in id order.
    pub async fn list_kpis(&mut self, workspace: WorkspaceId) -> Result<Vec<KpiRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM kpis WHERE workspace_id = $1 ORDER BY id")
            .bind(workspace.get())
            .fetch_all(conn)
            .await?))
    }

    /// Records measurements of one KPI.
    pub async fn insert_measurements(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        measurements: &[NewMeasurement<'_>],
        now: i64,
    ) -> Result<()> {
        for m in measurements {
            run!(self, |conn| {
                sqlx::query(
                    "INSERT INTO measurements (workspace_id, kpi_id, value, measured_at, recorded_at, source)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(workspace.get())
                .bind(kpi_id)
                .bind(m.value)
                .bind(m.measured_at)
                .bind(now)
                .bind(m.source)
                .execute(conn)
                .await?
                .rows_affected()
            });
        }
        Ok(())
    }

    /// A KPI's measurements in time order.
    pub async fn list_measurements(&mut self, workspace: WorkspaceId, kpi_id: i64) -> Result<Vec<MeasurementRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "SELECT * FROM measurements WHERE workspace_id = $1 AND kpi_id = $2 ORDER BY measured_at, id",
            )
            .bind(workspace.get())
            .bind(kpi_id)
            .fetch_all(conn)
            .await?
        }))
    }
}
