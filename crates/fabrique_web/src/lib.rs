//! The web face of Fabrique: server-rendered HTML pages and their JSON twins under
//! `/api/v1`, described by an OpenAPI document.
//!
//! Architecture invariant: this is the only crate that knows HTTP. Handlers parse input,
//! call one use case of `fabrique_app`, and render; authorization lives in the use case.

pub mod api;
pub mod error;
pub mod html;
pub mod i18n;
pub mod routes;
pub mod session;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use fabrique_app::App;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler receives.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub app: App,
    /// Whether cookies carry the `Secure` flag (the instance is served over HTTPS).
    pub secure_cookies: bool,
}

/// Largest request body accepted (bank statements and imports go through other limits).
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The whole web application.
pub fn router(app: App) -> Router {
    let secure_cookies = app.config.base_url.starts_with("https://");
    let state = AppState {
        app,
        secure_cookies,
    };
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi_json =
        std::sync::Arc::new(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    Router::new()
        .merge(site_routes(openapi_json).into_router())
        .merge(api_router)
        .fallback(html::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::csrf_cookie))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The routes outside the OpenAPI-described API: the HTML pages and the OpenAPI document.
fn site_routes(openapi_json: std::sync::Arc<String>) -> routes::Routes {
    html::router().route(
        "/api/v1/openapi.json",
        routes::get(move || {
            let doc = openapi_json.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    doc.as_str().to_owned(),
                )
            }
        }),
    )
}

/// Every (method, path) served outside the OpenAPI-described API (whose routes are listed
/// by `/api/v1/openapi.json`), in registration order.
pub fn route_table() -> Vec<routes::RouteEntry> {
    site_routes(std::sync::Arc::default()).table().to_vec()
}
