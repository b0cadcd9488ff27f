//! The audit log: every change to organisations, members and settings, with who, what and
//! when. Written in the same transaction as the change it records.

use fabrique_core::ids::new_id;
use sqlx::{AnyConnection, Row};

use crate::{Actor, App, AppResult, orgs};

/// One thing that happened.
#[derive(Debug, Default)]
pub struct Event<'a> {
    /// When (ms since epoch, UTC).
    pub at: i64,
    /// The organisation concerned, if any.
    pub org_id: Option<&'a str>,
    /// Who did it (a user id), if anyone.
    pub actor_id: Option<&'a str>,
    /// What happened, e.g. `member.role_changed`.
    pub action: &'a str,
    /// The kind of thing changed, e.g. `member`.
    pub target_type: &'a str,
    /// Its id.
    pub target_id: Option<&'a str>,
    /// Details (old and new values…).
    pub detail: serde_json::Value,
}

/// Writes an event in the caller's transaction.
pub async fn write(conn: &mut AnyConnection, event: Event<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, org_id, at, actor_id, action, target_type, target_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(event.org_id)
    .bind(event.at)
    .bind(event.actor_id)
    .bind(event.action)
    .bind(event.target_type)
    .bind(event.target_id)
    .bind(event.detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// An entry as the audit page shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Entry {
    /// Id.
    pub id: String,
    /// When (ms since epoch, UTC).
    pub at: i64,
    /// Who (name), if known.
    pub actor: Option<String>,
    /// What happened.
    pub action: String,
    /// The kind of thing changed.
    pub target_type: String,
    /// Its id.
    pub target_id: Option<String>,
    /// Details: any JSON value (usually an object; `null` when there are none).
    pub detail: serde_json::Value,
}

fn entries(rows: Vec<sqlx::any::AnyRow>) -> AppResult<Vec<Entry>> {
    rows.iter()
        .map(|r| {
            let detail: String = r.try_get("detail")?;
            Ok(Entry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                target_type: r.try_get("target_type")?,
                target_id: r.try_get("target_id")?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}

const SELECT: &str = "SELECT a.id, a.at, u.name AS actor, a.action, a.target_type, a.target_id, a.detail \
                      FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id";

/// An organisation's audit log, newest first; its administrators only.
pub async fn list(app: &App, actor: &Actor, slug: &str, limit: i64) -> AppResult<Vec<Entry>> {
    let (org, _) = orgs::require_admin(app, actor, slug).await?;
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE a.org_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2"
    ))
    .bind(&org.id)
    .bind(limit.clamp(1, 1000))
    .fetch_all(&app.db.read)
    .await?;
    entries(rows)
}

/// The history of one member (invited, joined, role changes, left), oldest first.
pub async fn member_history(app: &App, org_id: &str, member_id: &str) -> AppResult<Vec<Entry>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE a.org_id = $1 AND a.target_type = 'member' AND a.target_id = $2 ORDER BY a.at, a.id"))
        .bind(org_id)
        .bind(member_id)
        .fetch_all(&app.db.read)
        .await?;
    entries(rows)
}
