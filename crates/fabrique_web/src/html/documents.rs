//! The knowledge commons as pages: lists, document pages, the edit form (with the
//! conflict page), history and comparison, forks, pulls, proposals and search.

use crate::routes::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fabrique_app::documents::search::{self, Results, SearchQuery};
use fabrique_app::documents::{
    self, Comparison, Document, Edit, MergeConflict, Merged, NewDocument, NewProposal, Proposal,
    RevisionInfo, Summary,
};
use fabrique_app::orgs::{self, Org};
use fabrique_app::{AppError, AppResult};
use fabrique_commons::{Content, Ingredient, Lang, License, attribution_line};
use serde_json::{Value, json};

use super::account::Empty;
use super::{FormState, OrPage, PageResult, is_form_error, markdown, render, render_with_status};
use crate::AppState;
use crate::error::{PageError, status_of};
use crate::session::{CsrfForm, Ctx};

pub fn router() -> Routes {
    Routes::new()
        .route("/o/{slug}/documents", get(list_page))
        .route("/o/{slug}/documents-settings", post(update_settings))
        .route("/o/{slug}/documents/new", get(new_page).post(create))
        .route("/o/{slug}/documents/{doc}", get(document_page))
        .route("/o/{slug}/documents/{doc}/edit", get(edit_page).post(save))
        .route("/o/{slug}/documents/{doc}/history", get(history_page))
        .route("/o/{slug}/documents/{doc}/restore/{n}", post(restore))
        .route("/o/{slug}/documents/{doc}/fork", post(fork))
        .route("/o/{slug}/documents/{doc}/pull", post(pull))
        .route(
            "/o/{slug}/documents/{doc}/proposals",
            get(proposals_page).post(propose),
        )
        .route(
            "/o/{slug}/documents/{doc}/proposals/{id}",
            get(proposal_page),
        )
        .route(
            "/o/{slug}/documents/{doc}/proposals/{id}/comment",
            post(comment),
        )
        .route(
            "/o/{slug}/documents/{doc}/proposals/{id}/accept",
            post(accept),
        )
        .route(
            "/o/{slug}/documents/{doc}/proposals/{id}/decline",
            post(decline),
        )
        .route("/search", get(search_page))
}

fn lang(ctx: &Ctx) -> Lang {
    if ctx.tr.lang.code() == "en" {
        Lang::En
    } else {
        Lang::Fr
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Word-level text operations as HTML: `<ins>` for added, `<del>` for removed text.
fn ops_html(ops: &Value) -> String {
    let mut out = String::new();
    for op in ops.as_array().into_iter().flatten() {
        let text = escape(op["text"].as_str().unwrap_or_default());
        match op["op"].as_str() {
            Some("insert") => out.push_str(&format!("<ins>{text}</ins>")),
            Some("delete") => out.push_str(&format!("<del>{text}</del>")),
            _ => out.push_str(&text),
        }
    }
    out
}

fn item_text(item: &Value) -> String {
    match item {
        Value::String(s) => s.clone(),
        other => serde_json::from_value::<Ingredient>(other.clone())
            .map(|i| i.display_line())
            .unwrap_or_else(|_| other.to_string()),
    }
}

fn scalar_text(v: &Value) -> String {
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| v.to_string())
}

/// One changed field of a diff, rendered.
pub struct FieldDiff {
    /// The field's name.
    pub field: String,
    /// Safe HTML.
    pub html: String,
}

/// Renders the changed fields of a `ContentDiff` (walked as JSON, so every kind of field
/// change renders the same way).
fn diff_html(diff: &impl serde::Serialize, changed: &[String]) -> Vec<FieldDiff> {
    let value = serde_json::to_value(diff).unwrap_or(Value::Null);
    changed
        .iter()
        .map(|field| {
            let d = &value[field.as_str()];
            let html = if d.get("ops").is_some() {
                format!("<p class=\"diff\">{}</p>", ops_html(&d["ops"]))
            } else if let Some(items) = d["items"].as_array() {
                let lis: String = items
                    .iter()
                    .map(|it| match it["op"].as_str() {
                        Some("insert") => {
                            format!("<li><ins>{}</ins></li>", escape(&item_text(&it["item"])))
                        }
                        Some("delete") => {
                            format!("<li><del>{}</del></li>", escape(&item_text(&it["item"])))
                        }
                        Some("changed") => format!("<li>{}</li>", ops_html(&it["ops"])),
                        _ => format!("<li>{}</li>", escape(&item_text(&it["item"]))),
                    })
                    .collect();
                format!("<ul class=\"diff\">{lis}</ul>")
            } else {
                format!(
                    "<p class=\"diff\"><del>{}</del> → <ins>{}</ins></p>",
                    escape(&scalar_text(&d["from"])),
                    escape(&scalar_text(&d["to"]))
                )
            };
            FieldDiff {
                field: field.clone(),
                html,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "documents_list.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    docs: Vec<Summary>,
    can_edit: bool,
    /// The settings form, for administrators.
    settings: Option<documents::Settings>,
    licenses: &'static [License],
    notice: Option<String>,
}

async fn list_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (org, docs) = documents::list(&state.app, ctx.user.as_ref(), slug)
        .await
        .or_page(&ctx)?;
    let can_edit = documents::may_edit_in(&state.app, ctx.user.as_ref(), &org)
        .await
        .or_page(&ctx)?;
    let is_admin = match &ctx.user {
        Some(u) => orgs::require_admin(&state.app, u, slug).await.is_ok(),
        None => false,
    };
    let settings = if is_admin {
        Some(
            documents::settings(&state.app, &org.id)
                .await
                .or_page(&ctx)?,
        )
    } else {
        None
    };
    Ok(render_with_status(
        status,
        &ListPage {
            ctx,
            org,
            docs,
            can_edit,
            settings,
            licenses: &License::ALL,
            notice,
        },
    ))
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    list_view(&state, ctx, &slug, None, StatusCode::OK).await
}

#[derive(serde::Deserialize)]
struct SettingsForm {
    default_license: Option<String>,
    editors: Option<String>,
}

async fn update_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let patch = documents::SettingsPatch {
        default_license: f.default_license,
        editors: f.editors,
    };
    match documents::update_settings(&state.app, &user, &slug, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/documents")).into_response()),
        Err(e) => {
            let (message, status) = refused(&ctx, e)?;
            list_view(&state, ctx, &slug, Some(message), status).await
        }
    }
}

/// A recipe field's rendered parts.
struct Rendered {
    body: String,
    summary: String,
    context: String,
    produces: String,
    difficulties: String,
    tips: String,
    local_variants: String,
    steps: Vec<String>,
}

fn rendered(c: &Content) -> Rendered {
    let f = &c.fields;
    Rendered {
        body: markdown(&c.body),
        summary: markdown(&f.summary),
        context: markdown(&f.context),
        produces: markdown(&f.produces),
        difficulties: markdown(&f.difficulties),
        tips: markdown(&f.tips),
        local_variants: markdown(&f.local_variants),
        steps: f.steps.iter().map(|s| markdown(s)).collect(),
    }
}

#[derive(Template)]
#[template(path = "documents_page.html")]
struct DocumentPage {
    ctx: Ctx,
    org: Org,
    doc: Document,
    r: Rendered,
    license: License,
    credit: String,
    adaptations: Vec<Summary>,
    can_edit: bool,
    my_orgs: Vec<Org>,
    notice: Option<String>,
}

async fn document_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    doc: &str,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user.clone();
    let doc = documents::get(&state.app, user.as_ref(), slug, doc)
        .await
        .or_page(&ctx)?;
    let org = orgs::by_slug(&state.app, slug).await.or_page(&ctx)?;
    let adaptations = documents::adaptations(&state.app, user.as_ref(), &doc.id)
        .await
        .or_page(&ctx)?;
    let can_edit = documents::may_edit_in(&state.app, user.as_ref(), &org)
        .await
        .or_page(&ctx)?;
    let my_orgs = match &user {
        Some(u) => orgs::mine(&state.app, u)
            .await
            .or_page(&ctx)?
            .into_iter()
            .filter(|(o, r)| o.id != org.id && *r != fabrique_core::Role::Observer)
            .map(|(o, _)| o)
            .collect(),
        None => vec![],
    };
    let page = DocumentPage {
        r: rendered(&doc.content),
        license: doc.content.license,
        credit: attribution_line(&doc.attribution, lang(&ctx)),
        ctx,
        org,
        doc,
        adaptations,
        can_edit,
        my_orgs,
        notice,
    };
    Ok(render_with_status(status, &page))
}

async fn document_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
) -> PageResult {
    document_view(&state, ctx, &slug, &doc, None, StatusCode::OK).await
}

/// The edit form's fields, one item per line in the list fields.
#[derive(serde::Deserialize, Default, Clone)]
struct DocForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    license: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    body: String,
    #[serde(default, rename = "fields.summary")]
    summary: String,
    #[serde(default, rename = "fields.context")]
    context: String,
    #[serde(default, rename = "fields.ingredients")]
    ingredients: String,
    #[serde(default, rename = "fields.utensils")]
    utensils: String,
    #[serde(default, rename = "fields.steps")]
    steps: String,
    #[serde(default, rename = "fields.produces")]
    produces: String,
    #[serde(default, rename = "fields.difficulties")]
    difficulties: String,
    #[serde(default, rename = "fields.tips")]
    tips: String,
    #[serde(default, rename = "fields.local_variants")]
    local_variants: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    base_revision: String,
    /// Set when the form resolves a pull's conflicts: the source revision taken in.
    #[serde(default)]
    upstream_revision: String,
}

const DOC_FIELDS: &[&str] = &[
    "kind",
    "title",
    "license",
    "visibility",
    "tags",
    "body",
    "summary",
    "context",
    "fields.summary",
    "fields.context",
    "fields.ingredients",
    "fields.utensils",
    "fields.steps",
    "fields.produces",
    "fields.difficulties",
    "fields.tips",
    "fields.local_variants",
    "message",
];

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `[kind] name (quantity)`, the way [`Ingredient::display_line`] writes it.
fn ingredient_of(line: &str) -> Value {
    let mut rest = line.trim();
    let mut kind = "other".to_owned();
    if let Some(r) = rest.strip_prefix('[')
        && let Some((k, after)) = r.split_once(']')
    {
        kind = k.trim().to_owned();
        rest = after.trim();
    }
    let (name, quantity) = match rest.strip_suffix(')').and_then(|r| r.rsplit_once('(')) {
        Some((n, q)) => (n.trim(), q.trim()),
        None => (rest, ""),
    };
    json!({"kind": kind, "name": name, "quantity": quantity})
}

impl DocForm {
    fn of(c: &Content, base: i64) -> DocForm {
        let f = &c.fields;
        DocForm {
            kind: c.kind.as_str().into(),
            title: c.title.clone(),
            license: c.license.id().into(),
            visibility: c.visibility.as_str().into(),
            tags: c.tags.join(", "),
            body: c.body.clone(),
            summary: f.summary.clone(),
            context: f.context.clone(),
            ingredients: f
                .ingredients
                .iter()
                .map(Ingredient::display_line)
                .collect::<Vec<_>>()
                .join("\n"),
            utensils: f.utensils.join("\n"),
            steps: f.steps.join("\n"),
            produces: f.produces.clone(),
            difficulties: f.difficulties.clone(),
            tips: f.tips.clone(),
            local_variants: f.local_variants.clone(),
            message: String::new(),
            base_revision: base.to_string(),
            upstream_revision: String::new(),
        }
    }

    fn json(&self) -> Value {
        json!({
            "kind": self.kind,
            "title": self.title,
            "license": self.license,
            "visibility": self.visibility,
            "tags": self.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).collect::<Vec<_>>(),
            "body": self.body,
            "fields": {
                "summary": self.summary,
                "context": self.context,
                "ingredients": lines(&self.ingredients).iter().map(|l| ingredient_of(l)).collect::<Vec<_>>(),
                "utensils": lines(&self.utensils),
                "steps": lines(&self.steps),
                "produces": self.produces,
                "difficulties": self.difficulties,
                "tips": self.tips,
                "local_variants": self.local_variants,
            }
        })
    }

    fn state(&self) -> FormState {
        let mut s = FormState::new(DOC_FIELDS);
        for (k, v) in [
            ("kind", &self.kind),
            ("title", &self.title),
            ("license", &self.license),
            ("visibility", &self.visibility),
            ("tags", &self.tags),
            ("body", &self.body),
            ("fields.summary", &self.summary),
            ("fields.context", &self.context),
            ("fields.ingredients", &self.ingredients),
            ("fields.utensils", &self.utensils),
            ("fields.steps", &self.steps),
            ("fields.produces", &self.produces),
            ("fields.difficulties", &self.difficulties),
            ("fields.tips", &self.tips),
            ("fields.local_variants", &self.local_variants),
            ("message", &self.message),
            ("base_revision", &self.base_revision),
            ("upstream_revision", &self.upstream_revision),
        ] {
            s = s.with(k, v.clone());
        }
        s
    }
}

#[derive(Template)]
#[template(path = "documents_edit.html")]
struct EditPage {
    ctx: Ctx,
    org: Org,
    /// `None` for a new document.
    doc: Option<Document>,
    form: FormState,
    licenses: &'static [License],
    /// Whether the form saves (editors) or proposes the change (others).
    saves: bool,
    conflict: Option<MergeConflict>,
    /// The conflicting fields, labelled.
    conflicts: Vec<ConflictView>,
    /// When the form resolves a pull's conflicts: the source revision taken in.
    upstream: Option<String>,
}

/// One conflicting field as the page shows it: its label and the three versions (the
/// common ancestor, ours, theirs).
struct ConflictView {
    label: String,
    sides: [String; 3],
}

/// The conflicts of a merge with the fields' labels in the visitor's language.
fn conflict_views(ctx: &Ctx, c: &MergeConflict) -> Vec<ConflictView> {
    c.conflicts
        .iter()
        .map(|x| {
            let key = format!(
                "documents-field-{}",
                x.field.trim_start_matches("fields.").replace('_', "-")
            );
            let label = match ctx.tr.t(&key) {
                k if k == key => x.field.clone(),
                l => l.to_owned(),
            };
            ConflictView {
                label,
                sides: [x.base.clone(), x.ours.clone(), x.theirs.clone()],
            }
        })
        .collect()
}

async fn edit_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    doc: Option<&str>,
    form: Option<FormState>,
    conflict: Option<MergeConflict>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let org = orgs::by_slug(&state.app, slug).await.or_page(&ctx)?;
    let saves = documents::may_edit_in(&state.app, Some(&user), &org)
        .await
        .or_page(&ctx)?;
    let doc = match doc {
        Some(d) => Some(
            documents::get(&state.app, Some(&user), slug, d)
                .await
                .or_page(&ctx)?,
        ),
        None => {
            if !saves {
                return Err(ctx.fail(AppError::forbidden(
                    "only this organisation's editors may create documents",
                )));
            }
            None
        }
    };
    let form = match form {
        Some(f) => f,
        None => match &doc {
            Some(d) => DocForm::of(&d.content, d.revision).state(),
            None => {
                let defaults = documents::settings(&state.app, &org.id)
                    .await
                    .or_page(&ctx)?;
                FormState::new(DOC_FIELDS)
                    .with("kind", "recipe")
                    .with("visibility", "public")
                    .with("license", defaults.default_license.id())
            }
        },
    };
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else if form.general_error().is_some() || DOC_FIELDS.iter().any(|f| form.err(f).is_some()) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let conflicts = conflict
        .as_ref()
        .map(|c| conflict_views(&ctx, c))
        .unwrap_or_default();
    let upstream = Some(form.value("upstream_revision").to_owned()).filter(|u| !u.is_empty());
    Ok(render_with_status(
        status,
        &EditPage {
            ctx,
            org,
            doc,
            form,
            licenses: &License::ALL,
            saves,
            conflict,
            conflicts,
            upstream,
        },
    ))
}

async fn new_page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> PageResult {
    edit_view(&state, ctx, &slug, None, None, None).await
}

#[derive(serde::Deserialize, Default)]
struct EditQuery {
    /// A fork of the document, `org/slug`, whose changes to propose back.
    #[serde(default)]
    fork: Option<String>,
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    let form = match q.fork.as_deref() {
        Some(fork) => Some(upstream_form(&state, &ctx, &slug, &doc, fork).await?),
        None => None,
    };
    edit_view(&state, ctx, &slug, Some(&doc), form, None).await
}

/// The form proposing a fork's changes back to its source: the fork's content made on the
/// source revision it last took (so accepting merges it three-way), keeping the source's
/// licence and visibility.
async fn upstream_form(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    doc: &str,
    fork: &str,
) -> Result<FormState, PageError> {
    let user = ctx.require_user()?;
    let not_fork = || {
        ctx.fail(AppError::invalid(
            "fork",
            "not_a_fork",
            format!("“{fork}” is not a fork of this document"),
        ))
    };
    let (fork_org, fork_doc) = fork.split_once('/').ok_or_else(not_fork)?;
    let source = documents::get(&state.app, Some(user), slug, doc)
        .await
        .or_page(ctx)?;
    let fork = documents::get(&state.app, Some(user), fork_org, fork_doc)
        .await
        .or_page(ctx)?;
    let link = fork
        .source
        .as_ref()
        .filter(|s| s.id == source.id)
        .ok_or_else(not_fork)?;
    let mut content = fork.content.clone();
    content.license = source.content.license;
    content.visibility = source.content.visibility;
    Ok(DocForm::of(&content, link.upstream_revision).state())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<DocForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let content = f.json();
    let input = NewDocument {
        content: &content,
        message: &f.message,
    };
    match documents::create(&state.app, &user, &slug, input).await {
        Ok(saved) => {
            Ok(Redirect::to(&format!("/o/{slug}/documents/{}", saved.slug)).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let form = f.state().failed(&ctx, &e);
            edit_view(&state, ctx, &slug, None, Some(form), None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<DocForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let content = f.json();
    let base = f.base_revision.trim().parse::<i64>().unwrap_or(0);
    let edit = Edit {
        base_revision: base,
        content: &content,
        message: &f.message,
    };
    let saved = match f.upstream_revision.trim().parse::<i64>() {
        Ok(upstream) => {
            documents::resolve_pull(&state.app, &user, &slug, &doc, edit, upstream).await
        }
        Err(_) => documents::save(&state.app, &user, &slug, &doc, edit).await,
    };
    match saved {
        Ok(Merged::Saved(s)) => {
            Ok(Redirect::to(&format!("/o/{slug}/documents/{}", s.slug)).into_response())
        }
        Ok(Merged::Conflict(c)) => {
            // Show the form again on top of the current revision, with both sides.
            let form = f
                .state()
                .with("base_revision", c.current_revision.to_string());
            edit_view(&state, ctx, &slug, Some(&doc), Some(form), Some(*c)).await
        }
        Err(e) if is_form_error(&e) => {
            let form = f.state().failed(&ctx, &e);
            edit_view(&state, ctx, &slug, Some(&doc), Some(form), None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "documents_history.html")]
struct HistoryPage {
    ctx: Ctx,
    org: Org,
    doc: Document,
    revisions: Vec<RevisionInfo>,
    comparison: Option<Comparison>,
    diffs: Vec<FieldDiff>,
    can_edit: bool,
}

#[derive(serde::Deserialize)]
struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn history_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let user = ctx.user.clone();
    let (d, revisions) = documents::history(&state.app, user.as_ref(), &slug, &doc)
        .await
        .or_page(&ctx)?;
    let org = orgs::by_slug(&state.app, &slug).await.or_page(&ctx)?;
    let can_edit = documents::may_edit_in(&state.app, user.as_ref(), &org)
        .await
        .or_page(&ctx)?;
    let from = q.from.as_deref().and_then(|s| s.parse::<i64>().ok());
    let to = q.to.as_deref().and_then(|s| s.parse::<i64>().ok());
    let comparison = match (from, to) {
        (Some(a), Some(b)) => Some(
            documents::compare(&state.app, user.as_ref(), &slug, &doc, a, b)
                .await
                .or_page(&ctx)?,
        ),
        _ => None,
    };
    let diffs = comparison
        .as_ref()
        .map(|c| diff_html(&c.diff, &c.changed))
        .unwrap_or_default();
    Ok(render(&HistoryPage {
        ctx,
        org,
        doc: d,
        revisions,
        comparison,
        diffs,
        can_edit,
    }))
}

/// The notice of a merge whose changes overlap, naming the fields.
fn conflict_notice(ctx: &Ctx, c: &MergeConflict) -> String {
    let fields: Vec<&str> = c.conflicts.iter().map(|c| c.field.as_str()).collect();
    ctx.tr.f(
        "documents-conflict-notice",
        &[("fields", &fields.join(", "))],
    )
}

/// A refused action's translated message and status, to show on the page it came from;
/// errors that are not the visitor's to fix become the error page.
fn refused(ctx: &Ctx, e: AppError) -> Result<(String, StatusCode), PageError> {
    if is_form_error(&e) {
        Ok((
            ctx.tr.error(e.code(), &e.to_string()).into_owned(),
            status_of(&e),
        ))
    } else {
        Err(ctx.fail(e))
    }
}

/// Turns a merge's outcome into a redirect to the document, or its page with the conflicts.
async fn after_merge(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    doc: &str,
    r: AppResult<Merged>,
) -> PageResult {
    match r {
        Ok(Merged::Saved(s)) => {
            Ok(Redirect::to(&format!("/o/{slug}/documents/{}", s.slug)).into_response())
        }
        Ok(Merged::Conflict(c)) => {
            let notice = conflict_notice(&ctx, &c);
            document_view(state, ctx, slug, doc, Some(notice), StatusCode::CONFLICT).await
        }
        Err(e) => {
            let (message, status) = refused(&ctx, e)?;
            document_view(state, ctx, slug, doc, Some(message), status).await
        }
    }
}

async fn restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc, n)): Path<(String, String, i64)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let r = documents::restore(&state.app, &user, &slug, &doc, n).await;
    after_merge(&state, ctx, &slug, &doc, r).await
}

async fn pull(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match documents::pull(&state.app, &user, &slug, &doc).await {
        // The edit form, holding everything that merged (conflict markers in text),
        // under each conflicting field's three versions: the editor resolves and saves.
        Ok(Merged::Conflict(c)) => {
            let form = DocForm::of(&c.merged_with_markers, c.current_revision)
                .state()
                .with(
                    "upstream_revision",
                    c.upstream_revision.unwrap_or_default().to_string(),
                );
            edit_view(&state, ctx, &slug, Some(&doc), Some(form), Some(*c)).await
        }
        r => after_merge(&state, ctx, &slug, &doc, r).await,
    }
}

#[derive(serde::Deserialize)]
struct ForkForm {
    #[serde(default)]
    into: String,
    #[serde(default)]
    license: String,
}

async fn fork(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<ForkForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let license = Some(f.license.as_str()).filter(|l| !l.trim().is_empty());
    match documents::fork(&state.app, &user, &slug, &doc, &f.into, license).await {
        Ok(s) => {
            Ok(Redirect::to(&format!("/o/{}/documents/{}", f.into.trim(), s.slug)).into_response())
        }
        Err(e) => {
            let (message, status) = refused(&ctx, e)?;
            document_view(&state, ctx, &slug, &doc, Some(message), status).await
        }
    }
}

#[derive(Template)]
#[template(path = "documents_proposals.html")]
struct ProposalsPage {
    ctx: Ctx,
    org: Org,
    doc: Document,
    proposals: Vec<Proposal>,
}

async fn proposals_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
) -> PageResult {
    let (d, proposals) = documents::proposals(&state.app, ctx.user.as_ref(), &slug, &doc)
        .await
        .or_page(&ctx)?;
    let org = orgs::by_slug(&state.app, &slug).await.or_page(&ctx)?;
    Ok(render(&ProposalsPage {
        ctx,
        org,
        doc: d,
        proposals,
    }))
}

async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<DocForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let content = f.json();
    let p = NewProposal {
        base_revision: f.base_revision.trim().parse::<i64>().unwrap_or(0),
        content: &content,
        message: &f.message,
    };
    match documents::propose(&state.app, &user, &slug, &doc, p).await {
        Ok(p) => Ok(
            Redirect::to(&format!("/o/{slug}/documents/{doc}/proposals/{}", p.id)).into_response(),
        ),
        Err(e) if is_form_error(&e) => {
            let form = f.state().failed(&ctx, &e);
            edit_view(&state, ctx, &slug, Some(&doc), Some(form), None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "documents_proposal.html")]
struct ProposalPage {
    ctx: Ctx,
    org: Org,
    doc: Document,
    proposal: Proposal,
    diffs: Vec<FieldDiff>,
    comments: Vec<(String, String, i64)>,
    can_decide: bool,
    notice: Option<String>,
    /// When accepting failed: the fields where the proposal and the current version
    /// overlap.
    conflicts: Vec<ConflictView>,
}

/// What a refused action on a proposal leaves to show: a notice, and the conflicts of a
/// merge that could not be made.
#[derive(Default)]
struct Refusal {
    notice: Option<String>,
    conflicts: Vec<ConflictView>,
}

async fn proposal_view(
    state: &AppState,
    ctx: Ctx,
    (slug, doc, id): (&str, &str, &str),
    refusal: Refusal,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user.clone();
    let d = documents::get(&state.app, user.as_ref(), slug, doc)
        .await
        .or_page(&ctx)?;
    let proposal = documents::proposal(&state.app, user.as_ref(), slug, doc, id)
        .await
        .or_page(&ctx)?;
    let org = orgs::by_slug(&state.app, slug).await.or_page(&ctx)?;
    let can_decide = proposal.status == "open"
        && documents::may_edit_in(&state.app, user.as_ref(), &org)
            .await
            .or_page(&ctx)?;
    let diffs = diff_html(&proposal.diff, &proposal.changed);
    let comments = proposal
        .comments
        .iter()
        .map(|c| (c.author.clone(), markdown(&c.body), c.created_at))
        .collect();
    Ok(render_with_status(
        status,
        &ProposalPage {
            ctx,
            org,
            doc: d,
            proposal,
            diffs,
            comments,
            can_decide,
            notice: refusal.notice,
            conflicts: refusal.conflicts,
        },
    ))
}

/// The proposal's page again, saying why the action was refused.
async fn proposal_refused(
    state: &AppState,
    ctx: Ctx,
    ids: (&str, &str, &str),
    e: AppError,
) -> PageResult {
    let (message, status) = refused(&ctx, e)?;
    let refusal = Refusal {
        notice: Some(message),
        conflicts: vec![],
    };
    proposal_view(state, ctx, ids, refusal, status).await
}

async fn proposal_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc, id)): Path<(String, String, String)>,
) -> PageResult {
    proposal_view(
        &state,
        ctx,
        (&slug, &doc, &id),
        Refusal::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(serde::Deserialize)]
struct CommentForm {
    #[serde(default)]
    body: String,
}

async fn comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc, id)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<CommentForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match documents::comment(&state.app, &user, &slug, &doc, &id, &f.body).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/o/{slug}/documents/{doc}/proposals/{id}")).into_response())
        }
        Err(e) => proposal_refused(&state, ctx, (&slug, &doc, &id), e).await,
    }
}

async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc, id)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match documents::accept(&state.app, &user, &slug, &doc, &id).await {
        Ok(Merged::Saved(s)) => {
            Ok(Redirect::to(&format!("/o/{slug}/documents/{}", s.slug)).into_response())
        }
        Ok(Merged::Conflict(c)) => {
            let refusal = Refusal {
                notice: Some(conflict_notice(&ctx, &c)),
                conflicts: conflict_views(&ctx, &c),
            };
            proposal_view(
                &state,
                ctx,
                (&slug, &doc, &id),
                refusal,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => proposal_refused(&state, ctx, (&slug, &doc, &id), e).await,
    }
}

async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, doc, id)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    match documents::decline(&state.app, &user, &slug, &doc, &id).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/o/{slug}/documents/{doc}/proposals/{id}")).into_response())
        }
        Err(e) => proposal_refused(&state, ctx, (&slug, &doc, &id), e).await,
    }
}

#[derive(Template)]
#[template(path = "documents_search.html")]
struct SearchPage {
    ctx: Ctx,
    q: SearchQuery,
    /// The page of results, once searched without error.
    found: Option<Results>,
    error: Option<String>,
    licenses: &'static [License],
}

impl SearchPage {
    /// The address of another page of the same search.
    fn page_link(&self, page: u32) -> String {
        let q = SearchQuery {
            page: Some(page),
            ..self.q.clone()
        };
        format!(
            "/search?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    }
}

async fn search_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Response {
    let searched = q.q.as_deref().is_some_and(|s| !s.trim().is_empty());
    let (found, error, status) = if searched {
        match search::search(&state.app, ctx.user.as_ref(), &q).await {
            Ok(r) => (Some(r), None, StatusCode::OK),
            Err(e) if is_form_error(&e) => {
                let message = ctx.tr.error(e.code(), &e.to_string()).into_owned();
                (None, Some(message), status_of(&e))
            }
            Err(e) => return ctx.fail(e).into_response(),
        }
    } else {
        (None, None, StatusCode::OK)
    };
    render_with_status(
        status,
        &SearchPage {
            ctx,
            q,
            found,
            error,
            licenses: &License::ALL,
        },
    )
}
