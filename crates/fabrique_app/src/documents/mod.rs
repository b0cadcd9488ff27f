//! The knowledge commons: documents (free recipes and pages) of an organisation, their
//! immutable revisions, forks across organisations, pulls from upstream, change
//! proposals, and the per-organisation settings that decide who may edit.
//!
//! The document logic itself (validation, licences, attribution, diffs, three-way merges)
//! is `fabrique_commons`; this module stores it and checks who may do what.
//!
//! Every write appends to `document_index_log` in its own transaction, so that each
//! process's in-memory search index ([`search`]) catches up before answering a query.

pub mod demo;
pub mod search;

use fabrique_commons::{
    Attribution, Content, ContentDiff, FieldConflict, License, MergeOutcome, Visibility,
    diff_content, merge, unique_slug,
};
use fabrique_core::Role;
use fabrique_core::ids::new_id;
use sqlx::{AnyConnection, Row};

use crate::orgs::{self, Org};
use crate::{Actor, App, AppError, AppResult, audit};

/// Who may edit documents, publish them and accept change proposals in an organisation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Editors {
    /// Administrators only.
    Admins,
    /// Every member (observers excepted).
    Members,
}

impl Editors {
    /// The stored identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Editors::Admins => "admins",
            Editors::Members => "members",
        }
    }

    fn parse(s: &str) -> AppResult<Editors> {
        match s.trim() {
            "admins" => Ok(Editors::Admins),
            "members" => Ok(Editors::Members),
            other => Err(AppError::invalid(
                "editors",
                "editors_invalid",
                format!("“{other}” is neither admins nor members"),
            )),
        }
    }
}

/// An organisation's document settings.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = DocumentSettings)]
pub struct Settings {
    /// Licence of new documents when none is given.
    #[schema(value_type = String, example = "CC-BY-SA-4.0")]
    pub default_license: License,
    /// Who may edit, publish and accept proposals.
    pub editors: Editors,
}

/// A change to the document settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SettingsPatch {
    /// A licence identifier (CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0, LAL-1.3).
    pub default_license: Option<String>,
    /// `admins` or `members`.
    pub editors: Option<String>,
}

/// Where a fork comes from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SourceLink {
    /// The source's organisation slug.
    pub org: String,
    /// The source document's id.
    pub id: String,
    /// The source document's slug.
    pub slug: String,
    /// Its title now.
    pub title: String,
    /// The source revision the fork was taken from.
    pub revision: i64,
    /// The latest source revision merged into the fork (by the fork or later pulls).
    pub upstream_revision: i64,
    /// The source's current revision.
    pub source_current: i64,
}

/// A document at its current revision.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Document {
    /// Id.
    pub id: String,
    /// The owning organisation's slug.
    pub org: String,
    /// Its name.
    pub org_name: String,
    /// Address inside the organisation.
    pub slug: String,
    /// Current revision number (the first is 1).
    pub revision: i64,
    /// The content: kind, title, body, license, visibility, tags, fields.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub content: Content,
    /// Who created it (the only one who sees it as a draft).
    pub author_id: Option<String>,
    /// The source, when this is a fork.
    pub source: Option<SourceLink>,
    /// The chain of sources it was adapted from, nearest first.
    #[schema(value_type = Vec<Object>)]
    pub attribution: Vec<Attribution>,
    /// Creation time (ms, UTC).
    pub created_at: i64,
    /// Last save (ms, UTC).
    pub updated_at: i64,
}

/// A document as lists show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Id.
    pub id: String,
    /// Organisation slug.
    pub org: String,
    /// Address.
    pub slug: String,
    /// `recipe` or `page`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// `public`, `members` or `draft`.
    pub visibility: String,
    /// Licence identifier.
    pub license: String,
    /// Current revision.
    pub revision: i64,
    /// Last save.
    pub updated_at: i64,
}

/// One revision without its content.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RevisionInfo {
    /// Number (1, 2, …).
    pub number: i64,
    /// The revision it was made on.
    pub parent: Option<i64>,
    /// Author's display name.
    pub author: String,
    /// When (ms, UTC).
    pub created_at: i64,
    /// What changed, in the author's words.
    pub message: String,
}

/// One revision with its content.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Revision {
    /// Metadata.
    #[serde(flatten)]
    pub info: RevisionInfo,
    /// The content at that revision.
    #[schema(value_type = Object)]
    pub content: Content,
}

/// The result of a save that went through.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Saved {
    /// The document's id.
    pub id: String,
    /// The document's slug.
    pub slug: String,
    /// The new current revision (unchanged when the save changed nothing).
    pub revision: i64,
    /// Whether the edit was merged three-way with changes made since its base.
    pub merged: bool,
}

/// A save or merge whose changes overlap with others' (HTTP 409).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MergeConflict {
    /// The current revision the edit was merged with.
    pub current_revision: i64,
    /// Every conflicting field, with the base, our and their side.
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<FieldConflict>,
    /// Everything that merged, with conflict markers in text fields.
    #[schema(value_type = Object)]
    pub merged_with_markers: Content,
    /// For a pull: the source revision being taken in. Save the resolved content with
    /// it (`upstream_revision` next to `base_revision`) so that the fork is then up to
    /// date with its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_revision: Option<i64>,
}

/// What a save, a pull or an acceptance gives.
#[derive(Debug, Clone)]
pub enum Merged {
    /// A new revision (or nothing to do).
    Saved(Saved),
    /// The changes overlap: nothing was saved.
    Conflict(Box<MergeConflict>),
}

/// The comparison of two revisions.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Comparison {
    /// Older revision.
    pub from: i64,
    /// Newer revision.
    pub to: i64,
    /// The fields that differ.
    pub changed: Vec<String>,
    /// Field by field, word level inside prose.
    #[schema(value_type = Object)]
    pub diff: ContentDiff,
}

/// A change proposal.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Proposal {
    /// Id.
    pub id: String,
    /// The document's id.
    pub document_id: String,
    /// Who proposes.
    pub author: String,
    /// The revision the change was made on.
    pub base_revision: i64,
    /// Why.
    pub message: String,
    /// `open`, `accepted` or `declined`.
    pub status: String,
    /// When proposed.
    pub created_at: i64,
    /// When decided.
    pub decided_at: Option<i64>,
    /// The revision it became, when accepted.
    pub merged_revision: Option<i64>,
    /// The change against its base, field by field.
    #[schema(value_type = Object)]
    pub diff: ContentDiff,
    /// The fields it changes.
    pub changed: Vec<String>,
    /// The discussion, oldest first.
    pub comments: Vec<Comment>,
}

/// One message of a proposal's discussion.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ProposalComment)]
pub struct Comment {
    /// Id.
    pub id: String,
    /// Author's name.
    pub author: String,
    /// Markdown text.
    pub body: String,
    /// When.
    pub created_at: i64,
}

/// A document as the database holds it, before its content is read.
#[derive(Debug, Clone)]
struct Row_ {
    id: String,
    org_id: String,
    slug: String,
    visibility: Visibility,
    author_id: Option<String>,
    current: i64,
    source_document_id: Option<String>,
    source_revision: Option<i64>,
    upstream_revision: Option<i64>,
    attribution: Vec<Attribution>,
    created_at: i64,
    updated_at: i64,
}

const DOC_COLUMNS: &str = "id, org_id, slug, visibility, author_id, current_revision, source_document_id, source_revision, upstream_revision, attribution, created_at, updated_at";

fn row_of(r: &sqlx::any::AnyRow) -> AppResult<Row_> {
    let attribution: String = r.try_get("attribution")?;
    Ok(Row_ {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        slug: r.try_get("slug")?,
        visibility: r
            .try_get::<String, _>("visibility")?
            .parse()
            .unwrap_or(Visibility::Draft),
        author_id: r.try_get("author_id")?,
        current: r.try_get("current_revision")?,
        source_document_id: r.try_get("source_document_id")?,
        source_revision: r.try_get("source_revision")?,
        upstream_revision: r.try_get("upstream_revision")?,
        attribution: serde_json::from_str(&attribution).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> AppError {
    AppError::Internal(anyhow::Error::new(e))
}

/// The error of refused content: the first problem, naming its field.
fn content_error(e: fabrique_commons::ValidationErrors) -> AppError {
    let first = e.0.first().cloned();
    let field = first.as_ref().map(|c| c.field()).unwrap_or_default();
    let field = if field.is_empty() {
        "document".into()
    } else {
        field
    };
    AppError::invalid(field, "content_invalid", e.to_string())
}

/// Parses the API's JSON shape of a document with the organisation's default licence.
pub fn parse_content(value: &serde_json::Value, default: License) -> AppResult<Content> {
    Content::from_json_value(value, Some(default)).map_err(content_error)
}

/// The organisation's document settings (defaults when never set: CC BY-SA, all members).
pub async fn settings(app: &App, org_id: &str) -> AppResult<Settings> {
    let row =
        sqlx::query("SELECT default_license, editors FROM document_settings WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&app.db.read)
            .await?;
    Ok(match row {
        Some(r) => Settings {
            default_license: License::parse(&r.try_get::<String, _>("default_license")?)
                .unwrap_or(License::CcBySa),
            editors: Editors::parse(&r.try_get::<String, _>("editors")?)?,
        },
        None => Settings {
            default_license: License::CcBySa,
            editors: Editors::Members,
        },
    })
}

/// Changes the document settings; administrators only.
pub async fn update_settings(
    app: &App,
    actor: &Actor,
    slug: &str,
    patch: &SettingsPatch,
) -> AppResult<Settings> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let old = settings(app, &org.id).await?;
    let new = Settings {
        default_license: match patch.default_license.as_deref() {
            Some(l) => License::parse(l).map_err(|e| {
                AppError::invalid("default_license", "license_invalid", e.to_string())
            })?,
            None => old.default_license,
        },
        editors: match patch.editors.as_deref() {
            Some(e) => Editors::parse(e)?,
            None => old.editors,
        },
    };
    let mut tx = app.db.write.begin().await?;
    sqlx::query("DELETE FROM document_settings WHERE org_id = $1")
        .bind(&org.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO document_settings (org_id, default_license, editors) VALUES ($1, $2, $3)",
    )
    .bind(&org.id)
    .bind(new.default_license.id())
    .bind(new.editors.as_str())
    .execute(&mut *tx)
    .await?;
    audit::write(
        &mut tx,
        audit::Event {
            at: app.now(),
            org_id: Some(&org.id),
            actor_id: Some(&actor.user_id),
            action: "documents.settings_changed",
            target_type: "org",
            target_id: Some(&org.id),
            detail: serde_json::json!({
                "default_license": {"from": old.default_license.id(), "to": new.default_license.id()},
                "editors": {"from": old.editors.as_str(), "to": new.editors.as_str()},
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// Whether the actor may edit, publish and accept proposals in the organisation.
pub async fn may_edit_in(app: &App, actor: Option<&Actor>, org: &Org) -> AppResult<bool> {
    let Some(actor) = actor else { return Ok(false) };
    if actor.instance_admin {
        return Ok(true);
    }
    let Some(m) = orgs::membership(app, &org.id, Some(actor)).await? else {
        return Ok(false);
    };
    Ok(match m.role {
        Role::Admin => true,
        Role::Observer => false,
        _ => settings(app, &org.id).await?.editors == Editors::Members,
    })
}

async fn require_editor(app: &App, actor: &Actor, org: &Org) -> AppResult<()> {
    if may_edit_in(app, Some(actor), org).await? {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "this organisation lets only some of its members edit its documents",
        ))
    }
}

async fn is_member(app: &App, actor: Option<&Actor>, org_id: &str) -> AppResult<bool> {
    Ok(match actor {
        Some(a) if a.instance_admin => true,
        Some(a) => orgs::membership(app, org_id, Some(a)).await?.is_some(),
        None => false,
    })
}

async fn can_see(app: &App, actor: Option<&Actor>, row: &Row_) -> AppResult<bool> {
    Ok(match row.visibility {
        Visibility::Public => true,
        Visibility::Members => is_member(app, actor, &row.org_id).await?,
        Visibility::Draft => actor.is_some_and(|a| row.author_id.as_deref() == Some(&a.user_id)),
    })
}

/// Finds a document by id or slug inside an organisation, if the actor may see it
/// (otherwise: not found, so that hidden documents do not reveal themselves).
async fn find(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
    doc: &str,
) -> AppResult<(Org, Row_)> {
    let org = orgs::by_slug(app, org_slug).await?;
    let row = sqlx::query(&format!(
        "SELECT {DOC_COLUMNS} FROM documents WHERE org_id = $1 AND (slug = $2 OR id = $2)"
    ))
    .bind(&org.id)
    .bind(doc)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "document" })?;
    let row = row_of(&row)?;
    if !can_see(app, actor, &row).await? {
        return Err(AppError::NotFound { what: "document" });
    }
    Ok((org, row))
}

async fn row_by_id(app: &App, id: &str) -> AppResult<Option<Row_>> {
    sqlx::query(&format!(
        "SELECT {DOC_COLUMNS} FROM documents WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&app.db.read)
    .await?
    .map(|r| row_of(&r))
    .transpose()
}

async fn content_at(app: &App, document_id: &str, number: i64) -> AppResult<Content> {
    let row = sqlx::query(
        "SELECT content FROM document_revisions WHERE document_id = $1 AND number = $2",
    )
    .bind(document_id)
    .bind(number)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "revision",
            "revision_unknown",
            format!("this document has no revision {number}"),
        )
    })?;
    let text: String = row.try_get("content")?;
    serde_json::from_str(&text).map_err(internal)
}

/// Display names of a document's authors up to a revision, in order of first contribution.
async fn authors(app: &App, document_id: &str, upto: i64) -> AppResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT author_name FROM document_revisions WHERE document_id = $1 AND number <= $2 ORDER BY number",
    )
    .bind(document_id)
    .bind(upto)
    .fetch_all(&app.db.read)
    .await?;
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        let name: String = r.try_get("author_name")?;
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

async fn to_document(app: &App, org: &Org, row: Row_) -> AppResult<Document> {
    let content = content_at(app, &row.id, row.current).await?;
    let source = match &row.source_document_id {
        Some(sid) => match row_by_id(app, sid).await? {
            Some(src) => {
                let src_org: Org = org_by_id(app, &src.org_id).await?;
                let title: String = sqlx::query("SELECT title FROM documents WHERE id = $1")
                    .bind(&src.id)
                    .fetch_one(&app.db.read)
                    .await?
                    .try_get("title")?;
                Some(SourceLink {
                    org: src_org.slug,
                    id: src.id,
                    slug: src.slug,
                    title,
                    revision: row.source_revision.unwrap_or(0),
                    upstream_revision: row.upstream_revision.unwrap_or(0),
                    source_current: src.current,
                })
            }
            None => None,
        },
        None => None,
    };
    Ok(Document {
        id: row.id,
        org: org.slug.clone(),
        org_name: org.name.clone(),
        slug: row.slug,
        revision: row.current,
        content,
        author_id: row.author_id,
        source,
        attribution: row.attribution,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

async fn org_by_id(app: &App, id: &str) -> AppResult<Org> {
    let slug: String = sqlx::query("SELECT slug FROM orgs WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.read)
        .await?
        .try_get("slug")?;
    orgs::by_slug(app, &slug).await
}

/// Appends a change to the search feed. Called last in the write transaction: the counter
/// row's lock orders numbers by commit.
async fn log_change(conn: &mut AnyConnection, document_id: &str, at: i64) -> AppResult<()> {
    let seq: i64 =
        sqlx::query("UPDATE document_index_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq")
            .fetch_one(&mut *conn)
            .await?
            .try_get("seq")?;
    sqlx::query("INSERT INTO document_index_log (seq, document_id, at) VALUES ($1, $2, $3)")
        .bind(seq)
        .bind(document_id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Everything about a new revision.
struct NewRevision<'a> {
    number: i64,
    parent: Option<i64>,
    author_id: Option<&'a str>,
    author_name: &'a str,
    message: &'a str,
    content: &'a Content,
}

async fn insert_revision(
    conn: &mut AnyConnection,
    document_id: &str,
    at: i64,
    r: &NewRevision<'_>,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO document_revisions (id, document_id, number, parent, author_id, author_name, created_at, message, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(document_id)
    .bind(r.number)
    .bind(r.parent)
    .bind(r.author_id)
    .bind(r.author_name)
    .bind(at)
    .bind(r.message)
    .bind(r.content.to_json().to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn check_message(message: &str) -> AppResult<String> {
    let m = message.trim();
    if m.chars().count() > 1000 {
        return Err(AppError::invalid(
            "message",
            "message_too_long",
            "a message has at most 1000 characters",
        ));
    }
    Ok(m.to_owned())
}

fn check_base(row: &Row_, base: i64) -> AppResult<()> {
    if base < 1 || base > row.current {
        return Err(AppError::invalid(
            "base_revision",
            "revision_unknown",
            format!("base_revision must be between 1 and {}", row.current),
        ));
    }
    Ok(())
}

/// What creating a document takes: the content, in the API's JSON shape, and a message.
pub struct NewDocument<'a> {
    /// `{"kind", "title", "body", "license", "visibility", "tags", "fields"}`.
    pub content: &'a serde_json::Value,
    /// The first revision's message.
    pub message: &'a str,
}

async fn taken_slugs(app: &App, org_id: &str) -> AppResult<std::collections::HashSet<String>> {
    let rows = sqlx::query("SELECT slug FROM documents WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&app.db.read)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("slug")?)).collect()
}

/// Everything about a new document row.
struct DocInsert<'a> {
    org: &'a Org,
    content: &'a Content,
    author: &'a Actor,
    message: &'a str,
    source: Option<(&'a str, i64)>,
    attribution: &'a [Attribution],
    action: &'a str,
}

async fn insert_document(app: &App, d: DocInsert<'_>) -> AppResult<Saved> {
    let taken = taken_slugs(app, &d.org.id).await?;
    let slug = unique_slug(&d.content.title, |s| taken.contains(s));
    let id = new_id();
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO documents (id, org_id, slug, kind, title, visibility, license, author_id, current_revision, source_document_id, source_revision, upstream_revision, attribution, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10, $11, $12, $12)",
    )
    .bind(&id)
    .bind(&d.org.id)
    .bind(&slug)
    .bind(d.content.kind.as_str())
    .bind(&d.content.title)
    .bind(d.content.visibility.as_str())
    .bind(d.content.license.id())
    .bind(&d.author.user_id)
    .bind(d.source.map(|s| s.0))
    .bind(d.source.map(|s| s.1))
    .bind(serde_json::to_string(d.attribution).map_err(internal)?)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(AppError::conflict(
                "title",
                "slug_taken",
                "another document was just created with this title; try again",
            ));
        }
        other => other?,
    };
    insert_revision(
        &mut tx,
        &id,
        now,
        &NewRevision {
            number: 1,
            parent: None,
            author_id: Some(&d.author.user_id),
            author_name: &d.author.name,
            message: d.message,
            content: d.content,
        },
    )
    .await?;
    audit::write(
        &mut tx,
        audit::Event {
            at: now,
            org_id: Some(&d.org.id),
            actor_id: Some(&d.author.user_id),
            action: d.action,
            target_type: "document",
            target_id: Some(&id),
            detail: serde_json::json!({"slug": slug, "title": d.content.title, "source": d.source.map(|s| s.0)}),
        },
    )
    .await?;
    log_change(&mut tx, &id, now).await?;
    tx.commit().await?;
    Ok(Saved {
        id,
        slug,
        revision: 1,
        merged: false,
    })
}

/// Creates a document in an organisation (its editors only).
pub async fn create(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    input: NewDocument<'_>,
) -> AppResult<Saved> {
    let org = orgs::by_slug(app, org_slug).await?;
    require_editor(app, actor, &org).await?;
    let defaults = settings(app, &org.id).await?;
    let content = parse_content(input.content, defaults.default_license)?;
    let message = check_message(input.message)?;
    insert_document(
        app,
        DocInsert {
            org: &org,
            content: &content,
            author: actor,
            message: if message.is_empty() {
                "Création"
            } else {
                &message
            },
            source: None,
            attribution: &[],
            action: "document.created",
        },
    )
    .await
}

/// The documents of an organisation the actor may see, by title.
pub async fn list(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
) -> AppResult<(Org, Vec<Summary>)> {
    let org = orgs::by_slug(app, org_slug).await?;
    let member = is_member(app, actor, &org.id).await?;
    let rows = sqlx::query(
        "SELECT id, slug, kind, title, visibility, license, current_revision, updated_at, author_id FROM documents \
         WHERE org_id = $1 AND (visibility = 'public' OR (visibility = 'members' AND $2 = 1) OR (visibility = 'draft' AND author_id = $3)) \
         ORDER BY LOWER(title), slug",
    )
    .bind(&org.id)
    .bind(i64::from(member))
    .bind(actor.map(|a| a.user_id.as_str()).unwrap_or(""))
    .fetch_all(&app.db.read)
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(Summary {
                id: r.try_get("id")?,
                org: org.slug.clone(),
                slug: r.try_get("slug")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                visibility: r.try_get("visibility")?,
                license: r.try_get("license")?,
                revision: r.try_get("current_revision")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((org, list))
}

/// One document at its current revision.
pub async fn get(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
    doc: &str,
) -> AppResult<Document> {
    let (org, row) = find(app, actor, org_slug, doc).await?;
    to_document(app, &org, row).await
}

/// The forks of a document that the actor may see: its adaptations.
pub async fn adaptations(
    app: &App,
    actor: Option<&Actor>,
    document_id: &str,
) -> AppResult<Vec<Summary>> {
    let rows = sqlx::query(
        "SELECT d.id, o.slug AS org, d.slug, d.kind, d.title, d.visibility, d.license, d.current_revision, d.updated_at, d.org_id, d.author_id \
         FROM documents d JOIN orgs o ON o.id = d.org_id WHERE d.source_document_id = $1 ORDER BY d.created_at, d.id",
    )
    .bind(document_id)
    .fetch_all(&app.db.read)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let visibility: String = r.try_get("visibility")?;
        let org_id: String = r.try_get("org_id")?;
        let author: Option<String> = r.try_get("author_id")?;
        let visible = match visibility.as_str() {
            "public" => true,
            "members" => is_member(app, actor, &org_id).await?,
            _ => actor.is_some_and(|a| author.as_deref() == Some(&a.user_id)),
        };
        if visible {
            out.push(Summary {
                id: r.try_get("id")?,
                org: r.try_get("org")?,
                slug: r.try_get("slug")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                visibility,
                license: r.try_get("license")?,
                revision: r.try_get("current_revision")?,
                updated_at: r.try_get("updated_at")?,
            });
        }
    }
    Ok(out)
}

/// Writes `content` as a new revision on top of `expected` if the document has not moved
/// since; `Ok(None)` when another save came first (the caller merges again).
#[allow(clippy::too_many_arguments)]
async fn commit_revision(
    app: &App,
    org: &Org,
    row: &Row_,
    expected: i64,
    content: &Content,
    author: (&str, &str),
    actor: &Actor,
    message: &str,
    action: &str,
    upstream: Option<i64>,
) -> AppResult<Option<i64>> {
    let now = app.now();
    let number = expected + 1;
    let mut tx = app.db.write.begin().await?;
    let moved = sqlx::query(
        "UPDATE documents SET current_revision = $1, kind = $2, title = $3, visibility = $4, license = $5, updated_at = $6, \
         upstream_revision = COALESCE($7, upstream_revision) WHERE id = $8 AND current_revision = $9",
    )
    .bind(number)
    .bind(content.kind.as_str())
    .bind(&content.title)
    .bind(content.visibility.as_str())
    .bind(content.license.id())
    .bind(now)
    .bind(upstream)
    .bind(&row.id)
    .bind(expected)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    insert_revision(
        &mut tx,
        &row.id,
        now,
        &NewRevision {
            number,
            parent: Some(expected),
            author_id: Some(author.0),
            author_name: author.1,
            message,
            content,
        },
    )
    .await?;
    audit::write(
        &mut tx,
        audit::Event {
            at: now,
            org_id: Some(&org.id),
            actor_id: Some(&actor.user_id),
            action,
            target_type: "document",
            target_id: Some(&row.id),
            detail: serde_json::json!({"slug": row.slug, "revision": number, "message": message}),
        },
    )
    .await?;
    log_change(&mut tx, &row.id, now).await?;
    tx.commit().await?;
    Ok(Some(number))
}

/// How a three-way save goes: the base the change was made on and the change.
struct ThreeWay<'a> {
    base: Option<&'a Content>,
    ours: &'a Content,
    author: (&'a str, &'a str),
    message: &'a str,
    action: &'a str,
    /// For a pull: the source revision being taken in. `ours` is then the source's
    /// change, the fork keeps its own licence and visibility, and the merge is made from
    /// the fork's side (in conflicts and markers, "ours" is the fork).
    upstream: Option<i64>,
    /// For the resolution of a pull's conflicts: the source revision it takes in.
    resolves: Option<i64>,
}

/// Saves `ours` (made on `base`) on top of the current revision, merging three-way when
/// the document moved on; retries when another save lands in between.
async fn save_merged(
    app: &App,
    actor: &Actor,
    org: &Org,
    row: &Row_,
    w: ThreeWay<'_>,
) -> AppResult<Merged> {
    let mut row = row.clone();
    for _ in 0..8 {
        let current = content_at(app, &row.id, row.current).await?;
        let outcome = |base: &Content| match w.upstream {
            Some(_) => merge(base, &current, w.ours),
            None => merge(base, w.ours, &current),
        };
        let (content, merged) = match w.base {
            Some(base) if *base != current => match outcome(base) {
                MergeOutcome::Clean(c) => (c, true),
                MergeOutcome::Conflict {
                    merged_with_markers,
                    conflicts,
                } => {
                    return Ok(Merged::Conflict(Box::new(MergeConflict {
                        current_revision: row.current,
                        conflicts,
                        merged_with_markers,
                        upstream_revision: w.upstream,
                    })));
                }
            },
            _ => (w.ours.clone(), false),
        };
        let mut content = content;
        if w.upstream.is_some() {
            // Upstream changes to licence and visibility are the source's business.
            content.license = current.license;
            content.visibility = current.visibility;
        }
        if content == current {
            if let Some(upstream) = w.resolves {
                // The fork keeps its own text: nothing to save, but it is now up to
                // date with the source.
                sqlx::query("UPDATE documents SET upstream_revision = $1 WHERE id = $2")
                    .bind(upstream)
                    .bind(&row.id)
                    .execute(&app.db.write)
                    .await?;
            }
            return Ok(Merged::Saved(Saved {
                id: row.id.clone(),
                slug: row.slug.clone(),
                revision: row.current,
                merged,
            }));
        }
        if content.visibility == Visibility::Draft
            && row.author_id.as_deref() != Some(&actor.user_id)
        {
            return Err(AppError::invalid(
                "visibility",
                "draft_not_author",
                "only the document's author may make it a draft",
            ));
        }
        if let Some(n) = commit_revision(
            app,
            org,
            &row,
            row.current,
            &content,
            w.author,
            actor,
            w.message,
            w.action,
            w.upstream.or(w.resolves),
        )
        .await?
        {
            return Ok(Merged::Saved(Saved {
                id: row.id.clone(),
                slug: row.slug.clone(),
                revision: n,
                merged,
            }));
        }
        row = row_by_id(app, &row.id)
            .await?
            .ok_or(AppError::NotFound { what: "document" })?;
    }
    Err(AppError::conflict(
        "base_revision",
        "busy",
        "the document is being edited by many people at once; try again",
    ))
}

/// A save: the new content in the API's JSON shape, made on `base_revision`.
pub struct Edit<'a> {
    /// The revision the editor started from.
    pub base_revision: i64,
    /// The edited content.
    pub content: &'a serde_json::Value,
    /// What changed.
    pub message: &'a str,
}

/// Saves an edit as a new revision; merges three-way when the document moved since
/// `base_revision`, and answers the conflicts when the changes overlap.
pub async fn save(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    edit: Edit<'_>,
) -> AppResult<Merged> {
    save_edit(app, actor, org_slug, doc, edit, None).await
}

/// Saves the resolution of a pull's conflicts: the fork as its editor fixed it (made on
/// `base_revision`, like any edit), taking in the source up to revision `upstream` (the
/// conflict's `upstream_revision`), so that the fork is then up to date with it.
/// Conflict markers left in a field are refused.
pub async fn resolve_pull(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    edit: Edit<'_>,
    upstream: i64,
) -> AppResult<Merged> {
    save_edit(app, actor, org_slug, doc, edit, Some(upstream)).await
}

/// The first field of a document's JSON shape that still holds a conflict marker line.
fn field_with_markers(value: &serde_json::Value) -> Option<String> {
    fn marked(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => s
                .lines()
                .any(|l| l.starts_with("<<<<<<< ") || l == "=======" || l.starts_with(">>>>>>> ")),
            serde_json::Value::Array(items) => items.iter().any(marked),
            serde_json::Value::Object(o) => o.values().any(marked),
            _ => false,
        }
    }
    let obj = value.as_object()?;
    for (key, v) in obj {
        if key == "fields"
            && let Some(fields) = v.as_object()
        {
            if let Some((name, _)) = fields.iter().find(|(_, f)| marked(f)) {
                return Some(format!("fields.{name}"));
            }
        } else if key != "message" && marked(v) {
            return Some(key.clone());
        }
    }
    None
}

async fn save_edit(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    edit: Edit<'_>,
    resolves: Option<i64>,
) -> AppResult<Merged> {
    let (org, row) = find(app, Some(actor), org_slug, doc).await?;
    require_editor(app, actor, &org).await?;
    if let Some(upstream) = resolves {
        let source = match &row.source_document_id {
            Some(id) => row_by_id(app, id).await?,
            None => None,
        }
        .ok_or_else(|| {
            AppError::invalid(
                "upstream_revision",
                "not_a_fork",
                "this document is not a fork",
            )
        })?;
        let taken = row.upstream_revision.or(row.source_revision).unwrap_or(1);
        if upstream <= taken || upstream > source.current {
            return Err(AppError::invalid(
                "upstream_revision",
                "revision_unknown",
                format!(
                    "upstream_revision must be a source revision after {taken}, at most {}",
                    source.current
                ),
            ));
        }
        if let Some(field) = field_with_markers(edit.content) {
            return Err(AppError::invalid(
                field,
                "conflict_markers",
                "this field still holds conflict markers (<<<<<<<, =======, >>>>>>>): keep the text you want and remove them",
            ));
        }
    }
    let defaults = settings(app, &org.id).await?;
    let ours = parse_content(edit.content, defaults.default_license)?;
    let message = check_message(edit.message)?;
    check_base(&row, edit.base_revision)?;
    let base = content_at(app, &row.id, edit.base_revision).await?;
    let default_message = match resolves {
        Some(n) => pull_message(n),
        None => "Modification".into(),
    };
    save_merged(
        app,
        actor,
        &org,
        &row,
        ThreeWay {
            base: Some(&base),
            ours: &ours,
            author: (&actor.user_id, &actor.name),
            message: if message.is_empty() {
                &default_message
            } else {
                &message
            },
            action: if resolves.is_some() {
                "document.pulled"
            } else {
                "document.saved"
            },
            upstream: None,
            resolves,
        },
    )
    .await
}

/// The revisions of a document, newest first.
pub async fn history(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
    doc: &str,
) -> AppResult<(Document, Vec<RevisionInfo>)> {
    let (org, row) = find(app, actor, org_slug, doc).await?;
    let rows = sqlx::query(
        "SELECT number, parent, author_name, created_at, message FROM document_revisions WHERE document_id = $1 ORDER BY number DESC",
    )
    .bind(&row.id)
    .fetch_all(&app.db.read)
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(RevisionInfo {
                number: r.try_get("number")?,
                parent: r.try_get("parent")?,
                author: r.try_get("author_name")?,
                created_at: r.try_get("created_at")?,
                message: r.try_get("message")?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((to_document(app, &org, row).await?, list))
}

/// One revision with its content.
pub async fn revision(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
    doc: &str,
    number: i64,
) -> AppResult<Revision> {
    let (org, row) = find(app, actor, org_slug, doc).await?;
    let (_, list) = history(app, actor, &org.slug, &row.id).await?;
    let info = list
        .into_iter()
        .find(|r| r.number == number)
        .ok_or(AppError::NotFound { what: "revision" })?;
    Ok(Revision {
        info,
        content: content_at(app, &row.id, number).await?,
    })
}

/// Compares two revisions of a document.
pub async fn compare(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
    doc: &str,
    from: i64,
    to: i64,
) -> AppResult<Comparison> {
    let (_, row) = find(app, actor, org_slug, doc).await?;
    let a = content_at(app, &row.id, from)
        .await
        .map_err(|e| rename_field(e, "from"))?;
    let b = content_at(app, &row.id, to)
        .await
        .map_err(|e| rename_field(e, "to"))?;
    let diff = diff_content(&a, &b);
    Ok(Comparison {
        from,
        to,
        changed: diff
            .changed_fields()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        diff,
    })
}

fn rename_field(e: AppError, field: &str) -> AppError {
    match e {
        AppError::Invalid(f) => AppError::Invalid(f.at(field)),
        other => other,
    }
}

/// Restores an old revision as a new one.
pub async fn restore(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    number: i64,
) -> AppResult<Merged> {
    let (org, row) = find(app, Some(actor), org_slug, doc).await?;
    require_editor(app, actor, &org).await?;
    let old = content_at(app, &row.id, number).await?;
    let message = format!("Restauration de la révision {number}");
    save_merged(
        app,
        actor,
        &org,
        &row,
        ThreeWay {
            base: None,
            ours: &old,
            author: (&actor.user_id, &actor.name),
            message: &message,
            action: "document.restored",
            upstream: None,
            resolves: None,
        },
    )
    .await
}

/// Forks a public document into one of the actor's organisations. `license` may ask for
/// another licence where the source's allows it (share-alike licences stay).
pub async fn fork(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    into: &str,
    license: Option<&str>,
) -> AppResult<Saved> {
    let (org, row) = find(app, Some(actor), org_slug, doc).await?;
    if row.visibility != Visibility::Public {
        return Err(AppError::forbidden("only public documents may be forked"));
    }
    let target = orgs::by_slug(app, into.trim()).await.map_err(|e| match e {
        AppError::NotFound { .. } => {
            AppError::invalid("into", "org_unknown", format!("no organisation “{into}”"))
        }
        other => other,
    })?;
    match orgs::membership(app, &target.id, Some(actor)).await? {
        Some(m) if m.role != Role::Observer => {}
        _ if actor.instance_admin => {}
        _ => {
            return Err(AppError::forbidden(
                "only members of the organisation you fork into may fork there",
            ));
        }
    }
    let requested = match license.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => Some(
            License::parse(l)
                .map_err(|e| AppError::invalid("license", "license_invalid", e.to_string()))?,
        ),
        None => None,
    };
    let content = content_at(app, &row.id, row.current).await?;
    let credit = Attribution {
        title: content.title.clone(),
        authors: authors(app, &row.id, row.current).await?,
        org: org.name.clone(),
        org_slug: Some(org.slug.clone()),
        document: Some(row.slug.clone()),
        revision: Some(row.current as u64),
        license: content.license,
        url: Some(format!(
            "{}/o/{}/documents/{}",
            app.config.base_url, org.slug, row.slug
        )),
    };
    let f = fabrique_commons::fork(&content, credit, &row.attribution, requested)
        .map_err(|e| AppError::invalid("license", "license_incompatible", e.to_string()))?;
    let message = format!(
        "Adaptation de « {} » ({}, révision {})",
        content.title, org.slug, row.current
    );
    insert_document(
        app,
        DocInsert {
            org: &target,
            content: &f.content,
            author: actor,
            message: &message,
            source: Some((&row.id, row.current)),
            attribution: &f.chain,
            action: "document.forked",
        },
    )
    .await
}

/// Takes the source's later changes into a fork (three-way: base = the source revision
/// last merged, ours = the fork, theirs = the source now).
pub async fn pull(app: &App, actor: &Actor, org_slug: &str, doc: &str) -> AppResult<Merged> {
    let (org, row) = find(app, Some(actor), org_slug, doc).await?;
    require_editor(app, actor, &org).await?;
    let not_fork = || AppError::invalid("document", "not_a_fork", "this document is not a fork");
    let source_id = row.source_document_id.clone().ok_or_else(not_fork)?;
    let source = row_by_id(app, &source_id).await?.ok_or_else(not_fork)?;
    if !can_see(app, Some(actor), &source).await? {
        return Err(AppError::NotFound {
            what: "source document",
        });
    }
    let upstream = row.upstream_revision.or(row.source_revision).unwrap_or(1);
    if source.current == upstream {
        return Ok(Merged::Saved(Saved {
            id: row.id,
            slug: row.slug,
            revision: row.current,
            merged: false,
        }));
    }
    let base = content_at(app, &source.id, upstream).await?;
    let theirs = content_at(app, &source.id, source.current).await?;
    let message = pull_message(source.current);
    save_merged(
        app,
        actor,
        &org,
        &row,
        ThreeWay {
            base: Some(&base),
            ours: &theirs,
            author: (&actor.user_id, &actor.name),
            message: &message,
            action: "document.pulled",
            upstream: Some(source.current),
            resolves: None,
        },
    )
    .await
}

fn pull_message(upstream: i64) -> String {
    format!("Reprise des changements de la source jusqu'à la révision {upstream}")
}

/// A change proposal has the shape of a save: the proposed content made on
/// `base_revision`, and why.
pub type NewProposal<'a> = Edit<'a>;

/// Opens a change proposal on a document; anyone signed in who can see it may.
pub async fn propose(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    p: NewProposal<'_>,
) -> AppResult<Proposal> {
    let (org, row) = find(app, Some(actor), org_slug, doc).await?;
    let defaults = settings(app, &org.id).await?;
    let content = parse_content(p.content, defaults.default_license)?;
    let message = check_message(p.message)?;
    if message.is_empty() {
        return Err(AppError::invalid(
            "message",
            "required",
            "say what the change is about",
        ));
    }
    check_base(&row, p.base_revision)?;
    let base = content_at(app, &row.id, p.base_revision).await?;
    if base == content {
        return Err(AppError::invalid(
            "content",
            "no_change",
            "the proposal changes nothing",
        ));
    }
    let id = new_id();
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO document_proposals (id, document_id, author_id, base_revision, content, message, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
    )
    .bind(&id)
    .bind(&row.id)
    .bind(&actor.user_id)
    .bind(p.base_revision)
    .bind(content.to_json().to_string())
    .bind(&message)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::write(
        &mut tx,
        audit::Event {
            at: now,
            org_id: Some(&org.id),
            actor_id: Some(&actor.user_id),
            action: "document.proposal_opened",
            target_type: "document",
            target_id: Some(&row.id),
            detail: serde_json::json!({"proposal": id, "base_revision": p.base_revision}),
        },
    )
    .await?;
    tx.commit().await?;
    proposal(app, Some(actor), org_slug, doc, &id).await
}

const PROPOSAL_SELECT: &str = "SELECT p.id, p.document_id, p.author_id, u.name AS author, p.base_revision, p.content, p.message, p.status, p.created_at, p.decided_at, p.merged_revision \
     FROM document_proposals p JOIN users u ON u.id = p.author_id";

async fn proposal_of(app: &App, r: &sqlx::any::AnyRow, with_comments: bool) -> AppResult<Proposal> {
    let id: String = r.try_get("id")?;
    let document_id: String = r.try_get("document_id")?;
    let base_revision: i64 = r.try_get("base_revision")?;
    let content: Content =
        serde_json::from_str(&r.try_get::<String, _>("content")?).map_err(internal)?;
    let base = content_at(app, &document_id, base_revision).await?;
    let diff = diff_content(&base, &content);
    let comments = if with_comments {
        let rows = sqlx::query(
            "SELECT c.id, u.name AS author, c.body, c.created_at FROM document_comments c JOIN users u ON u.id = c.author_id WHERE c.proposal_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(&id)
        .fetch_all(&app.db.read)
        .await?;
        rows.iter()
            .map(|c| {
                Ok(Comment {
                    id: c.try_get("id")?,
                    author: c.try_get("author")?,
                    body: c.try_get("body")?,
                    created_at: c.try_get("created_at")?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?
    } else {
        vec![]
    };
    Ok(Proposal {
        id,
        document_id,
        author: r.try_get("author")?,
        base_revision,
        message: r.try_get("message")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        decided_at: r.try_get("decided_at")?,
        merged_revision: r.try_get("merged_revision")?,
        changed: diff
            .changed_fields()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        diff,
        comments,
    })
}

/// The proposals on a document, newest first.
pub async fn proposals(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
    doc: &str,
) -> AppResult<(Document, Vec<Proposal>)> {
    let (org, row) = find(app, actor, org_slug, doc).await?;
    let rows = sqlx::query(&format!(
        "{PROPOSAL_SELECT} WHERE p.document_id = $1 ORDER BY p.created_at DESC, p.id DESC"
    ))
    .bind(&row.id)
    .fetch_all(&app.db.read)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(proposal_of(app, r, false).await?);
    }
    Ok((to_document(app, &org, row).await?, out))
}

/// One proposal with its discussion.
pub async fn proposal(
    app: &App,
    actor: Option<&Actor>,
    org_slug: &str,
    doc: &str,
    id: &str,
) -> AppResult<Proposal> {
    let (_, row) = find(app, actor, org_slug, doc).await?;
    let r = sqlx::query(&format!(
        "{PROPOSAL_SELECT} WHERE p.document_id = $1 AND p.id = $2"
    ))
    .bind(&row.id)
    .bind(id)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "proposal" })?;
    proposal_of(app, &r, true).await
}

/// Adds a message to a proposal's discussion.
pub async fn comment(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    id: &str,
    body: &str,
) -> AppResult<Proposal> {
    let p = proposal(app, Some(actor), org_slug, doc, id).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "required", "write something"));
    }
    if body.len() > 20_000 {
        return Err(AppError::invalid(
            "body",
            "comment_too_long",
            "a comment has at most 20,000 bytes",
        ));
    }
    sqlx::query("INSERT INTO document_comments (id, proposal_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(new_id())
        .bind(&p.id)
        .bind(&actor.user_id)
        .bind(body)
        .bind(app.now())
        .execute(&app.db.write)
        .await?;
    proposal(app, Some(actor), org_slug, doc, id).await
}

async fn open_proposal(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    id: &str,
) -> AppResult<(Org, Row_, sqlx::any::AnyRow)> {
    let (org, row) = find(app, Some(actor), org_slug, doc).await?;
    require_editor(app, actor, &org).await?;
    let r = sqlx::query(&format!(
        "{PROPOSAL_SELECT} WHERE p.document_id = $1 AND p.id = $2"
    ))
    .bind(&row.id)
    .bind(id)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "proposal" })?;
    if r.try_get::<String, _>("status")? != "open" {
        return Err(AppError::conflict(
            "proposal",
            "proposal_closed",
            "this proposal is already decided",
        ));
    }
    Ok((org, row, r))
}

async fn close_proposal(
    app: &App,
    actor: &Actor,
    org: &Org,
    id: &str,
    status: &str,
    merged: Option<i64>,
) -> AppResult<()> {
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    sqlx::query("UPDATE document_proposals SET status = $1, decided_at = $2, decided_by = $3, merged_revision = $4 WHERE id = $5 AND status = 'open'")
        .bind(status)
        .bind(now)
        .bind(&actor.user_id)
        .bind(merged)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::write(
        &mut tx,
        audit::Event {
            at: now,
            org_id: Some(&org.id),
            actor_id: Some(&actor.user_id),
            action: if status == "accepted" {
                "document.proposal_accepted"
            } else {
                "document.proposal_declined"
            },
            target_type: "proposal",
            target_id: Some(id),
            detail: serde_json::json!({"merged_revision": merged}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Accepts a proposal: merged three-way into the current revision as a new revision
/// credited to the proposer; the conflicts when it no longer applies cleanly.
pub async fn accept(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    id: &str,
) -> AppResult<Merged> {
    let (org, row, r) = open_proposal(app, actor, org_slug, doc, id).await?;
    let base_revision: i64 = r.try_get("base_revision")?;
    let ours: Content =
        serde_json::from_str(&r.try_get::<String, _>("content")?).map_err(internal)?;
    let base = content_at(app, &row.id, base_revision).await?;
    let author_id: String = r.try_get("author_id")?;
    let author_name: String = r.try_get("author")?;
    let message = format!(
        "{} (proposition de {author_name}, acceptée par {})",
        r.try_get::<String, _>("message")?,
        actor.name
    );
    let outcome = save_merged(
        app,
        actor,
        &org,
        &row,
        ThreeWay {
            base: Some(&base),
            ours: &ours,
            author: (&author_id, &author_name),
            message: &message,
            action: "document.saved",
            upstream: None,
            resolves: None,
        },
    )
    .await;
    // A draft's author check does not apply to a proposal's author; the document keeps
    // the visibility the merge gives it.
    let outcome = outcome?;
    if let Merged::Saved(s) = &outcome {
        close_proposal(app, actor, &org, id, "accepted", Some(s.revision)).await?;
    }
    Ok(outcome)
}

/// Declines a proposal.
pub async fn decline(
    app: &App,
    actor: &Actor,
    org_slug: &str,
    doc: &str,
    id: &str,
) -> AppResult<Proposal> {
    let (org, _, _) = open_proposal(app, actor, org_slug, doc, id).await?;
    close_proposal(app, actor, &org, id, "declined", None).await?;
    proposal(app, Some(actor), org_slug, doc, id).await
}

pub mod export;
