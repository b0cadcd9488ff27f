//! The directory, organisation pages and settings, colleges and the audit log.

use crate::routes::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use fabrique_app::members;
use fabrique_app::orgs::{self, DirectoryEntry, DirectoryQuery, NewOrg, Org, OrgPatch};
use fabrique_app::{AppError, audit};
use fabrique_core::{CollegeShare, Fraction, OrgKind, Role};

use super::{FormState, OrPage, PageResult, is_form_error, render, render_with_status};
use crate::AppState;
use crate::error::status_of;
use crate::session::{CsrfForm, Ctx};

pub fn router() -> Routes {
    Routes::new()
        .route("/orgs", get(directory))
        .route("/orgs.csv", get(directory_csv))
        .route("/orgs.json", get(directory_json))
        .route("/orgs/new", get(new_org_form).post(create_org))
        .route("/o/{slug}", get(org_page))
        .route("/o/{slug}/settings", get(settings_form).post(save_settings))
        .route("/o/{slug}/colleges", get(colleges_form).post(save_colleges))
        .route("/o/{slug}/audit", get(audit_page))
        .route("/o/{slug}/join", post(super::members::request_join))
}

/// Renders Markdown safely for display.
pub fn markdown(text: &str) -> String {
    fabrique_commons::markdown::render_markdown(text)
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    ctx: Ctx,
    entries: Vec<DirectoryEntry>,
    q: String,
    kind: String,
    kinds: &'static [OrgKind],
}

async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DirectoryQuery>,
) -> PageResult {
    let entries = orgs::directory(&state.app, &q).await.or_page(&ctx)?;
    Ok(render(&DirectoryPage {
        ctx,
        entries,
        q: q.q.unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        kinds: OrgKind::ALL,
    }))
}

async fn directory_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DirectoryQuery>,
) -> PageResult {
    let entries = orgs::directory(&state.app, &q).await.or_page(&ctx)?;
    let mut w = csv::Writer::from_writer(vec![]);
    let write = || -> Result<Vec<u8>, csv::Error> {
        w.write_record([
            "slug",
            "name",
            "kind",
            "website",
            "members",
            "created_at",
            "url",
        ])?;
        for e in &entries {
            let created = fabrique_core::format_in_zone("UTC", e.created_at);
            w.write_record([
                e.slug.as_str(),
                e.name.as_str(),
                e.kind.as_str(),
                e.website.as_deref().unwrap_or(""),
                &e.members.to_string(),
                &created,
                &format!("{}/o/{}", state.app.config.base_url, e.slug),
            ])?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    };
    let body = write().map_err(|e| ctx.fail(AppError::Internal(e.into())))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"organisations.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

async fn directory_json(
    State(state): State<AppState>,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, crate::error::ApiError> {
    let entries = orgs::directory(&state.app, &q).await?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"organisations.json\""),
        )],
        axum::Json(serde_json::json!({ "organisations": entries })),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    ctx: Ctx,
    form: FormState,
    kinds: &'static [OrgKind],
    org: Option<Org>,
}

const ORG_FIELDS: &[&str] = &[
    "slug",
    "name",
    "kind",
    "description",
    "timezone",
    "website",
    "contact_email",
    "visibility",
];

async fn new_org_form(ctx: Ctx) -> PageResult {
    ctx.require_user()?;
    let form = FormState::new(ORG_FIELDS)
        .with("timezone", "Europe/Paris")
        .with("kind", "association")
        .with("visibility", "public");
    Ok(render(&OrgFormPage {
        ctx,
        form,
        kinds: OrgKind::ALL,
        org: None,
    }))
}

#[derive(serde::Deserialize, Default)]
struct OrgForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    visibility: String,
}

impl OrgForm {
    fn state(&self) -> FormState {
        FormState::new(ORG_FIELDS)
            .with("slug", &self.slug)
            .with("name", &self.name)
            .with("kind", &self.kind)
            .with("description", &self.description)
            .with("timezone", &self.timezone)
            .with("website", &self.website)
            .with("contact_email", &self.contact_email)
            .with("visibility", &self.visibility)
    }
}

async fn create_org(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<OrgForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = NewOrg {
        slug: f.slug.clone(),
        name: f.name.clone(),
        kind: f.kind.clone(),
        description: Some(f.description.clone()),
        timezone: Some(f.timezone.clone()),
        website: Some(f.website.clone()),
        contact_email: Some(f.contact_email.clone()),
        visibility: Some(f.visibility.clone()),
    };
    match orgs::create(&state.app, &user, &input).await {
        Ok(org) => Ok(Redirect::to(&format!("/o/{}", org.slug)).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = f.state().failed(&ctx, &e);
            Ok(render_with_status(
                status_of(&e),
                &OrgFormPage {
                    ctx,
                    form,
                    kinds: OrgKind::ALL,
                    org: None,
                },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgView {
    ctx: Ctx,
    page: orgs::OrgPage,
    tab: &'static str,
}

async fn org_page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> PageResult {
    let page = orgs::page(&state.app, ctx.user.as_ref(), &slug)
        .await
        .or_page(&ctx)?;
    Ok(render(&OrgView {
        ctx,
        page,
        tab: "home",
    }))
}

async fn settings_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, _) = orgs::require_admin(&state.app, &user, &slug)
        .await
        .or_page(&ctx)?;
    let form = OrgForm {
        slug: org.slug.clone(),
        name: org.name.clone(),
        kind: org.kind.as_str().into(),
        description: org.description.clone(),
        timezone: org.timezone.clone(),
        website: org.website.clone().unwrap_or_default(),
        contact_email: org.contact_email.clone().unwrap_or_default(),
        visibility: org.visibility.as_str().into(),
    }
    .state();
    Ok(render(&OrgFormPage {
        ctx,
        form,
        kinds: OrgKind::ALL,
        org: Some(org),
    }))
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<OrgForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let patch = OrgPatch {
        name: Some(f.name.clone()),
        kind: Some(f.kind.clone()),
        description: Some(f.description.clone()),
        timezone: Some(f.timezone.clone()),
        website: Some(f.website.clone()),
        contact_email: Some(f.contact_email.clone()),
        visibility: Some(f.visibility.clone()),
    };
    match orgs::update(&state.app, &user, &slug, &patch).await {
        Ok(org) => Ok(Redirect::to(&format!("/o/{}", org.slug)).into_response()),
        Err(e) if is_form_error(&e) => {
            let org = orgs::by_slug(&state.app, &slug).await.ok();
            let form = OrgForm {
                slug: slug.clone(),
                ..f
            }
            .state()
            .failed(&ctx, &e);
            Ok(render_with_status(
                status_of(&e),
                &OrgFormPage {
                    ctx,
                    form,
                    kinds: OrgKind::ALL,
                    org,
                },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "colleges.html")]
struct CollegesPage {
    ctx: Ctx,
    org: Org,
    rows: Vec<(String, String)>,
    error: Option<String>,
    can_edit: bool,
}

async fn colleges_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (org, me) = orgs::require_member(&state.app, &user, &slug)
        .await
        .or_page(&ctx)?;
    let mut rows: Vec<(String, String)> = members::colleges(&state.app, &org.id)
        .await
        .or_page(&ctx)?
        .into_iter()
        .map(|c| (c.name, c.share.to_string()))
        .collect();
    let can_edit = me.role == Role::Admin;
    if can_edit {
        rows.extend(std::iter::repeat_n((String::new(), String::new()), 2));
    }
    Ok(render(&CollegesPage {
        ctx,
        org,
        rows,
        error: None,
        can_edit,
    }))
}

async fn save_colleges(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let names: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "name")
        .map(|(_, v)| v.as_str())
        .collect();
    let shares: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "share")
        .map(|(_, v)| v.as_str())
        .collect();
    let rows: Vec<(String, String)> = names
        .iter()
        .zip(shares.iter().chain(std::iter::repeat(&"")))
        .map(|(n, s)| (n.trim().to_owned(), s.trim().to_owned()))
        .filter(|(n, s)| !n.is_empty() || !s.is_empty())
        .collect();
    let parsed: Result<Vec<CollegeShare>, AppError> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, share))| {
            let share = Fraction::parse(share)
                .map_err(|e| AppError::Invalid(e.at(format!("colleges[{i}].share"))))?;
            Ok(CollegeShare {
                name: name.clone(),
                share,
            })
        })
        .collect();
    match async { members::put_colleges(&state.app, &user, &slug, &parsed?).await }.await {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/colleges")).into_response()),
        Err(e) if is_form_error(&e) => {
            let org = orgs::by_slug(&state.app, &slug).await.or_page(&ctx)?;
            let error = Some(ctx.tr.error(e.code(), &e.to_string()).into_owned());
            let mut rows = rows;
            rows.push((String::new(), String::new()));
            Ok(render_with_status(
                status_of(&e),
                &CollegesPage {
                    ctx,
                    org,
                    rows,
                    error,
                    can_edit: true,
                },
            ))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    org: Org,
    entries: Vec<audit::Entry>,
}

async fn audit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let entries = audit::list(&state.app, &user, &slug, 500)
        .await
        .or_page(&ctx)?;
    let org = orgs::by_slug(&state.app, &slug).await.or_page(&ctx)?;
    Ok(render(&AuditPage { ctx, org, entries }))
}
