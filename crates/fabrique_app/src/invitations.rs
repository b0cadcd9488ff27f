//! Ways into an organisation: invitations (by e-mail or by link, with an expiry) and join
//! requests that an administrator accepts or refuses.

use fabrique_core::ids::{hash_token, new_id, random_token};
use fabrique_core::{Email, Role, optional_text};
use sqlx::Row;

use crate::mail::Mail;
use crate::members::{default_category, insert_member};
use crate::orgs::{self, Org};
use crate::{Actor, App, AppError, AppResult, audit};

const DAY_MS: i64 = 24 * 3600 * 1000;

/// An invitation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Invitation {
    /// Id.
    pub id: String,
    /// The invited address; none for a link anyone holding it may use once.
    pub email: Option<String>,
    /// The role given on joining.
    #[schema(value_type = String)]
    pub role: Role,
    /// Creation time.
    pub created_at: i64,
    /// Expiry time.
    pub expires_at: i64,
    /// When it was used.
    pub accepted_at: Option<i64>,
    /// When it was withdrawn.
    pub revoked_at: Option<i64>,
}

/// Creating an invitation.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewInvitation {
    /// Address to send it to; none makes a link to share.
    #[serde(default)]
    pub email: Option<String>,
    /// `admin`, `member` (default) or `observer`.
    #[serde(default)]
    pub role: Option<String>,
    /// Days before it expires (1–90, default 14).
    #[serde(default)]
    pub days: Option<i64>,
}

/// A request to join.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct JoinRequest {
    /// Id.
    pub id: String,
    /// Who asks (user id).
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their e-mail address.
    pub email: String,
    /// Their message.
    pub message: String,
    /// `pending`, `accepted` or `refused`.
    pub status: String,
    /// When they asked.
    pub created_at: i64,
}

fn invitation_from_row(r: &sqlx::any::AnyRow) -> AppResult<Invitation> {
    Ok(Invitation {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        role: Role::parse(&r.try_get::<String, _>("role")?)?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        accepted_at: r.try_get("accepted_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// The link that accepts an invitation.
pub fn invitation_link(app: &App, token: &str) -> String {
    format!("{}/invite/{token}", app.config.base_url)
}

/// Creates an invitation; administrators only. Returns it with its secret token (shown
/// once; the database keeps only its hash). An e-mail invitation is sent at once.
pub async fn create(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewInvitation,
) -> AppResult<(Invitation, String)> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let email = optional_text("email", input.email.as_deref(), 254)?
        .map(|e| Email::parse(&e))
        .transpose()?;
    let role = input
        .role
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(Role::parse)
        .transpose()?
        .unwrap_or(Role::Member);
    let days = input.days.unwrap_or(14);
    if !(1..=90).contains(&days) {
        return Err(AppError::invalid(
            "days",
            "days_out_of_range",
            "an invitation lasts between 1 and 90 days",
        ));
    }
    let token = random_token();
    let now = app.now();
    let invitation = Invitation {
        id: new_id(),
        email: email.map(|e| e.into_string()),
        role,
        created_at: now,
        expires_at: now + days * DAY_MS,
        accepted_at: None,
        revoked_at: None,
    };
    let mut tx = app.db.write.begin().await?;
    sqlx::query("INSERT INTO invitations (id, org_id, email, token_hash, role, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&invitation.id)
        .bind(&org.id)
        .bind(&invitation.email)
        .bind(hash_token(&token))
        .bind(role.as_str())
        .bind(&actor.user_id)
        .bind(now)
        .bind(invitation.expires_at)
        .execute(&mut *tx)
        .await?;
    let event = audit::Event {
        at: now,
        org_id: Some(&org.id),
        actor_id: Some(&actor.user_id),
        action: "invitation.created",
        target_type: "invitation",
        target_id: Some(&invitation.id),
        detail: serde_json::json!({"email": invitation.email, "role": role, "days": days}),
    };
    audit::write(&mut tx, event).await?;
    tx.commit().await?;
    if let Some(to) = &invitation.email {
        app.mailer
            .send(Mail {
                to: to.clone(),
                subject: format!("Invitation : rejoindre {} sur Fabrique", org.name),
                body: format!(
                    "Bonjour,\n\n{actor} vous invite à rejoindre « {org} » sur Fabrique.\n{actor} invites you to join “{org}” on Fabrique.\n\n{link}\n\n\
                     Ce lien expire dans {days} jours. / This link expires in {days} days.\n",
                    actor = actor.name,
                    org = org.name,
                    link = invitation_link(app, &token),
                ),
            })
            .await;
    }
    Ok((invitation, token))
}

/// The organisation's invitations, newest first; administrators only.
pub async fn list(app: &App, actor: &Actor, slug: &str) -> AppResult<(Org, Vec<Invitation>)> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let rows = sqlx::query("SELECT id, email, role, created_at, expires_at, accepted_at, revoked_at FROM invitations WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500")
        .bind(&org.id)
        .fetch_all(&app.db.read)
        .await?;
    let list = rows
        .iter()
        .map(invitation_from_row)
        .collect::<AppResult<_>>()?;
    Ok((org, list))
}

/// Withdraws an invitation that has not been used; administrators only.
pub async fn revoke(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<()> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    let done = sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .bind(&org.id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound { what: "invitation" });
    }
    let event = audit::Event {
        at: now,
        org_id: Some(&org.id),
        actor_id: Some(&actor.user_id),
        action: "invitation.revoked",
        target_type: "invitation",
        target_id: Some(id),
        ..Default::default()
    };
    audit::write(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// An invitation that can still be used, with its organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OpenInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The organisation it opens.
    pub org: Org,
}

/// Finds an invitation by its secret token, if it can still be used.
pub async fn find_open(app: &App, token: &str) -> AppResult<OpenInvitation> {
    let row = sqlx::query(
        "SELECT i.id, i.email, i.role, i.created_at, i.expires_at, i.accepted_at, i.revoked_at, o.slug FROM invitations i JOIN orgs o ON o.id = i.org_id \
         WHERE i.token_hash = $1",
    )
    .bind(hash_token(token))
    .fetch_optional(&app.db.read)
    .await?
    .ok_or_else(|| AppError::invalid("invitation", "invitation_invalid", "this invitation link is not valid"))?;
    let invitation = invitation_from_row(&row)?;
    if invitation.revoked_at.is_some()
        || invitation.accepted_at.is_some()
        || invitation.expires_at <= app.now()
    {
        return Err(AppError::invalid(
            "invitation",
            "invitation_used",
            "this invitation has expired, was withdrawn or was already used",
        ));
    }
    let org = orgs::by_slug(app, &row.try_get::<String, _>("slug")?).await?;
    Ok(OpenInvitation { invitation, org })
}

/// Accepts an invitation: the actor becomes a member with the invitation's role. An
/// e-mail invitation only works for the account with that address.
pub async fn accept(app: &App, actor: &Actor, token: &str) -> AppResult<Org> {
    let open = find_open(app, token).await?;
    if let Some(email) = &open.invitation.email
        && !email.eq_ignore_ascii_case(&actor.email)
    {
        return Err(AppError::Forbidden {
            code: "invitation_other_address",
            message: format!(
                "this invitation was sent to {email}; sign in with that address to accept it"
            ),
        });
    }
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    let claimed = sqlx::query("UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE token_hash = $3 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(now)
        .bind(&actor.user_id)
        .bind(hash_token(token))
        .execute(&mut *tx)
        .await?;
    if claimed.rows_affected() == 0 {
        return Err(AppError::invalid(
            "invitation",
            "invitation_used",
            "this invitation was already used",
        ));
    }
    let category = default_category(&mut tx, &open.org.id).await?;
    insert_member(
        &mut tx,
        now,
        &open.org.id,
        &actor.user_id,
        open.invitation.role,
        category.as_deref(),
        None,
        Some(&actor.user_id),
        "member.joined",
    )
    .await?;
    tx.commit().await?;
    Ok(open.org)
}

/// Asks to join an organisation.
pub async fn request_join(
    app: &App,
    actor: &Actor,
    slug: &str,
    message: Option<&str>,
) -> AppResult<JoinRequest> {
    let org = orgs::by_slug(app, slug).await?;
    if orgs::membership(app, &org.id, Some(actor)).await?.is_some() {
        return Err(AppError::conflict(
            "org",
            "already_member",
            "you are already a member",
        ));
    }
    let message = optional_text("message", message, 2000)?.unwrap_or_default();
    let pending = sqlx::query("SELECT COUNT(*) AS n FROM join_requests WHERE org_id = $1 AND user_id = $2 AND status = 'pending'")
        .bind(&org.id)
        .bind(&actor.user_id)
        .fetch_one(&app.db.read)
        .await?;
    if pending.try_get::<i64, _>("n")? > 0 {
        return Err(AppError::conflict(
            "org",
            "request_pending",
            "your request is already waiting for an answer",
        ));
    }
    let now = app.now();
    let request = JoinRequest {
        id: new_id(),
        user_id: actor.user_id.clone(),
        name: actor.name.clone(),
        email: actor.email.clone(),
        message,
        status: "pending".into(),
        created_at: now,
    };
    let mut tx = app.db.write.begin().await?;
    sqlx::query("INSERT INTO join_requests (id, org_id, user_id, message, status, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)")
        .bind(&request.id)
        .bind(&org.id)
        .bind(&actor.user_id)
        .bind(&request.message)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let event = audit::Event {
        at: now,
        org_id: Some(&org.id),
        actor_id: Some(&actor.user_id),
        action: "join_request.created",
        target_type: "join_request",
        target_id: Some(&request.id),
        ..Default::default()
    };
    audit::write(&mut tx, event).await?;
    tx.commit().await?;
    Ok(request)
}

/// Pending join requests, oldest first; administrators only.
pub async fn pending_requests(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<JoinRequest>> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let rows = sqlx::query(
        "SELECT j.id, j.user_id, u.name, u.email, j.message, j.status, j.created_at FROM join_requests j JOIN users u ON u.id = j.user_id \
         WHERE j.org_id = $1 AND j.status = 'pending' ORDER BY j.created_at, j.id",
    )
    .bind(&org.id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(JoinRequest {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                message: r.try_get("message")?,
                status: r.try_get("status")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Accepts (`decision` is `accept`: the person becomes a member) or refuses (`refuse`) a
/// pending join request; administrators only, checked before the decision is read.
pub async fn decide(
    app: &App,
    actor: &Actor,
    slug: &str,
    request_id: &str,
    decision: &str,
) -> AppResult<()> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let accept = match decision {
        "accept" => true,
        "refuse" => false,
        _ => {
            return Err(AppError::invalid(
                "decision",
                "decision_invalid",
                "the decision is accept or refuse",
            ));
        }
    };
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    let row = sqlx::query(
        "SELECT user_id FROM join_requests WHERE id = $1 AND org_id = $2 AND status = 'pending'",
    )
    .bind(request_id)
    .bind(&org.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound {
        what: "join request",
    })?;
    let user_id: String = row.try_get("user_id")?;
    let status = if accept { "accepted" } else { "refused" };
    sqlx::query(
        "UPDATE join_requests SET status = $1, decided_at = $2, decided_by = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(now)
    .bind(&actor.user_id)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    let action = if accept {
        "join_request.accepted"
    } else {
        "join_request.refused"
    };
    let event = audit::Event {
        at: now,
        org_id: Some(&org.id),
        actor_id: Some(&actor.user_id),
        action,
        target_type: "join_request",
        target_id: Some(request_id),
        ..Default::default()
    };
    audit::write(&mut tx, event).await?;
    if accept {
        let category = default_category(&mut tx, &org.id).await?;
        insert_member(
            &mut tx,
            now,
            &org.id,
            &user_id,
            Role::Member,
            category.as_deref(),
            None,
            Some(&actor.user_id),
            "member.joined",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
