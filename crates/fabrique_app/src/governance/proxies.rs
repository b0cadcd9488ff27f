//! Proxies (procurations): a member mandates another to vote in their name for one
//! decision or one assembly, within the charter's cap per holder. Every grant and
//! revocation is in the audit log (uses are logged when the ballot is cast).

use fabrique_core::Role;
use fabrique_core::ids::new_id;
use sqlx::Row;

use super::{charter, member_id_of};
use crate::{Actor, App, AppError, AppResult, orgs};

/// Granting or revoking a proxy: one of `decision` or `assembly`, and the holder.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ProxyInput {
    /// The decision id.
    #[serde(default)]
    pub decision: Option<String>,
    /// The assembly id.
    #[serde(default)]
    pub assembly: Option<String>,
    /// The holder's member id (optional when revoking).
    #[serde(default)]
    pub holder: Option<String>,
}

/// A proxy.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Proxy {
    /// Id.
    pub id: String,
    /// Decision, if it is for one decision.
    pub decision_id: Option<String>,
    /// Assembly, if it is for an assembly.
    pub assembly_id: Option<String>,
    /// Grantor's member id.
    pub grantor: String,
    /// Grantor's name.
    pub grantor_name: String,
    /// Holder's member id.
    pub holder: String,
    /// Holder's name.
    pub holder_name: String,
    /// When granted.
    pub created_at: i64,
    /// When revoked, if it was.
    pub revoked_at: Option<i64>,
}

const SELECT: &str = "SELECT p.id, p.decision_id, p.assembly_id, p.grantor_member_id, ug.name AS grantor_name, p.holder_member_id, uh.name AS holder_name, p.created_at, p.revoked_at \
     FROM proxies p JOIN members g ON g.id = p.grantor_member_id JOIN users ug ON ug.id = g.user_id \
     JOIN members h ON h.id = p.holder_member_id JOIN users uh ON uh.id = h.user_id";

fn from_row(r: &sqlx::any::AnyRow) -> AppResult<Proxy> {
    Ok(Proxy {
        id: r.try_get("id")?,
        decision_id: r.try_get("decision_id")?,
        assembly_id: r.try_get("assembly_id")?,
        grantor: r.try_get("grantor_member_id")?,
        grantor_name: r.try_get("grantor_name")?,
        holder: r.try_get("holder_member_id")?,
        holder_name: r.try_get("holder_name")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// The scope of a proxy: `("decision_id", id)` or `("assembly_id", id)`.
fn scope(input: &ProxyInput) -> AppResult<(&'static str, String)> {
    let d = input
        .decision
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let a = input
        .assembly
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (d, a) {
        (Some(d), None) => Ok(("decision_id", d.to_owned())),
        (None, Some(a)) => Ok(("assembly_id", a.to_owned())),
        _ => Err(AppError::invalid(
            "decision",
            "proxy_scope",
            "give either a decision or an assembly",
        )),
    }
}

/// Grants a proxy (the grantor is the actor).
pub async fn grant(app: &App, actor: &Actor, slug: &str, input: &ProxyInput) -> AppResult<Proxy> {
    let (org, m) = orgs::require_member(app, actor, slug).await?;
    let me = member_id_of(&m)?.to_owned();
    if m.role == Role::Observer {
        return Err(super::forbidden(
            "observer_no_proxy",
            "observers do not vote, so they have no vote to hand over",
        ));
    }
    let (column, target) = scope(input)?;
    let holder = input
        .holder
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "holder",
                "required",
                "name the member who will hold the proxy",
            )
        })?
        .to_owned();
    if holder == me {
        return Err(AppError::invalid(
            "holder",
            "proxy_self",
            "you cannot give a proxy to yourself",
        ));
    }
    let active = sqlx::query("SELECT id FROM members WHERE id = $1 AND org_id = $2 AND status = 'active' AND role <> 'observer'")
        .bind(&holder)
        .bind(&org.id)
        .fetch_optional(&app.db.read)
        .await?;
    if active.is_none() {
        return Err(AppError::invalid(
            "holder",
            "holder_unknown",
            "the holder must be an active member of this organisation",
        ));
    }
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    // The cap comes from the rules frozen in an open decision, else the charter in force.
    let mut cap = charter::rules_in(&mut tx, &org.id).await?.proxy_cap;
    if column == "decision_id" {
        let d = sqlx::query("SELECT status FROM decisions WHERE id = $1 AND org_id = $2")
            .bind(&target)
            .bind(&org.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::invalid("decision", "decision_unknown", "no such decision"))?;
        let status: String = d.try_get("status")?;
        if status == "closed" {
            return Err(AppError::conflict(
                "decision",
                "decision_closed",
                "this decision is closed",
            ));
        }
        if status == "open" {
            cap = super::decisions::frozen_in(&mut tx, &target)
                .await?
                .proxy_cap;
            let voted = sqlx::query(
                "SELECT voted FROM decision_electorate WHERE decision_id = $1 AND member_id = $2",
            )
            .bind(&target)
            .bind(&me)
            .fetch_optional(&mut *tx)
            .await?;
            match voted {
                None => {
                    return Err(super::forbidden(
                        "not_in_electorate",
                        "you are not in this decision's electorate",
                    ));
                }
                Some(r) if r.try_get::<i64, _>("voted")? != 0 => {
                    return Err(AppError::conflict(
                        "decision",
                        "already_voted",
                        "you have already voted on this decision",
                    ));
                }
                Some(_) => {}
            }
        }
    } else {
        let a = sqlx::query("SELECT status FROM assemblies WHERE id = $1 AND org_id = $2")
            .bind(&target)
            .bind(&org.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| AppError::invalid("assembly", "assembly_unknown", "no such assembly"))?;
        if a.try_get::<String, _>("status")? == "closed" {
            return Err(AppError::conflict(
                "assembly",
                "assembly_closed",
                "this assembly is over",
            ));
        }
    }
    let mine = sqlx::query(&format!("SELECT id FROM proxies WHERE grantor_member_id = $1 AND {column} = $2 AND revoked_at IS NULL"))
        .bind(&me)
        .bind(&target)
        .fetch_optional(&mut *tx)
        .await?;
    if mine.is_some() {
        return Err(AppError::conflict(
            "holder",
            "proxy_exists",
            "you have already given a proxy for this; revoke it first",
        ));
    }
    // The cap counts every mandate the holder would vote on the same resolutions: for a
    // decision of an assembly, proxies for the decision and for the assembly; for an
    // assembly, proxies for it and for any decision on its agenda.
    let scope = if column == "decision_id" {
        "(p.decision_id = $2 OR (p.assembly_id IS NOT NULL AND p.assembly_id = (SELECT assembly_id FROM decisions WHERE id = $2)))"
    } else {
        "(p.assembly_id = $2 OR p.decision_id IN (SELECT id FROM decisions WHERE assembly_id = $2))"
    };
    let held: i64 = sqlx::query(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM proxies p WHERE p.holder_member_id = $1 AND {scope} AND p.revoked_at IS NULL"
    ))
    .bind(&holder)
    .bind(&target)
    .fetch_one(&mut *tx)
    .await?
    .try_get("n")?;
    if held >= cap {
        return Err(AppError::conflict(
            "holder",
            "proxy_cap_reached",
            format!(
                "this member already holds {held} proxies, the most the charter allows ({cap})"
            ),
        ));
    }
    let id = new_id();
    sqlx::query(&format!(
        "INSERT INTO proxies (id, org_id, {column}, grantor_member_id, holder_member_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(&id)
    .bind(&org.id)
    .bind(&target)
    .bind(&me)
    .bind(&holder)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::log(
        &mut tx,
        now,
        &org.id,
        Some(&actor.user_id),
        "proxy.granted",
        ("proxy", &id),
        serde_json::json!({column: target, "grantor": me, "holder": holder}),
    )
    .await?;
    let row = sqlx::query(&format!("{SELECT} WHERE p.id = $1"))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    let p = from_row(&row)?;
    tx.commit().await?;
    Ok(p)
}

/// Revokes the actor's proxy for a decision or an assembly, if its holder has not used it.
pub async fn revoke(app: &App, actor: &Actor, slug: &str, input: &ProxyInput) -> AppResult<()> {
    let (org, m) = orgs::require_member(app, actor, slug).await?;
    let me = member_id_of(&m)?.to_owned();
    let (column, target) = scope(input)?;
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    let p = sqlx::query(&format!("SELECT id, holder_member_id FROM proxies WHERE grantor_member_id = $1 AND {column} = $2 AND revoked_at IS NULL"))
        .bind(&me)
        .bind(&target)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound { what: "proxy" })?;
    let id: String = p.try_get("id")?;
    let holder: String = p.try_get("holder_member_id")?;
    if column == "decision_id" {
        let used = sqlx::query("SELECT voted FROM decision_electorate WHERE decision_id = $1 AND member_id = $2 AND voted = 1 AND voted_by = $3")
            .bind(&target)
            .bind(&me)
            .bind(&holder)
            .fetch_optional(&mut *tx)
            .await?;
        if used.is_some() {
            return Err(AppError::conflict(
                "decision",
                "proxy_used",
                "your proxy holder has already voted for you",
            ));
        }
    }
    sqlx::query("UPDATE proxies SET revoked_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    super::log(
        &mut tx,
        now,
        &org.id,
        Some(&actor.user_id),
        "proxy.revoked",
        ("proxy", &id),
        serde_json::json!({column: target}),
    )
    .await?;
    tx.commit().await.map_err(AppError::from)
}

/// The proxies the actor gave or holds, active first (members).
pub async fn mine(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<Proxy>> {
    let (org, m) = orgs::require_member(app, actor, slug).await?;
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE p.org_id = $1 AND (p.grantor_member_id = $2 OR p.holder_member_id = $2) ORDER BY p.revoked_at IS NOT NULL, p.created_at DESC"
    ))
    .bind(&org.id)
    .bind(&m.member_id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter().map(from_row).collect()
}

/// The active proxies of an assembly (for its attendance and minutes).
pub async fn of_assembly(app: &App, assembly_id: &str) -> AppResult<Vec<Proxy>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE p.assembly_id = $1 AND p.revoked_at IS NULL ORDER BY ug.name"
    ))
    .bind(assembly_id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter().map(from_row).collect()
}
