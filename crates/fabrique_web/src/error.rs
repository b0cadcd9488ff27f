//! Errors at the HTTP boundary, mapped to statuses in one place.
//!
//! | use-case error      | status | API body `{"error": {code, message, field}}` | HTML          |
//! |---------------------|--------|-----------------------------------------------|---------------|
//! | `Invalid`           | 422    | the field and its message                     | form re-shown |
//! | `Conflict`          | 409    | idem                                          | form re-shown |
//! | `Unauthenticated`   | 401    | —                                             | to sign-in    |
//! | `Forbidden`         | 403    | —                                             | error page    |
//! | `NotFound`          | 404    | —                                             | error page    |
//! | `RateLimited`       | 429    | with `Retry-After`                            | error page    |
//! | `Internal`          | 500    | a generic message; the cause goes to the log  | error page    |
//!
//! Malformed JSON is a 400 with code `json_invalid` naming the problem.

use askama::Template;
use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fabrique_app::AppError;
use serde::de::DeserializeOwned;

use crate::session::Ctx;

/// The HTTP status of a use-case error.
pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The message a client may see (never an internal cause).
pub fn public_message(err: &AppError) -> String {
    match err {
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "internal error");
            "something went wrong on our side; it has been logged".into()
        }
        other => other.to_string(),
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// The body of every API error.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `slug_taken`.
    pub code: String,
    /// Human message.
    pub message: String,
    /// The field concerned, if any.
    pub field: Option<String>,
}

/// Builds a JSON error response.
pub fn json_error(
    status: StatusCode,
    code: &str,
    message: String,
    field: Option<String>,
) -> Response {
    (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                field,
            },
        }),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let mut response = json_error(
            status,
            self.0.code(),
            public_message(&self.0),
            self.0.field().map(str::to_owned),
        );
        if let AppError::RateLimited { retry_after_secs } = self.0
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// A JSON body whose parse errors are answered in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_error(
                StatusCode::BAD_REQUEST,
                "json_invalid",
                rejection.body_text(),
                None,
            )),
        }
    }
}

/// An error shown as an HTML page.
#[derive(Debug)]
pub struct PageError {
    /// The request's context (language, visitor).
    pub ctx: Box<Ctx>,
    /// The error.
    pub err: AppError,
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    /// Context.
    pub ctx: &'a Ctx,
    /// HTTP status code.
    pub status: u16,
    /// Translated message.
    pub message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(
            self.err,
            AppError::Unauthenticated {
                code: "unauthenticated",
                ..
            }
        ) {
            let next: String = form_urlencode(&self.ctx.path);
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        let status = status_of(&self.err);
        let fallback = public_message(&self.err);
        let message = self.ctx.tr.error(self.err.code(), &fallback).into_owned();
        let page = ErrorPage {
            ctx: &self.ctx,
            status: status.as_u16(),
            message,
        };
        crate::html::render_with_status(status, &page)
    }
}

/// Percent-encodes a string for a query parameter.
pub fn form_urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x[1..].to_owned())
        .unwrap_or_default()
}
