//! Members, membership categories and colleges of an organisation. The organisation's
//! boundary is explicit: a member is a row with a status, and every change to it is in the
//! audit log, which is also the member's history.

use fabrique_core::ids::new_id;
use fabrique_core::{CollegeShare, Email, Fraction, MemberStatus, Role, Voice, validate_colleges};
use sqlx::{AnyConnection, Row};

use crate::orgs::{self, Org};
use crate::{Actor, App, AppError, AppResult, audit};

/// A member of an organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Member {
    /// Member id (not the user id).
    pub id: String,
    /// The member's user id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Role.
    #[schema(value_type = String)]
    pub role: Role,
    /// Membership category, if any.
    pub category: Option<String>,
    /// The category's voice; none means consultative.
    #[schema(value_type = Option<String>)]
    pub voice: Option<Voice>,
    /// College, if any.
    pub college: Option<String>,
    /// Status.
    #[schema(value_type = String)]
    pub status: MemberStatus,
    /// When they joined.
    pub joined_at: i64,
    /// When they left, if they did.
    pub left_at: Option<i64>,
}

/// A college of an organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct College {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Statutory share, as an exact fraction such as `3/10`.
    #[schema(value_type = String, example = "3/10")]
    pub share: Fraction,
    /// Active members in it.
    pub members: i64,
}

/// A membership category.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Category {
    /// Id (ignored on input).
    #[serde(default)]
    pub id: String,
    /// Name, e.g. “Membre actif”.
    pub name: String,
    /// `deliberative` or `consultative`.
    #[schema(value_type = String)]
    pub voice: Voice,
}

/// Adding a member by e-mail.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AddMember {
    /// E-mail address of the person.
    pub email: String,
    /// `admin`, `member` (default) or `observer`.
    #[serde(default)]
    pub role: Option<String>,
    /// College name, if the organisation has colleges.
    #[serde(default)]
    pub college: Option<String>,
    /// Category name (default: the first deliberative category).
    #[serde(default)]
    pub category: Option<String>,
}

/// A change to a member; absent fields stay as they are; an empty college removes it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MemberPatch {
    /// New role.
    pub role: Option<String>,
    /// New category name.
    pub category: Option<String>,
    /// New college name (empty string: none).
    pub college: Option<String>,
}

/// What adding a member did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AddOutcome {
    /// The person had an account and is now a member.
    Added {
        /// The new member.
        member: Member,
    },
    /// The person has no account yet: an invitation was sent.
    Invited {
        /// The invitation.
        invitation: crate::invitations::Invitation,
    },
}

const MEMBER_SELECT: &str = "SELECT m.id, m.user_id, u.name, u.email, m.role, c.name AS category, c.voice, g.name AS college, m.status, m.joined_at, m.left_at \
     FROM members m JOIN users u ON u.id = m.user_id LEFT JOIN categories c ON c.id = m.category_id LEFT JOIN colleges g ON g.id = m.college_id";

fn member_from_row(r: &sqlx::any::AnyRow) -> AppResult<Member> {
    Ok(Member {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        role: Role::parse(&r.try_get::<String, _>("role")?)?,
        category: r.try_get("category")?,
        voice: r
            .try_get::<Option<String>, _>("voice")?
            .map(|v| Voice::parse(&v))
            .transpose()?,
        college: r.try_get("college")?,
        status: MemberStatus::parse(&r.try_get::<String, _>("status")?)?,
        joined_at: r.try_get("joined_at")?,
        left_at: r.try_get("left_at")?,
    })
}

/// Makes a user an active member (or an active member again), inside the caller's
/// transaction, and logs it. Returns the member id.
#[allow(clippy::too_many_arguments)]
pub async fn insert_member(
    conn: &mut AnyConnection,
    now: i64,
    org_id: &str,
    user_id: &str,
    role: Role,
    category_id: Option<&str>,
    college_id: Option<&str>,
    actor_id: Option<&str>,
    action: &str,
) -> AppResult<String> {
    let existing = sqlx::query("SELECT id, status FROM members WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    let id = match existing {
        Some(r) if r.try_get::<String, _>("status")? == "active" => {
            return Err(AppError::conflict(
                "email",
                "already_member",
                "this person is already a member",
            ));
        }
        Some(r) => {
            let id: String = r.try_get("id")?;
            sqlx::query("UPDATE members SET role = $1, category_id = $2, college_id = $3, status = 'active', joined_at = $4, left_at = NULL WHERE id = $5")
                .bind(role.as_str())
                .bind(category_id)
                .bind(college_id)
                .bind(now)
                .bind(&id)
                .execute(&mut *conn)
                .await?;
            id
        }
        None => {
            let id = new_id();
            sqlx::query("INSERT INTO members (id, org_id, user_id, role, category_id, college_id, status, joined_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7)")
                .bind(&id)
                .bind(org_id)
                .bind(user_id)
                .bind(role.as_str())
                .bind(category_id)
                .bind(college_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            id
        }
    };
    let event = audit::Event {
        at: now,
        org_id: Some(org_id),
        actor_id,
        action,
        target_type: "member",
        target_id: Some(&id),
        detail: serde_json::json!({"user_id": user_id, "role": role}),
    };
    audit::write(conn, event).await?;
    Ok(id)
}

/// The active members of an organisation, by name; any member (observers too) may look.
pub async fn list(app: &App, actor: &Actor, slug: &str) -> AppResult<(Org, Vec<Member>)> {
    let (org, _) = orgs::require_member(app, actor, slug).await?;
    let rows = sqlx::query(&format!(
        "{MEMBER_SELECT} WHERE m.org_id = $1 AND m.status = 'active' ORDER BY LOWER(u.name), m.id"
    ))
    .bind(&org.id)
    .fetch_all(&app.db.read)
    .await?;
    let members = rows.iter().map(member_from_row).collect::<AppResult<_>>()?;
    Ok((org, members))
}

/// One member of an organisation (active or not), with their history when the actor
/// administers the organisation.
pub async fn get(
    app: &App,
    actor: &Actor,
    slug: &str,
    member_id: &str,
) -> AppResult<(Org, Member, Vec<audit::Entry>)> {
    let (org, me) = orgs::require_member(app, actor, slug).await?;
    let member = member_by_id(app, &org.id, member_id).await?;
    let history = if me.role == Role::Admin || member.user_id == actor.user_id {
        audit::member_history(app, &org.id, &member.id).await?
    } else {
        Vec::new()
    };
    Ok((org, member, history))
}

async fn member_by_id(app: &App, org_id: &str, member_id: &str) -> AppResult<Member> {
    let row = sqlx::query(&format!(
        "{MEMBER_SELECT} WHERE m.org_id = $1 AND m.id = $2"
    ))
    .bind(org_id)
    .bind(member_id)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or(AppError::NotFound { what: "member" })?;
    member_from_row(&row)
}

async fn college_id_by_name(
    app: &App,
    org_id: &str,
    name: Option<&str>,
) -> AppResult<Option<String>> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT id FROM colleges WHERE org_id = $1 AND LOWER(name) = LOWER($2)")
        .bind(org_id)
        .bind(name)
        .fetch_optional(&app.db.read)
        .await?;
    match row {
        Some(r) => Ok(Some(r.try_get("id")?)),
        None => Err(AppError::invalid(
            "college",
            "college_unknown",
            format!("this organisation has no college named “{name}”"),
        )),
    }
}

async fn category_id_by_name(
    app: &App,
    org_id: &str,
    name: Option<&str>,
) -> AppResult<Option<String>> {
    let row = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => {
            sqlx::query("SELECT id FROM categories WHERE org_id = $1 AND LOWER(name) = LOWER($2)")
                .bind(org_id)
                .bind(name)
                .fetch_optional(&app.db.read)
                .await?
                .ok_or_else(|| {
                    AppError::invalid(
                        "category",
                        "category_unknown",
                        format!("this organisation has no membership category named “{name}”"),
                    )
                })
                .map(Some)?
        }
        None => return default_category(&mut *app.db.read.acquire().await?, org_id).await,
    };
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// The category new members get: the organisation's first deliberative one.
pub async fn default_category(conn: &mut AnyConnection, org_id: &str) -> AppResult<Option<String>> {
    let row = sqlx::query("SELECT id FROM categories WHERE org_id = $1 AND voice = 'deliberative' ORDER BY position LIMIT 1")
        .bind(org_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// Adds a member by e-mail; administrators only. A person with an account becomes a member
/// at once; anyone else is sent an invitation.
pub async fn add(app: &App, actor: &Actor, slug: &str, input: &AddMember) -> AppResult<AddOutcome> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let email = Email::parse(&input.email)?;
    let role = input
        .role
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(Role::parse)
        .transpose()?
        .unwrap_or(Role::Member);
    let college_id = college_id_by_name(app, &org.id, input.college.as_deref()).await?;
    let category_id = category_id_by_name(app, &org.id, input.category.as_deref()).await?;
    match crate::accounts::user_by_email(app, email.as_str()).await? {
        Some(user) => {
            let mut tx = app.db.write.begin().await?;
            let id = insert_member(
                &mut tx,
                app.now(),
                &org.id,
                &user.id,
                role,
                category_id.as_deref(),
                college_id.as_deref(),
                Some(&actor.user_id),
                "member.added",
            )
            .await?;
            tx.commit().await?;
            Ok(AddOutcome::Added {
                member: member_by_id(app, &org.id, &id).await?,
            })
        }
        None => {
            let (invitation, _) = crate::invitations::create(
                app,
                actor,
                slug,
                &crate::invitations::NewInvitation {
                    email: Some(email.into_string()),
                    role: Some(role.as_str().into()),
                    days: None,
                },
            )
            .await?;
            Ok(AddOutcome::Invited { invitation })
        }
    }
}

async fn count_admins(conn: &mut AnyConnection, org_id: &str) -> AppResult<i64> {
    let r = sqlx::query("SELECT COUNT(*) AS n FROM members WHERE org_id = $1 AND role = 'admin' AND status = 'active'")
        .bind(org_id)
        .fetch_one(conn)
        .await?;
    Ok(r.try_get("n")?)
}

/// Changes a member's role, category or college; administrators only. The last
/// administrator cannot be demoted.
pub async fn update(
    app: &App,
    actor: &Actor,
    slug: &str,
    member_id: &str,
    patch: &MemberPatch,
) -> AppResult<Member> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let old = member_by_id(app, &org.id, member_id).await?;
    if old.status != MemberStatus::Active {
        return Err(AppError::invalid(
            "member",
            "member_not_active",
            "this person is no longer a member",
        ));
    }
    let role = patch.role.as_deref().map(Role::parse).transpose()?;
    let category_id = match patch.category.as_deref() {
        Some(c) => Some(category_id_by_name(app, &org.id, Some(c)).await?),
        None => None,
    };
    let college_id = match patch.college.as_deref() {
        Some(c) => Some(college_id_by_name(app, &org.id, Some(c)).await?),
        None => None,
    };
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    let role = role.filter(|r| *r != old.role);
    if role.is_some() && old.role == Role::Admin && count_admins(&mut tx, &org.id).await? <= 1 {
        return Err(AppError::invalid(
            "role",
            "last_admin",
            "the organisation needs at least one administrator; name another one first",
        ));
    }
    // Each changed attribute: its column, new value, audit action and old → new detail.
    let changes = [
        (
            "role",
            role.map(|r| Some(r.as_str().to_owned())),
            "member.role_changed",
            serde_json::json!({"from": old.role, "to": role}),
        ),
        (
            "category_id",
            category_id,
            "member.category_changed",
            serde_json::json!({"from": old.category, "to": patch.category}),
        ),
        (
            "college_id",
            college_id,
            "member.college_changed",
            serde_json::json!({"from": old.college, "to": patch.college.as_deref().filter(|c| !c.is_empty())}),
        ),
    ];
    for (column, value, action, detail) in changes {
        let Some(value) = value else { continue };
        sqlx::query(&format!("UPDATE members SET {column} = $1 WHERE id = $2"))
            .bind(value)
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        audit::write(
            &mut tx,
            member_event(now, &org.id, actor, member_id, action, detail),
        )
        .await?;
    }
    tx.commit().await?;
    member_by_id(app, &org.id, member_id).await
}

fn member_event<'a>(
    now: i64,
    org_id: &'a str,
    actor: &'a Actor,
    member_id: &'a str,
    action: &'a str,
    detail: serde_json::Value,
) -> audit::Event<'a> {
    audit::Event {
        at: now,
        org_id: Some(org_id),
        actor_id: Some(&actor.user_id),
        action,
        target_type: "member",
        target_id: Some(member_id),
        detail,
    }
}

/// Ends a membership: an administrator removes a member, or a member leaves. The last
/// administrator cannot leave.
pub async fn remove(app: &App, actor: &Actor, slug: &str, member_id: &str) -> AppResult<()> {
    let org = orgs::by_slug(app, slug).await?;
    let target = member_by_id(app, &org.id, member_id).await?;
    let leaving = target.user_id == actor.user_id;
    if !leaving {
        orgs::require_admin(app, actor, slug).await?;
    }
    if target.status != MemberStatus::Active {
        return Err(AppError::invalid(
            "member",
            "member_not_active",
            "this person is no longer a member",
        ));
    }
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    if target.role == Role::Admin && count_admins(&mut tx, &org.id).await? <= 1 {
        return Err(AppError::invalid(
            "member",
            "last_admin",
            "the organisation needs at least one administrator; name another one first",
        ));
    }
    sqlx::query("UPDATE members SET status = 'left', left_at = $1 WHERE id = $2")
        .bind(now)
        .bind(member_id)
        .execute(&mut *tx)
        .await?;
    let action = if leaving {
        "member.left"
    } else {
        "member.removed"
    };
    audit::write(
        &mut tx,
        member_event(
            now,
            &org.id,
            actor,
            member_id,
            action,
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The colleges of an organisation, in statutory order.
pub async fn colleges(app: &App, org_id: &str) -> AppResult<Vec<College>> {
    let rows = sqlx::query(&format!("{COLLEGE_SELECT} ORDER BY g.position"))
        .bind(org_id)
        .fetch_all(&app.db.read)
        .await?;
    rows.iter().map(college_from_row).collect()
}

const COLLEGE_SELECT: &str = "SELECT 'college' AS part, g.id, g.name, g.share_num, g.share_den, '' AS voice, g.position, \
     (SELECT COUNT(*) FROM members m WHERE m.college_id = g.id AND m.status = 'active') AS members \
     FROM colleges g WHERE g.org_id = $1";
const CATEGORY_SELECT: &str = "SELECT 'category' AS part, k.id, k.name, 0 AS share_num, 1 AS share_den, k.voice, k.position, 0 AS members \
     FROM categories k WHERE k.org_id = $1";

fn college_from_row(r: &sqlx::any::AnyRow) -> AppResult<College> {
    Ok(College {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        share: Fraction::new(r.try_get("share_num")?, r.try_get("share_den")?)?,
        members: r.try_get("members")?,
    })
}

fn category_from_row(r: &sqlx::any::AnyRow) -> AppResult<Category> {
    Ok(Category {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        voice: Voice::parse(&r.try_get::<String, _>("voice")?)?,
    })
}

/// The colleges and the membership categories of an organisation in one round trip (the
/// public page shows both on every view).
pub async fn statutes(app: &App, org_id: &str) -> AppResult<(Vec<College>, Vec<Category>)> {
    let rows = sqlx::query(&format!(
        "{COLLEGE_SELECT} UNION ALL {CATEGORY_SELECT} ORDER BY part DESC, position"
    ))
    .bind(org_id)
    .fetch_all(&app.db.read)
    .await?;
    let (mut colleges, mut categories) = (Vec::new(), Vec::new());
    for r in &rows {
        if r.try_get::<String, _>("part")? == "college" {
            colleges.push(college_from_row(r)?);
        } else {
            categories.push(category_from_row(r)?);
        }
    }
    Ok((colleges, categories))
}

/// Replaces the set of colleges; administrators only. The whole set is checked (shares sum
/// to 100 %, 10–50 % each for a SCIC); colleges are matched by name so members keep theirs;
/// a college that still has members cannot be dropped.
pub async fn put_colleges(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &[CollegeShare],
) -> AppResult<Vec<College>> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    validate_colleges(org.kind, input)?;
    let existing = colleges(app, &org.id).await?;
    for old in &existing {
        if old.members > 0
            && !input
                .iter()
                .any(|c| c.name.trim().eq_ignore_ascii_case(&old.name))
        {
            return Err(AppError::invalid(
                "colleges",
                "college_has_members",
                format!(
                    "the college “{}” still has {} member(s); move them to another college first",
                    old.name, old.members
                ),
            ));
        }
    }
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    for old in &existing {
        if !input
            .iter()
            .any(|c| c.name.trim().eq_ignore_ascii_case(&old.name))
        {
            sqlx::query("DELETE FROM colleges WHERE id = $1")
                .bind(&old.id)
                .execute(&mut *tx)
                .await?;
        }
    }
    for (i, c) in input.iter().enumerate() {
        let name = c.name.trim();
        match existing.iter().find(|o| o.name.eq_ignore_ascii_case(name)) {
            Some(old) => {
                sqlx::query("UPDATE colleges SET name = $1, share_num = $2, share_den = $3, position = $4 WHERE id = $5")
                    .bind(name)
                    .bind(c.share.numer())
                    .bind(c.share.denom())
                    .bind(i as i64)
                    .bind(&old.id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query("INSERT INTO colleges (id, org_id, name, share_num, share_den, position) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(new_id())
                    .bind(&org.id)
                    .bind(name)
                    .bind(c.share.numer())
                    .bind(c.share.denom())
                    .bind(i as i64)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    let detail = serde_json::json!({
        "from": existing.iter().map(|c| serde_json::json!({"name": c.name, "share": c.share})).collect::<Vec<_>>(),
        "to": input,
    });
    let event = audit::Event {
        at: now,
        org_id: Some(&org.id),
        actor_id: Some(&actor.user_id),
        action: "colleges.changed",
        target_type: "org",
        target_id: Some(&org.id),
        detail,
    };
    audit::write(&mut tx, event).await?;
    tx.commit().await?;
    colleges(app, &org.id).await
}

/// The membership categories of an organisation.
pub async fn categories(app: &App, org_id: &str) -> AppResult<Vec<Category>> {
    let rows = sqlx::query(&format!("{CATEGORY_SELECT} ORDER BY k.position"))
        .bind(org_id)
        .fetch_all(&app.db.read)
        .await?;
    rows.iter().map(category_from_row).collect()
}

/// The number of active members of an organisation.
pub async fn count_active(app: &App, org_id: &str) -> AppResult<i64> {
    let r =
        sqlx::query("SELECT COUNT(*) AS n FROM members WHERE org_id = $1 AND status = 'active'")
            .bind(org_id)
            .fetch_one(&app.db.read)
            .await?;
    Ok(r.try_get("n")?)
}
