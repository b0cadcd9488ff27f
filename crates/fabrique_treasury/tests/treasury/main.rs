//! Integration tests of the treasury crate (one test binary; modules beside this file).

mod bank;
mod common;
mod fec;
mod fuzzed;
mod hledger;
mod ledger;
mod properties;
mod receipts;
mod reports;
