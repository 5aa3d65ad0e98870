//! Bulk loading (`milepost_store::bulk`): whole rows, ids included, many per statement.
//!
//! Each batch is first turned into columns (one vector per column, in the stored
//! form: days as `YYYY-MM-DD`, enumerations by their names). SQLite then gets
//! multi-row `INSERT … VALUES (?, …), (?, …)` statements of up to [`SQLITE_PARAMETERS`]
//! parameters each (the same statement text for every full chunk, so it is prepared
//! once); PostgreSQL gets one `INSERT … SELECT * FROM UNNEST($1::BIGINT[], …)` per
//! batch, one array per column, which it reads without per-row parameters. After each
//! batch the table's identity sequence (PostgreSQL) is moved to the highest id
//! written, so rows the app adds later get ids after the loaded ones.

use crate::{Store, Tx, TxInner};
use milepost_core::{Named, WorkspaceId};
use milepost_store::{Batch, BulkLoad, BulkStorage, NextIds, Result};
use sqlx::{PgConnection, SqliteConnection};

/// At most this many parameters in one SQLite statement (SQLite allows 32,766). The
/// statements use anonymous `?` parameters, not `$N`: SQLite finds a numbered
/// parameter's name by a linear search, so binding n of them costs n²: with `$N`, a
/// seed wrote 5,700 rows/s in statements of 10,000 parameters and 144,000 in statements
/// of 100; with `?` it writes 250,000 rows/s whatever the size (debug build).
const SQLITE_PARAMETERS: usize = 10_000;

/// The tables with an id, in the order of [`NextIds`]'s fields.
const ID_TABLES: [&str; 12] = [
    "workspaces",
    "teams",
    "people",
    "cycles",
    "cycle_transitions",
    "kpis",
    "measurements",
    "objectives",
    "key_results",
    "check_ins",
    "initiatives",
    "events",
];

/// One column's values, in the stored form.
enum Values {
    Int(Vec<i64>),
    OptInt(Vec<Option<i64>>),
    Real(Vec<f64>),
    OptReal(Vec<Option<f64>>),
    Text(Vec<String>),
    OptText(Vec<Option<String>>),
    Bool(Vec<bool>),
}

impl Values {
    fn postgres_type(&self) -> &'static str {
        match self {
            Values::Int(_) | Values::OptInt(_) => "BIGINT[]",
            Values::Real(_) | Values::OptReal(_) => "DOUBLE PRECISION[]",
            Values::Text(_) | Values::OptText(_) => "TEXT[]",
            Values::Bool(_) => "BOOLEAN[]",
        }
    }
}

/// A batch as columns: the table, each column's name and values, the highest id.
struct Columns {
    table: &'static str,
    columns: Vec<(&'static str, Values)>,
    rows: usize,
    last_id: Option<i64>,
}

/// Builds [`Columns`] from rows: `columns!(rows; name: Kind(|row| value), …)`.
macro_rules! columns {
    ($table:expr, $rows:expr; $($name:ident: $kind:ident($get:expr)),+ $(,)?) => {{
        let rows = $rows;
        Columns {
            table: $table,
            columns: vec![$((stringify!($name), Values::$kind(rows.iter().map($get).collect()))),+],
            rows: rows.len(),
            last_id: None,
        }
    }};
}

fn with_ids(mut columns: Columns, ids: impl Iterator<Item = i64>) -> Columns {
    columns.last_id = ids.max();
    columns
}

fn columns_of(batch: &Batch) -> Columns {
    let table = batch.table();
    match batch {
        Batch::Workspaces(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), slug: Text(|r| r.slug.clone()), name: Text(|r| r.name.clone()),
                archived: Bool(|r| r.archived), created_at: Int(|r| r.created_at), updated_at: Int(|r| r.updated_at),
                version: Int(|r| r.version)),
            rows.iter().map(|r| r.id),
        ),
        Batch::Teams(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                slug: Text(|r| r.slug.clone()), name: Text(|r| r.name.clone()),
                parent_team_id: OptInt(|r| r.parent_team_id), archived: Bool(|r| r.archived),
                created_at: Int(|r| r.created_at), updated_at: Int(|r| r.updated_at), version: Int(|r| r.version)),
            rows.iter().map(|r| r.id),
        ),
        Batch::People(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                handle: Text(|r| r.handle.clone()), name: Text(|r| r.name.clone()), email: Text(|r| r.email.clone()),
                role: Text(|r| r.role.as_str().to_owned()), team_id: OptInt(|r| r.team_id), archived: Bool(|r| r.archived),
                password_hash: OptText(|r| r.password_hash.clone()), created_at: Int(|r| r.created_at),
                updated_at: Int(|r| r.updated_at), version: Int(|r| r.version)),
            rows.iter().map(|r| r.id),
        ),
        Batch::Cycles(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                slug: Text(|r| r.slug.clone()), name: Text(|r| r.name.clone()),
                start_date: Text(|r| r.start_date.to_string()), end_date: Text(|r| r.end_date.to_string()),
                status: Text(|r| r.status.as_str().to_owned()), kind: Text(|r| r.kind.as_str().to_owned()),
                archived: Bool(|r| r.archived), created_at: Int(|r| r.created_at), updated_at: Int(|r| r.updated_at),
                version: Int(|r| r.version)),
            rows.iter().map(|r| r.id),
        ),
        Batch::CycleTransitions(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                cycle_id: Int(|r| r.cycle_id), from_status: Text(|r| r.from_status.as_str().to_owned()),
                to_status: Text(|r| r.to_status.as_str().to_owned()), reason: Text(|r| r.reason.clone()),
                actor_person_id: OptInt(|r| r.actor_person_id), actor_token_id: OptInt(|r| r.actor_token_id),
                at: Int(|r| r.at)),
            rows.iter().map(|r| r.id),
        ),
        Batch::Kpis(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                slug: Text(|r| r.slug.clone()), name: Text(|r| r.name.clone()),
                description: Text(|r| r.description.clone()), owner_person_id: OptInt(|r| r.owner_person_id),
                unit: OptText(|r| r.unit.clone()), direction: Text(|r| r.direction.as_str().to_owned()),
                target: OptReal(|r| r.target), range_low: OptReal(|r| r.range_low),
                range_high: OptReal(|r| r.range_high), warning_band: Real(|r| r.warning_band),
                cadence: Text(|r| r.cadence.as_str().to_owned()), tier: Text(|r| r.tier.as_str().to_owned()),
                tags: Text(|r| r.tags.clone()), lagging_after: Int(|r| r.lagging_after),
                archived: Bool(|r| r.archived), created_at: Int(|r| r.created_at), updated_at: Int(|r| r.updated_at),
                version: Int(|r| r.version), source: OptText(|r| r.source.clone()),
                last_run_at: OptInt(|r| r.last_run_at), last_error: OptText(|r| r.last_error.clone()),
                last_error_at: OptInt(|r| r.last_error_at), next_run_at: OptInt(|r| r.next_run_at),
                position: OptInt(|r| r.position), formula: OptText(|r| r.formula.clone()),
                drivers: Text(|r| r.drivers.clone())),
            rows.iter().map(|r| r.id),
        ),
        Batch::Measurements(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                kpi_id: Int(|r| r.kpi_id), value: Real(|r| r.value), measured_at: Int(|r| r.measured_at),
                recorded_at: Int(|r| r.recorded_at), source: Text(|r| r.source.clone())),
            rows.iter().map(|r| r.id),
        ),
        Batch::Objectives(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                cycle_id: Int(|r| r.cycle_id), title: Text(|r| r.title.clone()),
                description: Text(|r| r.description.clone()), owner_person_id: OptInt(|r| r.owner_person_id),
                owner_team_id: OptInt(|r| r.owner_team_id), commitment: Text(|r| r.commitment.as_str().to_owned()),
                parent_objective_id: OptInt(|r| r.parent_objective_id),
                parent_key_result_id: OptInt(|r| r.parent_key_result_id),
                visibility: Text(|r| r.visibility.as_str().to_owned()), rollup_children: Bool(|r| r.rollup_children),
                added_after_start: Bool(|r| r.added_after_start), archived: Bool(|r| r.archived),
                created_at: Int(|r| r.created_at), updated_at: Int(|r| r.updated_at), version: Int(|r| r.version),
                position: OptInt(|r| r.position)),
            rows.iter().map(|r| r.id),
        ),
        Batch::KeyResults(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                objective_id: Int(|r| r.objective_id), title: Text(|r| r.title.clone()),
                kind: Text(|r| r.kind.as_str().to_owned()), metric: OptText(|r| r.metric.clone()),
                unit: OptText(|r| r.unit.clone()), start_value: OptReal(|r| r.start_value),
                target_value: OptReal(|r| r.target_value), range_low: OptReal(|r| r.range_low),
                range_high: OptReal(|r| r.range_high),
                comparator: OptText(|r| r.comparator.map(|c| c.as_str().to_owned())),
                relative_change: OptReal(|r| r.relative_change), required_share: OptReal(|r| r.required_share),
                current_value: OptReal(|r| r.current_value),
                weight: Real(|r| r.weight), owner_person_id: OptInt(|r| r.owner_person_id),
                cadence: Text(|r| r.cadence.as_str().to_owned()), kpi_id: OptInt(|r| r.kpi_id),
                target_schedule: OptText(|r| r.target_schedule.clone()),
                added_after_start: Bool(|r| r.added_after_start), archived: Bool(|r| r.archived),
                created_at: Int(|r| r.created_at), updated_at: Int(|r| r.updated_at), version: Int(|r| r.version),
                position: OptInt(|r| r.position)),
            rows.iter().map(|r| r.id),
        ),
        Batch::CheckIns(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                key_result_id: Int(|r| r.key_result_id), value: Real(|r| r.value),
                confidence: OptInt(|r| r.confidence), note: Text(|r| r.note.clone()),
                blockers: Text(|r| r.blockers.clone()), author_person_id: OptInt(|r| r.author_person_id),
                source: Text(|r| r.source.clone()), checked_in_at: Int(|r| r.checked_in_at),
                created_at: Int(|r| r.created_at)),
            rows.iter().map(|r| r.id),
        ),
        Batch::Initiatives(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                title: Text(|r| r.title.clone()), description: Text(|r| r.description.clone()),
                owner_person_id: OptInt(|r| r.owner_person_id), status: Text(|r| r.status.as_str().to_owned()),
                due_date: OptText(|r| r.due_date.clone()), link: OptText(|r| r.link.clone()),
                archived: Bool(|r| r.archived), created_at: Int(|r| r.created_at), updated_at: Int(|r| r.updated_at),
                version: Int(|r| r.version)),
            rows.iter().map(|r| r.id),
        ),
        Batch::InitiativeKeyResults(rows) => columns!(table, rows; workspace_id: Int(|r| r.workspace_id),
            initiative_id: Int(|r| r.initiative_id), key_result_id: Int(|r| r.key_result_id)),
        Batch::Events(rows) => with_ids(
            columns!(table, rows; id: Int(|r| r.id), workspace_id: Int(|r| r.workspace_id),
                actor_person_id: OptInt(|r| r.actor_person_id), actor_token_id: OptInt(|r| r.actor_token_id),
                action: Text(|r| r.action.clone()), entity: Text(|r| r.entity.clone()),
                entity_id: Int(|r| r.entity_id), before_json: OptText(|r| r.before_json.clone()),
                after_json: OptText(|r| r.after_json.clone()), at: Int(|r| r.at)),
            rows.iter().map(|r| r.id),
        ),
    }
}

fn column_list(columns: &Columns) -> String {
    columns.columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
}

/// Multi-row `INSERT … VALUES` statements of at most [`SQLITE_PARAMETERS`] parameters.
async fn insert_sqlite(conn: &mut SqliteConnection, columns: &Columns) -> Result<u64> {
    let width = columns.columns.len();
    let per_statement = (SQLITE_PARAMETERS / width).max(1);
    let mut written = 0;
    let mut start = 0;
    while start < columns.rows {
        let end = (start + per_statement).min(columns.rows);
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", columns.table, column_list(columns));
        for row in start..end {
            sql.push_str(if row == start { "(" } else { ", (" });
            for column in 0..width {
                if column > 0 {
                    sql.push_str(", ");
                }
                sql.push('?');
            }
            sql.push(')');
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in start..end {
            for (_, values) in &columns.columns {
                query = match values {
                    Values::Int(v) => query.bind(v[row]),
                    Values::OptInt(v) => query.bind(v[row]),
                    Values::Real(v) => query.bind(v[row]),
                    Values::OptReal(v) => query.bind(v[row]),
                    Values::Text(v) => query.bind(v[row].as_str()),
                    Values::OptText(v) => query.bind(v[row].as_deref()),
                    Values::Bool(v) => query.bind(v[row]),
                };
            }
        }
        written += query.execute(&mut *conn).await?.rows_affected();
        start = end;
    }
    Ok(written)
}

/// One `INSERT … SELECT * FROM UNNEST(…)` with an array per column, then the table's
/// identity sequence moved to the highest id written.
async fn insert_postgres(conn: &mut PgConnection, columns: Columns) -> Result<u64> {
    let arrays: Vec<String> = columns
        .columns
        .iter()
        .enumerate()
        .map(|(index, (_, values))| format!("${}::{}", index + 1, values.postgres_type()))
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) SELECT * FROM UNNEST({})",
        columns.table,
        column_list(&columns),
        arrays.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (_, values) in columns.columns {
        query = match values {
            Values::Int(v) => query.bind(v),
            Values::OptInt(v) => query.bind(v),
            Values::Real(v) => query.bind(v),
            Values::OptReal(v) => query.bind(v),
            Values::Text(v) => query.bind(v),
            Values::OptText(v) => query.bind(v),
            Values::Bool(v) => query.bind(v),
        };
    }
    let written = query.execute(&mut *conn).await?.rows_affected();
    if let Some(last) = columns.last_id {
        let sql = format!("SELECT setval(pg_get_serial_sequence('{}', 'id'), $1)", columns.table);
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(last).execute(&mut *conn).await?;
    }
    Ok(written)
}

#[async_trait::async_trait]
impl BulkLoad for Tx {
    async fn next_ids(&mut self) -> Result<NextIds> {
        if let TxInner::Postgres(transaction) = &mut self.inner {
            // Other writers wait until the load commits; readers carry on.
            let sql =
                format!("LOCK TABLE {}, initiative_key_results IN SHARE ROW EXCLUSIVE MODE", ID_TABLES.join(", "));
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut **transaction).await?;
        }
        let mut next = [0_i64; ID_TABLES.len()];
        for (slot, table) in next.iter_mut().zip(ID_TABLES) {
            let sql = sqlx::AssertSqlSafe(format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"));
            *slot = crate::run!(self, |conn| sqlx::query_scalar(sql).fetch_one(conn).await?);
        }
        let [
            workspace,
            team,
            person,
            cycle,
            cycle_transition,
            kpi,
            measurement,
            objective,
            key_result,
            check_in,
            initiative,
            event,
        ] = next;
        Ok(NextIds {
            workspace,
            team,
            person,
            cycle,
            cycle_transition,
            kpi,
            measurement,
            objective,
            key_result,
            check_in,
            initiative,
            event,
        })
    }

    async fn workspace_rows(&mut self, workspace: WorkspaceId) -> Result<i64> {
        let mut total = 0;
        for table in ["people", "teams", "cycles", "kpis", "objectives"] {
            let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE workspace_id = $1"));
            let count: i64 =
                crate::run!(self, |conn| sqlx::query_scalar(sql).bind(workspace.get()).fetch_one(conn).await?);
            total += count;
        }
        Ok(total)
    }

    async fn insert_batch(&mut self, batch: &Batch) -> Result<u64> {
        if batch.is_empty() {
            return Ok(0);
        }
        let columns = columns_of(batch);
        match &mut self.inner {
            TxInner::Sqlite(transaction) => insert_sqlite(transaction, &columns).await,
            TxInner::Postgres(transaction) => insert_postgres(transaction, columns).await,
        }
    }
}

#[async_trait::async_trait]
impl BulkStorage for Store {
    async fn bulk(&self) -> Result<Box<dyn BulkLoad>> {
        Ok(Box::new(self.begin_write().await?))
    }
}
