//! Organisations: creation, settings, the public page and the instance's directory.

use fabrique_core::ids::new_id;
use fabrique_core::{
    DisplayName, Email, OrgKind, OrgSlug, OrgVisibility, Role, TimeZoneName, Voice, optional_text,
    optional_url,
};
use sqlx::Row;

use crate::error::is_unique_violation;
use crate::{Actor, App, AppError, AppResult, audit};

/// An organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Org {
    /// Id.
    pub id: String,
    /// Address on the instance.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Legal form.
    #[schema(value_type = String, example = "association")]
    pub kind: OrgKind,
    /// Description (Markdown source; rendered sanitised).
    pub description: String,
    /// The description rendered to sanitised HTML (done once, on save).
    pub description_html: String,
    /// IANA time zone used to show times.
    pub timezone: String,
    /// Web site.
    pub website: Option<String>,
    /// Contact address.
    pub contact_email: Option<String>,
    /// Listed in the directory or not.
    #[schema(value_type = String, example = "public")]
    pub visibility: OrgVisibility,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// What creating an organisation takes.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewOrg {
    /// Address: 2–48 characters a-z, 0-9, hyphens.
    pub slug: String,
    /// Name.
    pub name: String,
    /// `association`, `scic`, `scop`, `mutual`, `foundation`, `collective` or `other`.
    pub kind: String,
    /// Markdown description.
    #[serde(default)]
    pub description: Option<String>,
    /// Time zone (default Europe/Paris).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Web site.
    #[serde(default)]
    pub website: Option<String>,
    /// Contact e-mail.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// `public` (default) or `unlisted`.
    #[serde(default)]
    pub visibility: Option<String>,
}

/// A change to an organisation's settings; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct OrgPatch {
    /// Name.
    pub name: Option<String>,
    /// Legal form.
    pub kind: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Time zone.
    pub timezone: Option<String>,
    /// Web site (empty to remove).
    pub website: Option<String>,
    /// Contact e-mail (empty to remove).
    pub contact_email: Option<String>,
    /// `public` or `unlisted`.
    pub visibility: Option<String>,
}

/// The actor's place in an organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Membership {
    /// Member id.
    pub member_id: String,
    /// Role.
    #[schema(value_type = String)]
    pub role: Role,
}

/// An organisation as the directory lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DirectoryEntry {
    /// Address.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Legal form.
    #[schema(value_type = String)]
    pub kind: OrgKind,
    /// Web site.
    pub website: Option<String>,
    /// Number of active members.
    pub members: i64,
    /// Creation time.
    pub created_at: i64,
}

const ORG_COLUMNS: &str = "id, slug, name, kind, description, description_html, timezone, website, contact_email, visibility, created_at, updated_at";

fn org_from_row(r: &sqlx::any::AnyRow) -> AppResult<Org> {
    Ok(Org {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        kind: OrgKind::parse(&r.try_get::<String, _>("kind")?)?,
        description: r.try_get("description")?,
        description_html: r.try_get("description_html")?,
        timezone: r.try_get("timezone")?,
        website: r.try_get("website")?,
        contact_email: r.try_get("contact_email")?,
        visibility: OrgVisibility::parse(&r.try_get::<String, _>("visibility")?)?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Finds an organisation by slug (public information; unlisted ones too).
pub async fn by_slug(app: &App, slug: &str) -> AppResult<Org> {
    let row = sqlx::query(&format!("SELECT {ORG_COLUMNS} FROM orgs WHERE slug = $1"))
        .bind(slug)
        .fetch_optional(&app.db.read)
        .await?
        .ok_or(AppError::NotFound {
            what: "organisation",
        })?;
    org_from_row(&row)
}

/// The organisation at `slug` and the actor's active membership in it, in one query (what
/// every member-only use case starts with).
pub async fn with_membership(
    app: &App,
    slug: &str,
    actor: &Actor,
) -> AppResult<(Org, Option<Membership>)> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let columns: Vec<String> = ORG_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect();
        format!(
            "SELECT {}, m.id AS member_id, m.role AS member_role FROM orgs o \
             LEFT JOIN members m ON m.org_id = o.id AND m.user_id = $2 AND m.status = 'active' \
             WHERE o.slug = $1",
            columns.join(", ")
        )
    });
    let row = sqlx::query(SQL.as_str())
        .bind(slug)
        .bind(&actor.user_id)
        .fetch_optional(&app.db.read)
        .await?
        .ok_or(AppError::NotFound {
            what: "organisation",
        })?;
    let org = org_from_row(&row)?;
    let membership = match row.try_get::<Option<String>, _>("member_id")? {
        Some(member_id) => Some(Membership {
            member_id,
            role: Role::parse(&row.try_get::<String, _>("member_role")?)?,
        }),
        None => None,
    };
    Ok((org, membership))
}

/// The actor's active membership in an organisation, if any.
pub async fn membership(
    app: &App,
    org_id: &str,
    actor: Option<&Actor>,
) -> AppResult<Option<Membership>> {
    let Some(actor) = actor else { return Ok(None) };
    let row = sqlx::query(
        "SELECT id, role FROM members WHERE org_id = $1 AND user_id = $2 AND status = 'active'",
    )
    .bind(org_id)
    .bind(&actor.user_id)
    .fetch_optional(&app.db.read)
    .await?;
    row.map(|r| {
        Ok(Membership {
            member_id: r.try_get("id")?,
            role: Role::parse(&r.try_get::<String, _>("role")?)?,
        })
    })
    .transpose()
}

/// The actor's role in the organisation at `slug`, if they are an active member (what the
/// pages use to show only the sections the viewer may open).
pub async fn role_in(app: &App, actor: &Actor, slug: &str) -> AppResult<Option<Role>> {
    let row = sqlx::query(
        "SELECT m.role FROM members m JOIN orgs o ON o.id = m.org_id \
         WHERE o.slug = $1 AND m.user_id = $2 AND m.status = 'active'",
    )
    .bind(slug)
    .bind(&actor.user_id)
    .fetch_optional(&app.db.read)
    .await?;
    row.map(|r| Role::parse(&r.try_get::<String, _>("role")?).map_err(AppError::from))
        .transpose()
}

/// The organisation, if the actor administers it (or administers the instance).
pub async fn require_admin(
    app: &App,
    actor: &Actor,
    slug: &str,
) -> AppResult<(Org, Option<Membership>)> {
    let org = by_slug(app, slug).await?;
    let m = membership(app, &org.id, Some(actor)).await?;
    match &m {
        Some(m) if m.role == Role::Admin => Ok((org, Some(m.clone()))),
        _ if actor.instance_admin => Ok((org, m)),
        _ => Err(AppError::forbidden(
            "only this organisation's administrators may do this",
        )),
    }
}

/// The organisation, if the actor belongs to it in any role (observers included).
pub async fn require_member(app: &App, actor: &Actor, slug: &str) -> AppResult<(Org, Membership)> {
    let (org, membership) = with_membership(app, slug, actor).await?;
    match membership {
        Some(m) => Ok((org, m)),
        None if actor.instance_admin => Ok((
            org,
            Membership {
                member_id: String::new(),
                role: Role::Admin,
            },
        )),
        None => Err(AppError::forbidden(
            "only this organisation's members may see this",
        )),
    }
}

/// Parsed and checked organisation fields.
struct OrgFields {
    name: DisplayName,
    kind: OrgKind,
    description: String,
    timezone: TimeZoneName,
    website: Option<String>,
    contact_email: Option<String>,
    visibility: OrgVisibility,
}

fn parse_contact(text: Option<&str>) -> AppResult<Option<String>> {
    Ok(match optional_text("contact_email", text, 254)? {
        Some(e) => Some(
            Email::parse(&e)
                .map_err(|e| e.at("contact_email"))?
                .into_string(),
        ),
        None => None,
    })
}

/// Creates an organisation; its creator becomes its first administrator.
pub async fn create(app: &App, actor: &Actor, input: &NewOrg) -> AppResult<Org> {
    let slug = OrgSlug::parse(&input.slug)?;
    let fields = OrgFields {
        name: DisplayName::parse("name", &input.name)?,
        kind: OrgKind::parse(&input.kind)?,
        description: optional_text("description", input.description.as_deref(), 20_000)?
            .unwrap_or_default(),
        timezone: TimeZoneName::parse(
            input
                .timezone
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or("Europe/Paris"),
        )?,
        website: optional_url("website", input.website.as_deref())?,
        contact_email: parse_contact(input.contact_email.as_deref())?,
        visibility: match input.visibility.as_deref().filter(|v| !v.trim().is_empty()) {
            Some(v) => OrgVisibility::parse(v)?,
            None => OrgVisibility::Public,
        },
    };
    let now = app.now();
    let org = Org {
        id: new_id(),
        slug: slug.into_string(),
        name: fields.name.into_string(),
        kind: fields.kind,
        description_html: fabrique_commons::markdown::render_markdown(&fields.description),
        description: fields.description,
        timezone: fields.timezone.into_string(),
        website: fields.website,
        contact_email: fields.contact_email,
        visibility: fields.visibility,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.db.write.begin().await?;
    let inserted = sqlx::query(&format!(
        "INSERT INTO orgs ({ORG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(&org.id)
    .bind(&org.slug)
    .bind(&org.name)
    .bind(org.kind.as_str())
    .bind(&org.description)
    .bind(&org.description_html)
    .bind(&org.timezone)
    .bind(&org.website)
    .bind(&org.contact_email)
    .bind(org.visibility.as_str())
    .bind(org.created_at)
    .bind(org.updated_at)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::conflict(
                "slug",
                "slug_taken",
                format!("the address “{}” is already taken", org.slug),
            ));
        }
        other => other?,
    };
    let deliberative = new_id();
    for (i, (id, name, voice)) in [
        (deliberative.clone(), "Membre actif", Voice::Deliberative),
        (new_id(), "Membre associé", Voice::Consultative),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query("INSERT INTO categories (id, org_id, name, voice, position) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&org.id)
            .bind(name)
            .bind(voice.as_str())
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
    }
    let event = audit::Event {
        at: now,
        org_id: Some(&org.id),
        actor_id: Some(&actor.user_id),
        action: "org.created",
        target_type: "org",
        target_id: Some(&org.id),
        detail: serde_json::json!({"slug": org.slug, "name": org.name, "kind": org.kind}),
    };
    audit::write(&mut tx, event).await?;
    crate::members::insert_member(
        &mut tx,
        now,
        &org.id,
        &actor.user_id,
        Role::Admin,
        Some(&deliberative),
        None,
        Some(&actor.user_id),
        "member.joined",
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}

/// Changes an organisation's settings; administrators only. Every changed field is logged
/// with its old and new value.
pub async fn update(app: &App, actor: &Actor, slug: &str, patch: &OrgPatch) -> AppResult<Org> {
    let (old, _) = require_admin(app, actor, slug).await?;
    let fields = OrgFields {
        name: DisplayName::parse("name", patch.name.as_deref().unwrap_or(&old.name))?,
        kind: patch
            .kind
            .as_deref()
            .map(OrgKind::parse)
            .transpose()?
            .unwrap_or(old.kind),
        description: match &patch.description {
            Some(d) => optional_text("description", Some(d), 20_000)?.unwrap_or_default(),
            None => old.description.clone(),
        },
        timezone: TimeZoneName::parse(patch.timezone.as_deref().unwrap_or(&old.timezone))?,
        website: match &patch.website {
            Some(w) => optional_url("website", Some(w))?,
            None => old.website.clone(),
        },
        contact_email: match &patch.contact_email {
            Some(c) => parse_contact(Some(c))?,
            None => old.contact_email.clone(),
        },
        visibility: patch
            .visibility
            .as_deref()
            .map(OrgVisibility::parse)
            .transpose()?
            .unwrap_or(old.visibility),
    };
    if fields.kind == OrgKind::Scic && fields.kind != old.kind {
        let colleges = crate::members::colleges(app, &old.id).await?;
        let shares: Vec<_> = colleges
            .into_iter()
            .map(|c| fabrique_core::CollegeShare {
                name: c.name,
                share: c.share,
            })
            .collect();
        fabrique_core::validate_colleges(OrgKind::Scic, &shares).map_err(|e| e.at("kind"))?;
    }
    let now = app.now();
    let new = Org {
        name: fields.name.into_string(),
        kind: fields.kind,
        description_html: fabrique_commons::markdown::render_markdown(&fields.description),
        description: fields.description,
        timezone: fields.timezone.into_string(),
        website: fields.website,
        contact_email: fields.contact_email,
        visibility: fields.visibility,
        updated_at: now,
        ..old.clone()
    };
    let mut changes = serde_json::Map::new();
    let before = serde_json::to_value(&old).map_err(anyhow::Error::from)?;
    let after = serde_json::to_value(&new).map_err(anyhow::Error::from)?;
    for key in [
        "name",
        "kind",
        "description",
        "timezone",
        "website",
        "contact_email",
        "visibility",
    ] {
        if before[key] != after[key] {
            changes.insert(
                key.into(),
                serde_json::json!({"from": before[key], "to": after[key]}),
            );
        }
    }
    if changes.is_empty() {
        return Ok(old);
    }
    let mut tx = app.db.write.begin().await?;
    sqlx::query(
        "UPDATE orgs SET name = $1, kind = $2, description = $3, timezone = $4, website = $5, contact_email = $6, visibility = $7, updated_at = $8, description_html = $10 WHERE id = $9",
    )
    .bind(&new.name)
    .bind(new.kind.as_str())
    .bind(&new.description)
    .bind(&new.timezone)
    .bind(&new.website)
    .bind(&new.contact_email)
    .bind(new.visibility.as_str())
    .bind(now)
    .bind(&new.id)
    .bind(&new.description_html)
    .execute(&mut *tx)
    .await?;
    let event = audit::Event {
        at: now,
        org_id: Some(&new.id),
        actor_id: Some(&actor.user_id),
        action: "org.updated",
        target_type: "org",
        target_id: Some(&new.id),
        detail: serde_json::Value::Object(changes),
    };
    audit::write(&mut tx, event).await?;
    tx.commit().await?;
    Ok(new)
}

/// A directory query.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct DirectoryQuery {
    /// Words to look for in names and descriptions.
    pub q: Option<String>,
    /// Only this legal form.
    pub kind: Option<String>,
}

/// The public organisations of the instance, by name.
pub async fn directory(app: &App, query: &DirectoryQuery) -> AppResult<Vec<DirectoryEntry>> {
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => Some(OrgKind::parse(k)?),
        None => None,
    };
    let pattern = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| {
            format!(
                "%{}%",
                q.to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
    let rows = sqlx::query(
        "SELECT o.slug, o.name, o.kind, o.website, o.created_at, \
         (SELECT COUNT(*) FROM members m WHERE m.org_id = o.id AND m.status = 'active') AS members \
         FROM orgs o WHERE o.visibility = 'public' \
         AND ($1 = '' OR o.kind = $1) \
         AND ($2 = '' OR LOWER(o.name) LIKE $2 ESCAPE '\\' OR LOWER(o.description) LIKE $2 ESCAPE '\\') \
         ORDER BY LOWER(o.name), o.slug LIMIT 1000",
    )
    .bind(kind.map(|k| k.as_str()).unwrap_or(""))
    .bind(pattern.unwrap_or_default())
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DirectoryEntry {
                slug: r.try_get("slug")?,
                name: r.try_get("name")?,
                kind: OrgKind::parse(&r.try_get::<String, _>("kind")?)?,
                website: r.try_get("website")?,
                members: r.try_get("members")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// The organisations the actor belongs to, by name, with their role.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<(Org, Role)>> {
    let rows = sqlx::query(&format!(
        "SELECT {cols}, m.role FROM orgs o JOIN members m ON m.org_id = o.id WHERE m.user_id = $1 AND m.status = 'active' ORDER BY LOWER(o.name)",
        cols = ORG_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect::<Vec<_>>().join(", ")
    ))
    .bind(&actor.user_id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                org_from_row(r)?,
                Role::parse(&r.try_get::<String, _>("role")?)?,
            ))
        })
        .collect()
}

/// What an organisation's public page shows.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrgPage {
    /// The organisation.
    #[serde(flatten)]
    pub org: Org,
    /// Active members.
    pub members: i64,
    /// Colleges and their shares.
    pub colleges: Vec<crate::members::College>,
    /// Membership categories.
    pub categories: Vec<crate::members::Category>,
    /// The viewer's membership, if any.
    pub me: Option<Membership>,
}

/// An organisation's public page (anyone may look, unlisted ones too).
pub async fn page(app: &App, actor: Option<&Actor>, slug: &str) -> AppResult<OrgPage> {
    let row = sqlx::query(&format!(
        "SELECT {ORG_COLUMNS}, (SELECT COUNT(*) FROM members m WHERE m.org_id = orgs.id AND m.status = 'active') AS member_count \
         FROM orgs WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "organisation" })?;
    let org = org_from_row(&row)?;
    let (colleges, categories) = crate::members::statutes(app, &org.id).await?;
    Ok(OrgPage {
        members: row.try_get("member_count")?,
        colleges,
        categories,
        me: membership(app, &org.id, actor).await?,
        org,
    })
}
