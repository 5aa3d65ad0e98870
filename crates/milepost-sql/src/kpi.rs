//! KPIs and their measurements. A measurement is never rewritten: a correction of the
//! value at a time is a new row, and the latest recorded row for a time wins.

use crate::{Tx, run};
use milepost_core::{Named, WorkspaceId};
use milepost_store::*;

/// How many measurements one INSERT statement writes: six parameters each, well under
/// SQLite's and PostgreSQL's limits on parameters per statement.
const INSERT_CHUNK: usize = 1_000;

#[async_trait::async_trait]
impl KpiStore for Tx {
    async fn insert_kpi(&mut self, workspace: WorkspaceId, fields: &KpiFields, now: i64) -> Result<KpiRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO kpis (workspace_id, slug, name, description, owner_person_id, unit, direction, target,
                 range_low, range_high, warning_band, cadence, tier, tags, lagging_after, created_at, updated_at, source,
                 formula, drivers)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19)
             RETURNING *",
            )
            .bind(workspace.get())
            .bind(&fields.slug)
            .bind(&fields.name)
            .bind(&fields.description)
            .bind(fields.owner_person_id)
            .bind(&fields.unit)
            .bind(fields.direction.as_str())
            .bind(fields.target)
            .bind(fields.range_low)
            .bind(fields.range_high)
            .bind(fields.warning_band)
            .bind(fields.cadence.as_str())
            .bind(fields.tier.as_str())
            .bind(&fields.tags)
            .bind(fields.lagging_after)
            .bind(now)
            .bind(&fields.source)
            .bind(&fields.formula)
            .bind(&fields.drivers)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn kpi(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<KpiRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM kpis WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn kpi_by_slug(&mut self, workspace: WorkspaceId, slug: &str) -> Result<Option<KpiRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM kpis WHERE workspace_id = $1 AND slug = $2")
            .bind(workspace.get())
            .bind(slug)
            .fetch_optional(conn)
            .await?))
    }

    async fn list_kpis(&mut self, workspace: WorkspaceId) -> Result<Vec<KpiRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM kpis WHERE workspace_id = $1 ORDER BY id")
            .bind(workspace.get())
            .fetch_all(conn)
            .await?))
    }

    async fn set_kpi_position(&mut self, workspace: WorkspaceId, id: i64, position: i64) -> Result<()> {
        run!(self, |conn| sqlx::query("UPDATE kpis SET position = $3 WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .bind(position)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn filter_kpis(&mut self, workspace: WorkspaceId, filter: &KpiFilter, page: Page) -> Result<Vec<KpiRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "SELECT * FROM kpis WHERE workspace_id = $1
               AND (CAST($2 AS TEXT) IS NULL OR tier = $2)
               AND (CAST($3 AS BIGINT) IS NULL OR owner_person_id = $3)
               AND ($4 OR NOT archived)
               AND id > $5
             ORDER BY id LIMIT $6",
            )
            .bind(workspace.get())
            .bind(filter.tier.map(Named::as_str))
            .bind(filter.owner_person_id)
            .bind(filter.include_archived)
            .bind(page.after.unwrap_or(0))
            .bind(page.limit)
            .fetch_all(conn)
            .await?
        }))
    }

    async fn update_kpi(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &KpiFields,
        archived: bool,
        now: i64,
    ) -> Result<KpiRow> {
        let row: Option<KpiRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE kpis SET slug = $4, name = $5, description = $6, owner_person_id = $7, unit = $8,
                 direction = $9, target = $10, range_low = $11, range_high = $12, warning_band = $13, cadence = $14,
                 tier = $15, tags = $16, lagging_after = $17, archived = $18, updated_at = $19, source = $20, formula = $21, drivers = $22,
                 version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(&fields.slug)
            .bind(&fields.name)
            .bind(&fields.description)
            .bind(fields.owner_person_id)
            .bind(&fields.unit)
            .bind(fields.direction.as_str())
            .bind(fields.target)
            .bind(fields.range_low)
            .bind(fields.range_high)
            .bind(fields.warning_band)
            .bind(fields.cadence.as_str())
            .bind(fields.tier.as_str())
            .bind(&fields.tags)
            .bind(fields.lagging_after)
            .bind(archived)
            .bind(now)
            .bind(&fields.source)
            .bind(&fields.formula)
            .bind(&fields.drivers)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("kpis", workspace, id).await,
        }
    }

    async fn insert_measurements(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        measurements: &[NewMeasurement<'_>],
        now: i64,
    ) -> Result<()> {
        for chunk in measurements.chunks(INSERT_CHUNK) {
            let mut sql = String::with_capacity(100 + chunk.len() * 40);
            sql.push_str(
                "INSERT INTO measurements (workspace_id, kpi_id, value, measured_at, recorded_at, source) VALUES ",
            );
            crate::run_on!(self, |conn, sqlite| {
                // SQLite binds anonymous `?` in constant time each; its numbered `$N`
                // cost grows with their count, which is 6,000 here.
                for index in 0..chunk.len() {
                    let base = index * 6;
                    if index > 0 {
                        sql.push(',');
                    }
                    if sqlite {
                        sql.push_str("(?, ?, ?, ?, ?, ?)");
                    } else {
                        sql.push_str(&format!(
                            "(${}, ${}, ${}, ${}, ${}, ${})",
                            base + 1,
                            base + 2,
                            base + 3,
                            base + 4,
                            base + 5,
                            base + 6
                        ));
                    }
                }
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for m in chunk {
                    query = query
                        .bind(workspace.get())
                        .bind(kpi_id)
                        .bind(m.value)
                        .bind(m.measured_at)
                        .bind(now)
                        .bind(m.source);
                }
                query.execute(conn).await?.rows_affected()
            });
        }
        Ok(())
    }

    async fn list_measurements(&mut self, workspace: WorkspaceId, kpi_id: i64) -> Result<Vec<MeasurementRow>> {
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

    async fn measurement_values(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, f64)>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "SELECT measured_at, value FROM measurements
             WHERE workspace_id = $1 AND kpi_id = $2 AND measured_at >= $3 AND measured_at <= $4
             ORDER BY measured_at, id",
            )
            .bind(workspace.get())
            .bind(kpi_id)
            .bind(from)
            .bind(to)
            .fetch_all(conn)
            .await?
        }))
    }

    async fn latest_measurement(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        at: i64,
    ) -> Result<Option<MeasurementRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "SELECT * FROM measurements WHERE workspace_id = $1 AND kpi_id = $2 AND measured_at <= $3
             ORDER BY measured_at DESC, id DESC LIMIT 1",
            )
            .bind(workspace.get())
            .bind(kpi_id)
            .bind(at)
            .fetch_optional(conn)
            .await?
        }))
    }

    async fn unmeasured_kpis(&mut self, workspace: WorkspaceId) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = run!(self, |conn| {
            sqlx::query_as(
                "SELECT id FROM kpis k WHERE workspace_id = $1
                   AND NOT EXISTS (SELECT 1 FROM measurements m WHERE m.workspace_id = $1 AND m.kpi_id = k.id)
                 ORDER BY id",
            )
            .bind(workspace.get())
            .fetch_all(conn)
            .await?
        });
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn measurement_at(
        &mut self,
        workspace: WorkspaceId,
        kpi_id: i64,
        measured_at: i64,
    ) -> Result<Option<MeasurementRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "SELECT * FROM measurements WHERE workspace_id = $1 AND kpi_id = $2 AND measured_at = $3
             ORDER BY id DESC LIMIT 1",
            )
            .bind(workspace.get())
            .bind(kpi_id)
            .bind(measured_at)
            .fetch_optional(conn)
            .await?
        }))
    }

    async fn lock_kpi(&mut self, workspace: WorkspaceId, id: i64) -> Result<()> {
        run!(self, |conn| sqlx::query("UPDATE kpis SET version = version WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn kpi_is_worked_on(&mut self, workspace: WorkspaceId, kpi_id: i64, day: &str) -> Result<bool> {
        let count: i64 = run!(self, |conn| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM key_results k
               JOIN objectives o ON o.id = k.objective_id AND o.workspace_id = k.workspace_id
               JOIN cycles c ON c.id = o.cycle_id AND c.workspace_id = o.workspace_id
             WHERE k.workspace_id = $1 AND k.kpi_id = $2 AND NOT k.archived AND NOT o.archived
               AND c.status = 'active' AND c.start_date <= $3 AND c.end_date >= $3",
            )
            .bind(workspace.get())
            .bind(kpi_id)
            .bind(day)
            .fetch_one(conn)
            .await?
        });
        Ok(count > 0)
    }

    async fn schedule_kpi_source(&mut self, workspace: WorkspaceId, id: i64, next_run_at: Option<i64>) -> Result<()> {
        run!(self, |conn| sqlx::query("UPDATE kpis SET next_run_at = $3 WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .bind(next_run_at)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn record_kpi_source_run(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        at: i64,
        error: Option<&str>,
    ) -> Result<()> {
        run!(self, |conn| {
            sqlx::query(
                "UPDATE kpis SET last_run_at = $3, last_error = $4, last_error_at = CASE WHEN CAST($4 AS TEXT) IS NULL THEN NULL ELSE $3 END
             WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(at)
            .bind(error)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    async fn due_kpi_sources(&mut self, now: i64, limit: i64) -> Result<Vec<KpiRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "SELECT * FROM kpis WHERE source IS NOT NULL AND NOT archived AND next_run_at <= $1
             ORDER BY next_run_at, id LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(conn)
            .await?
        }))
    }

    async fn claim_kpi_source(&mut self, workspace: WorkspaceId, id: i64, seen: i64, next: i64) -> Result<bool> {
        let changed = run!(self, |conn| {
            sqlx::query("UPDATE kpis SET next_run_at = $4 WHERE workspace_id = $1 AND id = $2 AND next_run_at = $3")
                .bind(workspace.get())
                .bind(id)
                .bind(seen)
                .bind(next)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }
}
