//! Milepost's pure domain.
//!
//! Everything here is plain computation over values: no I/O, no clock, no environment
//! and no randomness. Time arrives as an argument (`now`), so every rule can be tested
//! with any date. The storage, the use cases and the front ends build on these types;
//! the rules of SPEC §4 (progress, pace, status, score) live here and only here.

pub mod access;
pub mod calibration;
pub mod check_in;
pub mod cycle;
pub mod driver;
pub mod error_budget;
pub mod forecast;
pub mod forecast_eval;
pub mod forecast_fixture;
pub mod formula;
pub mod health;
pub mod ids;
pub mod key_result;
pub mod kpi;
pub mod names;
pub mod objective;
pub mod progress;
pub mod reminder;
pub mod score;
pub mod search;
pub mod stats;
pub mod status;
pub mod text;

pub use access::{InitiativeStatus, Role};
pub use check_in::Confidence;
pub use cycle::{CycleKind, CycleKindError, CyclePeriod, CycleStatus, next_quarter};
pub use error_budget::{ErrorBudget, RequiredShare, error_budget};
pub use forecast::{Forecast, forecast};
pub use health::{KpiGoal, KpiHealth, KpiTrend, is_lagging, kpi_health, kpi_trend};
pub use ids::*;
pub use key_result::{Comparator, KeyResultKind, Measure, MeasureError, TargetSchedule};
pub use kpi::{Cadence, KpiDirection, KpiTier};
pub use names::Named;
pub use objective::{Commitment, Visibility};
pub use progress::{Progress, Weight, rollup};
pub use score::{Score, ScoreColour, Thresholds, ThresholdsError};
pub use search::{SearchKind, SearchQuery, SearchQueryError};
pub use status::{
    Assessment, Status, StatusInput, StatusReason, assess_key_result, is_diverging, key_result_status, objective_status,
};
pub use text::{Slug, Title};
