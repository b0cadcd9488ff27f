//! Treasury: the books of an organisation, stored per organisation and computed by the pure
//! `fabrique_treasury` crate (which this module never re-implements: it loads rows, calls
//! the domain, and stores the answer).
//!
//! Authorization, decided once for the whole area: every active member of the organisation
//! (administrators, members and observers) may *read* the books — an association's
//! accounts are its members' business; only administrators (and instance administrators)
//! may *change* them. Every change writes an audit entry in its own transaction.
//!
//! Chart: the associations' chart ([`Chart::associations`]) is installed lazily (it is
//! derived from the regulation in code, so every organisation has it from its first use);
//! the organisation's own sub-accounts and third-party accounts live in
//! `treasury_accounts`.
//!
//! Fiscal years are calendar years. Entries are numbered at validation, inside the write
//! transaction, continuously per journal and year; a closed year refuses any change.

pub mod bank;
pub mod demo;
pub mod donations;
pub mod dues;
pub mod ledger;
pub mod plan;

use fabrique_treasury::chart::{Account, Chart, nature_from_class};
use jiff::civil::Date;
use sqlx::{AnyConnection, Row};

use crate::orgs::{self, Org};
use crate::{Actor, App, AppError, AppResult};

/// The organisation, if the actor may read its books (any active member).
pub async fn can_read(app: &App, actor: &Actor, slug: &str) -> AppResult<Org> {
    Ok(orgs::require_member(app, actor, slug).await?.0)
}

/// The organisation, if the actor may change its books (administrators).
pub async fn can_write(app: &App, actor: &Actor, slug: &str) -> AppResult<Org> {
    Ok(orgs::require_admin(app, actor, slug).await?.0)
}

/// Whether the actor may change the books (for showing or hiding forms).
pub async fn is_treasurer(app: &App, actor: &Actor, slug: &str) -> bool {
    can_write(app, actor, slug).await.is_ok()
}

/// Parses a civil date `YYYY-MM-DD` typed in `field`.
pub fn parse_date(field: &str, text: &str) -> AppResult<Date> {
    text.trim().parse::<Date>().map_err(|_| {
        AppError::invalid(
            field,
            "date_invalid",
            format!("“{}” is not a date (YYYY-MM-DD)", text.trim()),
        )
    })
}

/// Parses a year sent as text (default: the current year), refusing nonsense with 422.
pub fn parse_year(app: &App, text: Option<&str>) -> AppResult<i16> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(today(app).year()),
        Some(t) => t
            .parse::<i16>()
            .ok()
            .filter(|y| (1900..=9999).contains(y))
            .ok_or_else(|| {
                AppError::invalid("year", "year_invalid", format!("“{t}” is not a year"))
            }),
    }
}

/// Today in UTC (civil dates of entries are the organisation's; a day's offset is harmless
/// for the validation date).
pub fn today(app: &App) -> Date {
    fabrique_treasury::dates::from_day_number(app.now().div_euclid(86_400_000))
}

/// The organisation's chart: the associations' chart plus its own accounts.
pub async fn chart(app: &App, org_id: &str) -> AppResult<Chart> {
    let rows = sqlx::query(
        "SELECT number, label FROM treasury_accounts WHERE org_id = $1 ORDER BY number",
    )
    .bind(org_id)
    .fetch_all(&app.db.read)
    .await?;
    let mut chart = Chart::associations();
    for r in rows {
        let number: String = r.try_get("number")?;
        let label: String = r.try_get("label")?;
        chart.insert(account(&number, &label));
    }
    Ok(chart)
}

/// An account of the organisation's own, with its nature derived from its number.
fn account(number: &str, label: &str) -> Account {
    Account {
        number: number.to_owned(),
        label: label.to_owned(),
        class: number
            .bytes()
            .next()
            .map(|b| b.saturating_sub(b'0'))
            .unwrap_or(0),
        nature: nature_from_class(number),
    }
}

/// Stores an account of the organisation's own (in the caller's transaction); an account
/// already there is left as is.
pub(crate) async fn store_account(
    conn: &mut AnyConnection,
    org_id: &str,
    number: &str,
    label: &str,
    now: i64,
) -> AppResult<()> {
    let exists = sqlx::query("SELECT 1 FROM treasury_accounts WHERE org_id = $1 AND number = $2")
        .bind(org_id)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !exists {
        sqlx::query(
            "INSERT INTO treasury_accounts (org_id, number, label, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(number)
        .bind(label)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One account as listed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AccountView {
    /// Number, e.g. `5121` or `411DUPONT`.
    pub number: String,
    /// Label.
    pub label: String,
    /// Class (first digit).
    pub class: u8,
    /// Whether the organisation added it (not in the associations' chart).
    pub own: bool,
}

/// A new sub-account or third-party account.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewAccount {
    /// Number: a sub-account of an existing account (`5121`, `6061`, `401OVH`…).
    pub number: String,
    /// Label.
    pub label: String,
}

/// The chart of the organisation (members).
pub async fn accounts(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<AccountView>> {
    let org = can_read(app, actor, slug).await?;
    let base = Chart::associations();
    Ok(chart(app, &org.id)
        .await?
        .accounts()
        .map(|a| AccountView {
            number: a.number.clone(),
            label: a.label.clone(),
            class: a.class,
            own: !base.contains(&a.number),
        })
        .collect())
}

/// Adds a sub-account or third-party account (administrators).
pub async fn add_account(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewAccount,
) -> AppResult<AccountView> {
    let org = can_write(app, actor, slug).await?;
    let mut chart = chart(app, &org.id).await?;
    let number = input.number.trim().to_uppercase();
    let label = input.label.trim();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(AppError::invalid(
            "label",
            "label_invalid",
            "give the account a label (at most 200 characters)",
        ));
    }
    if chart.contains(&number) {
        return Err(AppError::conflict(
            "number",
            "account_exists",
            format!("account {number} already exists"),
        ));
    }
    let added = chart
        .add_sub_account(&number, label)
        .map_err(|e| AppError::invalid("number", "account_invalid", e.to_string()))?
        .clone();
    let now = app.now();
    let mut tx = app.db.write.begin().await?;
    store_account(&mut tx, &org.id, &added.number, &added.label, now).await?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.account_added",
        ("treasury_account", &added.number),
        serde_json::json!({"label": added.label}),
    )
    .await?;
    tx.commit().await?;
    Ok(AccountView {
        number: added.number,
        label: added.label,
        class: added.class,
        own: true,
    })
}

/// Writes an audit event for the treasury area in the caller's transaction.
pub(crate) async fn audit(
    conn: &mut AnyConnection,
    app: &App,
    org_id: &str,
    actor: Option<&Actor>,
    action: &str,
    target: (&str, &str),
    detail: serde_json::Value,
) -> AppResult<()> {
    crate::audit::write(
        conn,
        crate::audit::Event {
            at: app.now(),
            org_id: Some(org_id),
            actor_id: actor.map(|a| a.user_id.as_str()),
            action,
            target_type: target.0,
            target_id: Some(target.1),
            detail,
        },
    )
    .await
}
