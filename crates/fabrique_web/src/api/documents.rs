//! The knowledge commons over JSON: documents, revisions, diffs, forks, pulls, change
//! proposals, settings and search.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fabrique_app::documents::search::{self, Results, SearchQuery};
use fabrique_app::documents::{
    self, Comparison, Document, Edit, MergeConflict, Merged, NewDocument, NewProposal, Proposal,
    RevisionInfo, Saved, Settings, SettingsPatch, Summary,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody, ErrorDetail};
use crate::session::{ApiActor, MaybeApiActor};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_documents, create_document))
        .routes(routes!(get_document, put_document))
        .routes(routes!(list_revisions))
        .routes(routes!(get_revision))
        .routes(routes!(restore_revision))
        .routes(routes!(get_diff))
        .routes(routes!(fork_document))
        .routes(routes!(pull_document))
        .routes(routes!(list_proposals, create_proposal))
        .routes(routes!(get_proposal))
        .routes(routes!(comment_proposal))
        .routes(routes!(accept_proposal))
        .routes(routes!(decline_proposal))
        .routes(routes!(get_settings, patch_settings))
        .routes(routes!(search_documents))
}

/// The body of a 409 when changes overlap: the error, and every conflicting field.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ConflictBody {
    /// Code `merge_conflict`.
    pub error: ErrorDetail,
    /// The conflicts and the merge with markers.
    #[serde(flatten)]
    pub conflict: MergeConflict,
}

/// A save's answer: 200 with the new revision, or 409 with the conflicts.
pub fn merged_response(m: Merged, created: bool) -> Response {
    match m {
        Merged::Saved(s) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(s)).into_response()
        }
        Merged::Conflict(conflict) => (
            StatusCode::CONFLICT,
            Json(ConflictBody {
                error: ErrorDetail {
                    code: "merge_conflict".into(),
                    message: format!(
                        "your changes overlap with others' in: {}",
                        conflict
                            .conflicts
                            .iter()
                            .map(|c| c.field.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    field: conflict.conflicts.first().map(|c| c.field.clone()),
                },
                conflict: *conflict,
            }),
        )
            .into_response(),
    }
}

fn message_of(v: &serde_json::Value) -> Result<&str, ApiError> {
    match v.get("message") {
        None | Some(serde_json::Value::Null) => Ok(""),
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError(fabrique_app::AppError::invalid(
            "message",
            "wrong_type",
            "message must be a string",
        ))),
    }
}

/// The organisation's documents the caller may see.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents", tag = "documents", security((), ("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [Summary]), (status = 404, body = ErrorBody)))]
async fn list_documents(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Summary>>, ApiError> {
    Ok(Json(
        documents::list(&state.app, actor.as_ref(), &slug).await?.1,
    ))
}

/// Creates a document: `{"kind", "title", "body", "license", "visibility", "tags", "fields", "message"}`.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path)), request_body = Object,
    responses((status = 201, body = Saved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    let input = NewDocument {
        content: &body,
        message: message_of(&body)?,
    };
    Ok((
        StatusCode::CREATED,
        Json(documents::create(&state.app, &actor, &slug, input).await?),
    ))
}

/// One document at its current revision, with its adaptations.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct DocumentView {
    #[serde(flatten)]
    document: Document,
    /// The forks of this document the caller may see.
    adaptations: Vec<Summary>,
    /// The attribution line (French).
    attribution_line: String,
    /// Whether the caller may edit it.
    can_edit: bool,
}

/// One document.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents/{doc}", tag = "documents", security((), ("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path, description = "slug or id")),
    responses((status = 200, body = DocumentView), (status = 404, body = ErrorBody)))]
async fn get_document(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path((slug, doc)): Path<(String, String)>,
) -> Result<Json<DocumentView>, ApiError> {
    let document = documents::get(&state.app, actor.as_ref(), &slug, &doc).await?;
    let adaptations = documents::adaptations(&state.app, actor.as_ref(), &document.id).await?;
    let org = fabrique_app::orgs::by_slug(&state.app, &slug).await?;
    let can_edit = documents::may_edit_in(&state.app, actor.as_ref(), &org).await?;
    Ok(Json(DocumentView {
        attribution_line: fabrique_commons::attribution_line(
            &document.attribution,
            fabrique_commons::Lang::Fr,
        ),
        document,
        adaptations,
        can_edit,
    }))
}

/// Saves a new revision: the document's content plus `base_revision` (the revision the
/// edit started from) and `message`. Answers the new revision, merged three-way when the
/// document moved on, or 409 with the conflicting fields. To save the resolution of a
/// pull's conflicts, add the conflict's `upstream_revision`: the fork is then up to date
/// with that source revision.
#[utoipa::path(put, path = "/api/v1/orgs/{slug}/documents/{doc}", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path)), request_body = Object,
    responses((status = 200, body = Saved), (status = 409, body = ConflictBody), (status = 422, body = ErrorBody)))]
async fn put_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    // A missing base revision is refused by the use case, after it checked who may edit.
    let base_revision = body
        .get("base_revision")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    let edit = Edit {
        base_revision,
        content: &body,
        message: message_of(&body)?,
    };
    let m = match body.get("upstream_revision") {
        None | Some(serde_json::Value::Null) => {
            documents::save(&state.app, &actor, &slug, &doc, edit).await?
        }
        Some(_) => {
            let upstream = revision_field(&body, "upstream_revision")?;
            documents::resolve_pull(&state.app, &actor, &slug, &doc, edit, upstream).await?
        }
    };
    Ok(merged_response(m, false))
}

fn revision_field(body: &serde_json::Value, name: &'static str) -> Result<i64, ApiError> {
    body.get(name)
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| {
            ApiError(fabrique_app::AppError::invalid(
                name,
                "required",
                format!("{name} (the revision number the change was made on) is required"),
            ))
        })
}

/// The revisions, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents/{doc}/revisions", tag = "documents", security((), ("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path)),
    responses((status = 200, body = [RevisionInfo]), (status = 404, body = ErrorBody)))]
async fn list_revisions(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path((slug, doc)): Path<(String, String)>,
) -> Result<Json<Vec<RevisionInfo>>, ApiError> {
    Ok(Json(
        documents::history(&state.app, actor.as_ref(), &slug, &doc)
            .await?
            .1,
    ))
}

/// One revision with its content.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents/{doc}/revisions/{n}", tag = "documents", security((), ("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path), ("n" = i64, Path)),
    responses((status = 200, body = documents::Revision), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_revision(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path((slug, doc, n)): Path<(String, String, i64)>,
) -> Result<Json<documents::Revision>, ApiError> {
    Ok(Json(
        documents::revision(&state.app, actor.as_ref(), &slug, &doc, n).await?,
    ))
}

/// Restores a revision as a new revision.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents/{doc}/revisions/{n}/restore", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path), ("n" = i64, Path)),
    responses((status = 200, body = Saved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn restore_revision(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc, n)): Path<(String, String, i64)>,
) -> Result<Response, ApiError> {
    let m = documents::restore(&state.app, &actor, &slug, &doc, n).await?;
    Ok(merged_response(m, false))
}

/// Which revisions to compare.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct DiffQuery {
    /// Older revision.
    from: Option<String>,
    /// Newer revision.
    to: Option<String>,
}

fn revision_param(v: &Option<String>, name: &'static str) -> Result<i64, ApiError> {
    v.as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            ApiError(fabrique_app::AppError::invalid(
                name,
                "revision_invalid",
                format!("{name} must be a revision number"),
            ))
        })
}

/// Compares two revisions, field by field (word level inside prose).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents/{doc}/diff", tag = "documents", security((), ("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path), DiffQuery),
    responses((status = 200, body = Comparison), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_diff(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path((slug, doc)): Path<(String, String)>,
    Query(q): Query<DiffQuery>,
) -> Result<Json<Comparison>, ApiError> {
    let from = revision_param(&q.from, "from")?;
    let to = revision_param(&q.to, "to")?;
    Ok(Json(
        documents::compare(&state.app, actor.as_ref(), &slug, &doc, from, to).await?,
    ))
}

/// Where to fork.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct ForkBody {
    /// The slug of one of the caller's organisations.
    into: String,
    /// A licence for the fork, where the source's allows it (default: the source's).
    license: Option<String>,
}

/// Forks a public document into one of the caller's organisations.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents/{doc}/fork", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path)), request_body = ForkBody,
    responses((status = 201, body = Saved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn fork_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc)): Path<(String, String)>,
    ApiJson(body): ApiJson<ForkBody>,
) -> Result<(StatusCode, Json<Saved>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            documents::fork(
                &state.app,
                &actor,
                &slug,
                &doc,
                &body.into,
                body.license.as_deref(),
            )
            .await?,
        ),
    ))
}

/// Takes the source's later changes into a fork (409 with the conflicts).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents/{doc}/pull", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path)),
    responses((status = 200, body = Saved), (status = 409, body = ConflictBody), (status = 422, body = ErrorBody)))]
async fn pull_document(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let m = documents::pull(&state.app, &actor, &slug, &doc).await?;
    Ok(merged_response(m, false))
}

/// The change proposals on a document, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents/{doc}/proposals", tag = "documents", security((), ("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path)),
    responses((status = 200, body = [Proposal]), (status = 404, body = ErrorBody)))]
async fn list_proposals(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path((slug, doc)): Path<(String, String)>,
) -> Result<Json<Vec<Proposal>>, ApiError> {
    Ok(Json(
        documents::proposals(&state.app, actor.as_ref(), &slug, &doc)
            .await?
            .1,
    ))
}

/// Opens a change proposal: the proposed content (document shape), `base_revision` and `message`.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents/{doc}/proposals", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path)), request_body = Object,
    responses((status = 201, body = Proposal), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<Proposal>), ApiError> {
    let p = NewProposal {
        base_revision: revision_field(&body, "base_revision")?,
        content: &body,
        message: message_of(&body)?,
    };
    Ok((
        StatusCode::CREATED,
        Json(documents::propose(&state.app, &actor, &slug, &doc, p).await?),
    ))
}

/// One proposal with its discussion.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents/{doc}/proposals/{id}", tag = "documents", security((), ("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Proposal), (status = 404, body = ErrorBody)))]
async fn get_proposal(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Path((slug, doc, id)): Path<(String, String, String)>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(
        documents::proposal(&state.app, actor.as_ref(), &slug, &doc, &id).await?,
    ))
}

/// A message in a proposal's discussion.
#[derive(serde::Deserialize, utoipa::ToSchema)]
struct CommentBody {
    /// Markdown.
    body: String,
}

/// Adds a message to a proposal's discussion.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents/{doc}/proposals/{id}/comments", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path), ("id" = String, Path)), request_body = CommentBody,
    responses((status = 201, body = Proposal), (status = 422, body = ErrorBody)))]
async fn comment_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc, id)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<Proposal>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(documents::comment(&state.app, &actor, &slug, &doc, &id, &body.body).await?),
    ))
}

/// Accepts a proposal: merged three-way as a new revision crediting the proposer
/// (409 with the conflicts when it no longer applies).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents/{doc}/proposals/{id}/accept", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Saved), (status = 403, body = ErrorBody), (status = 409, body = ConflictBody)))]
async fn accept_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc, id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let m = documents::accept(&state.app, &actor, &slug, &doc, &id).await?;
    Ok(merged_response(m, false))
}

/// Declines a proposal.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/documents/{doc}/proposals/{id}/decline", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path), ("doc" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn decline_proposal(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, doc, id)): Path<(String, String, String)>,
) -> Result<Json<Proposal>, ApiError> {
    Ok(Json(
        documents::decline(&state.app, &actor, &slug, &doc, &id).await?,
    ))
}

/// The organisation's document settings.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/documents-settings", tag = "documents", params(("slug" = String, Path)),
    responses((status = 200, body = Settings), (status = 404, body = ErrorBody)))]
async fn get_settings(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Settings>, ApiError> {
    let org = fabrique_app::orgs::by_slug(&state.app, &slug).await?;
    Ok(Json(documents::settings(&state.app, &org.id).await?))
}

/// Changes the default licence and who may edit (administrators).
#[utoipa::path(patch, path = "/api/v1/orgs/{slug}/documents-settings", tag = "documents", security(("bearer" = [])), params(("slug" = String, Path)), request_body = SettingsPatch,
    responses((status = 200, body = Settings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn patch_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(patch): ApiJson<SettingsPatch>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(
        documents::update_settings(&state.app, &actor, &slug, &patch).await?,
    ))
}

/// Full-text search over what the caller may see (French and English stemming, accents
/// and case folded), with filters.
#[utoipa::path(get, path = "/api/v1/search", tag = "documents", security((), ("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = Results), (status = 422, body = ErrorBody)))]
async fn search_documents(
    State(state): State<AppState>,
    MaybeApiActor(actor): MaybeApiActor,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Results>, ApiError> {
    Ok(Json(search::search(&state.app, actor.as_ref(), &q).await?))
}
