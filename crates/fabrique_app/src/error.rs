//! The error of every use case.
//!
//! Policy, written once: a use case returns [`AppError`]. Every variant but `Internal` is
//! the client's to fix and carries a stable `code` (translatable) and an English message;
//! `Internal` wraps a cause that is logged by the web layer and never shown. The web crate
//! maps each variant to one HTTP status in one place.

use fabrique_core::FieldError;

/// What went wrong in a use case.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input: names the field (HTTP 422).
    #[error("{0}")]
    Invalid(FieldError),
    /// The input conflicts with existing data, e.g. a slug already taken (HTTP 409).
    #[error("{0}")]
    Conflict(FieldError),
    /// Not signed in, or the credentials are wrong (HTTP 401).
    #[error("{message}")]
    Unauthenticated {
        /// Stable code.
        code: &'static str,
        /// Human message.
        message: String,
    },
    /// Signed in but not allowed (HTTP 403).
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// Human message.
        message: String,
    },
    /// Nothing there, or nothing the actor may see (HTTP 404).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// Too many attempts (HTTP 429).
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until a new attempt may succeed.
        retry_after_secs: i64,
    },
    /// A failure of ours (HTTP 500); logged, never shown.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A validation error on `field`.
    pub fn invalid(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        AppError::Invalid(FieldError::new(field, code, message))
    }

    /// A conflict on `field`.
    pub fn conflict(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        AppError::Conflict(FieldError::new(field, code, message))
    }

    /// Forbidden with a reason.
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden {
            code: "forbidden",
            message: message.into(),
        }
    }

    /// Not signed in.
    pub fn unauthenticated() -> Self {
        AppError::Unauthenticated {
            code: "unauthenticated",
            message: "sign in first".into(),
        }
    }

    /// The stable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(e) | AppError::Conflict(e) => e.code,
            AppError::Unauthenticated { code, .. } | AppError::Forbidden { code, .. } => code,
            AppError::NotFound { .. } => "not_found",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
        }
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(e) | AppError::Conflict(e) => Some(&e.field),
            _ => None,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

/// The result of a use case.
pub type AppResult<T> = Result<T, AppError>;

/// True when a database error is a uniqueness violation (on either engine).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation() || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
