//! HTML pages. Each handler parses its input, calls one use case, and renders a template;
//! a form whose input is refused is shown again with the message next to the field.

mod account;
mod documents;
mod governance;
mod members;
mod orgs;
mod treasury;

pub use orgs::markdown;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fabrique_app::AppError;

use crate::AppState;
use crate::error::PageError;
use crate::routes::{Routes, get};
use crate::session::{Ctx, LANG_COOKIE, set_cookie};

/// The HTML routes.
pub fn router() -> Routes {
    Routes::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/static/fabrique.css", get(stylesheet))
        .route("/lang/{code}", get(switch_language))
        .merge(account::router())
        .merge(orgs::router())
        .merge(members::router())
        .merge(treasury::router())
        .merge(governance::router())
        .merge(documents::router())
}

/// Renders a template as a 200 page.
pub fn render(page: &impl Template) -> Response {
    render_with_status(StatusCode::OK, page)
}

/// Renders a template with a status.
pub fn render_with_status(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// The result of a page handler.
pub type PageResult = Result<Response, PageError>;

/// Extension to turn a use-case result into a page result.
pub trait OrPage<T> {
    /// Attaches the request context to the error.
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| ctx.fail(e))
    }
}

/// A form as typed, with the error to show, if any.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    values: HashMap<String, String>,
    error: Option<(String, String)>,
    fields: &'static [&'static str],
}

impl FormState {
    /// An empty form with these visible fields.
    pub fn new(fields: &'static [&'static str]) -> Self {
        FormState {
            fields,
            ..Default::default()
        }
    }

    /// Pre-fills a field.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }

    /// A form with these visible fields, filled with every value submitted.
    pub fn submitted(fields: &'static [&'static str], values: &HashMap<String, String>) -> Self {
        FormState {
            fields,
            values: values.clone(),
            error: None,
        }
    }

    /// Records the error of a refused submission, translated.
    pub fn failed(mut self, ctx: &Ctx, err: &AppError) -> Self {
        let message = ctx
            .tr
            .error(err.code(), &crate::error::public_message(err))
            .into_owned();
        self.error = Some((err.field().unwrap_or("form").to_owned(), message));
        self
    }

    /// The value typed in a field.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    /// The error of a field.
    pub fn err(&self, name: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }

    /// An error that belongs to no visible field.
    pub fn general_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| !self.fields.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
    }
}

/// Whether an error should re-show the form (the input was refused) rather than fail.
pub fn is_form_error(err: &AppError) -> bool {
    matches!(
        err,
        AppError::Invalid(_)
            | AppError::Conflict(_)
            | AppError::Unauthenticated {
                code: "login_failed",
                ..
            }
    )
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    mine: Vec<(fabrique_app::orgs::Org, fabrique_core::Role)>,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mine = match &ctx.user {
        Some(user) => fabrique_app::orgs::mine(&state.app, user)
            .await
            .or_page(&ctx)?,
        None => vec![],
    };
    Ok(render(&HomePage { ctx, mine }))
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.app.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
    }
}

async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../../static/fabrique.css"),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// A local path to go back to: only paths on this site are followed.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = crate::i18n::Lang::parse(&code).unwrap_or(crate::i18n::Lang::Fr);
    let mut response = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            365 * 24 * 3600,
            false,
            state.secure_cookies,
        ),
    );
    response
}

/// The page for an address that leads nowhere (JSON under `/api/`).
pub async fn not_found(ctx: Result<Ctx, PageError>, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such endpoint: {}", uri.path()),
            None,
        );
    }
    match ctx {
        Ok(ctx) => ctx
            .fail(AppError::NotFound { what: "page" })
            .into_response(),
        Err(e) => e.into_response(),
    }
}
