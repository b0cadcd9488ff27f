//! Governance over JSON: decisions, ballots, results, proxies, assemblies and the charter.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use fabrique_app::governance::assemblies::{
    self, Assembly, AssemblyView, Attendance, Minutes, NewAssembly,
};
use fabrique_app::governance::ballots::{self, Participation, Receipt, Voices};
use fabrique_app::governance::charter::{self, Charter, CharterInput, Posted};
use fabrique_app::governance::decisions::{
    self, Comment, Decision, DecisionInput, DecisionPatch, NewComment,
};
use fabrique_app::governance::proxies::{self, Proxy, ProxyInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::session::ApiActor;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_decisions, create_decision))
        .routes(routes!(get_decision, patch_decision))
        .routes(routes!(open_decision))
        .routes(routes!(close_decision))
        .routes(routes!(cast_ballot, published_ballots))
        .routes(routes!(get_result))
        .routes(routes!(list_comments, add_comment))
        .routes(routes!(list_proxies, grant_proxy, revoke_proxy))
        .routes(routes!(get_charter, post_charter))
        .routes(routes!(list_assemblies, create_assembly))
        .routes(routes!(get_assembly))
        .routes(routes!(record_attendance))
        .routes(routes!(get_minutes))
        .routes(routes!(sign_minutes))
}

type Ids = Path<(String, String)>;

/// The decisions of an organisation, newest first (members).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/decisions", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [Decision]), (status = 403, body = ErrorBody)))]
async fn list_decisions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Decision>>, ApiError> {
    Ok(Json(decisions::list(&state.app, &actor, &slug).await?.1))
}

/// Drafts a decision. Takes `fabrique tally`'s fields (`method`, `candidates`, `seats`,
/// `grades`, `rule`, `quorum`) plus `title`, `body`, `kind`, `secret`, `live_results`,
/// `opens_at`, `closes_at` (UTC ms, or `"2026-12-01 18:00"` in the organisation's zone) and
/// `assembly`. The electorate and colleges come from the organisation at opening.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/decisions", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)), request_body = DecisionInput,
    responses((status = 201, body = Decision), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<(StatusCode, Json<Decision>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(decisions::create(&state.app, &actor, &slug, &input).await?),
    ))
}

/// A decision as a member sees it.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct DecisionView {
    #[serde(flatten)]
    decision: Decision,
    /// Sanitised HTML of the text.
    body_html: String,
    /// Counts so far (never contents).
    participation: Participation,
    /// The caller's voice and the proxies they hold for it.
    me: Voices,
}

/// One decision, with participation so far and the caller's voices.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/decisions/{id}", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = DecisionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<DecisionView>, ApiError> {
    let (_, decision) = decisions::get(&state.app, &actor, &slug, &id).await?;
    Ok(Json(DecisionView {
        body_html: crate::html::markdown(&decision.body),
        participation: ballots::participation(&state.app, &actor, &slug, &id).await?,
        me: ballots::my_voices(&state.app, &actor, &slug, &id).await?,
        decision,
    }))
}

/// Changes a draft (its author or an administrator).
#[utoipa::path(patch, path = "/api/v1/orgs/{slug}/decisions/{id}", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = DecisionPatch,
    responses((status = 200, body = Decision), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn patch_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
    ApiJson(patch): ApiJson<DecisionPatch>,
) -> Result<Json<Decision>, ApiError> {
    Ok(Json(
        decisions::update(&state.app, &actor, &slug, &id, &patch).await?,
    ))
}

/// Opens a draft now (administrators): fixes the electorate and the rules.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/decisions/{id}/open", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Decision), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn open_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<Decision>, ApiError> {
    Ok(Json(decisions::open(&state.app, &actor, &slug, &id).await?))
}

/// Closes an open decision now and counts it (administrators).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/decisions/{id}/close", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Decision), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close_decision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<Decision>, ApiError> {
    Ok(Json(
        decisions::close(&state.app, &actor, &slug, &id).await?,
    ))
}

/// Votes: a ballot in `fabrique tally`'s shape (`choice`, `ranking`, `approve`, `scores`,
/// `grades`, `consent`/`objection`/`stand_aside`, `blank`), plus `for_member` to vote a
/// proxy mandate and `replaces` (the previous tracker) to revote under secrecy. Answers
/// with the ballot's tracker.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/decisions/{id}/ballots", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = Object,
    responses((status = 201, body = Receipt), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cast_ballot(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(ballots::cast(&state.app, &actor, &slug, &id, body).await?),
    ))
}

/// The ballots of a closed decision: `election` (recount it with `fabrique tally`),
/// `trackers` in the same order, and `voters` for public ballots.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/decisions/{id}/ballots", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
async fn published_ballots(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(
        ballots::published(&state.app, &actor, &slug, &id).await?,
    ))
}

/// The result: `fabrique tally`'s output (`valid`, `quorum_reached`, `ranking`, `winners`,
/// `passed`, `tie_break`, `details`) plus `participation`. Secret ballots: after closing
/// only.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/decisions/{id}/result", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
async fn get_result(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(ballots::result(&state.app, &actor, &slug, &id).await?))
}

/// The deliberation of a decision.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/decisions/{id}/comments", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = [Comment]), (status = 403, body = ErrorBody)))]
async fn list_comments(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<Vec<Comment>>, ApiError> {
    Ok(Json(
        decisions::comments(&state.app, &actor, &slug, &id).await?,
    ))
}

/// Adds a comment, or an objection (consent decisions; it needs a reason).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/decisions/{id}/comments", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = Comment), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_comment(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
    ApiJson(input): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(decisions::comment(&state.app, &actor, &slug, &id, &input).await?),
    ))
}

/// The proxies the caller gave or holds.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/proxies", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [Proxy]), (status = 403, body = ErrorBody)))]
async fn list_proxies(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Proxy>>, ApiError> {
    Ok(Json(proxies::mine(&state.app, &actor, &slug).await?))
}

/// Grants a proxy: `{"decision": id, "holder": member id}` or `{"assembly": id, "holder":
/// member id}`, within the charter's cap per holder.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/proxies", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)), request_body = ProxyInput,
    responses((status = 201, body = Proxy), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn grant_proxy(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<ProxyInput>,
) -> Result<(StatusCode, Json<Proxy>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(proxies::grant(&state.app, &actor, &slug, &input).await?),
    ))
}

/// Revokes the caller's proxy for `{"decision": id}` or `{"assembly": id}`.
#[utoipa::path(delete, path = "/api/v1/orgs/{slug}/proxies", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)), request_body = ProxyInput,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_proxy(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<ProxyInput>,
) -> Result<StatusCode, ApiError> {
    proxies::revoke(&state.app, &actor, &slug, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The charter: the revision in force, its rules, and its history.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/charter", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = Charter), (status = 403, body = ErrorBody)))]
async fn get_charter(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Charter>, ApiError> {
    Ok(Json(charter::get(&state.app, &actor, &slug).await?))
}

/// Records the first charter (administrators) or proposes a change, bound to a new
/// `statute` decision that adopts it if it passes. `rules` is a JSON object or TOML text.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/charter", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)), request_body = CharterInput,
    responses((status = 201, body = Posted), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_charter(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<CharterInput>,
) -> Result<(StatusCode, Json<Posted>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(charter::post(&state.app, &actor, &slug, &input).await?),
    ))
}

/// The assemblies, latest first (members).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/assemblies", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [Assembly]), (status = 403, body = ErrorBody)))]
async fn list_assemblies(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Assembly>>, ApiError> {
    Ok(Json(assemblies::list(&state.app, &actor, &slug).await?.1))
}

/// Convenes an assembly (administrators) and e-mails the convocation to every member.
/// `second_call_of` names the assembly whose quorum was missed.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/assemblies", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path)), request_body = NewAssembly,
    responses((status = 201, body = Assembly), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_assembly(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NewAssembly>,
) -> Result<(StatusCode, Json<Assembly>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(assemblies::create(&state.app, &actor, &slug, &input).await?),
    ))
}

/// An assembly: agenda, attendance, proxies and quorum.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/assemblies/{id}", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = AssemblyView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_assembly(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<AssemblyView>, ApiError> {
    Ok(Json(
        assemblies::get(&state.app, &actor, &slug, &id).await?.1,
    ))
}

/// Records attendance (chair, secretary, administrators): a list of `{"member": id,
/// "presence": "present" | "remote" | "represented" | "absent"}`.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/assemblies/{id}/attendance", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = [Attendance],
    responses((status = 200, body = AssemblyView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_attendance(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
    ApiJson(input): ApiJson<Vec<Attendance>>,
) -> Result<Json<AssemblyView>, ApiError> {
    Ok(Json(
        assemblies::record_attendance(&state.app, &actor, &slug, &id, &input).await?,
    ))
}

/// The minutes (procès-verbal) in Markdown, generated from the records; once signed by
/// the chair and the secretary, the signed text.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/assemblies/{id}/minutes", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Minutes), (status = 403, body = ErrorBody)))]
async fn get_minutes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<Minutes>, ApiError> {
    Ok(Json(
        assemblies::minutes(&state.app, &actor, &slug, &id).await?,
    ))
}

/// Signs the minutes as chair or secretary (every resolution closed first).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/assemblies/{id}/minutes/sign", tag = "governance", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Minutes), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn sign_minutes(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Ids,
) -> Result<Json<Minutes>, ApiError> {
    Ok(Json(
        assemblies::sign(&state.app, &actor, &slug, &id).await?,
    ))
}
