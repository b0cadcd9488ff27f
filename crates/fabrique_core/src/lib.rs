//! Shared value types of Fabrique: identifiers, the clock, and the small domain values
//! (slugs, e-mail addresses, roles, fractions…) that every other crate trusts once parsed.
//!
//! *Parse, don't validate*: each value has a `parse` constructor returning a [`FieldError`]
//! that names the offending field; code past the edge holds the typed value only.

pub mod clock;
pub mod error;
pub mod fraction;
pub mod ids;
pub mod values;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::FieldError;
pub use fraction::Fraction;
pub use values::*;
