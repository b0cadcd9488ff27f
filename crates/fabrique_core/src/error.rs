//! The validation error every parser of this crate returns.

use std::fmt;

/// A value that could not be parsed: which field, a stable machine code, and a human
/// message (English; the web layer translates by `code`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The form or JSON field the problem is about.
    pub field: String,
    /// A stable, translatable code such as `slug_invalid`.
    pub code: &'static str,
    /// A human explanation in English.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The same error reported under another field name (e.g. `colleges[2].share`).
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}
