//! Treasury pages, for a volunteer treasurer on a phone: the dashboard with the cash plan's
//! alerts and simple forms, entries (expert form, validate, reverse), printable reports,
//! bank imports and reconciliation, subsidies and recurring items, donations and receipts,
//! settings, and the optional public transparency page. Each page's JSON twin is under
//! `/api/v1/orgs/{slug}/ledger/…`, `…/subsidies`, `…/recurring`, `…/treasury/…`,
//! `…/donations`.

use std::collections::HashMap;

use crate::routes::{Routes, get, post};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use fabrique_app::AppError;
use fabrique_app::orgs::Org;
use fabrique_app::treasury::bank::{self, BankAccount, BankLineView, ImportOutcome, Reconcile};
use fabrique_app::treasury::donations::{self, Donation, NewDonation};
use fabrique_app::treasury::dues::{self, DuesRow, NewDues};
use fabrique_app::treasury::ledger::{self, EntryView, LineInput, NewEntry, SimpleInput};
use fabrique_app::treasury::plan::{
    self, CashPlan, RecurringInput, RecurringView, Settings, SubsidyView, TransparencyYear,
};
use fabrique_app::treasury::{self, AccountView};
use fabrique_treasury::amount::{format_display, parse_amount};
use fabrique_treasury::bank::{AmountColumns, CsvMapping};
use fabrique_treasury::forecast::{
    Instalment, InstalmentCondition, InstalmentShare, Scenario, Subsidy, SubsidyStatus,
};
use fabrique_treasury::reports::{BalanceSheet, IncomeStatement};

use super::{FormState, OrPage, PageResult, is_form_error, render, render_with_status};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

pub fn router() -> Routes {
    Routes::new()
        .route("/o/{slug}/treasury", get(dashboard).post(simple_entry))
        .route(
            "/o/{slug}/treasury/entries",
            get(entries_page).post(create_entry),
        )
        .route("/o/{slug}/treasury/entries/{id}", get(entry_page))
        .route(
            "/o/{slug}/treasury/entries/{id}/{action}",
            post(entry_action),
        )
        .route("/o/{slug}/treasury/reports", get(reports_page))
        .route("/o/{slug}/treasury/years/{year}/close", post(close_year))
        .route(
            "/o/{slug}/treasury/years/{year}/funds/{action}",
            post(funds_action),
        )
        .route("/o/{slug}/treasury/import", get(import_page).post(import))
        .route("/o/{slug}/treasury/import/upload", post(upload))
        .route("/o/{slug}/treasury/reconciliation/{id}", post(reconcile))
        .route("/o/{slug}/treasury/plan", get(plan_page))
        .route("/o/{slug}/treasury/subsidies", post(add_subsidy))
        .route(
            "/o/{slug}/treasury/subsidies/{id}",
            get(subsidy_page).post(edit_subsidy),
        )
        .route(
            "/o/{slug}/treasury/subsidies/{id}/status",
            post(subsidy_status_change),
        )
        .route(
            "/o/{slug}/treasury/budget",
            get(budget_page).post(save_budget),
        )
        .route("/o/{slug}/treasury/recurring", post(add_recurring))
        .route(
            "/o/{slug}/treasury/donations",
            get(donations_page).post(add_donation),
        )
        .route("/o/{slug}/treasury/donations/{id}", get(receipt_page))
        .route(
            "/o/{slug}/treasury/settings",
            get(settings_page).post(save_settings),
        )
        .route("/o/{slug}/treasury/dues", get(dues_page).post(pay_dues))
        .route("/o/{slug}/treasury/accounts", post(add_account))
        .route("/o/{slug}/treasury/bank-accounts", post(add_bank_account))
        .route("/o/{slug}/transparency", get(transparency_page))
}

/// Something holding cents, however many references templates put around it.
pub trait Amount {
    /// The cents.
    fn cents(&self) -> i64;
}

impl Amount for i64 {
    fn cents(&self) -> i64 {
        *self
    }
}

impl<T: Amount + ?Sized> Amount for &T {
    fn cents(&self) -> i64 {
        (**self).cents()
    }
}

/// An amount for people: `1 234,56 €`.
pub fn money(cents: impl Amount) -> String {
    format_display(cents.cents())
}

/// The stable name of a subsidy status.
pub fn subsidy_status(s: &SubsidyStatus) -> &'static str {
    plan::status_str(*s)
}

/// The translation key of a subsidy status (`requested`, `notified`…).
pub fn status_key(status: impl AsRef<str>) -> &'static str {
    match status.as_ref() {
        "notified" => "treasury-status-notified",
        "agreement_signed" => "treasury-status-agreement-signed",
        "paid" => "treasury-status-paid",
        _ => "treasury-status-requested",
    }
}

/// The translation key of where an opening position comes from.
pub fn source_key(source: impl AsRef<str>) -> &'static str {
    match source.as_ref() {
        "statement" => "treasury-source-statement",
        "reconciled_lines" => "treasury-source-reconciled-lines",
        "mixed" => "treasury-source-mixed",
        _ => "treasury-source-ledger",
    }
}

/// Whether an instalment is paid after the spending report (else it is an advance).
pub fn after_report(i: &Instalment) -> bool {
    i.condition == InstalmentCondition::AfterSpendingReport
}

/// Parses an amount typed in a form (`12,50`, `1 234.5`) into cents.
fn amount(field: &str, text: &str) -> Result<i64, AppError> {
    parse_amount(text).map_err(|e| AppError::invalid(field, "amount_invalid", e.to_string()))
}

/// 422 when a refused form is shown again, 200 otherwise.
fn status(failed: bool) -> StatusCode {
    if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
}

fn year_of(state: &AppState, q: &YearQuery) -> Result<i16, AppError> {
    treasury::parse_year(&state.app, q.year.as_deref())
}

/// Who is looking, and whether they may change the books.
async fn reader(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
) -> Result<(Org, bool), crate::error::PageError> {
    let user = ctx.require_user()?;
    let org = treasury::can_read(&state.app, user, slug)
        .await
        .or_page(ctx)?;
    let admin = treasury::is_treasurer(&state.app, user, slug).await;
    Ok((org, admin))
}

// ---------------------------------------------------------------- dashboard

#[derive(Template)]
#[template(path = "treasury_dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    plan: CashPlan,
    alerts: Vec<(&'static str, Option<String>)>,
    svg: String,
    form: FormState,
    notice: Option<String>,
}

const SIMPLE_FIELDS: &[&str] = &[
    "kind",
    "date",
    "label",
    "amount",
    "category",
    "treasury",
    "project",
    "piece_ref",
    "to",
];

async fn dashboard_page(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    failed: bool,
    form: FormState,
    notice: Option<String>,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let plan = plan::cash_plan(&state.app, ctx.require_user()?, slug)
        .await
        .or_page(&ctx)?;
    let alerts = [
        ("treasury-scenario-base", Scenario::Base),
        ("treasury-scenario-pessimistic", Scenario::Pessimistic),
        ("treasury-scenario-optimistic", Scenario::Optimistic),
    ]
    .into_iter()
    .map(|(key, s)| {
        let alert = plan.of(s).and_then(|f| f.alert.as_ref()).map(|a| {
            ctx.tr.f(
                "treasury-alert",
                &[
                    ("month", a.month.to_string().as_str()),
                    ("gap", money(a.gap).as_str()),
                ],
            )
        });
        (key, alert)
    })
    .collect();
    let svg = plan.svg();
    let status = status(failed);
    Ok(render_with_status(
        status,
        &DashboardPage {
            ctx,
            org,
            admin,
            plan,
            alerts,
            svg,
            form,
            notice,
        },
    ))
}

async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let form = FormState::new(SIMPLE_FIELDS)
        .with("kind", "income")
        .with("treasury", "512")
        .with("date", treasury::today(&state.app).to_string());
    dashboard_page(&state, ctx, &slug, false, form, None).await
}

#[derive(serde::Deserialize, Default)]
struct SimpleForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    treasury: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    piece_ref: String,
}

/// The signed-in visitor, if they may change the books: settled before a form is read,
/// so that someone who may not is told so, not what is wrong with the input.
async fn treasurer(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
) -> Result<fabrique_app::Actor, crate::error::PageError> {
    let user = ctx.require_user()?.clone();
    treasury::can_write(&state.app, &user, slug)
        .await
        .or_page(ctx)?;
    Ok(user)
}

async fn simple_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<SimpleForm>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let result = match amount("amount", &f.amount) {
        Ok(cents) => {
            let input = SimpleInput {
                kind: f.kind.clone(),
                date: f.date.clone(),
                label: f.label.clone(),
                amount: cents,
                category: f.category.clone(),
                treasury: f.treasury.clone(),
                piece_ref: f.piece_ref.clone(),
                project: Some(f.project.clone()),
            };
            ledger::simple(&state.app, &user, &slug, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => Ok(Redirect::to(&format!("/o/{slug}/treasury/entries/{}", e.id)).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(SIMPLE_FIELDS)
                .with("kind", f.kind)
                .with("date", f.date)
                .with("label", f.label)
                .with("amount", f.amount)
                .with("category", f.category)
                .with("treasury", f.treasury)
                .with("project", f.project)
                .with("piece_ref", f.piece_ref)
                .failed(&ctx, &e);
            dashboard_page(&state, ctx, &slug, true, form, None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

// ---------------------------------------------------------------- entries

/// Rows of the expert form.
const LINES: usize = 6;

#[derive(Template)]
#[template(path = "treasury_entries.html")]
struct EntriesPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    year: i16,
    entries: Vec<EntryView>,
    form: FormState,
    rows: Vec<usize>,
    accounts: Vec<AccountView>,
}

async fn entries_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    failed: bool,
    year: i16,
    form: FormState,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let entries = ledger::list(&state.app, user, slug, Some(year))
        .await
        .or_page(&ctx)?;
    let accounts = treasury::accounts(&state.app, user, slug)
        .await
        .or_page(&ctx)?;
    let status = status(failed);
    Ok(render_with_status(
        status,
        &EntriesPage {
            ctx,
            org,
            admin,
            year,
            entries,
            form,
            rows: (0..LINES).collect(),
            accounts,
        },
    ))
}

async fn entries_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &q).or_page(&ctx)?;
    let form = FormState::new(&["journal", "date", "label", "piece_ref", "lines"])
        .with("journal", "OD")
        .with("date", treasury::today(&state.app).to_string());
    entries_view(&state, ctx, &slug, false, year, form).await
}

fn expert_input(f: &HashMap<String, String>) -> Result<NewEntry, AppError> {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("").trim();
    let mut lines = Vec::new();
    for i in 0..LINES {
        let account = get(&format!("account_{i}"));
        let (d, c) = (get(&format!("debit_{i}")), get(&format!("credit_{i}")));
        if account.is_empty() && d.is_empty() && c.is_empty() {
            continue;
        }
        let n = lines.len();
        let cents = |field: &str, t: &str| {
            if t.is_empty() {
                Ok(0)
            } else {
                amount(&format!("lines[{n}].{field}"), t)
            }
        };
        lines.push(LineInput {
            account: account.to_owned(),
            debit: cents("debit", d)?,
            credit: cents("debit", c)?,
            label: String::new(),
            project: Some(get(&format!("project_{i}")).to_owned()),
        });
    }
    Ok(NewEntry {
        journal: get("journal").to_owned(),
        date: get("date").to_owned(),
        label: get("label").to_owned(),
        piece_ref: get("piece_ref").to_owned(),
        lines,
        validate: get("validate") == "1",
    })
}

async fn create_entry(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let result = match expert_input(&f) {
        Ok(input) => ledger::create(&state.app, &user, &slug, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => Ok(Redirect::to(&format!("/o/{slug}/treasury/entries/{}", e.id)).into_response()),
        Err(e) if is_form_error(&e) => {
            // Errors on line n (as sent) show on the row the treasurer typed them in.
            let form =
                FormState::submitted(&["journal", "date", "label", "piece_ref", "lines"], &f)
                    .failed(&ctx, &e);
            let year =
                treasury::parse_date("date", f.get("date").map(String::as_str).unwrap_or(""))
                    .map(|d| d.year())
                    .unwrap_or_else(|_| treasury::today(&state.app).year());
            entries_view(&state, ctx, &slug, true, year, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "treasury_entry.html")]
struct EntryPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    entry: EntryView,
    form: FormState,
    today: String,
}

async fn entry_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    failed: bool,
    id: &str,
    form: FormState,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let entry = ledger::get(&state.app, ctx.require_user()?, slug, id)
        .await
        .or_page(&ctx)?;
    let status = status(failed);
    let today = treasury::today(&state.app).to_string();
    Ok(render_with_status(
        status,
        &EntryPage {
            ctx,
            org,
            admin,
            entry,
            form,
            today,
        },
    ))
}

async fn entry_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    entry_view(&state, ctx, &slug, false, &id, FormState::new(&["date"])).await
}

#[derive(serde::Deserialize, Default)]
struct DateForm {
    #[serde(default)]
    date: String,
}

async fn entry_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id, action)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<DateForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let app = &state.app;
    let result = match action.as_str() {
        "validate" => ledger::validate(app, &user, &slug, &id).await.map(|e| e.id),
        "reverse" => ledger::reverse(app, &user, &slug, &id, Some(&f.date))
            .await
            .map(|e| e.id),
        "delete" => ledger::delete_draft(app, &user, &slug, &id)
            .await
            .map(|()| String::new()),
        _ => Err(AppError::NotFound { what: "page" }),
    };
    match result {
        Ok(next) if next.is_empty() => {
            Ok(Redirect::to(&format!("/o/{slug}/treasury/entries")).into_response())
        }
        Ok(next) => Ok(Redirect::to(&format!("/o/{slug}/treasury/entries/{next}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["date"])
                .with("date", f.date)
                .failed(&ctx, &e);
            entry_view(&state, ctx, &slug, true, &id, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

// ---------------------------------------------------------------- reports

#[derive(Template)]
#[template(path = "treasury_reports.html")]
struct ReportsPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    year: i16,
    trial: ledger::TrialBalance,
    income: IncomeStatement,
    sheet: BalanceSheet,
    closed: bool,
    /// For a closed year: whether its hash chain still matches the stored entries.
    intact: Option<bool>,
    budget: Vec<fabrique_treasury::reports::BudgetRow>,
    /// Earmarked funds (fonds dédiés) of the year.
    funds: Vec<fabrique_treasury::dedicated::DedicatedFund>,
    form: FormState,
}

async fn reports_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    failed: bool,
    year: i16,
    form: FormState,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let app = &state.app;
    let trial = ledger::trial_balance(app, user, slug, year)
        .await
        .or_page(&ctx)?;
    let income = ledger::income_statement(app, user, slug, year)
        .await
        .or_page(&ctx)?;
    let sheet = ledger::balance_sheet(app, user, slug, year)
        .await
        .or_page(&ctx)?;
    let closed = ledger::closed_years(app, &org.id)
        .await
        .or_page(&ctx)?
        .contains(&year);
    let budget = ledger::budget(app, user, slug, year).await.or_page(&ctx)?;
    let funds = ledger::dedicated_funds_of(app, user, slug, year)
        .await
        .or_page(&ctx)?;
    let intact = if closed {
        Some(
            ledger::verify(app, user, slug, year)
                .await
                .or_page(&ctx)?
                .intact,
        )
    } else {
        None
    };
    let status = status(failed);
    Ok(render_with_status(
        status,
        &ReportsPage {
            ctx,
            org,
            admin,
            year,
            trial,
            income,
            sheet,
            closed,
            intact,
            budget,
            funds,
            form,
        },
    ))
}

async fn reports_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &q).or_page(&ctx)?;
    reports_view(&state, ctx, &slug, false, year, FormState::new(&[])).await
}

async fn close_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, year)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let year = treasury::parse_year(&state.app, Some(&year)).or_page(&ctx)?;
    match ledger::close(&state.app, &user, &slug, year).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/o/{slug}/treasury/reports?year={year}")).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&[]).failed(&ctx, &e);
            reports_view(&state, ctx, &slug, true, year, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// Earmarked funds at year end: `use` records the use of the funds carried in from
/// earlier years (19x → 789x), `carry-over` carries the unspent part (689x → 19x).
async fn funds_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, year, action)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let year = treasury::parse_year(&state.app, Some(&year)).or_page(&ctx)?;
    let done = match action.as_str() {
        "use" => ledger::use_funds(&state.app, &user, &slug, year).await,
        "carry-over" => ledger::carry_over_funds(&state.app, &user, &slug, year).await,
        _ => return Err(ctx.fail(fabrique_app::AppError::NotFound { what: "action" })),
    };
    match done {
        Ok(entry) => {
            Ok(Redirect::to(&format!("/o/{slug}/treasury/entries/{}", entry.id)).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&[]).failed(&ctx, &e);
            reports_view(&state, ctx, &slug, true, year, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

// ---------------------------------------------------------------- import and reconciliation

#[derive(Template)]
#[template(path = "treasury_import.html")]
struct ImportPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    bank_accounts: Vec<BankAccount>,
    lines: Vec<BankLineView>,
    outcome: Option<ImportOutcome>,
    form: FormState,
}

async fn import_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    failed: bool,
    form: FormState,
    outcome: Option<ImportOutcome>,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let bank_accounts = bank::bank_accounts(&state.app, user, slug)
        .await
        .or_page(&ctx)?;
    let lines = bank::reconciliation(&state.app, user, slug)
        .await
        .or_page(&ctx)?;
    let status = status(failed);
    Ok(render_with_status(
        status,
        &ImportPage {
            ctx,
            org,
            admin,
            bank_accounts,
            lines,
            outcome,
            form,
        },
    ))
}

async fn import_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    import_view(
        &state,
        ctx,
        &slug,
        false,
        FormState::new(&["file", "bank_account"]),
        None,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
struct ImportForm {
    #[serde(default)]
    file: String,
    #[serde(default)]
    bank_account: String,
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<ImportForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let account = Some(f.bank_account.as_str()).filter(|a| !a.is_empty());
    match bank::import(&state.app, &user, &slug, f.file.as_bytes(), account).await {
        Ok(outcome) => {
            let form =
                FormState::new(&["file", "bank_account"]).with("bank_account", f.bank_account);
            import_view(&state, ctx, &slug, false, form, Some(outcome)).await
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["file", "bank_account"])
                .with("file", f.file)
                .with("bank_account", f.bank_account)
                .failed(&ctx, &e);
            import_view(&state, ctx, &slug, true, form, None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// The same import with the file picked on the device (multipart form). The CSRF token
/// travels as a form field, checked against the cookie as `CsrfForm` does.
async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let (mut csrf, mut account, mut file) = (String::new(), String::new(), Vec::new());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(ctx.fail(AppError::invalid(
                    "file",
                    "form_malformed",
                    format!("the form could not be read: {e}"),
                )));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| {
            ctx.fail(AppError::invalid(
                "file",
                "form_malformed",
                format!("the file could not be read: {e}"),
            ))
        })?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "bank_account" => account = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes.to_vec(),
            _ => {}
        }
    }
    let had_cookie = crate::session::cookie(&headers, crate::session::CSRF_COOKIE).is_some();
    if !had_cookie || !fabrique_core::ids::constant_time_eq(&csrf, &ctx.csrf) {
        return Err(ctx.fail(AppError::Forbidden {
            code: "csrf_invalid",
            message: "this form has expired or did not come from this site; go back, reload the page and try again".into(),
        }));
    }
    let target = Some(account.as_str()).filter(|a| !a.is_empty());
    match bank::import(&state.app, &user, &slug, &file, target).await {
        Ok(outcome) => {
            let form = FormState::new(&["file", "bank_account"]).with("bank_account", account);
            import_view(&state, ctx, &slug, false, form, Some(outcome)).await
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["file", "bank_account"])
                .with("bank_account", account)
                .failed(&ctx, &e);
            import_view(&state, ctx, &slug, true, form, None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(serde::Deserialize, Default)]
struct ReconcileForm {
    #[serde(default)]
    entry_line_id: String,
    #[serde(default)]
    category: String,
}

async fn reconcile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<ReconcileForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = Reconcile {
        entry_line_id: Some(f.entry_line_id).filter(|s| !s.is_empty()),
        category: Some(f.category).filter(|s| !s.is_empty()),
        project: None,
    };
    match bank::reconcile_line(&state.app, &user, &slug, &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury/import#line-{id}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&["file", "bank_account"]).failed(&ctx, &e);
            import_view(&state, ctx, &slug, true, form, None).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

// ---------------------------------------------------------------- subsidies, recurring, plan

#[derive(Template)]
#[template(path = "treasury_plan.html")]
struct PlanPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    plan: CashPlan,
    subsidies: Vec<SubsidyView>,
    recurring: Vec<RecurringView>,
    sub_form: FormState,
    rec_form: FormState,
    rows: Vec<usize>,
}

/// Instalment rows of the subsidy form (blank ones are ignored).
const INSTALMENT_ROWS: usize = 6;

const SUB_FIELDS: &[&str] = &[
    "funder",
    "amount",
    "status",
    "probability",
    "delay",
    "project",
    "instalments",
    "instalments[0].share",
    "instalments[0].expected_date",
    "instalments[0].condition",
    "instalments[0].received",
    "instalments[1].share",
    "instalments[1].expected_date",
    "instalments[1].condition",
    "instalments[1].received",
    "instalments[2].share",
    "instalments[2].expected_date",
    "instalments[2].condition",
    "instalments[2].received",
    "instalments[3].share",
    "instalments[3].expected_date",
    "instalments[3].condition",
    "instalments[3].received",
    "instalments[4].share",
    "instalments[4].expected_date",
    "instalments[4].condition",
    "instalments[4].received",
    "instalments[5].share",
    "instalments[5].expected_date",
    "instalments[5].condition",
    "instalments[5].received",
];
const REC_FIELDS: &[&str] = &["label", "amount", "start", "every_months", "probability"];

async fn plan_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    failed: bool,
    sub_form: FormState,
    rec_form: FormState,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let app = &state.app;
    let plan = plan::cash_plan(app, user, slug).await.or_page(&ctx)?;
    let subsidies = plan::subsidies(app, user, slug).await.or_page(&ctx)?;
    let recurring = plan::recurring(app, user, slug).await.or_page(&ctx)?;
    let status = status(failed);
    Ok(render_with_status(
        status,
        &PlanPage {
            ctx,
            org,
            admin,
            plan,
            subsidies,
            recurring,
            sub_form,
            rec_form,
            rows: (0..INSTALMENT_ROWS).collect(),
        },
    ))
}

fn sub_form_default() -> FormState {
    FormState::new(SUB_FIELDS)
        .with("probability", "100")
        .with("delay", "0")
        .with("status", "requested")
        .with("instalments[0].share", "100 %")
}

fn rec_form_default() -> FormState {
    FormState::new(REC_FIELDS)
        .with("every_months", "1")
        .with("probability", "100")
}

async fn plan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    plan_view(
        &state,
        ctx,
        &slug,
        false,
        sub_form_default(),
        rec_form_default(),
    )
    .await
}

fn number<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, AppError> {
    text.trim().parse().map_err(|_| {
        AppError::invalid(
            field,
            "number_invalid",
            format!("“{}” is not a number", text.trim()),
        )
    })
}

/// An instalment's share as typed: `40 %` (a percentage) or an amount in euros.
fn share_of(field: &str, text: &str) -> Result<InstalmentShare, AppError> {
    match text.trim().strip_suffix('%') {
        Some(p) => Ok(InstalmentShare::Percent(number(field, p)?)),
        None => Ok(InstalmentShare::Amount(amount(field, text)?)),
    }
}

/// An error about the `k`-th item of a list sent without its blank rows, moved to the row
/// of the form it came from (`rows[k]`), so it shows next to the right field.
fn at_row(e: AppError, prefix: &str, rows: &[usize]) -> AppError {
    let moved = |f: fabrique_core::FieldError| {
        let rest = f
            .field
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('['));
        let Some((k, tail)) = rest.and_then(|r| r.split_once(']')) else {
            return f;
        };
        match k.parse::<usize>().ok().and_then(|k| rows.get(k)) {
            Some(row) => {
                let field = format!("{prefix}[{row}]{tail}");
                f.at(field)
            }
            None => f,
        }
    };
    match e {
        AppError::Invalid(f) => AppError::Invalid(moved(f)),
        AppError::Conflict(f) => AppError::Conflict(moved(f)),
        other => other,
    }
}

/// The subsidy typed in the form, and which form row each instalment came from.
fn subsidy_of(f: &HashMap<String, String>) -> Result<(Subsidy, Vec<usize>), AppError> {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let status: SubsidyStatus =
        serde_json::from_value(serde_json::Value::String(get("status").to_owned()))
            .map_err(|_| AppError::invalid("status", "choice_invalid", "choose a status"))?;
    let mut instalments = Vec::new();
    let mut rows = Vec::new();
    for i in 0..INSTALMENT_ROWS {
        let field = |name: &str| format!("instalments[{i}].{name}");
        let (share, date) = (get(&field("share")), get(&field("expected_date")));
        if share.trim().is_empty() && date.trim().is_empty() {
            continue;
        }
        instalments.push(Instalment {
            share: share_of(&field("share"), share)?,
            expected_date: treasury::parse_date(&field("expected_date"), date)?,
            condition: if get(&field("condition")) == "after_spending_report" {
                InstalmentCondition::AfterSpendingReport
            } else {
                InstalmentCondition::Advance
            },
            received: f.contains_key(&field("received")),
        });
        rows.push(i);
    }
    let subsidy = Subsidy {
        funder: get("funder").to_owned(),
        amount: amount("amount", get("amount"))?,
        status,
        instalments,
        probability: number("probability", get("probability"))?,
        expected_delay_days: number("delay", get("delay"))?,
        project: Some(get("project").trim().to_owned()).filter(|p| !p.is_empty()),
    };
    Ok((subsidy, rows))
}

/// The form filled with a stored subsidy.
fn subsidy_form(s: &Subsidy) -> FormState {
    let mut form = FormState::new(SUB_FIELDS)
        .with("funder", s.funder.clone())
        .with("amount", format_input(s.amount))
        .with("status", plan::status_str(s.status))
        .with("probability", s.probability.to_string())
        .with("delay", s.expected_delay_days.to_string())
        .with("project", s.project.clone().unwrap_or_default());
    for (i, inst) in s.instalments.iter().enumerate().take(INSTALMENT_ROWS) {
        let field = |name: &str| format!("instalments[{i}].{name}");
        form = form
            .with(
                &field("share"),
                match inst.share {
                    InstalmentShare::Percent(p) => format!("{p} %"),
                    InstalmentShare::Amount(a) => format_input(a),
                },
            )
            .with(&field("expected_date"), inst.expected_date.to_string())
            .with(
                &field("condition"),
                match inst.condition {
                    InstalmentCondition::Advance => "advance",
                    InstalmentCondition::AfterSpendingReport => "after_spending_report",
                },
            );
        if inst.received {
            form = form.with(&field("received"), "1");
        }
    }
    form
}

/// Cents as typed in a form: `1234,50`.
fn format_input(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", (cents / 100).abs(), (cents % 100).abs())
}

async fn add_subsidy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let result = match subsidy_of(&f) {
        Ok((s, rows)) => plan::add_subsidy(&state.app, &user, &slug, &s)
            .await
            .map_err(|e| at_row(e, "instalments", &rows)),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury/plan")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::submitted(SUB_FIELDS, &f).failed(&ctx, &e);
            plan_view(&state, ctx, &slug, true, form, rec_form_default()).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "treasury_subsidy.html")]
struct SubsidyPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    subsidy: SubsidyView,
    sub_form: FormState,
    rows: Vec<usize>,
}

async fn subsidy_view(
    state: &AppState,
    ctx: Ctx,
    (slug, id): (&str, &str),
    failed: bool,
    form: Option<FormState>,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let subsidy = plan::subsidy(&state.app, user, slug, id)
        .await
        .or_page(&ctx)?;
    let sub_form = form.unwrap_or_else(|| subsidy_form(&subsidy.subsidy));
    Ok(render_with_status(
        status(failed),
        &SubsidyPage {
            ctx,
            org,
            admin,
            subsidy,
            sub_form,
            rows: (0..INSTALMENT_ROWS).collect(),
        },
    ))
}

async fn subsidy_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    subsidy_view(&state, ctx, (&slug, &id), false, None).await
}

async fn edit_subsidy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let result = match subsidy_of(&f) {
        Ok((s, rows)) => plan::update_subsidy(&state.app, &user, &slug, &id, &s)
            .await
            .map_err(|e| at_row(e, "instalments", &rows)),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury/plan")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::submitted(SUB_FIELDS, &f).failed(&ctx, &e);
            subsidy_view(&state, ctx, (&slug, &id), true, Some(form)).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// The status of a subsidy changed from the plan's list (notified, agreement signed, paid).
async fn subsidy_status_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let app = &state.app;
    let result = async {
        let mut s = plan::subsidy(app, &user, &slug, &id).await?.subsidy;
        s.status = serde_json::from_value(serde_json::Value::String(
            f.get("status").cloned().unwrap_or_default(),
        ))
        .map_err(|_| AppError::invalid("status", "choice_invalid", "choose a status"))?;
        plan::update_subsidy(app, &user, &slug, &id, &s).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury/plan")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(SUB_FIELDS).failed(&ctx, &e);
            subsidy_view(&state, ctx, (&slug, &id), true, Some(form)).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

// ---------------------------------------------------------------- budget

/// Budget rows the form offers beyond the stored ones.
const BUDGET_BLANK_ROWS: usize = 5;
/// At most this many budget rows in the form.
const BUDGET_MAX_ROWS: usize = 60;

/// `[i].account` and `[i].amount` for every row the budget form can have.
static BUDGET_FIELDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    (0..BUDGET_MAX_ROWS)
        .flat_map(|i| [format!("[{i}].account"), format!("[{i}].amount")])
        .map(|f| &*Box::leak(f.into_boxed_str()))
        .collect()
});

#[derive(Template)]
#[template(path = "treasury_budget.html")]
struct BudgetPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    year: i16,
    budget: Vec<fabrique_treasury::reports::BudgetRow>,
    form: FormState,
    rows: Vec<usize>,
}

fn budget_fields() -> &'static [&'static str] {
    BUDGET_FIELDS.as_slice()
}

async fn budget_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    year: i16,
    form: Option<(FormState, usize)>,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let budget = ledger::budget(&state.app, user, slug, year)
        .await
        .or_page(&ctx)?;
    let failed = form.is_some();
    let (form, count) = form.unwrap_or_else(|| {
        let mut form = FormState::new(budget_fields());
        for (i, b) in budget.iter().enumerate() {
            form = form
                .with(&format!("[{i}].account"), b.account.clone())
                .with(&format!("[{i}].amount"), format_input(b.budget));
        }
        (form, budget.len())
    });
    let rows = (0..(count + BUDGET_BLANK_ROWS).min(BUDGET_MAX_ROWS)).collect();
    Ok(render_with_status(
        status(failed),
        &BudgetPage {
            ctx,
            org,
            admin,
            year,
            budget,
            form,
            rows,
        },
    ))
}

async fn budget_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &q).map_err(|e| ctx.fail(e))?;
    budget_view(&state, ctx, &slug, year, None).await
}

/// The budget typed in the form (rows without an account are left out), and which row
/// each line came from.
fn budget_of(
    f: &HashMap<String, String>,
) -> Result<(Vec<fabrique_treasury::reports::BudgetLine>, Vec<usize>), AppError> {
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for i in 0..BUDGET_MAX_ROWS {
        let get = |k: &str| f.get(&format!("[{i}].{k}")).map(|v| v.trim()).unwrap_or("");
        if get("account").is_empty() && get("amount").is_empty() {
            continue;
        }
        lines.push(fabrique_treasury::reports::BudgetLine {
            account: get("account").to_uppercase(),
            amount: amount(&format!("[{i}].amount"), get("amount"))?,
        });
        rows.push(i);
    }
    Ok((lines, rows))
}

async fn save_budget(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let year = treasury::parse_year(&state.app, f.get("year").map(String::as_str))
        .map_err(|e| ctx.fail(e))?;
    let result = match budget_of(&f) {
        Ok((lines, rows)) => ledger::put_budget(&state.app, &user, &slug, year, &lines)
            .await
            .map_err(|e| at_row(e, "", &rows)),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/o/{slug}/treasury/budget?year={year}")).into_response())
        }
        Err(e) if is_form_error(&e) => {
            // As many rows as were filled in, so nothing typed is lost.
            let count = (0..BUDGET_MAX_ROWS)
                .rev()
                .find(|i| {
                    ["account", "amount"].iter().any(|k| {
                        f.get(&format!("[{i}].{k}"))
                            .is_some_and(|v| !v.trim().is_empty())
                    })
                })
                .map_or(0, |i| i + 1);
            let form = FormState::submitted(budget_fields(), &f).failed(&ctx, &e);
            budget_view(&state, ctx, &slug, year, Some((form, count))).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

fn recurring_of(f: &HashMap<String, String>) -> Result<RecurringInput, AppError> {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let cents = amount("amount", get("amount"))?;
    Ok(RecurringInput {
        label: get("label").to_owned(),
        amount: if get("direction") == "out" {
            -cents.abs()
        } else {
            cents.abs()
        },
        start: get("start").to_owned(),
        every_months: number("every_months", get("every_months"))?,
        end: None,
        probability: number("probability", get("probability"))?,
    })
}

async fn add_recurring(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let result = match recurring_of(&f) {
        Ok(r) => plan::add_recurring(&state.app, &user, &slug, &r).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury/plan")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::submitted(REC_FIELDS, &f).failed(&ctx, &e);
            plan_view(&state, ctx, &slug, true, sub_form_default(), form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

// ---------------------------------------------------------------- donations and receipts

#[derive(Template)]
#[template(path = "treasury_donations.html")]
struct DonationsPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    donations: Vec<Donation>,
    form: FormState,
}

const DONATION_FIELDS: &[&str] = &[
    "donor_name",
    "donor_address",
    "amount",
    "date",
    "payment",
    "treasury",
];

async fn donations_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    failed: bool,
    form: FormState,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let donations = donations::list(&state.app, ctx.require_user()?, slug)
        .await
        .or_page(&ctx)?;
    let status = status(failed);
    Ok(render_with_status(
        status,
        &DonationsPage {
            ctx,
            org,
            admin,
            donations,
            form,
        },
    ))
}

async fn donations_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let form = FormState::new(DONATION_FIELDS)
        .with("date", treasury::today(&state.app).to_string())
        .with("payment", "transfer_or_card")
        .with("treasury", "512");
    donations_view(&state, ctx, &slug, false, form).await
}

async fn add_donation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let result = match amount("amount", &get("amount")) {
        Ok(cents) => {
            let input = NewDonation {
                donor_name: get("donor_name"),
                donor_address: get("donor_address"),
                amount: cents,
                date: get("date"),
                form: None,
                nature: None,
                payment: Some(get("payment")),
                treasury: Some(get("treasury")),
            };
            donations::create(&state.app, &user, &slug, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => {
            Ok(Redirect::to(&format!("/o/{slug}/treasury/donations/{}", d.id)).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::submitted(DONATION_FIELDS, &f).failed(&ctx, &e);
            donations_view(&state, ctx, &slug, true, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[derive(Template)]
#[template(path = "treasury_receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    org: Org,
    donation: Donation,
    receipt_html: String,
}

async fn receipt_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> PageResult {
    let (org, _) = reader(&state, &ctx, &slug).await?;
    let donation = donations::get(&state.app, ctx.require_user()?, &slug, &id)
        .await
        .or_page(&ctx)?;
    // The domain renders the cerfa content with every value escaped.
    let receipt_html = donation.receipt.render_html();
    Ok(render(&ReceiptPage {
        ctx,
        org,
        donation,
        receipt_html,
    }))
}

// ---------------------------------------------------------------- settings

#[derive(Template)]
#[template(path = "treasury_settings.html")]
struct SettingsPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    form: FormState,
    transparency: bool,
    own_accounts: Vec<AccountView>,
    bank_accounts: Vec<BankAccount>,
    account_form: FormState,
}

const SETTINGS_FIELDS: &[&str] = &[
    "siren",
    "rna",
    "address",
    "purpose",
    "place",
    "signatory_name",
    "signatory_role",
    "alert_threshold",
    "dues_amount",
];

async fn settings_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    form: Option<(FormState, bool)>,
    account_form: FormState,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let failed = form.is_some() || account_form.general_error().is_some();
    let (form, transparency) = match form {
        Some(f) => f,
        None => {
            let s = plan::settings(&state.app, user, slug).await.or_page(&ctx)?;
            let form = FormState::new(SETTINGS_FIELDS)
                .with("siren", s.siren.unwrap_or_default())
                .with("rna", s.rna.unwrap_or_default())
                .with("address", s.address)
                .with("purpose", s.purpose)
                .with("place", s.place)
                .with("signatory_name", s.signatory_name)
                .with("signatory_role", s.signatory_role)
                .with(
                    "alert_threshold",
                    fabrique_treasury::amount::format_fec(s.alert_threshold),
                )
                .with(
                    "dues_amount",
                    fabrique_treasury::amount::format_fec(s.dues_amount),
                );
            (form, s.transparency)
        }
    };
    let own_accounts = treasury::accounts(&state.app, user, slug)
        .await
        .or_page(&ctx)?
        .into_iter()
        .filter(|a| a.own)
        .collect();
    let bank_accounts = bank::bank_accounts(&state.app, user, slug)
        .await
        .or_page(&ctx)?;
    Ok(render_with_status(
        status(failed),
        &SettingsPage {
            ctx,
            org,
            admin,
            form,
            transparency,
            own_accounts,
            bank_accounts,
            account_form,
        },
    ))
}

async fn settings_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    settings_view(&state, ctx, &slug, None, FormState::new(&[])).await
}

#[derive(serde::Deserialize, Default)]
struct AccountForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    label: String,
}

async fn add_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<AccountForm>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let input = treasury::NewAccount {
        number: f.number,
        label: f.label,
    };
    match treasury::add_account(&state.app, &user, &slug, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury/settings#accounts")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&[]).failed(&ctx, &e);
            settings_view(&state, ctx, &slug, None, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// The CSV column mapping typed on the settings page (columns counted from 1, as people
/// count them); `None` when no date column is given.
fn csv_mapping_of(f: &HashMap<String, String>) -> Result<Option<CsvMapping>, AppError> {
    let get = |k: &str| f.get(k).map(|v| v.trim()).unwrap_or("");
    if get("csv_date").is_empty() {
        return Ok(None);
    }
    let column = |k: &str| -> Result<usize, AppError> {
        let n: usize = number(k, get(k))?;
        n.checked_sub(1)
            .ok_or_else(|| AppError::invalid(k, "number_invalid", "columns are counted from 1"))
    };
    let amount = if get("csv_amount").is_empty() {
        AmountColumns::DebitCredit {
            debit: column("csv_debit")?,
            credit: column("csv_credit")?,
        }
    } else {
        AmountColumns::Single {
            column: column("csv_amount")?,
        }
    };
    Ok(Some(CsvMapping {
        separator: get("csv_separator").chars().next().unwrap_or(';'),
        skip_rows: if get("csv_skip").is_empty() {
            0
        } else {
            number("csv_skip", get("csv_skip"))?
        },
        date_column: column("csv_date")?,
        date_format: match get("csv_date_format") {
            "" => "%d/%m/%Y".to_owned(),
            other => other.to_owned(),
        },
        amount,
        label_columns: vec![column("csv_label")?],
        reference_column: None,
        id_column: None,
        decimal_comma: get("csv_decimal") != "point",
    }))
}

async fn add_bank_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = ctx.require_user()?.clone();
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let result = match csv_mapping_of(&f) {
        Ok(csv_mapping) => {
            let input = bank::NewBankAccount {
                account: get("number"),
                name: get("label"),
                csv_mapping,
            };
            bank::save_bank_account(&state.app, &user, &slug, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury/settings#banks")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&[]).failed(&ctx, &e);
            settings_view(&state, ctx, &slug, None, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let opt = |k: &str| Some(get(k)).filter(|v| !v.trim().is_empty());
    let amounts = amount("alert_threshold", &get("alert_threshold")).and_then(|t| {
        let fee = get("dues_amount");
        let fee = if fee.trim().is_empty() {
            Ok(0)
        } else {
            amount("dues_amount", &fee)
        };
        Ok((t, fee?))
    });
    let result = match amounts {
        Ok((threshold, dues_amount)) => {
            let input = Settings {
                siren: opt("siren"),
                rna: opt("rna"),
                address: get("address"),
                purpose: get("purpose"),
                place: get("place"),
                signatory_name: get("signatory_name"),
                signatory_role: get("signatory_role"),
                alert_threshold: threshold,
                transparency: get("transparency") == "1",
                dues_amount,
            };
            plan::save_settings(&state.app, &user, &slug, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/o/{slug}/treasury")).into_response()),
        Err(e) if is_form_error(&e) => {
            let form = FormState::submitted(SETTINGS_FIELDS, &f).failed(&ctx, &e);
            let transparency = get("transparency") == "1";
            settings_view(
                &state,
                ctx,
                &slug,
                Some((form, transparency)),
                FormState::new(&[]),
            )
            .await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

// ---------------------------------------------------------------- transparency

#[derive(Template)]
#[template(path = "treasury_transparency.html")]
struct TransparencyPage {
    ctx: Ctx,
    org: Org,
    years: Vec<TransparencyYear>,
}

async fn transparency_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> PageResult {
    let (org, years) = plan::transparency(&state.app, &slug).await.or_page(&ctx)?;
    Ok(render(&TransparencyPage { ctx, org, years }))
}

// ---------------------------------------------------------------- dues

#[derive(Template)]
#[template(path = "treasury_dues.html")]
struct DuesPage {
    ctx: Ctx,
    org: Org,
    admin: bool,
    period: String,
    rows: Vec<DuesRow>,
    fee: String,
    today: String,
    form: FormState,
}

#[derive(serde::Deserialize, Default)]
struct PeriodQuery {
    period: Option<String>,
}

async fn dues_view(
    state: &AppState,
    ctx: Ctx,
    slug: &str,
    period: String,
    form: FormState,
) -> PageResult {
    let (org, admin) = reader(state, &ctx, slug).await?;
    let user = ctx.require_user()?;
    let rows = dues::status(&state.app, user, slug, &period)
        .await
        .or_page(&ctx)?;
    let settings = plan::settings(&state.app, user, slug).await.or_page(&ctx)?;
    let failed = form.general_error().is_some();
    Ok(render_with_status(
        status(failed),
        &DuesPage {
            ctx,
            org,
            admin,
            period,
            rows,
            fee: fabrique_treasury::amount::format_fec(settings.dues_amount),
            today: treasury::today(&state.app).to_string(),
            form,
        },
    ))
}

async fn dues_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let period = q
        .period
        .unwrap_or_else(|| treasury::today(&state.app).year().to_string());
    dues_view(&state, ctx, &slug, period, FormState::new(&[])).await
}

async fn pay_dues(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
    let user = treasurer(&state, &ctx, &slug).await?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let period = get("period");
    let result = match amount("amount", &get("amount")) {
        Ok(cents) => {
            let input = NewDues {
                member_id: get("member_id"),
                period: period.clone(),
                amount: Some(cents),
                date: get("date"),
                treasury: Some(get("treasury")),
            };
            dues::record_payment(&state.app, &user, &slug, &input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/o/{slug}/treasury/dues?period={period}")).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let form = FormState::new(&[]).failed(&ctx, &e);
            dues_view(&state, ctx, &slug, period, form).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}
