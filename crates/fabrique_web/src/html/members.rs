//! Members, invitations and join requests.

use crate::routes::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use fabrique_app::audit;
use fabrique_app::invitations::{self, Invitation, JoinRequest, NewInvitation};
use fabrique_app::members::{self, AddMember, AddOutcome, Category, College, Member, MemberPatch};
use fabrique_app::orgs::{self, Org};
use fabrique_core::Role;

use super::account::Empty;
use super::{FormState, OrPage, PageResult, is_form_error, render, render_with_status};
use crate::AppState;
use crate::error::status_of;
use crate::session::{CsrfForm, Ctx};

pub fn router() -> Routes {
    Routes::new()
        .route("/o/{slug}/members", get(list).post(add))
        .route("/o/{slug}/members/{id}", get(detail).post(update))
        .route("/o/{slug}/members/{id}/remove", post(remove))
        .route(
            "/o/{slug}/invitations",
            get(invitations_page).post(create_invitation),
        )
        .route("/o/{slug}/invitations/{id}/revoke", post(revoke_invitation))
        .route("/o/{slug}/requests", get(requests_page))
        .route("/o/{slug}/requests/{id}", post(decide_request))
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    ctx: Ctx,
    org: Org,
    members: Vec<Member>,
    is_admin: bool,
    form: FormState,
    colleges: Vec<College>,
    categories: Vec<Category>,
    roles: &'static [Role],
    notice: Option<String>,
}

const ADD_FIELDS: &[&str] = &["email", "role", "college", "category"];

async fn members_page(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    form: FormState,
    notice: Option<String>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, list) = members::list(&state.app, &user, slug).await.or_page(&ctx)?;
    let is_admin = orgs::require_admin(&state.app, &user, slug).await.is_ok();
    let colleges = members::colleges(&state.app, &org.id).await.or_page(&ctx)?;
    let categories = members::categories(&state.app, &org.id)
        .await
        .or_page(&ctx)?;
    let status = form
        .general_error()
        .or(form.err("email"))
        .map(|_| axum::http::StatusCode::UNPROCESSABLE_ENTITY)
        .unwrap_or(axum::http::StatusCode::OK);
    Ok(render_with_status(
        status,
        &MembersPage {
            ctx,
            org,
            members: list,
            is_admin,
            form,
            colleges,
            categories,
            roles: Role::ALL,
            notice,
        },
    ))
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> PageResult {
    members_page(
        &state,
        ctx,
        &slug,
        FormState::new(ADD_FIELDS).with("role", "member"),
        None,
    )
    .await
}

#[derive(serde::Deserialize)]
struct AddForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    college: String,
    #[serde(default)]
    category: String,
}

async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<AddForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = AddMember {
        email: f.email.clone(),
        role: Some(f.role.clone()),
        college: Some(f.college.clone()),
        category: Some(f.category.clone()),
    };
    match members::add(&state.app, &user, &slug, &input).await {
        Ok(outcome) => {
            let notice = match outcome {
                AddOutcome::Added { member } => {
                    ctx.tr.f("members-added", &[("name", &member.name)])
                }
                AddOutcome::Invited { invitation } => ctx.tr.f(
                    "members-invited",
                    &[("email", invitation.email.as_deref().unwrap_or(""))],
                ),
            };
            members_page(
                &state,
                ctx,
                &slug,
                FormState::new(ADD_FIELDS).with("role", "member"),
                Some(notice),
            )
            .await
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(ADD_FIELDS)
                .with("email", f.email)
                .with("role", f.role)
                .with("college", f.college)
                .with("category", f.category)
                .failed(&ctx, &e);
            members_page(&state, ctx, &slug, form, None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    ctx: Ctx,
    org: Org,
    member: Member,
    history: Vec<audit::Entry>,
    is_admin: bool,
    colleges: Vec<College>,
    categories: Vec<Category>,
    roles: &'static [Role],
    error: Option<String>,
}

async fn member_page(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    id: &str,
    error: Option<(axum::http::StatusCode, String)>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, member, history) = members::get(&state.app, &user, slug, id)
        .await
        .or_page(&ctx)?;
    let is_admin = orgs::require_admin(&state.app, &user, slug).await.is_ok();
    let colleges = members::colleges(&state.app, &org.id).await.or_page(&ctx)?;
    let categories = members::categories(&state.app, &org.id)
        .await
        .or_page(&ctx)?;
    let status = error
        .as_ref()
        .map(|(s, _)| *s)
        .unwrap_or(axum::http::StatusCode::OK);
    let page = MemberPage {
        ctx,
        org,
        member,
        history,
        is_admin,
        colleges,
        categories,
        roles: Role::ALL,
        error: error.map(|(_, m)| m),
    };
    Ok(render_with_status(status, &page))
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    member_page(&state, ctx, &slug, &id, None).await
}

#[derive(serde::Deserialize)]
struct UpdateForm {
    role: Option<String>,
    college: Option<String>,
    category: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<UpdateForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let patch = MemberPatch {
        role: f.role,
        category: f.category,
        college: f.college,
    };
    match members::update(&state.app, &user, &slug, &id, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/members/{id}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let message = ctx.tr.error(e.code(), &e.to_string()).into_owned();
            member_page(&state, ctx, &slug, &id, Some((status_of(&e), message))).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match members::remove(&state.app, &user, &slug, &id).await {
        Ok(()) => Ok(Redirect::to(&format!("/o/{slug}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let message = ctx.tr.error(e.code(), &e.to_string()).into_owned();
            member_page(&state, ctx, &slug, &id, Some((status_of(&e), message))).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    ctx: Ctx,
    org: Org,
    invitations: Vec<Invitation>,
    form: FormState,
    roles: &'static [Role],
    new_link: Option<String>,
    now: i64,
}

const INVITE_FIELDS: &[&str] = &["email", "role", "days"];

async fn invitations_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    form: FormState,
    new_link: Option<String>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, list) = invitations::list(&state.app, &user, slug)
        .await
        .or_page(&ctx)?;
    let status =
        if form.general_error().is_some() || INVITE_FIELDS.iter().any(|f| form.err(f).is_some()) {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::OK
        };
    let now = state.app.now();
    Ok(render_with_status(
        status,
        &InvitationsPage {
            ctx,
            org,
            invitations: list,
            form,
            roles: Role::ALL,
            new_link,
            now,
        },
    ))
}

async fn invitations_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    invitations_view(
        &state,
        ctx,
        &slug,
        FormState::new(INVITE_FIELDS)
            .with("role", "member")
            .with("days", "14"),
        None,
    )
    .await
}

#[derive(serde::Deserialize)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    days: String,
}

async fn create_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<InviteForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let days = match f.days.trim() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                let e = fabrique_app::AppError::invalid(
                    "days",
                    "days_out_of_range",
                    "an invitation lasts between 1 and 90 days",
                );
                let form = FormState::new(INVITE_FIELDS)
                    .with("email", f.email)
                    .with("role", f.role)
                    .with("days", f.days)
                    .failed(&ctx, &e);
                return invitations_view(&state, ctx, &slug, form, None).await;
            }
        },
    };
    let input = NewInvitation {
        email: Some(f.email.clone()),
        role: Some(f.role.clone()),
        days,
    };
    match invitations::create(&state.app, &user, &slug, &input).await {
        Ok((_, token)) => {
            let link = invitations::invitation_link(&state.app, &token);
            invitations_view(
                &state,
                ctx,
                &slug,
                FormState::new(INVITE_FIELDS)
                    .with("role", "member")
                    .with("days", "14"),
                Some(link),
            )
            .await
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(INVITE_FIELDS)
                .with("email", f.email)
                .with("role", f.role)
                .with("days", f.days)
                .failed(&ctx, &e);
            invitations_view(&state, ctx, &slug, form, None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn revoke_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    invitations::revoke(&state.app, &user, &slug, &id)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/o/{slug}/invitations")).into_response())
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    ctx: Ctx,
    org: Org,
    requests: Vec<JoinRequest>,
}

async fn requests_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let requests = invitations::pending_requests(&state.app, &user, &slug)
        .await
        .or_page(&ctx)?;
    let org = orgs::by_slug(&state.app, &slug).await.or_page(&ctx)?;
    Ok(render(&RequestsPage { ctx, org, requests }))
}

#[derive(serde::Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
}

async fn decide_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<DecideForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    invitations::decide(&state.app, &user, &slug, &id, &f.decision)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/o/{slug}/requests")).into_response())
}

#[derive(serde::Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    message: String,
}

pub async fn request_join(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<JoinForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match invitations::request_join(&state.app, &user, &slug, Some(&f.message)).await {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}?requested=1")).into_response()),
        Err(e) => Err(ctx.fail(e)),
    }
}
