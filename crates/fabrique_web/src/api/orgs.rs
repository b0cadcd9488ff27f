//! Organisations, members, colleges, invitations, join requests and the audit log over JSON.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use fabrique_app::invitations::{self, Invitation, JoinRequest, NewInvitation};
use fabrique_app::members::{self, AddMember, AddOutcome, College, Member, MemberPatch};
use fabrique_app::orgs::{self, DirectoryEntry, DirectoryQuery, NewOrg, Org, OrgPatch};
use fabrique_app::{AppError, audit};
use fabrique_core::CollegeShare;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::session::{ApiActor, MaybeApiActor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orgs, create_org))
        .routes(routes!(get_org, patch_org))
        .routes(routes!(list_members, add_member))
        .routes(routes!(get_member, patch_member, delete_member))
        .routes(routes!(get_colleges, put_colleges))
        .routes(routes!(get_audit))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(revoke_invitation))
        .routes(routes!(accept_invitation))
        .routes(routes!(list_join_requests, create_join_request))
        .routes(routes!(decide_join_request))
}

/// The public directory of organisations.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", params(DirectoryQuery), responses((status = 200, body = [DirectoryEntry]), (status = 422, body = ErrorBody)))]
async fn list_orgs(
    State(state): State<AppState>,
    Query(q): Query<DirectoryQuery>,
) -> Result<Json<Vec<DirectoryEntry>>, ApiError> {
    Ok(Json(orgs::directory(&state.app, &q).await?))
}

/// Creates an organisation; the caller becomes its administrator.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", security(("bearer" = [])), request_body = NewOrg,
    responses((status = 201, body = Org), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_org(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<NewOrg>,
) -> Result<(StatusCode, Json<Org>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(orgs::create(&state.app, &actor, &input).await?),
    ))
}

/// An organisation (public information), with its colleges, categories, member count and
/// the caller's membership.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}", tag = "orgs", security((), ("bearer" = [])), params(("slug" = String, Path)), responses((status = 200, body = orgs::OrgPage), (status = 404, body = ErrorBody)))]
async fn get_org(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path(slug): Path<String>,
) -> Result<Json<orgs::OrgPage>, ApiError> {
    Ok(Json(orgs::page(&state.app, actor.as_ref(), &slug).await?))
}

/// Changes an organisation's settings (administrators).
#[utoipa::path(patch, path = "/api/v1/orgs/{slug}", tag = "orgs", security(("bearer" = [])), params(("slug" = String, Path)), request_body = OrgPatch,
    responses((status = 200, body = Org), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn patch_org(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(patch): ApiJson<OrgPatch>,
) -> Result<Json<Org>, ApiError> {
    Ok(Json(orgs::update(&state.app, &actor, &slug, &patch).await?))
}

/// The active members (members and observers may look).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/members", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), responses((status = 200, body = [Member]), (status = 403, body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(members::list(&state.app, &actor, &slug).await?.1))
}

/// Adds a member by e-mail (administrators): an existing account becomes a member at once,
/// anyone else is invited.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/members", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), request_body = AddMember,
    responses((status = 201, body = AddOutcome), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<AddMember>,
) -> Result<(StatusCode, Json<AddOutcome>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(members::add(&state.app, &actor, &slug, &input).await?),
    ))
}

/// A member and their history.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct MemberView {
    #[serde(flatten)]
    member: Member,
    /// Visible to administrators and to the member.
    history: Vec<audit::Entry>,
}

/// One member.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/members/{id}", tag = "members", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = MemberView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_member(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<MemberView>, ApiError> {
    let (_, member, history) = members::get(&state.app, &actor, &slug, &id).await?;
    Ok(Json(MemberView { member, history }))
}

/// Changes a member's role, category or college (administrators).
#[utoipa::path(patch, path = "/api/v1/orgs/{slug}/members/{id}", tag = "members", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = MemberPatch,
    responses((status = 200, body = Member), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn patch_member(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<MemberPatch>,
) -> Result<Json<Member>, ApiError> {
    Ok(Json(
        members::update(&state.app, &actor, &slug, &id, &patch).await?,
    ))
}

/// Ends a membership (administrators, or the member leaving).
#[utoipa::path(delete, path = "/api/v1/orgs/{slug}/members/{id}", tag = "members", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete_member(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    members::remove(&state.app, &actor, &slug, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The colleges (members).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/colleges", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), responses((status = 200, body = [College]), (status = 403, body = ErrorBody)))]
async fn get_colleges(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<College>>, ApiError> {
    let (org, _) = orgs::require_member(&state.app, &actor, &slug).await?;
    Ok(Json(members::colleges(&state.app, &org.id).await?))
}

/// A college as sent: a name and a share such as `"3/10"`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct CollegeInput {
    name: String,
    share: String,
}

/// Replaces the colleges (administrators). Shares are exact fractions summing to 1; for a
/// SCIC each is between 1/10 and 1/2.
#[utoipa::path(put, path = "/api/v1/orgs/{slug}/colleges", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), request_body = [CollegeInput],
    responses((status = 200, body = [College]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_colleges(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<Vec<CollegeInput>>,
) -> Result<Json<Vec<College>>, ApiError> {
    let shares = input
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let share = fabrique_core::Fraction::parse(&c.share)
                .map_err(|e| AppError::Invalid(e.at(format!("colleges[{i}].share"))))?;
            Ok(CollegeShare {
                name: c.name.clone(),
                share,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Json(
        members::put_colleges(&state.app, &actor, &slug, &shares).await?,
    ))
}

/// How many audit entries to return.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct AuditQuery {
    /// At most this many (1–1000, default 200).
    limit: Option<i64>,
}

/// The audit log, newest first (administrators).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/audit", tag = "orgs", security(("bearer" = [])), params(("slug" = String, Path), AuditQuery),
    responses((status = 200, body = [audit::Entry]), (status = 403, body = ErrorBody)))]
async fn get_audit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<audit::Entry>>, ApiError> {
    Ok(Json(
        audit::list(&state.app, &actor, &slug, q.limit.unwrap_or(200)).await?,
    ))
}

/// The invitations (administrators).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/invitations", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), responses((status = 200, body = [Invitation]), (status = 403, body = ErrorBody)))]
async fn list_invitations(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    Ok(Json(invitations::list(&state.app, &actor, &slug).await?.1))
}

/// A new invitation with its secret link (shown once).
#[derive(serde::Serialize, utoipa::ToSchema)]
struct CreatedInvitation {
    #[serde(flatten)]
    invitation: Invitation,
    token: String,
    link: String,
}

/// Creates an invitation by e-mail or as a link (administrators).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/invitations", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), request_body = NewInvitation,
    responses((status = 201, body = CreatedInvitation), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_invitation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<CreatedInvitation>), ApiError> {
    let (invitation, token) = invitations::create(&state.app, &actor, &slug, &input).await?;
    let link = invitations::invitation_link(&state.app, &token);
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvitation {
            invitation,
            token,
            link,
        }),
    ))
}

/// Withdraws an unused invitation (administrators).
#[utoipa::path(delete, path = "/api/v1/orgs/{slug}/invitations/{id}", tag = "members", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_invitation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    invitations::revoke(&state.app, &actor, &slug, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accepts an invitation: the caller joins the organisation.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "members", security(("bearer" = [])), params(("token" = String, Path)),
    responses((status = 200, body = Org), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept_invitation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(token): Path<String>,
) -> Result<Json<Org>, ApiError> {
    Ok(Json(invitations::accept(&state.app, &actor, &token).await?))
}

/// Pending join requests (administrators).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/join-requests", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), responses((status = 200, body = [JoinRequest]), (status = 403, body = ErrorBody)))]
async fn list_join_requests(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<JoinRequest>>, ApiError> {
    Ok(Json(
        invitations::pending_requests(&state.app, &actor, &slug).await?,
    ))
}

/// A message to go with a join request.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct JoinMessage {
    #[serde(default)]
    message: Option<String>,
}

/// Asks to join an organisation.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/join-requests", tag = "members", security(("bearer" = [])), params(("slug" = String, Path)), request_body = JoinMessage,
    responses((status = 201, body = JoinRequest), (status = 409, body = ErrorBody)))]
async fn create_join_request(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(req): ApiJson<JoinMessage>,
) -> Result<(StatusCode, Json<JoinRequest>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(invitations::request_join(&state.app, &actor, &slug, req.message.as_deref()).await?),
    ))
}

/// Accepts or refuses a join request (administrators); `decision` is `accept` or `refuse`.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/join-requests/{id}/{decision}", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("id" = String, Path), ("decision" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_join_request(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id, decision)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    invitations::decide(&state.app, &actor, &slug, &id, &decision).await?;
    Ok(StatusCode::NO_CONTENT)
}
