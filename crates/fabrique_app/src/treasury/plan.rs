//! Settings, subsidies, recurring and one-off items, and the 12-month cash-flow plan.

use fabrique_core::ids::new_id;
use fabrique_treasury::forecast::{
    self, DueItem, Forecast, ForecastItems, Instalment, InstalmentShare, Recurring, Scenario,
    Subsidy, SubsidyStatus, YearMonth,
};
use sqlx::Row;

use super::{audit, can_read, can_write, parse_date, today};
use crate::{Actor, App, AppError, AppResult};

/// The treasury settings of an organisation.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = TreasurySettings)]
pub struct Settings {
    /// SIREN (9 digits), used in the FEC file name and on receipts.
    pub siren: Option<String>,
    /// RNA number (W + 9 digits).
    pub rna: Option<String>,
    /// Postal address (receipts).
    #[serde(default)]
    pub address: String,
    /// Purpose (receipts).
    #[serde(default)]
    pub purpose: String,
    /// Place where receipts are issued.
    #[serde(default)]
    pub place: String,
    /// Who signs receipts.
    #[serde(default)]
    pub signatory_name: String,
    /// Their role.
    #[serde(default)]
    pub signatory_role: String,
    /// The cash plan alerts when the balance falls under this (cents).
    #[serde(default)]
    pub alert_threshold: i64,
    /// Whether the public transparency page is on.
    #[serde(default)]
    pub transparency: bool,
    /// The yearly membership fee (cents), suggested when recording dues.
    #[serde(default)]
    pub dues_amount: i64,
}

/// The settings of an organisation (defaults when never saved).
pub async fn settings_of(app: &App, org_id: &str) -> AppResult<Settings> {
    let row = sqlx::query(
        "SELECT siren, rna, address, purpose, place, signatory_name, signatory_role, alert_threshold, transparency, dues_amount FROM treasury_settings WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(&app.db.read)
    .await?;
    let Some(r) = row else {
        return Ok(Settings::default());
    };
    Ok(Settings {
        siren: r.try_get("siren")?,
        rna: r.try_get("rna")?,
        address: r.try_get("address")?,
        purpose: r.try_get("purpose")?,
        place: r.try_get("place")?,
        signatory_name: r.try_get("signatory_name")?,
        signatory_role: r.try_get("signatory_role")?,
        alert_threshold: r.try_get("alert_threshold")?,
        transparency: r.try_get::<i64, _>("transparency")? != 0,
        dues_amount: r.try_get("dues_amount")?,
    })
}

/// The settings (members).
pub async fn settings(app: &App, actor: &Actor, slug: &str) -> AppResult<Settings> {
    let org = can_read(app, actor, slug).await?;
    settings_of(app, &org.id).await
}

/// Saves the settings (administrators).
pub async fn save_settings(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &Settings,
) -> AppResult<Settings> {
    let org = can_write(app, actor, slug).await?;
    let saved = save_settings_org(app, Some(actor), &org.id, input).await?;
    notify_alerts(app, &org.id).await;
    Ok(saved)
}

pub(crate) async fn save_settings_org(
    app: &App,
    actor: Option<&Actor>,
    org_id: &str,
    input: &Settings,
) -> AppResult<Settings> {
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(|s| s.split_whitespace().collect::<String>().to_uppercase())
            .filter(|s| !s.is_empty())
    };
    let s = Settings {
        siren: clean(&input.siren),
        rna: clean(&input.rna),
        address: input.address.trim().to_owned(),
        purpose: input.purpose.trim().to_owned(),
        place: input.place.trim().to_owned(),
        signatory_name: input.signatory_name.trim().to_owned(),
        signatory_role: input.signatory_role.trim().to_owned(),
        alert_threshold: input.alert_threshold,
        transparency: input.transparency,
        dues_amount: input.dues_amount,
    };
    if let Some(siren) = &s.siren
        && !fabrique_treasury::receipt::valid_siren(siren)
    {
        return Err(AppError::invalid(
            "siren",
            "siren_invalid",
            "a SIREN is 9 digits with a valid check digit",
        ));
    }
    if let Some(rna) = &s.rna
        && !fabrique_treasury::receipt::valid_rna(rna)
    {
        return Err(AppError::invalid(
            "rna",
            "rna_invalid",
            "an RNA number is W followed by 9 digits",
        ));
    }
    if s.dues_amount < 0 {
        return Err(AppError::invalid(
            "dues_amount",
            "amount_invalid",
            "the fee cannot be negative",
        ));
    }
    if s.alert_threshold < 0 {
        return Err(AppError::invalid(
            "alert_threshold",
            "amount_invalid",
            "the threshold cannot be negative",
        ));
    }
    let mut tx = app.db.write.begin().await?;
    sqlx::query("DELETE FROM treasury_settings WHERE org_id = $1")
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO treasury_settings (org_id, siren, rna, address, purpose, place, signatory_name, signatory_role, alert_threshold, transparency, updated_at, dues_amount) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(org_id)
    .bind(&s.siren)
    .bind(&s.rna)
    .bind(&s.address)
    .bind(&s.purpose)
    .bind(&s.place)
    .bind(&s.signatory_name)
    .bind(&s.signatory_role)
    .bind(s.alert_threshold)
    .bind(i64::from(s.transparency))
    .bind(app.now())
    .bind(s.dues_amount)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        app,
        org_id,
        actor,
        "treasury.settings_changed",
        ("treasury_settings", org_id),
        serde_json::to_value(&s).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// A subsidy as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SubsidyView {
    /// Id.
    pub id: String,
    /// The subsidy (funder, amount, status, instalments, probability, delay, project).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub subsidy: Subsidy,
}

/// A new subsidy: the domain's [`Subsidy`] as JSON, e.g. `{"funder": "Mairie", "amount":
/// 150000, "status": "notified", "instalments": [{"share": {"percent": 100},
/// "expected_date": "2026-06-10", "condition": "advance"}], "probability": 80,
/// "expected_delay_days": 30, "project": "repair-cafe"}`.
pub type NewSubsidy = Subsidy;

fn check_probability(field: &str, p: u8) -> AppResult<()> {
    if p > 100 {
        return Err(AppError::invalid(
            field,
            "probability_invalid",
            "a probability is between 0 and 100",
        ));
    }
    Ok(())
}

/// Records a subsidy (administrators).
pub async fn add_subsidy(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewSubsidy,
) -> AppResult<SubsidyView> {
    let org = can_write(app, actor, slug).await?;
    let added = add_subsidy_org(app, Some(actor), &org.id, input).await?;
    notify_alerts(app, &org.id).await;
    Ok(added)
}

pub(crate) async fn add_subsidy_org(
    app: &App,
    actor: Option<&Actor>,
    org_id: &str,
    input: &NewSubsidy,
) -> AppResult<SubsidyView> {
    let s = checked_subsidy(input)?;
    let id = new_id();
    let mut tx = app.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO treasury_subsidies (id, org_id, funder, amount, status, probability, expected_delay_days, project, instalments, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(&s.funder)
    .bind(s.amount)
    .bind(status_str(s.status))
    .bind(i64::from(s.probability))
    .bind(i64::from(s.expected_delay_days))
    .bind(&s.project)
    .bind(serde_json::to_string(&s.instalments).map_err(anyhow::Error::new)?)
    .bind(app.now())
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        app,
        org_id,
        actor,
        "treasury.subsidy_added",
        ("treasury_subsidy", &id),
        serde_json::json!({"funder": s.funder, "amount": s.amount}),
    )
    .await?;
    tx.commit().await?;
    Ok(SubsidyView { id, subsidy: s })
}

/// A subsidy as typed, trimmed and checked: a funder, a positive amount, a probability
/// of at most 100 %, and at least one instalment whose shares (percentages of at most
/// 100 % in all, fixed amounts of at most the subsidy) are positive. Errors name the field,
/// `instalments[i].share` for an instalment.
fn checked_subsidy(input: &NewSubsidy) -> AppResult<Subsidy> {
    let mut s = input.clone();
    s.funder = s.funder.trim().to_owned();
    s.project = s
        .project
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    if s.funder.is_empty() {
        return Err(AppError::invalid(
            "funder",
            "funder_required",
            "name the funder",
        ));
    }
    if s.amount <= 0 {
        return Err(AppError::invalid(
            "amount",
            "amount_invalid",
            "the amount must be positive (cents)",
        ));
    }
    check_probability("probability", s.probability)?;
    if s.instalments.is_empty() {
        return Err(AppError::invalid(
            "instalments",
            "instalments_required",
            "give at least one instalment with its expected date",
        ));
    }
    let (mut percent, mut fixed) = (0u32, 0i64);
    for (i, inst) in s.instalments.iter().enumerate() {
        let field = format!("instalments[{i}].share");
        match inst.share {
            InstalmentShare::Percent(p) if p == 0 || p > 100 => {
                return Err(AppError::invalid(
                    field,
                    "share_invalid",
                    format!("instalment {}: a share is between 1 and 100 %", i + 1),
                ));
            }
            InstalmentShare::Percent(p) => percent += u32::from(p),
            InstalmentShare::Amount(a) if a <= 0 => {
                return Err(AppError::invalid(
                    field,
                    "share_invalid",
                    format!("instalment {}: the amount must be positive", i + 1),
                ));
            }
            InstalmentShare::Amount(a) => fixed += a,
        }
        if percent > 100 || fixed > s.amount {
            return Err(AppError::invalid(
                field,
                "shares_exceed",
                format!(
                    "instalment {}: the instalments add up to more than the subsidy",
                    i + 1
                ),
            ));
        }
    }
    Ok(s)
}

/// Changes a subsidy (administrators): its funder, amount, status, schedule (which
/// instalments are received), probability, delay and project.
pub async fn update_subsidy(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
    input: &NewSubsidy,
) -> AppResult<SubsidyView> {
    let org = can_write(app, actor, slug).await?;
    let before = subsidies_of(app, &org.id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound { what: "subsidy" })?;
    let s = checked_subsidy(input)?;
    let mut tx = app.db.write.begin().await?;
    sqlx::query(
        "UPDATE treasury_subsidies SET funder = $1, amount = $2, status = $3, probability = $4, expected_delay_days = $5, project = $6, instalments = $7 \
         WHERE id = $8 AND org_id = $9",
    )
    .bind(&s.funder)
    .bind(s.amount)
    .bind(status_str(s.status))
    .bind(i64::from(s.probability))
    .bind(i64::from(s.expected_delay_days))
    .bind(&s.project)
    .bind(serde_json::to_string(&s.instalments).map_err(anyhow::Error::new)?)
    .bind(id)
    .bind(&org.id)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.subsidy_changed",
        ("treasury_subsidy", id),
        serde_json::json!({
            "before": {"status": status_str(before.subsidy.status), "amount": before.subsidy.amount, "probability": before.subsidy.probability},
            "after": {"status": status_str(s.status), "amount": s.amount, "probability": s.probability},
        }),
    )
    .await?;
    tx.commit().await?;
    notify_alerts(app, &org.id).await;
    Ok(SubsidyView {
        id: id.to_owned(),
        subsidy: s,
    })
}

/// One subsidy (members).
pub async fn subsidy(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<SubsidyView> {
    let org = can_read(app, actor, slug).await?;
    subsidies_of(app, &org.id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound { what: "subsidy" })
}

/// The stable name of a subsidy status.
pub fn status_str(s: SubsidyStatus) -> &'static str {
    match s {
        SubsidyStatus::Requested => "requested",
        SubsidyStatus::Notified => "notified",
        SubsidyStatus::AgreementSigned => "agreement_signed",
        SubsidyStatus::Paid => "paid",
    }
}

fn status_of(s: &str) -> SubsidyStatus {
    match s {
        "notified" => SubsidyStatus::Notified,
        "agreement_signed" => SubsidyStatus::AgreementSigned,
        "paid" => SubsidyStatus::Paid,
        _ => SubsidyStatus::Requested,
    }
}

async fn subsidies_of(app: &App, org_id: &str) -> AppResult<Vec<SubsidyView>> {
    let rows = sqlx::query(
        "SELECT id, funder, amount, status, probability, expected_delay_days, project, instalments FROM treasury_subsidies WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| {
            let instalments: Vec<Instalment> =
                serde_json::from_str(&r.try_get::<String, _>("instalments")?)
                    .map_err(anyhow::Error::new)?;
            Ok(SubsidyView {
                id: r.try_get("id")?,
                subsidy: Subsidy {
                    funder: r.try_get("funder")?,
                    amount: r.try_get("amount")?,
                    status: status_of(&r.try_get::<String, _>("status")?),
                    instalments,
                    probability: u8::try_from(r.try_get::<i64, _>("probability")?).unwrap_or(0),
                    expected_delay_days: u32::try_from(r.try_get::<i64, _>("expected_delay_days")?)
                        .unwrap_or(0),
                    project: r.try_get("project")?,
                },
            })
        })
        .collect()
}

/// The subsidies (members).
pub async fn subsidies(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<SubsidyView>> {
    let org = can_read(app, actor, slug).await?;
    subsidies_of(app, &org.id).await
}

/// A recurring item (`every_months` ≥ 1) or a one-off receivable/payable
/// (`every_months` = 0). Positive amounts come in, negative ones go out.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RecurringInput {
    /// Label.
    pub label: String,
    /// Signed amount in cents.
    pub amount: i64,
    /// First (or only) date `YYYY-MM-DD`.
    pub start: String,
    /// Period in months; 0 for a one-off item.
    #[serde(default)]
    pub every_months: u32,
    /// Last date, if any.
    #[serde(default)]
    pub end: Option<String>,
    /// Probability in percent (default 100).
    #[serde(default = "hundred")]
    pub probability: u8,
}

fn hundred() -> u8 {
    100
}

/// A stored recurring or one-off item.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecurringView {
    /// Id.
    pub id: String,
    /// The item.
    #[serde(flatten)]
    pub item: RecurringInput,
}

/// Records a recurring or one-off item (administrators).
pub async fn add_recurring(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &RecurringInput,
) -> AppResult<RecurringView> {
    let org = can_write(app, actor, slug).await?;
    let added = add_recurring_org(app, Some(actor), &org.id, input).await?;
    notify_alerts(app, &org.id).await;
    Ok(added)
}

pub(crate) async fn add_recurring_org(
    app: &App,
    actor: Option<&Actor>,
    org_id: &str,
    input: &RecurringInput,
) -> AppResult<RecurringView> {
    let label = input.label.trim();
    if label.is_empty() {
        return Err(AppError::invalid(
            "label",
            "label_invalid",
            "give the item a label",
        ));
    }
    if input.amount == 0 {
        return Err(AppError::invalid(
            "amount",
            "amount_invalid",
            "the amount cannot be zero (positive comes in, negative goes out)",
        ));
    }
    check_probability("probability", input.probability)?;
    let start = parse_date("start", &input.start)?;
    let end = match input.end.as_deref().filter(|e| !e.trim().is_empty()) {
        Some(e) => Some(parse_date("end", e)?),
        None => None,
    };
    if end.is_some_and(|e| e < start) {
        return Err(AppError::invalid(
            "end",
            "date_invalid",
            "the end comes before the start",
        ));
    }
    let id = new_id();
    let mut tx = app.db.write.begin().await?;
    sqlx::query(
        "INSERT INTO treasury_recurring (id, org_id, label, amount, start_date, every_months, end_date, probability, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(label)
    .bind(input.amount)
    .bind(start.to_string())
    .bind(i64::from(input.every_months))
    .bind(end.map(|e| e.to_string()))
    .bind(i64::from(input.probability))
    .bind(app.now())
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        app,
        org_id,
        actor,
        "treasury.recurring_added",
        ("treasury_recurring", &id),
        serde_json::json!({"label": label, "amount": input.amount}),
    )
    .await?;
    tx.commit().await?;
    Ok(RecurringView {
        id,
        item: RecurringInput {
            label: label.to_owned(),
            start: start.to_string(),
            end: end.map(|e| e.to_string()),
            ..input.clone()
        },
    })
}

async fn recurring_of(app: &App, org_id: &str) -> AppResult<Vec<RecurringView>> {
    let rows = sqlx::query(
        "SELECT id, label, amount, start_date, every_months, end_date, probability FROM treasury_recurring WHERE org_id = $1 ORDER BY start_date, id",
    )
    .bind(org_id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RecurringView {
                id: r.try_get("id")?,
                item: RecurringInput {
                    label: r.try_get("label")?,
                    amount: r.try_get("amount")?,
                    start: r.try_get("start_date")?,
                    every_months: u32::try_from(r.try_get::<i64, _>("every_months")?).unwrap_or(0),
                    end: r.try_get("end_date")?,
                    probability: u8::try_from(r.try_get::<i64, _>("probability")?).unwrap_or(0),
                },
            })
        })
        .collect()
}

/// The recurring and one-off items (members).
pub async fn recurring(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<RecurringView>> {
    let org = can_read(app, actor, slug).await?;
    recurring_of(app, &org.id).await
}

/// Parses a scenario name.
pub fn parse_scenario(text: &str) -> AppResult<Scenario> {
    match text {
        "base" | "" => Ok(Scenario::Base),
        "pessimistic" => Ok(Scenario::Pessimistic),
        "optimistic" => Ok(Scenario::Optimistic),
        _ => Err(AppError::invalid(
            "scenario",
            "scenario_invalid",
            "scenario is base, pessimistic or optimistic",
        )),
    }
}

/// The cash plan of an organisation under every scenario.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CashPlan {
    /// First month (`YYYY-MM`).
    pub start: String,
    /// Opening position: the sum of `positions` — the reconciled bank position of each
    /// bank account with reconciled statement lines, the books' balance of the others.
    pub opening: i64,
    /// Where the opening position comes from: `statement`, `reconciled_lines`, `ledger`, or
    /// `mixed` when the accounts differ (see `positions`).
    pub opening_source: String,
    /// The earliest day the opening position holds at (the last reconciled line's day).
    pub opening_date: String,
    /// The opening position of each bank and cash account, with its source and day.
    pub positions: Vec<super::bank::OpeningPosition>,
    /// Alert threshold (cents).
    pub threshold: i64,
    /// Balances of each bank and cash account in the books today.
    pub balances: Vec<(String, i64)>,
    /// Base, pessimistic and optimistic forecasts (months, alert).
    #[schema(value_type = Vec<Object>)]
    pub forecasts: Vec<Forecast>,
}

impl CashPlan {
    /// The forecast of a scenario.
    pub fn of(&self, scenario: Scenario) -> Option<&Forecast> {
        self.forecasts.iter().find(|f| f.scenario == scenario)
    }

    /// The SVG chart of the three scenarios against the threshold.
    pub fn svg(&self) -> String {
        forecast::svg_chart(&self.forecasts, self.threshold)
    }
}

/// The 12-month cash plan from this month (members).
pub async fn cash_plan(app: &App, actor: &Actor, slug: &str) -> AppResult<CashPlan> {
    let org = can_read(app, actor, slug).await?;
    cash_plan_org(app, &org.id).await
}

pub(crate) async fn cash_plan_org(app: &App, org_id: &str) -> AppResult<CashPlan> {
    let today = today(app);
    let balances = super::ledger::treasury_balances(app, org_id, today).await?;
    let positions = super::bank::opening_positions(app, org_id, today).await?;
    let opening = positions.iter().map(|p| p.amount).sum();
    let opening_source = match positions.first() {
        None => "ledger".to_owned(),
        Some(p) if positions.iter().all(|q| q.source == p.source) => p.source.clone(),
        Some(_) => "mixed".to_owned(),
    };
    let opening_date = positions
        .iter()
        .map(|p| p.date.clone())
        .min()
        .unwrap_or_else(|| today.to_string());
    let threshold = settings_of(app, org_id).await?.alert_threshold;
    let mut items = ForecastItems {
        subsidies: subsidies_of(app, org_id)
            .await?
            .into_iter()
            .map(|s| s.subsidy)
            .collect(),
        ..ForecastItems::default()
    };
    for r in recurring_of(app, org_id).await? {
        let i = r.item;
        let start = parse_date("start", &i.start)?;
        if i.every_months == 0 {
            items.dues.push(DueItem {
                label: i.label,
                amount: i.amount,
                due: start,
                probability: i.probability,
            });
        } else {
            items.recurring.push(Recurring {
                label: i.label,
                amount: i.amount,
                start,
                every_months: i.every_months,
                end: i.end.as_deref().map(|e| parse_date("end", e)).transpose()?,
                probability: i.probability,
            });
        }
    }
    let start = YearMonth::of(today);
    let forecasts = [Scenario::Base, Scenario::Pessimistic, Scenario::Optimistic]
        .into_iter()
        .map(|s| forecast::forecast(opening, &items, start, s, threshold))
        .collect();
    Ok(CashPlan {
        start: start.to_string(),
        opening,
        opening_source,
        opening_date,
        positions,
        threshold,
        balances,
        forecasts,
    })
}

/// One category of the transparency page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = TransparencyCategory)]
pub struct Category {
    /// Heading label (from the income statement).
    pub label: String,
    /// Amount in cents.
    pub amount: i64,
}

/// One year of the transparency page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TransparencyYear {
    /// Year.
    pub year: i16,
    /// Income by category.
    pub income: Vec<Category>,
    /// Expenses by category.
    pub expenses: Vec<Category>,
    /// Total income.
    pub total_income: i64,
    /// Total expenses.
    pub total_expenses: i64,
    /// Subsidies received (operating subsidies, class 74).
    pub subsidies: i64,
}

/// The public transparency page: income and expenses by category for the current and past
/// years, derived from the ledger. Shown only when the organisation turned it on.
pub async fn transparency(
    app: &App,
    slug: &str,
) -> AppResult<(crate::orgs::Org, Vec<TransparencyYear>)> {
    let org = crate::orgs::by_slug(app, slug).await?;
    if !settings_of(app, &org.id).await?.transparency {
        return Err(AppError::NotFound {
            what: "transparency page",
        });
    }
    let chart = super::chart(app, &org.id).await?;
    let entries =
        super::ledger::load(&app.db.read, &org.id, super::ledger::Filter::Validated).await?;
    let mut years: Vec<i16> = entries.iter().map(|s| s.entry.date.year()).collect();
    years.sort_unstable();
    years.dedup();
    let mut out = Vec::new();
    for y in years.into_iter().rev() {
        let of_year: Vec<_> = entries
            .iter()
            .filter(|s| s.entry.date.year() == y)
            .map(|s| s.entry.clone())
            .collect();
        let is = fabrique_treasury::reports::income_statement(&of_year, &chart);
        let cat = |h: &[fabrique_treasury::reports::Heading]| {
            h.iter()
                .filter(|h| h.amount != 0)
                .map(|h| Category {
                    label: h.label.clone(),
                    amount: h.amount,
                })
                .collect()
        };
        let subsidies = is
            .income
            .iter()
            .flat_map(|h| &h.accounts)
            .filter(|a| a.account.starts_with("74"))
            .map(|a| a.amount)
            .sum();
        out.push(TransparencyYear {
            year: y,
            income: cat(&is.income),
            expenses: cat(&is.expenses),
            total_income: is.total_income,
            total_expenses: is.total_expenses,
            subsidies,
        });
    }
    Ok((org, out))
}

/// Tells the organisation's administrators by e-mail when the cash plan's alerts change
/// (a new alert, a different month or gap), once per change. Called after every change to
/// the books or the plan; a failure is logged, never returned: the change has happened.
pub async fn notify_alerts(app: &App, org_id: &str) {
    if let Err(e) = try_notify_alerts(app, org_id).await {
        tracing::warn!(error = %e, org_id, "cash-plan alert not checked");
    }
}

async fn try_notify_alerts(app: &App, org_id: &str) -> AppResult<()> {
    let plan = cash_plan_org(app, org_id).await?;
    let alerts: Vec<String> = plan
        .forecasts
        .iter()
        .filter_map(|f| {
            let a = f.alert.as_ref()?;
            Some(format!(
                "{}: {} ({} under the threshold)",
                match f.scenario {
                    Scenario::Base => "base",
                    Scenario::Pessimistic => "pessimistic",
                    Scenario::Optimistic => "optimistic",
                },
                a.month,
                fabrique_treasury::amount::format_display(a.gap)
            ))
        })
        .collect();
    let signature = alerts.join("; ");
    let mut tx = app.db.write.begin().await?;
    let previous: Option<String> =
        sqlx::query("SELECT signature FROM treasury_alerts WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("signature"))
            .transpose()?;
    if previous.as_deref().unwrap_or("") == signature {
        return Ok(());
    }
    sqlx::query("DELETE FROM treasury_alerts WHERE org_id = $1")
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO treasury_alerts (org_id, signature, at) VALUES ($1, $2, $3)")
        .bind(org_id)
        .bind(&signature)
        .bind(app.now())
        .execute(&mut *tx)
        .await?;
    let org = sqlx::query("SELECT slug, name FROM orgs WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?;
    let (slug, name): (String, String) = (org.try_get("slug")?, org.try_get("name")?);
    let admins: Vec<String> = sqlx::query(
        "SELECT u.email FROM members m JOIN users u ON u.id = m.user_id \
         WHERE m.org_id = $1 AND m.role = 'admin' AND m.status = 'active' ORDER BY u.email",
    )
    .bind(org_id)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| r.try_get("email"))
    .collect::<Result<_, _>>()?;
    tx.commit().await?;
    if alerts.is_empty() {
        return Ok(());
    }
    let body = format!(
        "Le plan de trésorerie de {name} passe sous le seuil de {threshold} :\n\n{list}\n\n\
         The cash-flow plan of {name} falls under the threshold of {threshold}:\n\n{list}\n\n{base}/o/{slug}/treasury\n",
        threshold = fabrique_treasury::amount::format_display(plan.threshold),
        list = alerts
            .iter()
            .map(|a| format!("- {a}"))
            .collect::<Vec<_>>()
            .join("\n"),
        base = app.config.base_url,
    );
    for to in admins {
        app.mailer
            .send(crate::mail::Mail {
                to,
                subject: format!("{name} : alerte de trésorerie / cash-flow alert"),
                body: body.clone(),
            })
            .await;
    }
    Ok(())
}
