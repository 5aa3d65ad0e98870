//! Integration tests of milepost-okrfile, through its public API only.

mod files;
mod kpi_files;
mod output;
mod properties;
mod robustness;
mod round_trip;
mod rules;
mod sentences;
