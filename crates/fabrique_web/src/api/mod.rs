//! The JSON API under `/api/v1`: the twin of every page, described by the OpenAPI document
//! at `/api/v1/openapi.json`. Authentication: `Authorization: Bearer <token>` (create one
//! with `POST /api/v1/tokens` or on the account page), or the session cookie plus an
//! `X-CSRF-Token` header on writes.

mod accounts;
mod documents;
mod governance;
mod orgs;
mod treasury;

use axum::http::{StatusCode, header};
use axum::response::Response;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Fabrique API", description = "The JSON twin of every Fabrique page.", license(name = "AGPL-3.0-or-later")),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Sign-up, tokens, passwords"),
        (name = "orgs", description = "Organisations and the directory"),
        (name = "members", description = "Members, colleges, invitations, join requests"),
        (name = "admin", description = "Instance settings"),
        (name = "treasury", description = "Ledger, imports, reports, cash plan, receipts"),
        (name = "governance", description = "Decisions, ballots, proxies, assemblies, charter"),
        (name = "documents", description = "Knowledge commons: documents, revisions, forks, proposals, search"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents the errors every operation shares because they come from the shared
/// extractors rather than from the handler: 401 from the bearer token (operations with
/// `security`), 400 from a path, query or body that cannot be read, and 404 from an
/// organisation or object named in the path that does not exist.
struct CommonErrors;

impl CommonErrors {
    fn add(op: &mut Operation, status: StatusCode) {
        let body = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        let response = ResponseBuilder::new()
            .description(status.canonical_reason().unwrap_or_default())
            .content("application/json", body)
            .build();
        op.responses
            .responses
            .entry(status.as_str().to_owned())
            .or_insert(RefOr::T(response));
    }
}

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let params = op.parameters.as_deref().unwrap_or_default();
                let in_path = params
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path));
                let readable = !params.is_empty() || op.request_body.is_some();
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    Self::add(op, StatusCode::UNAUTHORIZED);
                }
                if readable {
                    Self::add(op, StatusCode::BAD_REQUEST);
                }
                if in_path {
                    Self::add(op, StatusCode::NOT_FOUND);
                }
            }
        }
    }
}

/// Answers the errors produced before a handler runs (a path or query that cannot be
/// read, an unknown method, a body too large) in the API's JSON error shape, like every
/// other API error, instead of plain text.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() || is_json {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let code = match status {
        StatusCode::BAD_REQUEST => "request_invalid",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "content_type_invalid",
        _ => "request_refused",
    };
    let text = String::from_utf8_lossy(&body).trim().to_owned();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or_default().to_owned()
    } else {
        text
    };
    crate::error::json_error(status, code, message, None)
}

/// The API routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::router())
        .merge(orgs::router())
        .merge(treasury::router())
        .merge(governance::router())
        .merge(documents::router());
    // After the merges: the paths are there only now.
    CommonErrors.modify(api.get_openapi_mut());
    api.layer(axum::middleware::map_response(json_errors))
}
