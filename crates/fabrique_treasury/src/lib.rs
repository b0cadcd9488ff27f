//! Fabrique treasury: the pure domain of an association's books.
//!
//! No I/O beyond parsing the bytes and strings it is given: no database, no HTTP. Money is
//! always `i64` cents ([`amount::Cents`]); dates are [`jiff::civil::Date`].
//!
//! Module map:
//! - [`amount`]: parsing and formatting French amounts, amounts in words.
//! - [`chart`]: the associations' chart of accounts (ANC 2018-06), sub-accounts.
//! - [`ledger`]: journals, drafts, validated entries, numbering, reversal, simple forms.
//! - [`chain`]: the hash chain over validated entries.
//! - [`closing`]: year closing (result to 120/129) and opening entries (AN).
//! - [`reports`]: trial balance, general ledger, journal, income statement, balance sheet,
//!   budget against actual, per project.
//! - [`fec`]: FEC export and import.
//! - [`bank`]: bank statement parsers (CSV, OFX, QIF, CAMT.053), dedup keys, reconciliation.
//! - [`receipt`]: tax receipts (cerfa 11580*05).
//! - [`forecast`]: subsidies, recurring items and the 12-month cash-flow plan.
//! - [`dedicated`]: fonds dédiés at year end and their use the next year.
//! - [`hledger`]: hledger journal export.
//! - [`dates`]: day arithmetic on civil dates.
//! - [`demo`]: the demo association's two years of books and its cash plan.

#![warn(missing_docs)]

pub mod amount;
pub mod bank;
pub mod chain;
pub mod chart;
pub mod closing;
pub mod dates;
pub mod dedicated;
pub mod demo;
pub mod fec;
pub mod forecast;
pub mod hledger;
pub mod ledger;
pub mod receipt;
pub mod reports;

pub use amount::Cents;
