//! The JSON API under `/api/v1`: the twin of every page, described by the OpenAPI document
//! at `/api/v1/openapi.json`. Authentication: `Authorization: Bearer <token>` (create one
//! with `POST /api/v1/tokens` or on the account page), or the session cookie plus an
//! `X-CSRF-Token` header on writes.

mod accounts;
mod documents;
mod governance;
mod orgs;
mod treasury;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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

/// The API routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::router())
        .merge(orgs::router())
        .merge(treasury::router())
        .merge(governance::router())
        .merge(documents::router())
}
