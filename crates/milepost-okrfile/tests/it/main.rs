//! Integration tests of milepost-okrfile, through its public API only.

mod properties;
mod sentences;
