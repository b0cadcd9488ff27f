//! Treasury over JSON: ledger entries, imports, reports, exports, year closing, subsidies,
//! recurring items, the cash plan and donations. Members read; administrators write.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fabrique_app::AppError;
use fabrique_app::treasury::bank::{
    self, BankAccount, BankLineView, ImportOutcome, NewBankAccount, Reconcile,
};
use fabrique_app::treasury::donations::{self, Donation, NewDonation};
use fabrique_app::treasury::dues::{self, DuesRow, NewDues};
use fabrique_app::treasury::ledger::{
    self, Closed, EntryView, NewEntry, SimpleInput, TrialBalance, Verification,
};
use fabrique_app::treasury::plan::{
    self, CashPlan, RecurringInput, RecurringView, Settings, SubsidyView, TransparencyYear,
};
use fabrique_app::treasury::{self, AccountView, NewAccount};
use fabrique_treasury::forecast::Subsidy;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::session::ApiActor;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_entries, create_entry))
        .routes(routes!(get_entry))
        .routes(routes!(validate_entry))
        .routes(routes!(reverse_entry))
        .routes(routes!(simple_entry))
        .routes(routes!(list_accounts, add_account))
        .routes(routes!(list_bank_accounts, save_bank_account))
        .routes(routes!(import))
        .routes(routes!(reconciliation))
        .routes(routes!(reconcile_line))
        .routes(routes!(trial_balance))
        .routes(routes!(report))
        .routes(routes!(export))
        .routes(routes!(close_year))
        .routes(routes!(verify_year))
        .routes(routes!(carry_over_funds))
        .routes(routes!(use_funds))
        .routes(routes!(put_budget))
        .routes(routes!(list_subsidies, add_subsidy))
        .routes(routes!(get_subsidy, update_subsidy))
        .routes(routes!(list_recurring, add_recurring))
        .routes(routes!(forecast))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_donations, create_donation))
        .routes(routes!(get_donation))
        .routes(routes!(transparency))
        .routes(routes!(list_dues, pay_dues))
}

/// A year in the query string (default: the current year).
#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct YearQuery {
    /// Fiscal (calendar) year.
    year: Option<String>,
    /// Export format: `fec`, `fec-latin9`, `hledger` or `csv`.
    format: Option<String>,
}

fn parse_year(state: &AppState, text: Option<&str>) -> Result<i16, AppError> {
    treasury::parse_year(&state.app, text)
}

/// The entries of a year, drafts included.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/entries", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), YearQuery),
    responses((status = 200, body = [EntryView]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_entries(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    let year = match q.year {
        Some(_) => Some(parse_year(&state, q.year.as_deref())?),
        None => None,
    };
    Ok(Json(ledger::list(&state.app, &actor, &slug, year).await?))
}

/// Creates an entry (administrators): lines with `account`, `debit`, `credit` in integer
/// cents; a draft unless `validate` is true.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/entries", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = NewEntry,
    responses((status = 201, body = EntryView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_entry(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NewEntry>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(ledger::create(&state.app, &actor, &slug, &input).await?),
    ))
}

/// One entry.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/entries/{id}", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = EntryView), (status = 404, body = ErrorBody)))]
async fn get_entry(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<EntryView>, ApiError> {
    Ok(Json(ledger::get(&state.app, &actor, &slug, &id).await?))
}

/// Validates a draft: it gets the next number of its journal and year and never changes.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/entries/{id}/validate", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = EntryView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn validate_entry(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<EntryView>, ApiError> {
    Ok(Json(
        ledger::validate(&state.app, &actor, &slug, &id).await?,
    ))
}

/// When to date a reversal.
#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
struct ReverseInput {
    /// Date `YYYY-MM-DD` (default today).
    #[serde(default)]
    date: Option<String>,
}

/// Reverses a validated entry with a new validated entry.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/entries/{id}/reverse", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = ReverseInput,
    responses((status = 201, body = EntryView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reverse_entry(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReverseInput>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(ledger::reverse(&state.app, &actor, &slug, &id, input.date.as_deref()).await?),
    ))
}

/// Records an income, an expense or a transfer, validated at once.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/simple", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = SimpleInput,
    responses((status = 201, body = EntryView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn simple_entry(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<SimpleInput>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(ledger::simple(&state.app, &actor, &slug, &input).await?),
    ))
}

/// The chart of accounts: the associations' chart and the organisation's own accounts.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/accounts", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [AccountView]), (status = 403, body = ErrorBody)))]
async fn list_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    Ok(Json(treasury::accounts(&state.app, &actor, &slug).await?))
}

/// Adds a sub-account or a third-party account.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/accounts", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = NewAccount,
    responses((status = 201, body = AccountView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(treasury::add_account(&state.app, &actor, &slug, &input).await?),
    ))
}

/// The bank accounts.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/bank-accounts", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [BankAccount]), (status = 403, body = ErrorBody)))]
async fn list_bank_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<BankAccount>>, ApiError> {
    Ok(Json(bank::bank_accounts(&state.app, &actor, &slug).await?))
}

/// Adds a bank account, or changes its name and CSV column mapping.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/bank-accounts", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = NewBankAccount,
    responses((status = 200, body = BankAccount), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_bank_account(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NewBankAccount>,
) -> Result<Json<BankAccount>, ApiError> {
    Ok(Json(
        bank::save_bank_account(&state.app, &actor, &slug, &input).await?,
    ))
}

/// Where a statement goes.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct ImportQuery {
    /// Bank account (ledger number, e.g. 5121) for a statement; default the first one.
    bank_account: Option<String>,
}

/// Imports a file sent as the request body: a FEC, or a bank statement (OFX, QIF,
/// CAMT.053, CSV with the account's mapping), format detected from the content. All or
/// nothing; re-importing creates nothing; a parse error names the line.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/imports", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ImportQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses((status = 200, body = ImportOutcome), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportOutcome>, ApiError> {
    Ok(Json(
        bank::import(&state.app, &actor, &slug, &body, q.bank_account.as_deref()).await?,
    ))
}

/// The statement lines with their reconciliation and suggestions.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/reconciliation", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [BankLineView]), (status = 403, body = ErrorBody)))]
async fn reconciliation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<BankLineView>>, ApiError> {
    Ok(Json(bank::reconciliation(&state.app, &actor, &slug).await?))
}

/// Reconciles a statement line: matches an entry line, or creates an entry from it.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/reconciliation/{id}", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = Reconcile,
    responses((status = 200, body = BankLineView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reconcile_line(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<Reconcile>,
) -> Result<Json<BankLineView>, ApiError> {
    Ok(Json(
        bank::reconcile_line(&state.app, &actor, &slug, &id, &input).await?,
    ))
}

/// The trial balance of a year; balance = debit − credit.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/trial-balance", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), YearQuery),
    responses((status = 200, body = TrialBalance), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn trial_balance(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<TrialBalance>, ApiError> {
    let year = parse_year(&state, q.year.as_deref())?;
    Ok(Json(
        ledger::trial_balance(&state.app, &actor, &slug, year).await?,
    ))
}

/// A report of the year: the income statement (with the volunteer contributions block),
/// the balance sheet, the general ledger, the journal, or the result per project.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/reports/{report}", tag = "treasury", security(("bearer" = [])),
    params(("slug" = String, Path), ("report" = String, Path, description = "`income-statement`, `balance-sheet`, `general-ledger`, `journal`, `per-project`, `dedicated-funds` or `budget`"), YearQuery),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, report)): Path<(String, String)>,
    Query(q): Query<YearQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = parse_year(&state, q.year.as_deref())?;
    Ok(Json(
        ledger::report(&state.app, &actor, &slug, year, &report).await?,
    ))
}

/// Exports a year: FEC (`<SIREN>FEC<date>.txt`, UTF-8, or ISO-8859-15 with
/// `fec-latin9`), hledger journal or CSV.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/export", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), YearQuery),
    responses((status = 200, content_type = "text/plain", body = String), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, ApiError> {
    let year = parse_year(&state, q.year.as_deref())?;
    let format = q.format.as_deref().unwrap_or("fec");
    let file = ledger::export(&state.app, &actor, &slug, year, format).await?;
    Ok(download(file))
}

/// An export as a download.
pub fn download(file: ledger::Export) -> Response {
    (
        [
            (header::CONTENT_TYPE, file.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.file_name),
            ),
        ],
        file.bytes,
    )
        .into_response()
}

/// Closes a year: closing entry, hash chain, next year's opening entries; the year is
/// locked.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/years/{year}/close", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("year" = String, Path)),
    responses((status = 200, body = Closed), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_year(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, year)): Path<(String, String)>,
) -> Result<Json<Closed>, ApiError> {
    let year = parse_year(&state, Some(&year))?;
    Ok(Json(ledger::close(&state.app, &actor, &slug, year).await?))
}

/// Records the year-end carry-over of the unspent earmarked funds (fonds dédiés, 689x/19x)
/// of the projects subsidies were given for; do it before closing the year.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/years/{year}/dedicated-funds", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("year" = String, Path)),
    responses((status = 201, body = EntryView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn carry_over_funds(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, year)): Path<(String, String)>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    let year = parse_year(&state, Some(&year))?;
    Ok((
        StatusCode::CREATED,
        Json(ledger::carry_over_funds(&state.app, &actor, &slug, year).await?),
    ))
}

/// Records the use, in a year, of the earmarked funds carried in from earlier years as
/// their projects spend them (19x debited, 789x credited, for the part spent since the
/// last use recorded).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/ledger/years/{year}/dedicated-funds/use", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("year" = String, Path)),
    responses((status = 201, body = EntryView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn use_funds(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, year)): Path<(String, String)>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    let year = parse_year(&state, Some(&year))?;
    Ok((
        StatusCode::CREATED,
        Json(ledger::use_funds(&state.app, &actor, &slug, year).await?),
    ))
}

/// Replaces the budget of a year (`[{"account": "606", "amount": 50000}, …]`, classes 6
/// and 7) and answers budget against actual; read it back with
/// `GET …/ledger/reports/budget?year=Y`.
#[utoipa::path(put, path = "/api/v1/orgs/{slug}/ledger/budget/{year}", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("year" = String, Path)), request_body = [Object],
    responses((status = 200, body = [Object]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_budget(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, year)): Path<(String, String)>,
    ApiJson(lines): ApiJson<Vec<fabrique_treasury::reports::BudgetLine>>,
) -> Result<Json<Vec<fabrique_treasury::reports::BudgetRow>>, ApiError> {
    let year = parse_year(&state, Some(&year))?;
    Ok(Json(
        ledger::put_budget(&state.app, &actor, &slug, year, &lines).await?,
    ))
}

/// Checks a closed year's hash chain against the stored entries.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/ledger/years/{year}/verify", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("year" = String, Path)),
    responses((status = 200, body = Verification), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn verify_year(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, year)): Path<(String, String)>,
) -> Result<Json<Verification>, ApiError> {
    let year = parse_year(&state, Some(&year))?;
    Ok(Json(ledger::verify(&state.app, &actor, &slug, year).await?))
}

/// The subsidies.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/subsidies", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [SubsidyView]), (status = 403, body = ErrorBody)))]
async fn list_subsidies(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<SubsidyView>>, ApiError> {
    Ok(Json(plan::subsidies(&state.app, &actor, &slug).await?))
}

/// Records a subsidy: funder, amount, status (`requested`, `notified`,
/// `agreement_signed`, `paid`), instalments (`{"share": {"percent": 60}, "expected_date":
/// "2026-06-10", "condition": "advance"}`), probability, expected delay, project.
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/subsidies", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = Object,
    responses((status = 201, body = SubsidyView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_subsidy(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<Subsidy>,
) -> Result<(StatusCode, Json<SubsidyView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(plan::add_subsidy(&state.app, &actor, &slug, &input).await?),
    ))
}

/// One subsidy.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/subsidies/{id}", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = SubsidyView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_subsidy(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<SubsidyView>, ApiError> {
    Ok(Json(plan::subsidy(&state.app, &actor, &slug, &id).await?))
}

/// Changes a subsidy (the whole subsidy, as for creating it): a new status, probability,
/// schedule or received instalments.
#[utoipa::path(put, path = "/api/v1/orgs/{slug}/subsidies/{id}", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)), request_body = Object,
    responses((status = 200, body = SubsidyView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_subsidy(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<Subsidy>,
) -> Result<Json<SubsidyView>, ApiError> {
    Ok(Json(
        plan::update_subsidy(&state.app, &actor, &slug, &id, &input).await?,
    ))
}

/// The recurring and one-off items of the cash plan.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/recurring", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [RecurringView]), (status = 403, body = ErrorBody)))]
async fn list_recurring(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<RecurringView>>, ApiError> {
    Ok(Json(plan::recurring(&state.app, &actor, &slug).await?))
}

/// Records a recurring item (`every_months` ≥ 1) or a one-off one (0).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/recurring", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = RecurringInput,
    responses((status = 201, body = RecurringView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_recurring(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<RecurringInput>,
) -> Result<(StatusCode, Json<RecurringView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(plan::add_recurring(&state.app, &actor, &slug, &input).await?),
    ))
}

/// Which scenario.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct ScenarioQuery {
    /// `base` (default), `pessimistic` or `optimistic`.
    scenario: Option<String>,
}

/// The 12-month cash plan under one scenario, with its alert. `opening` is the reconciled
/// position: `opening_source` says where it comes from (`statement`: the bank statement's
/// balance at the last reconciled line; `reconciled_lines`: the books reconciled with the
/// statement lines; `ledger`: the books' balance, nothing reconciled; `mixed`), at the end
/// of `opening_date`; `positions` gives it per bank and cash account, `balances` the
/// books' balances today.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/treasury/forecast", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ScenarioQuery),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn forecast(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<ScenarioQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let scenario = plan::parse_scenario(q.scenario.as_deref().unwrap_or("base"))?;
    let cash: CashPlan = plan::cash_plan(&state.app, &actor, &slug).await?;
    let f = cash
        .of(scenario)
        .ok_or(AppError::NotFound { what: "scenario" })?;
    Ok(Json(serde_json::json!({
        "start": cash.start,
        "threshold": cash.threshold,
        "balances": cash.balances,
        "scenario": f.scenario,
        "opening": f.opening,
        "opening_source": cash.opening_source,
        "opening_date": cash.opening_date,
        "positions": cash.positions,
        "months": f.months,
        "alert": f.alert,
    })))
}

/// The treasury settings.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/treasury/settings", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = Settings), (status = 403, body = ErrorBody)))]
async fn get_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(plan::settings(&state.app, &actor, &slug).await?))
}

/// Saves the treasury settings (SIREN/RNA, address, alert threshold, transparency page).
#[utoipa::path(put, path = "/api/v1/orgs/{slug}/treasury/settings", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = Settings,
    responses((status = 200, body = Settings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(
        plan::save_settings(&state.app, &actor, &slug, &input).await?,
    ))
}

/// The receipts issued.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/donations", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [Donation]), (status = 403, body = ErrorBody)))]
async fn list_donations(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Donation>>, ApiError> {
    Ok(Json(donations::list(&state.app, &actor, &slug).await?))
}

/// Records a donation and issues its tax receipt (next number of the year; never editable).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/donations", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = NewDonation,
    responses((status = 201, body = Donation), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_donation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NewDonation>,
) -> Result<(StatusCode, Json<Donation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(donations::create(&state.app, &actor, &slug, &input).await?),
    ))
}

/// One receipt.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/donations/{id}", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Donation), (status = 404, body = ErrorBody)))]
async fn get_donation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<Donation>, ApiError> {
    Ok(Json(donations::get(&state.app, &actor, &slug, &id).await?))
}

/// The public transparency page (when the organisation turned it on).
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/transparency", tag = "treasury", params(("slug" = String, Path)),
    responses((status = 200, body = [TransparencyYear]), (status = 404, body = ErrorBody)))]
async fn transparency(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<TransparencyYear>>, ApiError> {
    Ok(Json(plan::transparency(&state.app, &slug).await?.1))
}

/// Which period.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct PeriodQuery {
    /// A year such as `2026` (default: the current year).
    period: Option<String>,
}

/// The active members and whether they paid their dues for the period.
#[utoipa::path(get, path = "/api/v1/orgs/{slug}/dues", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path), PeriodQuery),
    responses((status = 200, body = [DuesRow]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_dues(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Vec<DuesRow>>, ApiError> {
    let period = match q.period {
        Some(p) => p,
        None => treasury::today(&state.app).year().to_string(),
    };
    Ok(Json(
        dues::status(&state.app, &actor, &slug, &period).await?,
    ))
}

/// Records a member's dues for a period (and the income entry).
#[utoipa::path(post, path = "/api/v1/orgs/{slug}/dues", tag = "treasury", security(("bearer" = [])), params(("slug" = String, Path)), request_body = NewDues,
    responses((status = 201, body = DuesRow), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pay_dues(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<NewDues>,
) -> Result<(StatusCode, Json<DuesRow>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(dues::record_payment(&state.app, &actor, &slug, &input).await?),
    ))
}
