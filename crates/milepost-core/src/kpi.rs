//! KPI vocabulary shared by KPIs and key results: direction, cadence and tier.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

/// Which way a KPI is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KpiDirection {
    /// Higher values are better (revenue, uptime).
    HigherIsBetter,
    /// Lower values are better (latency, churn).
    LowerIsBetter,
    /// Values inside a band are good (churn between 2% and 3%).
    WithinRange,
}

/// How often something is measured or checked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every quarter.
    Quarterly,
}

impl Cadence {
    /// The nominal length of one period. Months and quarters use their average length,
    /// which is what overdue and lagging rules need (a day either way does not matter).
    pub fn period(self) -> SignedDuration {
        let days: i64 = match self {
            Cadence::Daily => 1,
            Cadence::Weekly => 7,
            Cadence::Monthly => 30,
            Cadence::Quarterly => 91,
        };
        SignedDuration::from_hours(24 * days)
    }
}

/// Whether a metric is one of the few numbers that say whether the business performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KpiTier {
    /// A key performance indicator: on the board, with health and lagging alerts.
    Kpi,
    /// A plain metric: measured and chartable, but not a KPI.
    Metric,
}
