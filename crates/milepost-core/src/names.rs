//! The stable names of the domain's enumerations, as stored in the database and written
//! in the API, so every layer reads and writes the same words.

use crate::access::{InitiativeStatus, Role};
use crate::cycle::{CycleKind, CycleStatus};
use crate::key_result::{Comparator, KeyResultKind};
use crate::kpi::{Cadence, KpiDirection, KpiTier};
use crate::objective::{Commitment, Visibility};

/// An enumeration with a fixed name for each variant.
pub trait Named: Sized + Copy + 'static {
    /// Every variant, in the order people read them.
    const ALL: &'static [Self];

    /// The variant's name.
    fn as_str(self) -> &'static str;

    /// Reads a name written by [`Named::as_str`].
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// All names joined for an error message: `increase, decrease, …`.
    fn names() -> String {
        Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! named {
    ($type:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl Named for $type {
            const ALL: &'static [Self] = &[$(<$type>::$variant),*];
            fn as_str(self) -> &'static str {
                match self { $(<$type>::$variant => $name),* }
            }
        }
    };
}

named!(CycleStatus { Planning => "planning", Active => "active", Closed => "closed" });
named!(CycleKind { Quarter => "quarter", Half => "half", Year => "year", Custom => "custom" });
named!(KeyResultKind {
    Increase => "increase", Decrease => "decrease", Maintain => "maintain", Range => "range", Milestone => "milestone",
});
named!(Comparator { AtLeast => ">=", AtMost => "<=" });
named!(Cadence { Daily => "daily", Weekly => "weekly", Monthly => "monthly", Quarterly => "quarterly" });
named!(KpiDirection { HigherIsBetter => "higher_is_better", LowerIsBetter => "lower_is_better", WithinRange => "within_range" });
named!(KpiTier { Kpi => "kpi", Metric => "metric" });
named!(crate::health::KpiHealth { Green => "green", Amber => "amber", Red => "red", NoData => "no_data" });
named!(crate::health::KpiTrend { Improving => "improving", Steady => "steady", Worsening => "worsening", Unknown => "unknown" });
named!(Role { Admin => "admin", Editor => "editor", Member => "member", Viewer => "viewer" });
named!(InitiativeStatus { Planned => "planned", Active => "active", Done => "done", Dropped => "dropped" });
named!(Commitment { Committed => "committed", Aspirational => "aspirational" });
named!(crate::search::SearchKind {
    Objective => "objective", KeyResult => "key_result", Kpi => "kpi", Person => "person", Team => "team",
});
named!(Visibility { Workspace => "workspace", Team => "team" });
named!(crate::status::Status {
    OnTrack => "on_track", AtRisk => "at_risk", OffTrack => "off_track", Done => "done",
    NotStarted => "not_started", Stale => "stale",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Status;

    fn round_trips<T: Named + PartialEq + std::fmt::Debug + serde::Serialize>() {
        for v in T::ALL {
            assert_eq!(T::parse(v.as_str()), Some(*v));
            // The stored name and the JSON name are the same word.
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::Value::from(v.as_str()));
        }
        assert_eq!(T::parse("no such name"), None);
    }

    #[test]
    fn stored_names_match_json_names() {
        round_trips::<crate::Role>();
        round_trips::<crate::InitiativeStatus>();
        round_trips::<CycleStatus>();
        round_trips::<CycleKind>();
        round_trips::<KeyResultKind>();
        round_trips::<Comparator>();
        round_trips::<Cadence>();
        round_trips::<KpiDirection>();
        round_trips::<KpiTier>();
        round_trips::<Commitment>();
        round_trips::<Visibility>();
        round_trips::<Status>();
        round_trips::<crate::health::KpiHealth>();
        round_trips::<crate::health::KpiTrend>();
        round_trips::<crate::search::SearchKind>();
    }
}
