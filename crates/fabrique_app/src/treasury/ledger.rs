//! Entries, fiscal years, closing, the hash chain, reports and exports.

use std::collections::HashMap;

use fabrique_core::ids::new_id;
use fabrique_treasury::chain;
use fabrique_treasury::chart::Chart;
use fabrique_treasury::closing::close_year as close_books;
use fabrique_treasury::ledger::{
    Entry, EntryDraft, EntryError, EntryKind, EntryNumber, FiscalYear, FormError, Journal, Line,
    Numbering, SimpleForm, chronological,
};
use fabrique_treasury::{fec, hledger, reports};
use jiff::civil::Date;
use sqlx::{AnyConnection, Row};

use super::{audit, can_read, can_write, chart, parse_date, today};
use crate::{Actor, App, AppError, AppResult};

/// A line as sent: an account and one positive side, in integer cents.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct LineInput {
    /// Account number.
    pub account: String,
    /// Debit in cents.
    #[serde(default)]
    pub debit: i64,
    /// Credit in cents.
    #[serde(default)]
    pub credit: i64,
    /// Line label.
    #[serde(default)]
    pub label: String,
    /// Analytic project.
    #[serde(default)]
    pub project: Option<String>,
}

/// A new entry (the expert form).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewEntry {
    /// Journal code: AC, VE, BQ1…, CA, OD.
    pub journal: String,
    /// Date `YYYY-MM-DD`.
    pub date: String,
    /// Label.
    pub label: String,
    /// Supporting document reference.
    #[serde(default)]
    pub piece_ref: String,
    /// Two or more lines that balance.
    pub lines: Vec<LineInput>,
    /// Validate at once (numbered and locked).
    #[serde(default)]
    pub validate: bool,
}

/// One line of a stored entry.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LineView {
    /// Account number.
    pub account: String,
    /// Account label.
    pub account_label: String,
    /// Debit in cents.
    pub debit: i64,
    /// Credit in cents.
    pub credit: i64,
    /// Line label.
    pub label: String,
    /// Analytic project.
    pub project: Option<String>,
}

/// A stored entry.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EntryView {
    /// Id.
    pub id: String,
    /// Journal code.
    pub journal: String,
    /// Fiscal year.
    pub year: i64,
    /// Number (`VE-2026-00001`) once validated.
    pub number: Option<String>,
    /// Date.
    pub date: String,
    /// Label.
    pub label: String,
    /// Supporting document reference.
    pub piece_ref: String,
    /// `standard`, `reversal`, `closing` or `opening`.
    pub kind: String,
    /// `draft` or `validated`.
    pub status: String,
    /// The entry this one reverses.
    pub reverses: Option<String>,
    /// Hash in the year's chain, once the year is closed.
    pub hash: Option<String>,
    /// Total of debits in cents.
    pub total: i64,
    /// Lines.
    pub lines: Vec<LineView>,
}

/// A stored entry with its domain form.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Row id.
    pub id: String,
    /// Validated or not.
    pub validated: bool,
    /// The entry (for a draft, its number has sequence 0).
    pub entry: Entry,
    /// Reversed entry id.
    pub reverses: Option<String>,
    /// Stored hash.
    pub hash: Option<String>,
    /// Line row ids, in order.
    pub line_ids: Vec<String>,
}

fn kind_str(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Standard => "standard",
        EntryKind::Reversal => "reversal",
        EntryKind::Closing => "closing",
        EntryKind::Opening => "opening",
    }
}

fn kind_of(s: &str) -> EntryKind {
    match s {
        "reversal" => EntryKind::Reversal,
        "closing" => EntryKind::Closing,
        "opening" => EntryKind::Opening,
        _ => EntryKind::Standard,
    }
}

impl Stored {
    /// The view sent to clients.
    pub fn view(&self, chart: &Chart) -> EntryView {
        let e = &self.entry;
        EntryView {
            id: self.id.clone(),
            journal: e.journal.code(),
            year: i64::from(e.number.year),
            number: self.validated.then(|| e.number.to_string()),
            date: e.date.to_string(),
            label: e.label.clone(),
            piece_ref: e.piece_ref.clone(),
            kind: kind_str(e.kind).into(),
            status: if self.validated { "validated" } else { "draft" }.into(),
            reverses: self.reverses.clone(),
            hash: self.hash.clone(),
            total: e.total(),
            lines: e
                .lines
                .iter()
                .map(|l| LineView {
                    account: l.account.clone(),
                    account_label: chart.label(&l.account).to_owned(),
                    debit: l.debit,
                    credit: l.credit,
                    label: l.label.clone(),
                    project: l.project.clone(),
                })
                .collect(),
        }
    }
}

/// Which entries to load.
#[derive(Debug, Clone, Copy)]
pub enum Filter<'a> {
    /// Validated entries of a year.
    Year(i16),
    /// Every entry (drafts too) of a year, or all years.
    All(Option<i16>),
    /// One entry.
    Id(&'a str),
    /// Every validated entry, all years.
    Validated,
}

/// Loads entries with their lines, in chronological order.
pub async fn load<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    conn: E,
    org_id: &str,
    filter: Filter<'_>,
) -> AppResult<Vec<Stored>> {
    let (cond, arg): (&str, Option<String>) = match filter {
        Filter::Year(y) => (
            "AND e.year = $2 AND e.status = 'validated'",
            Some(y.to_string()),
        ),
        Filter::All(Some(y)) => ("AND e.year = $2", Some(y.to_string())),
        Filter::All(None) => ("", None),
        Filter::Id(id) => ("AND e.id = $2", Some(id.to_owned())),
        Filter::Validated => ("AND e.status = 'validated'", None),
    };
    let year_arg = matches!(filter, Filter::Year(_) | Filter::All(Some(_)));
    let sql = format!(
        "SELECT e.id, e.journal, e.year, e.seq, e.entry_date, e.label, e.piece_ref, e.kind, e.status, e.valid_date, e.reverses, e.hash, \
         l.id AS line_id, l.account, l.debit, l.credit, l.label AS line_label, l.project \
         FROM treasury_entries e JOIN treasury_lines l ON l.entry_id = e.id \
         WHERE e.org_id = $1 {cond} ORDER BY e.id, l.position"
    );
    let mut q = sqlx::query(&sql).bind(org_id);
    if let Some(a) = &arg {
        q = if year_arg {
            q.bind(a.parse::<i64>().unwrap_or(0))
        } else {
            q.bind(a.clone())
        };
    }
    let rows = q.fetch_all(conn).await?;
    let mut out: Vec<Stored> = Vec::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        if out.last().is_none_or(|s| s.id != id) {
            let journal = Journal::parse(&r.try_get::<String, _>("journal")?)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
            let year = i16::try_from(r.try_get::<i64, _>("year")?).unwrap_or(0);
            let seq: Option<i64> = r.try_get("seq")?;
            let date = stored_date(&r.try_get::<String, _>("entry_date")?)?;
            let valid: Option<String> = r.try_get("valid_date")?;
            out.push(Stored {
                id: id.clone(),
                validated: r.try_get::<String, _>("status")? == "validated",
                entry: Entry {
                    number: EntryNumber {
                        journal: journal.clone(),
                        year,
                        seq: seq.and_then(|s| u32::try_from(s).ok()).unwrap_or(0),
                    },
                    journal,
                    date,
                    label: r.try_get("label")?,
                    piece_ref: r.try_get("piece_ref")?,
                    lines: vec![],
                    kind: kind_of(&r.try_get::<String, _>("kind")?),
                    valid_date: match valid {
                        Some(v) => stored_date(&v)?,
                        None => date,
                    },
                },
                reverses: r.try_get("reverses")?,
                hash: r.try_get("hash")?,
                line_ids: vec![],
            });
        }
        let s = out.last_mut().expect("pushed above");
        s.line_ids.push(r.try_get("line_id")?);
        s.entry.lines.push(Line {
            account: r.try_get("account")?,
            debit: r.try_get("debit")?,
            credit: r.try_get("credit")?,
            label: r.try_get("line_label")?,
            project: r.try_get("project")?,
        });
    }
    out.sort_by(|a, b| chronological(&a.entry, &b.entry).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

fn stored_date(text: &str) -> AppResult<Date> {
    text.parse()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored date {text}: {e}")))
}

/// The validated entries of a year, in chronological order (for reports).
pub async fn year_entries(app: &App, org_id: &str, year: i16) -> AppResult<Vec<Entry>> {
    Ok(load(&app.db.read, org_id, Filter::Year(year))
        .await?
        .into_iter()
        .map(|s| s.entry)
        .collect())
}

/// Whether a year is closed.
pub async fn is_closed(conn: &mut AnyConnection, org_id: &str, year: i16) -> AppResult<bool> {
    let row = sqlx::query(
        "SELECT closed_at FROM treasury_years WHERE org_id = $1 AND year = $2 AND closed_at IS NOT NULL",
    )
    .bind(org_id)
    .bind(i64::from(year))
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

fn year_locked(year: i16) -> AppError {
    AppError::invalid(
        "date",
        "year_closed",
        format!("the fiscal year {year} is closed: its entries can no longer change"),
    )
}

/// Maps a domain error on a draft to the field it is about (lines are 0-based in JSON).
pub fn entry_error(e: &EntryError) -> AppError {
    let (field, code) = match e {
        EntryError::TooFewLines(_) => ("lines".to_owned(), "entry_too_few_lines"),
        EntryError::NegativeAmount { line }
        | EntryError::BothSides { line }
        | EntryError::ZeroLine { line }
        | EntryError::Overflow { line } => (format!("lines[{}].debit", line - 1), "line_invalid"),
        EntryError::UnknownAccount { line, .. } => {
            (format!("lines[{}].account", line - 1), "account_unknown")
        }
        EntryError::Unbalanced { .. } => ("lines".to_owned(), "entry_unbalanced"),
        EntryError::DateOutsideYear { .. } => ("date".to_owned(), "date_invalid"),
        EntryError::EmptyLabel => ("label".to_owned(), "label_invalid"),
        EntryError::NumberMismatch { .. } => ("journal".to_owned(), "journal_invalid"),
    };
    AppError::invalid(field, code, e.to_string())
}

/// Maps a simple-form error to its field.
pub fn form_error(e: &FormError) -> AppError {
    let field = match e {
        FormError::NonPositiveAmount => "amount",
        FormError::NotTreasury(_) => "treasury",
        FormError::CategoryIsTreasury(_) => "category",
        FormError::SameAccount => "to",
    };
    AppError::invalid(field, "form_invalid", e.to_string())
}

/// Inserts a draft (or, with `number`, a validated entry) in the caller's transaction.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    org_id: &str,
    draft: &EntryDraft,
    validated: Option<(&EntryNumber, Date)>,
    reverses: Option<&str>,
    by: Option<&str>,
    now: i64,
) -> AppResult<String> {
    let (number, valid_date) = (validated.map(|v| v.0), validated.map(|v| v.1));
    let id = new_id();
    sqlx::query(
        "INSERT INTO treasury_entries (id, org_id, journal, year, seq, entry_date, label, piece_ref, kind, status, valid_date, reverses, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(draft.journal.code())
    .bind(i64::from(draft.date.year()))
    .bind(number.map(|n| i64::from(n.seq)))
    .bind(draft.date.to_string())
    .bind(draft.label.trim())
    .bind(draft.piece_ref.trim())
    .bind(kind_str(draft.kind))
    .bind(if number.is_some() { "validated" } else { "draft" })
    .bind(valid_date.map(|d| d.to_string()))
    .bind(reverses)
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await
    .map_err(numbering_race)?;
    for (i, l) in draft.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO treasury_lines (id, entry_id, position, account, debit, credit, label, project) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(i as i64)
        .bind(&l.account)
        .bind(l.debit)
        .bind(l.credit)
        .bind(&l.label)
        .bind(l.project.as_deref().filter(|p| !p.trim().is_empty()))
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Two validations in the same journal at the same instant (PostgreSQL) both read the same
/// last number; the unique index refuses the second, which is told to try again.
fn numbering_race(e: sqlx::Error) -> AppError {
    if crate::error::is_unique_violation(&e) {
        AppError::conflict(
            "journal",
            "numbering_busy",
            "another entry took this number at the same moment; try again",
        )
    } else {
        e.into()
    }
}

/// The next number of a journal and year, read inside the write transaction so that two
/// validations never get the same one.
pub(crate) async fn next_number(
    conn: &mut AnyConnection,
    org_id: &str,
    journal: &Journal,
    year: i16,
) -> AppResult<EntryNumber> {
    let row = sqlx::query(
        "SELECT MAX(seq) AS last FROM treasury_entries WHERE org_id = $1 AND journal = $2 AND year = $3",
    )
    .bind(org_id)
    .bind(journal.code())
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    let last: Option<i64> = row.try_get("last")?;
    Ok(Numbering::after(
        journal.clone(),
        year,
        last.and_then(|l| u32::try_from(l).ok()),
    ))
}

/// Validates and stores a draft as a numbered entry in the caller's transaction; refuses a
/// closed year. Returns the id and the number.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    app: &App,
    org_id: &str,
    chart: &Chart,
    draft: &EntryDraft,
    reverses: Option<&str>,
    by: Option<&str>,
) -> AppResult<(String, EntryNumber)> {
    let year = FiscalYear::calendar(draft.date.year());
    draft.check(chart, &year).map_err(|e| entry_error(&e))?;
    if is_closed(conn, org_id, year.year()).await? {
        return Err(year_locked(year.year()));
    }
    let number = next_number(conn, org_id, &draft.journal, year.year()).await?;
    let entry = draft
        .validate(chart, &year, number.clone(), today(app))
        .map_err(|e| entry_error(&e))?;
    let id = insert(
        conn,
        org_id,
        draft,
        Some((&entry.number, entry.valid_date)),
        reverses,
        by,
        app.now(),
    )
    .await?;
    Ok((id, number))
}

fn draft_of(input: &NewEntry) -> AppResult<EntryDraft> {
    let journal = Journal::parse(&input.journal)
        .map_err(|e| AppError::invalid("journal", "journal_invalid", e.to_string()))?;
    if journal == Journal::Opening {
        return Err(AppError::invalid(
            "journal",
            "journal_invalid",
            "opening entries (AN) are written by the year closing",
        ));
    }
    let date = parse_date("date", &input.date)?;
    let mut draft = EntryDraft::new(journal, date, input.label.trim()).piece(&input.piece_ref);
    for l in &input.lines {
        let project = l
            .project
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        draft = draft.line(Line {
            account: l.account.trim().to_uppercase(),
            debit: l.debit,
            credit: l.credit,
            label: l.label.trim().to_owned(),
            project: project.map(str::to_owned),
        });
    }
    Ok(draft)
}

/// Creates an entry (administrators): a draft, or validated at once with `validate`.
pub async fn create(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewEntry,
) -> AppResult<EntryView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let draft = draft_of(input)?;
    let year = FiscalYear::calendar(draft.date.year());
    draft.check(&chart, &year).map_err(|e| entry_error(&e))?;
    let mut tx = app.db.write.begin().await?;
    let id = if input.validate {
        record(
            &mut tx,
            app,
            &org.id,
            &chart,
            &draft,
            None,
            Some(&actor.user_id),
        )
        .await?
        .0
    } else {
        if is_closed(&mut tx, &org.id, year.year()).await? {
            return Err(year_locked(year.year()));
        }
        insert(
            &mut tx,
            &org.id,
            &draft,
            None,
            None,
            Some(&actor.user_id),
            app.now(),
        )
        .await?
    };
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.entry_created",
        ("treasury_entry", &id),
        serde_json::json!({"label": draft.label, "validated": input.validate, "total": draft.lines.iter().map(|l| l.debit).sum::<i64>()}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    get_view(app, &org.id, &chart, &id).await
}

async fn get_view(app: &App, org_id: &str, chart: &Chart, id: &str) -> AppResult<EntryView> {
    load(&app.db.read, org_id, Filter::Id(id))
        .await?
        .first()
        .map(|s| s.view(chart))
        .ok_or(AppError::NotFound { what: "entry" })
}

/// One entry (members).
pub async fn get(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<EntryView> {
    let org = can_read(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    get_view(app, &org.id, &chart, id).await
}

/// The entries of a year, drafts included, in chronological order (members).
pub async fn list(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: Option<i16>,
) -> AppResult<Vec<EntryView>> {
    let org = can_read(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    Ok(load(&app.db.read, &org.id, Filter::All(year))
        .await?
        .iter()
        .map(|s| s.view(&chart))
        .collect())
}

/// Validates a draft (administrators): it gets its number and never changes again.
pub async fn validate(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<EntryView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let mut tx = app.db.write.begin().await?;
    let stored = load(&mut *tx, &org.id, Filter::Id(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound { what: "entry" })?;
    if stored.validated {
        return Err(AppError::conflict(
            "id",
            "entry_validated",
            "this entry is already validated",
        ));
    }
    let e = &stored.entry;
    let draft = EntryDraft {
        journal: e.journal.clone(),
        date: e.date,
        label: e.label.clone(),
        piece_ref: e.piece_ref.clone(),
        lines: e.lines.clone(),
        kind: e.kind,
    };
    let year = FiscalYear::calendar(e.date.year());
    draft.check(&chart, &year).map_err(|e| entry_error(&e))?;
    if is_closed(&mut tx, &org.id, year.year()).await? {
        return Err(year_locked(year.year()));
    }
    let number = next_number(&mut tx, &org.id, &e.journal, year.year()).await?;
    sqlx::query(
        "UPDATE treasury_entries SET status = 'validated', seq = $1, valid_date = $2 WHERE id = $3 AND org_id = $4 AND status = 'draft'",
    )
    .bind(i64::from(number.seq))
    .bind(today(app).to_string())
    .bind(id)
    .bind(&org.id)
    .execute(&mut *tx)
    .await
    .map_err(numbering_race)?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.entry_validated",
        ("treasury_entry", id),
        serde_json::json!({"number": number.to_string()}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    get_view(app, &org.id, &chart, id).await
}

/// Deletes a draft (administrators); validated entries are never deleted.
pub async fn delete_draft(app: &App, actor: &Actor, slug: &str, id: &str) -> AppResult<()> {
    let org = can_write(app, actor, slug).await?;
    let mut tx = app.db.write.begin().await?;
    let stored = load(&mut *tx, &org.id, Filter::Id(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound { what: "entry" })?;
    if stored.validated {
        return Err(AppError::conflict(
            "id",
            "entry_validated",
            "a validated entry never changes: reverse it instead",
        ));
    }
    sqlx::query("DELETE FROM treasury_lines WHERE entry_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM treasury_entries WHERE id = $1 AND org_id = $2")
        .bind(id)
        .bind(&org.id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.draft_deleted",
        ("treasury_entry", id),
        serde_json::json!({"label": stored.entry.label}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    Ok(())
}

/// Reverses a validated entry (administrators): a new validated entry with debit and
/// credit swapped, dated `date` (default today).
pub async fn reverse(
    app: &App,
    actor: &Actor,
    slug: &str,
    id: &str,
    date: Option<&str>,
) -> AppResult<EntryView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let date = match date.filter(|d| !d.trim().is_empty()) {
        Some(d) => parse_date("date", d)?,
        None => today(app),
    };
    let mut tx = app.db.write.begin().await?;
    let stored = load(&mut *tx, &org.id, Filter::Id(id))
        .await?
        .pop()
        .ok_or(AppError::NotFound { what: "entry" })?;
    if !stored.validated {
        return Err(AppError::invalid(
            "id",
            "entry_draft",
            "a draft is corrected or deleted, not reversed",
        ));
    }
    let reversed =
        sqlx::query("SELECT id FROM treasury_entries WHERE org_id = $1 AND reverses = $2")
            .bind(&org.id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    if reversed.is_some() {
        return Err(AppError::conflict(
            "id",
            "entry_reversed",
            "this entry is already reversed",
        ));
    }
    let draft = stored.entry.reversal(date);
    let (new, number) = record(
        &mut tx,
        app,
        &org.id,
        &chart,
        &draft,
        Some(id),
        Some(&actor.user_id),
    )
    .await?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.entry_reversed",
        ("treasury_entry", id),
        serde_json::json!({"reversal": new, "number": number.to_string()}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    get_view(app, &org.id, &chart, &new).await
}

/// A simple form: income, expense, or transfer between two bank/cash accounts.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SimpleInput {
    /// `income`, `expense` or `transfer`.
    pub kind: String,
    /// Date `YYYY-MM-DD`.
    pub date: String,
    /// Label.
    pub label: String,
    /// Positive amount in cents.
    pub amount: i64,
    /// Category account (756, 606…); for a transfer, the account money goes to.
    #[serde(default)]
    pub category: String,
    /// Bank or cash account (512…, 530…); for a transfer, the account money leaves.
    pub treasury: String,
    /// Supporting document reference.
    #[serde(default)]
    pub piece_ref: String,
    /// Analytic project.
    #[serde(default)]
    pub project: Option<String>,
}

/// Records a simple-form entry, validated at once (administrators).
pub async fn simple(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &SimpleInput,
) -> AppResult<EntryView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let date = parse_date("date", &input.date)?;
    let form = SimpleForm {
        date,
        label: input.label.trim().to_owned(),
        piece_ref: input.piece_ref.trim().to_owned(),
        amount: input.amount,
        category: input.category.trim().to_uppercase(),
        treasury: input.treasury.trim().to_uppercase(),
        project: input
            .project
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    };
    let draft = match input.kind.as_str() {
        "income" => fabrique_treasury::ledger::income(&form),
        "expense" => fabrique_treasury::ledger::expense(&form),
        "transfer" => fabrique_treasury::ledger::transfer(
            date,
            &form.label,
            form.amount,
            &form.treasury,
            &form.category,
        ),
        _ => {
            return Err(AppError::invalid(
                "kind",
                "kind_invalid",
                "kind is income, expense or transfer",
            ));
        }
    }
    .map_err(|e| form_error(&e))?;
    let draft = EntryDraft {
        piece_ref: form.piece_ref.clone(),
        ..draft
    };
    let mut tx = app.db.write.begin().await?;
    let (id, number) = record(
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
        // The simple form has no lines: an unknown account is the category or the money.
        AppError::Invalid(f) if f.field.starts_with("lines[") => {
            let field = if f.message.contains(&form.treasury) {
                "treasury"
            } else {
                "category"
            };
            AppError::Invalid(f.at(field))
        }
        other => other,
    })?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.entry_created",
        ("treasury_entry", &id),
        serde_json::json!({"form": input.kind, "number": number.to_string(), "amount": input.amount}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    get_view(app, &org.id, &chart, &id).await
}

/// One row of the trial balance.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TrialRow {
    /// Account number.
    pub account: String,
    /// Label.
    pub label: String,
    /// Sum of debits (cents).
    pub debit: i64,
    /// Sum of credits (cents).
    pub credit: i64,
    /// Debit − credit (cents).
    pub balance: i64,
}

/// The trial balance of a year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TrialBalance {
    /// Year.
    pub year: i16,
    /// Accounts with movements.
    pub accounts: Vec<TrialRow>,
    /// Total of debits.
    pub total_debit: i64,
    /// Total of credits.
    pub total_credit: i64,
}

/// The trial balance of a year (members).
pub async fn trial_balance(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
) -> AppResult<TrialBalance> {
    let org = can_read(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let tb = reports::trial_balance(&year_entries(app, &org.id, year).await?, &chart);
    Ok(TrialBalance {
        year,
        total_debit: tb.total_debit,
        total_credit: tb.total_credit,
        accounts: tb
            .accounts
            .into_iter()
            .map(|r| TrialRow {
                account: r.account,
                label: r.label,
                debit: r.debit,
                credit: r.credit,
                balance: r.balance,
            })
            .collect(),
    })
}

/// The income statement of a year, with the volunteer contributions block (members).
pub async fn income_statement(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
) -> AppResult<reports::IncomeStatement> {
    let org = can_read(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    Ok(reports::income_statement(
        &year_entries(app, &org.id, year).await?,
        &chart,
    ))
}

/// The balance sheet at the end of a year (members).
pub async fn balance_sheet(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
) -> AppResult<reports::BalanceSheet> {
    let org = can_read(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    Ok(reports::balance_sheet(
        &year_entries(app, &org.id, year).await?,
        &chart,
    ))
}

/// A report of a year as JSON: `income-statement`, `balance-sheet`, `general-ledger`,
/// `journal` or `per-project` (members).
pub async fn report(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
    name: &str,
) -> AppResult<serde_json::Value> {
    let org = can_read(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let entries = year_entries(app, &org.id, year).await?;
    let value = match name {
        "income-statement" => serde_json::to_value(reports::income_statement(&entries, &chart)),
        "balance-sheet" => serde_json::to_value(reports::balance_sheet(&entries, &chart)),
        "general-ledger" => serde_json::to_value(reports::general_ledger(&entries, &chart)),
        "journal" => serde_json::to_value(reports::journal_report(&entries)),
        "per-project" => serde_json::to_value(reports::per_project(&entries, &chart)),
        "dedicated-funds" => serde_json::to_value(dedicated_funds(app, &org.id, &entries).await?),
        "budget" => serde_json::to_value(reports::budget_vs_actual(
            &entries,
            &chart,
            &budget_of(app, &org.id, year).await?,
        )),
        _ => return Err(AppError::NotFound { what: "report" }),
    };
    value.map_err(|e| AppError::Internal(e.into()))
}

/// The earmarked funds of a year: for each project a subsidy was given for, the income,
/// the expenses and the unspent part to carry over (fonds dédiés).
async fn dedicated_funds(
    app: &App,
    org_id: &str,
    entries: &[Entry],
) -> AppResult<Vec<fabrique_treasury::dedicated::DedicatedFund>> {
    let projects: Vec<String> = sqlx::query(
        "SELECT DISTINCT project FROM treasury_subsidies WHERE org_id = $1 AND project IS NOT NULL ORDER BY project",
    )
    .bind(org_id)
    .fetch_all(&app.db.read)
    .await?
    .iter()
    .map(|r| r.try_get("project"))
    .collect::<Result<_, _>>()?;
    let projects: Vec<&str> = projects.iter().map(String::as_str).collect();
    Ok(fabrique_treasury::dedicated::compute(entries, &projects))
}

/// Records the year-end carry-over of the unspent earmarked funds (689x / 19x), validated
/// on the last day of the year, before closing it (administrators). Refused when nothing
/// is unspent or when it was already recorded.
pub async fn carry_over_funds(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
) -> AppResult<EntryView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let entries = year_entries(app, &org.id, year).await?;
    if entries
        .iter()
        .any(|e| e.label == "Report en fonds dédiés" && e.kind == EntryKind::Standard)
    {
        return Err(AppError::conflict(
            "year",
            "funds_carried",
            format!("the earmarked funds of {year} are already carried over"),
        ));
    }
    let funds = dedicated_funds(app, &org.id, &entries).await?;
    let fy = FiscalYear::calendar(year);
    let Some(draft) = fabrique_treasury::dedicated::carry_over_entry(&funds, fy.end) else {
        return Err(AppError::invalid(
            "year",
            "funds_none",
            format!("no earmarked fund has an unspent part in {year}"),
        ));
    };
    let mut tx = app.db.write.begin().await?;
    let (id, number) = record(
        &mut tx,
        app,
        &org.id,
        &chart,
        &draft,
        None,
        Some(&actor.user_id),
    )
    .await?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.funds_carried_over",
        ("treasury_entry", &id),
        serde_json::json!({"year": year, "number": number.to_string()}),
    )
    .await?;
    tx.commit().await?;
    get_view(app, &org.id, &chart, &id).await
}

/// The budget of a year, by account or prefix.
pub async fn budget_of(app: &App, org_id: &str, year: i16) -> AppResult<Vec<reports::BudgetLine>> {
    sqlx::query(
        "SELECT account, amount FROM treasury_budget WHERE org_id = $1 AND year = $2 ORDER BY account",
    )
    .bind(org_id)
    .bind(i64::from(year))
    .fetch_all(&app.db.read)
    .await?
    .iter()
    .map(|r| {
        Ok(reports::BudgetLine {
            account: r.try_get("account")?,
            amount: r.try_get("amount")?,
        })
    })
    .collect()
}

/// Budget against actual for a year (members).
pub async fn budget(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
) -> AppResult<Vec<reports::BudgetRow>> {
    let org = can_read(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let entries = year_entries(app, &org.id, year).await?;
    Ok(reports::budget_vs_actual(
        &entries,
        &chart,
        &budget_of(app, &org.id, year).await?,
    ))
}

/// Replaces the budget of a year (administrators): positive amounts on accounts or
/// prefixes of classes 6 and 7. Answers budget against actual.
pub async fn put_budget(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
    lines: &[reports::BudgetLine],
) -> AppResult<Vec<reports::BudgetRow>> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let mut seen = std::collections::HashSet::new();
    for (i, l) in lines.iter().enumerate() {
        let a = l.account.trim();
        if !(a.starts_with('6') || a.starts_with('7'))
            || !chart.accounts().any(|c| c.number.starts_with(a))
        {
            return Err(AppError::invalid(
                format!("[{i}].account"),
                "account_invalid",
                format!(
                    "line {}: {a} is not an expense or income account of the chart",
                    i + 1
                ),
            ));
        }
        if l.amount < 0 {
            return Err(AppError::invalid(
                format!("[{i}].amount"),
                "amount_invalid",
                format!("line {}: a budget amount is positive", i + 1),
            ));
        }
        if !seen.insert(a.to_owned()) {
            return Err(AppError::invalid(
                format!("[{i}].account"),
                "account_repeated",
                format!("line {}: {a} appears twice", i + 1),
            ));
        }
    }
    let mut tx = app.db.write.begin().await?;
    sqlx::query("DELETE FROM treasury_budget WHERE org_id = $1 AND year = $2")
        .bind(&org.id)
        .bind(i64::from(year))
        .execute(&mut *tx)
        .await?;
    for l in lines {
        sqlx::query(
            "INSERT INTO treasury_budget (org_id, year, account, amount) VALUES ($1, $2, $3, $4)",
        )
        .bind(&org.id)
        .bind(i64::from(year))
        .bind(l.account.trim())
        .bind(l.amount)
        .execute(&mut *tx)
        .await?;
    }
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.budget_set",
        ("treasury_year", &year.to_string()),
        serde_json::json!({"lines": lines.len()}),
    )
    .await?;
    tx.commit().await?;
    let entries = year_entries(app, &org.id, year).await?;
    Ok(reports::budget_vs_actual(
        &entries,
        &chart,
        &budget_of(app, &org.id, year).await?,
    ))
}

/// An export file.
#[derive(Debug, Clone)]
pub struct Export {
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: &'static str,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Exports a year as FEC, hledger journal or CSV (members).
pub async fn export(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
    format: &str,
) -> AppResult<Export> {
    let org = can_read(app, actor, slug).await?;
    export_org(app, &org, year, format).await
}

/// Exports a year of an organisation (no authorization: the CLI runs as the operator).
pub async fn export_org(
    app: &App,
    org: &crate::orgs::Org,
    year: i16,
    format: &str,
) -> AppResult<Export> {
    let chart = chart(app, &org.id).await?;
    let entries = year_entries(app, &org.id, year).await?;
    Ok(match format {
        "fec-latin9" => {
            let settings = super::plan::settings_of(app, &org.id).await?;
            let siren = settings.siren.unwrap_or_else(|| "000000000".into());
            let options = fec::FecOptions {
                separator: fec::Separator::Tab,
                encoding: fec::FecEncoding::Iso8859_15,
            };
            Export {
                file_name: fec::file_name(&siren, FiscalYear::calendar(year).end),
                content_type: "text/plain; charset=iso-8859-15",
                bytes: fec::export(&entries, &chart, &options),
            }
        }
        "fec" => {
            let settings = super::plan::settings_of(app, &org.id).await?;
            let siren = settings.siren.unwrap_or_else(|| "000000000".into());
            Export {
                file_name: fec::file_name(&siren, FiscalYear::calendar(year).end),
                content_type: "text/plain; charset=utf-8",
                bytes: fec::export_string(&entries, &chart, fec::Separator::Tab).into_bytes(),
            }
        }
        "hledger" => Export {
            file_name: format!("{}-{year}.journal", org.slug),
            content_type: "text/plain; charset=utf-8",
            bytes: hledger::export(&entries, &chart).into_bytes(),
        },
        "csv" => Export {
            file_name: format!("{}-{year}.csv", org.slug),
            content_type: "text/csv; charset=utf-8",
            bytes: reports::entries_csv(&entries, &chart).into_bytes(),
        },
        _ => {
            return Err(AppError::invalid(
                "format",
                "format_invalid",
                "format is fec, fec-latin9, hledger or csv",
            ));
        }
    })
}

/// What closing a year did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Closed {
    /// Year closed.
    pub year: i16,
    /// Result (income − expenses) in cents; positive is a surplus.
    pub result: i64,
    /// Entries sealed in the hash chain.
    pub sealed: usize,
    /// The last hash of the chain.
    pub last_hash: Option<String>,
    /// Id of the opening entry (AN) written in the next year.
    pub opening_entry: Option<String>,
}

/// Closes a year (administrators): writes the closing entry, hash-chains every entry of
/// the year, writes the next year's opening entries (AN) and locks the year.
pub async fn close(app: &App, actor: &Actor, slug: &str, year: i16) -> AppResult<Closed> {
    let org = can_write(app, actor, slug).await?;
    close_org(app, Some(actor), &org.id, year).await
}

pub(crate) async fn close_org(
    app: &App,
    actor: Option<&Actor>,
    org_id: &str,
    year: i16,
) -> AppResult<Closed> {
    let chart = chart(app, org_id).await?;
    let fy = FiscalYear::calendar(year);
    let mut tx = app.db.write.begin().await?;
    if is_closed(&mut tx, org_id, year).await? {
        return Err(AppError::conflict(
            "year",
            "year_closed",
            format!("the fiscal year {year} is already closed"),
        ));
    }
    if is_closed(&mut tx, org_id, year + 1).await? {
        return Err(AppError::invalid(
            "year",
            "year_closed",
            format!("the next fiscal year {} is already closed", year + 1),
        ));
    }
    let all = load(&mut *tx, org_id, Filter::All(Some(year))).await?;
    if let Some(d) = all.iter().find(|s| !s.validated) {
        return Err(AppError::invalid(
            "year",
            "year_has_drafts",
            format!(
                "validate or delete the draft “{}” before closing the year",
                d.entry.label
            ),
        ));
    }
    let by = actor.map(|a| a.user_id.as_str());
    let entries: Vec<Entry> = all.iter().map(|s| s.entry.clone()).collect();
    let closing = close_books(&entries, &fy);
    if let Some(c) = &closing.closing {
        record(&mut tx, app, org_id, &chart, c, None, by).await?;
    }
    let (sealed, last_hash) = seal(&mut tx, org_id, year, closing.result, app.now()).await?;
    let opening_entry = match &closing.opening {
        Some(o) => Some(record(&mut tx, app, org_id, &chart, o, None, by).await?.0),
        None => None,
    };
    audit(
        &mut tx,
        app,
        org_id,
        actor,
        "treasury.year_closed",
        ("treasury_year", &year.to_string()),
        serde_json::json!({"result": closing.result, "sealed": sealed, "last_hash": last_hash}),
    )
    .await?;
    tx.commit().await?;
    Ok(Closed {
        year,
        result: closing.result,
        sealed,
        last_hash,
        opening_entry,
    })
}

/// Hash-chains every validated entry of a year in chronological order (closing entry
/// included) and marks the year closed, in the caller's transaction. Returns the number of
/// entries sealed and the last hash.
pub(crate) async fn seal(
    conn: &mut AnyConnection,
    org_id: &str,
    year: i16,
    result: i64,
    now: i64,
) -> AppResult<(usize, Option<String>)> {
    let rows = load(&mut *conn, org_id, Filter::Year(year)).await?;
    let entries: Vec<Entry> = rows.iter().map(|s| s.entry.clone()).collect();
    let sealed = chain::seal_year(&entries);
    for (row, (_, hash)) in rows.iter().zip(&sealed) {
        sqlx::query("UPDATE treasury_entries SET hash = $1 WHERE id = $2")
            .bind(chain::to_hex(hash))
            .bind(&row.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM treasury_years WHERE org_id = $1 AND year = $2")
        .bind(org_id)
        .bind(i64::from(year))
        .execute(&mut *conn)
        .await?;
    // The count and last hash are kept with the year, so that removing entries from the
    // end of the chain is detected too.
    let last_hash = sealed.last().map(|(_, h)| chain::to_hex(h));
    sqlx::query(
        "INSERT INTO treasury_years (org_id, year, closed_at, result, sealed, last_hash) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org_id)
    .bind(i64::from(year))
    .bind(now)
    .bind(result)
    .bind(sealed.len() as i64)
    .bind(&last_hash)
    .execute(&mut *conn)
    .await?;
    Ok((sealed.len(), last_hash))
}

/// The state of a year's hash chain.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Year.
    pub year: i16,
    /// Whether the year is closed.
    pub closed: bool,
    /// Whether every stored entry still matches its hash.
    pub intact: bool,
    /// The first entry whose content no longer matches, if any.
    pub broken_at: Option<String>,
}

/// Checks a closed year's hash chain against the stored entries (members).
pub async fn verify(app: &App, actor: &Actor, slug: &str, year: i16) -> AppResult<Verification> {
    let org = can_read(app, actor, slug).await?;
    let mut conn = app.db.read.acquire().await?;
    let closed = is_closed(&mut conn, &org.id, year).await?;
    drop(conn);
    if !closed {
        return Ok(Verification {
            year,
            closed,
            intact: true,
            broken_at: None,
        });
    }
    let rows = load(&app.db.read, &org.id, Filter::Year(year)).await?;
    let seal =
        sqlx::query("SELECT sealed, last_hash FROM treasury_years WHERE org_id = $1 AND year = $2")
            .bind(&org.id)
            .bind(i64::from(year))
            .fetch_one(&app.db.read)
            .await?;
    let (count, last): (Option<i64>, Option<String>) =
        (seal.try_get("sealed")?, seal.try_get("last_hash")?);
    if count != Some(rows.len() as i64) || last != rows.last().and_then(|r| r.hash.clone()) {
        return Ok(Verification {
            year,
            closed,
            intact: false,
            broken_at: rows.last().map(|r| r.entry.number.to_string()),
        });
    }
    let mut pairs = Vec::with_capacity(rows.len());
    for r in &rows {
        match r.hash.as_deref().and_then(chain::from_hex) {
            Some(h) => pairs.push((r.entry.clone(), h)),
            None => {
                return Ok(Verification {
                    year,
                    closed,
                    intact: false,
                    broken_at: Some(r.entry.number.to_string()),
                });
            }
        }
    }
    let result = chain::verify_chain(&pairs);
    Ok(Verification {
        year,
        closed,
        intact: result.is_ok(),
        broken_at: result.err().map(|b| b.number),
    })
}

/// The closed years of an organisation.
pub async fn closed_years(app: &App, org_id: &str) -> AppResult<Vec<i16>> {
    let rows = sqlx::query(
        "SELECT year FROM treasury_years WHERE org_id = $1 AND closed_at IS NOT NULL ORDER BY year",
    )
    .bind(org_id)
    .fetch_all(&app.db.read)
    .await?;
    rows.iter()
        .map(|r| Ok(i16::try_from(r.try_get::<i64, _>("year")?).unwrap_or(0)))
        .collect()
}

/// Balances (debit − credit) of the bank (51x) and cash (53x) accounts at a date: every
/// validated entry up to that day, counting the opening entries (AN) of the first year only,
/// since later ones repeat balances already counted.
pub async fn treasury_balances(
    app: &App,
    org_id: &str,
    until: Date,
) -> AppResult<Vec<(String, i64)>> {
    let entries = load(&app.db.read, org_id, Filter::Validated).await?;
    let first_year = entries.iter().map(|s| s.entry.date.year()).min();
    let mut sums: HashMap<String, i64> = HashMap::new();
    for s in &entries {
        let e = &s.entry;
        if e.date > until || (e.kind == EntryKind::Opening && Some(e.date.year()) != first_year) {
            continue;
        }
        for l in &e.lines {
            if l.account.starts_with("51") || l.account.starts_with("53") {
                *sums.entry(l.account.clone()).or_default() += l.debit - l.credit;
            }
        }
    }
    let mut out: Vec<(String, i64)> = sums.into_iter().collect();
    out.sort();
    Ok(out)
}
