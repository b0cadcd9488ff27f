//! Members' dues: the yearly fee (a setting), who paid for which period, linked to the
//! member list. Recording a payment writes the income entry (756) in the same transaction.

use fabrique_core::ids::new_id;
use fabrique_treasury::ledger::{SimpleForm, income};
use sqlx::Row;

use super::ledger::{form_error, record};
use super::{audit, can_read, can_write, chart, parse_date};
use crate::{Actor, App, AppError, AppResult};

/// A member and their dues for a period.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DuesRow {
    /// Member id.
    pub member_id: String,
    /// Name.
    pub name: String,
    /// Period (a year, `2026`).
    pub period: String,
    /// Amount paid (cents), if paid.
    pub paid: Option<i64>,
    /// Date of payment.
    pub paid_on: Option<String>,
    /// The income entry.
    pub entry_id: Option<String>,
}

/// A payment of dues.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewDues {
    /// The member (id from the member list).
    pub member_id: String,
    /// Period, e.g. `2026`.
    pub period: String,
    /// Amount in cents (default: the organisation's fee).
    #[serde(default)]
    pub amount: Option<i64>,
    /// Date of payment `YYYY-MM-DD`.
    pub date: String,
    /// Bank or cash account (default 512).
    #[serde(default)]
    pub treasury: Option<String>,
}

fn check_period(period: &str) -> AppResult<&str> {
    let p = period.trim();
    if p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()) {
        Ok(p)
    } else {
        Err(AppError::invalid(
            "period",
            "period_invalid",
            "a period is a year such as 2026",
        ))
    }
}

/// The active members and their dues for a period (members).
pub async fn status(app: &App, actor: &Actor, slug: &str, period: &str) -> AppResult<Vec<DuesRow>> {
    let org = can_read(app, actor, slug).await?;
    let period = check_period(period)?;
    let rows = sqlx::query(
        "SELECT m.id, u.name, d.amount, d.paid_on, d.entry_id FROM members m JOIN users u ON u.id = m.user_id \
         LEFT JOIN treasury_dues d ON d.member_id = m.id AND d.org_id = m.org_id AND d.period = $2 \
         WHERE m.org_id = $1 AND m.status = 'active' ORDER BY u.name, m.id",
    )
    .bind(&org.id)
    .bind(period)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DuesRow {
                member_id: r.try_get("id")?,
                name: r.try_get("name")?,
                period: period.to_owned(),
                paid: r.try_get("amount")?,
                paid_on: r.try_get("paid_on")?,
                entry_id: r.try_get("entry_id")?,
            })
        })
        .collect()
}

/// Records a member's dues for a period and the income entry (administrators).
pub async fn record_payment(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewDues,
) -> AppResult<DuesRow> {
    let org = can_write(app, actor, slug).await?;
    let period = check_period(&input.period)?;
    let date = parse_date("date", &input.date)?;
    let settings = super::plan::settings_of(app, &org.id).await?;
    let amount = input.amount.unwrap_or(settings.dues_amount);
    let member = sqlx::query(
        "SELECT m.id, u.name FROM members m JOIN users u ON u.id = m.user_id WHERE m.id = $1 AND m.org_id = $2 AND m.status = 'active'",
    )
    .bind(&input.member_id)
    .bind(&org.id)
    .fetch_optional(&app.db.read)
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "member_id",
            "member_unknown",
            "no active member of this organisation has this id",
        )
    })?;
    let name: String = member.try_get("name")?;
    let treasury = input
        .treasury
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("512")
        .to_uppercase();
    let draft = income(&SimpleForm {
        date,
        label: format!("Cotisation {period} — {name}"),
        piece_ref: format!("COT-{period}"),
        amount,
        category: "756".into(),
        treasury,
        project: None,
    })
    .map_err(|e| form_error(&e))?;
    let chart = chart(app, &org.id).await?;
    let mut tx = app.db.write.begin().await?;
    let paid = sqlx::query(
        "SELECT 1 FROM treasury_dues WHERE org_id = $1 AND member_id = $2 AND period = $3",
    )
    .bind(&org.id)
    .bind(&input.member_id)
    .bind(period)
    .fetch_optional(&mut *tx)
    .await?;
    if paid.is_some() {
        return Err(AppError::conflict(
            "period",
            "dues_paid",
            format!("{name} has already paid the dues of {period}"),
        ));
    }
    let (entry_id, _) = record(
        &mut tx,
        app,
        &org.id,
        &chart,
        &draft,
        None,
        Some(&actor.user_id),
    )
    .await
    .map_err(|e| match e {
        AppError::Invalid(f) if f.field.starts_with("lines[") => {
            AppError::Invalid(f.at("treasury"))
        }
        other => other,
    })?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO treasury_dues (id, org_id, member_id, period, amount, paid_on, entry_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&org.id)
    .bind(&input.member_id)
    .bind(period)
    .bind(amount)
    .bind(date.to_string())
    .bind(&entry_id)
    .bind(app.now())
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.dues_paid",
        ("member", &input.member_id),
        serde_json::json!({"period": period, "amount": amount}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    Ok(DuesRow {
        member_id: input.member_id.clone(),
        name,
        period: period.to_owned(),
        paid: Some(amount),
        paid_on: Some(date.to_string()),
        entry_id: Some(entry_id),
    })
}
