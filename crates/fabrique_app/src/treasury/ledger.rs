//! Entries, fiscal years, closing, the hash chain, reports and exports.

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
    let ids = insert_many(conn, org_id, &[(draft, validated, reverses)], by, now).await?;
    Ok(ids.into_iter().next().unwrap_or_default())
}

/// One entry to insert: the draft, its number and validation date once validated, and the
/// entry it reverses.
pub(crate) type NewRow<'a> = (
    &'a EntryDraft,
    Option<(&'a EntryNumber, Date)>,
    Option<&'a str>,
);

/// Inserts entries and their lines in the caller's transaction, a few hundred rows per
/// statement (a FEC of 20,000 entries is a hundred-odd round trips, not 60,000). Returns
/// the new ids in order.
pub(crate) async fn insert_many(
    conn: &mut AnyConnection,
    org_id: &str,
    rows: &[NewRow<'_>],
    by: Option<&str>,
    now: i64,
) -> AppResult<Vec<String>> {
    let ids: Vec<String> = rows.iter().map(|_| new_id()).collect();
    let mut entries = Vec::with_capacity(rows.len() * 14);
    let mut lines = Vec::new();
    for ((draft, validated, reverses), id) in rows.iter().zip(&ids) {
        let (number, valid_date) = (validated.map(|v| v.0), validated.map(|v| v.1));
        entries.extend([
            Val::Text(id.clone()),
            Val::Text(org_id.to_owned()),
            Val::Text(draft.journal.code()),
            Val::Int(i64::from(draft.date.year())),
            Val::OptInt(number.map(|n| i64::from(n.seq))),
            Val::Text(draft.date.to_string()),
            Val::Text(draft.label.trim().to_owned()),
            Val::Text(draft.piece_ref.trim().to_owned()),
            Val::Text(kind_str(draft.kind).to_owned()),
            Val::Text(
                if number.is_some() {
                    "validated"
                } else {
                    "draft"
                }
                .to_owned(),
            ),
            Val::OptText(valid_date.map(|d| d.to_string())),
            Val::OptText(reverses.map(str::to_owned)),
            Val::Int(now),
            Val::OptText(by.map(str::to_owned)),
        ]);
        for (i, l) in draft.lines.iter().enumerate() {
            lines.extend([
                Val::Text(new_id()),
                Val::Text(id.clone()),
                Val::Int(i as i64),
                Val::Text(l.account.clone()),
                Val::Int(l.debit),
                Val::Int(l.credit),
                Val::Text(l.label.clone()),
                Val::OptText(
                    l.project
                        .as_deref()
                        .filter(|p| !p.trim().is_empty())
                        .map(str::to_owned),
                ),
            ]);
        }
    }
    insert_batch(
        conn,
        "INSERT INTO treasury_entries (id, org_id, journal, year, seq, entry_date, label, piece_ref, kind, status, valid_date, reverses, created_at, created_by)",
        14,
        &entries,
    )
    .await
    .map_err(numbering_race)?;
    insert_batch(
        conn,
        "INSERT INTO treasury_lines (id, entry_id, position, account, debit, credit, label, project)",
        8,
        &lines,
    )
    .await?;
    Ok(ids)
}

/// A value bound in a batched insert.
pub(crate) enum Val {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// Runs `head VALUES (…), (…)…` over `values` taken `width` at a time, in statements of at
/// most 500 rows (within SQLite's and PostgreSQL's limits on parameters).
///
/// On SQLite the parameters are anonymous (`?`): the driver looks every numbered
/// parameter up by name, and SQLite finds a name by scanning the statement's list of
/// names, so thousands of `$N` in one statement cost time quadratic in their number (a
/// FEC of 20,000 entries spent 4 of its 4.7 s there).
pub(crate) async fn insert_batch(
    conn: &mut AnyConnection,
    head: &str,
    width: usize,
    values: &[Val],
) -> Result<(), sqlx::Error> {
    const ROWS: usize = 500;
    let anonymous = conn.backend_name().eq_ignore_ascii_case("sqlite");
    for chunk in values.chunks(width * ROWS) {
        let mut sql = String::with_capacity(head.len() + chunk.len() * 6);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        for r in 0..chunk.len() / width {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                if anonymous {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&(r * width + c + 1).to_string());
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for v in chunk {
            q = match v {
                Val::Text(t) => q.bind(t.as_str()),
                Val::OptText(t) => q.bind(t.as_deref()),
                Val::Int(i) => q.bind(*i),
                Val::OptInt(i) => q.bind(*i),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
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
    // Summed by the database: a year of a million lines is one aggregate query, not a
    // million rows loaded (the same sums as `reports::trial_balance` over the year's
    // validated entries).
    let rows = sqlx::query(
        "SELECT l.account, CAST(SUM(l.debit) AS BIGINT) AS debit, CAST(SUM(l.credit) AS BIGINT) AS credit \
         FROM treasury_entries e JOIN treasury_lines l ON l.entry_id = e.id \
         WHERE e.org_id = $1 AND e.year = $2 AND e.status = 'validated' \
         GROUP BY l.account",
    )
    .bind(&org.id)
    .bind(i64::from(year))
    .fetch_all(&app.db.read)
    .await?;
    let accounts = rows
        .iter()
        .map(|r| {
            let account: String = r.try_get("account")?;
            let (debit, credit): (i64, i64) = (r.try_get("debit")?, r.try_get("credit")?);
            Ok(TrialRow {
                label: chart.label(&account).to_owned(),
                account,
                debit,
                credit,
                balance: debit - credit,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let mut accounts = accounts;
    accounts.sort_by(|a, b| a.account.cmp(&b.account));
    Ok(TrialBalance {
        year,
        total_debit: accounts.iter().map(|r| r.debit).sum(),
        total_credit: accounts.iter().map(|r| r.credit).sum(),
        accounts,
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

/// The earmarked funds of a year (members): for each project a subsidy was given for,
/// the income (including funds carried in and used), the expenses and the unspent part.
pub async fn dedicated_funds_of(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
) -> AppResult<Vec<fabrique_treasury::dedicated::DedicatedFund>> {
    let org = can_read(app, actor, slug).await?;
    let entries = year_entries(app, &org.id, year).await?;
    dedicated_funds(app, &org.id, &entries).await
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
/// on the last day of the year, before closing it (administrators). The use of funds
/// carried in from earlier years and spent this year (19x / 789x) is recorded first, if
/// not yet done, since it counts in this year's earmarked income. Refused when nothing is
/// unspent or when it was already recorded.
pub async fn carry_over_funds(
    app: &App,
    actor: &Actor,
    slug: &str,
    year: i16,
) -> AppResult<EntryView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let mut tx = app.db.write.begin().await?;
    let already = load(&mut *tx, &org.id, Filter::Year(year))
        .await?
        .iter()
        .any(|s| s.entry.label == "Report en fonds dédiés" && s.entry.kind == EntryKind::Standard);
    if already {
        return Err(AppError::conflict(
            "year",
            "funds_carried",
            format!("the earmarked funds of {year} are already carried over"),
        ));
    }
    record_fund_use(&mut tx, app, &org.id, &chart, year, actor).await?;
    let entries: Vec<Entry> = load(&mut *tx, &org.id, Filter::Year(year))
        .await?
        .into_iter()
        .map(|s| s.entry)
        .collect();
    let funds = dedicated_funds(app, &org.id, &entries).await?;
    let fy = FiscalYear::calendar(year);
    let Some(draft) = fabrique_treasury::dedicated::carry_over_entry(&funds, fy.end) else {
        return Err(AppError::invalid(
            "year",
            "funds_none",
            format!("no earmarked fund has an unspent part in {year}"),
        ));
    };
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

/// Records the use, in `year`, of the earmarked funds carried in from earlier years: the
/// part their projects spent since the last use recorded moves from 19x to the income
/// account 789x (report des ressources non utilisées des exercices antérieurs), dated
/// today (the last day of the year for a past year) (administrators). Refused when no
/// carried fund was spent since.
pub async fn use_funds(app: &App, actor: &Actor, slug: &str, year: i16) -> AppResult<EntryView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let mut tx = app.db.write.begin().await?;
    let Some(id) = record_fund_use(&mut tx, app, &org.id, &chart, year, actor).await? else {
        return Err(AppError::invalid(
            "year",
            "funds_none_used",
            format!("no earmarked fund carried into {year} was spent since the last use recorded"),
        ));
    };
    tx.commit().await?;
    get_view(app, &org.id, &chart, &id).await
}

/// Records, in the caller's transaction, what is left to record of the use in `year` of
/// the funds carried in (see [`fabrique_treasury::dedicated::pending_use_entry`]); `None`
/// when nothing is.
async fn record_fund_use(
    conn: &mut AnyConnection,
    app: &App,
    org_id: &str,
    chart: &Chart,
    year: i16,
    actor: &Actor,
) -> AppResult<Option<String>> {
    let all = load(&mut *conn, org_id, Filter::Validated).await?;
    let carried = fabrique_treasury::dedicated::carried_into(
        all.iter()
            .map(|s| &s.entry)
            .filter(|e| e.number.year < year),
    );
    if carried.is_empty() {
        return Ok(None);
    }
    let of_year: Vec<Entry> = all
        .into_iter()
        .filter(|s| s.entry.number.year == year)
        .map(|s| s.entry)
        .collect();
    let fy = FiscalYear::calendar(year);
    let date = today(app).clamp(fy.start, fy.end);
    let Some(draft) = fabrique_treasury::dedicated::pending_use_entry(&carried, &of_year, date)
    else {
        return Ok(None);
    };
    let (id, number) = record(conn, app, org_id, chart, &draft, None, Some(&actor.user_id)).await?;
    audit(
        conn,
        app,
        org_id,
        Some(actor),
        "treasury.funds_used",
        ("treasury_entry", &id),
        serde_json::json!({"year": year, "number": number.to_string(), "total": draft.lines.iter().map(|l| l.debit).sum::<i64>()}),
    )
    .await?;
    Ok(Some(id))
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

/// The condition on `e` (entries) and `l` (lines) selecting the validated lines that make
/// up balances: opening entries (AN) of the first year only, since later ones repeat
/// balances already counted. `$1` is the organisation.
const BALANCE_LINES: &str = "e.org_id = $1 AND e.status = 'validated' AND (e.kind <> 'opening' OR e.year = \
     (SELECT MIN(f.year) FROM treasury_entries f WHERE f.org_id = $1 AND f.status = 'validated'))";

/// Balances (debit − credit) of the bank (51x) and cash (53x) accounts at a date: every
/// validated entry up to that day, counting the opening entries (AN) of the first year only.
pub async fn treasury_balances(
    app: &App,
    org_id: &str,
    until: Date,
) -> AppResult<Vec<(String, i64)>> {
    let sql = format!(
        "SELECT l.account, CAST(SUM(l.debit - l.credit) AS BIGINT) AS balance \
         FROM treasury_entries e JOIN treasury_lines l ON l.entry_id = e.id \
         WHERE {BALANCE_LINES} AND e.entry_date <= $2 AND (l.account LIKE '51%' OR l.account LIKE '53%') \
         GROUP BY l.account"
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .bind(until.to_string())
        .fetch_all(&app.db.read)
        .await?;
    let mut out = rows
        .iter()
        .map(|r| Ok((r.try_get("account")?, r.try_get("balance")?)))
        .collect::<AppResult<Vec<(String, i64)>>>()?;
    out.sort();
    Ok(out)
}

/// The lines of one account in the books (opening balance included, as in
/// [`treasury_balances`]): date, debit − credit, and whether a statement line is matched
/// to it.
pub async fn account_lines(
    app: &App,
    org_id: &str,
    account: &str,
) -> AppResult<Vec<fabrique_treasury::bank::position::StoredLine>> {
    let sql = format!(
        "SELECT e.entry_date, l.debit - l.credit AS amount, \
         (SELECT COUNT(*) FROM treasury_bank_lines b WHERE b.entry_line_id = l.id) AS matched \
         FROM treasury_entries e JOIN treasury_lines l ON l.entry_id = e.id \
         WHERE {BALANCE_LINES} AND l.account = $2"
    );
    sqlx::query(&sql)
        .bind(org_id)
        .bind(account)
        .fetch_all(&app.db.read)
        .await?
        .iter()
        .map(|r| {
            Ok(fabrique_treasury::bank::position::StoredLine {
                date: stored_date(&r.try_get::<String, _>("entry_date")?)?,
                amount: r.try_get("amount")?,
                reconciled: r.try_get::<i64, _>("matched")? > 0,
            })
        })
        .collect()
}
