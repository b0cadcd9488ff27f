//! Bank accounts, statement and FEC imports, and reconciliation.

use std::collections::HashSet;

use fabrique_core::ids::new_id;
use fabrique_treasury::bank::position::{self, PositionSource, StatementBalance, StoredLine};
use fabrique_treasury::bank::{self, BankLine, CsvMapping, reconcile};
use fabrique_treasury::fec;
use fabrique_treasury::ledger::{EntryDraft, FiscalYear};
use sqlx::{AnyConnection, Row};

use super::ledger::{self as books, Filter, Val, form_error, is_closed, record};
use super::{audit, can_read, can_write, chart, store_account};
use crate::{Actor, App, AppError, AppResult};

/// A bank account of the organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BankAccount {
    /// Id.
    pub id: String,
    /// Ledger account (512, 5121…).
    pub account: String,
    /// Name, e.g. the bank.
    pub name: String,
    /// The saved CSV column mapping, if any.
    #[schema(value_type = Option<Object>)]
    pub csv_mapping: Option<CsvMapping>,
}

/// A new bank account.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewBankAccount {
    /// Ledger account: 512 or a sub-account such as 5121 (created when missing).
    pub account: String,
    /// Name.
    pub name: String,
    /// CSV column mapping for this bank's statements.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub csv_mapping: Option<CsvMapping>,
}

fn bank_account_of(r: &sqlx::any::AnyRow) -> AppResult<BankAccount> {
    let mapping: Option<String> = r.try_get("csv_mapping")?;
    Ok(BankAccount {
        id: r.try_get("id")?,
        account: r.try_get("account")?,
        name: r.try_get("name")?,
        csv_mapping: mapping.and_then(|m| serde_json::from_str(&m).ok()),
    })
}

async fn bank_accounts_of(conn: &mut AnyConnection, org_id: &str) -> AppResult<Vec<BankAccount>> {
    let rows = sqlx::query(
        "SELECT id, account, name, csv_mapping FROM treasury_bank_accounts WHERE org_id = $1 ORDER BY account",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(bank_account_of).collect()
}

/// The bank accounts (members).
pub async fn bank_accounts(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<BankAccount>> {
    let org = can_read(app, actor, slug).await?;
    let mut conn = app.db.read.acquire().await?;
    bank_accounts_of(&mut conn, &org.id).await
}

/// Adds a bank account, or updates its name and CSV mapping (administrators).
pub async fn save_bank_account(
    app: &App,
    actor: &Actor,
    slug: &str,
    input: &NewBankAccount,
) -> AppResult<BankAccount> {
    let org = can_write(app, actor, slug).await?;
    let mut tx = app.db.write.begin().await?;
    let ba = ensure_bank_account(&mut tx, app, &org.id, input, Some(actor)).await?;
    tx.commit().await?;
    Ok(ba)
}

/// Adds or updates a bank account of an organisation (demo and CLI).
pub async fn save_bank_account_org(
    app: &App,
    org_id: &str,
    input: &NewBankAccount,
) -> AppResult<BankAccount> {
    let mut tx = app.db.write.begin().await?;
    let ba = ensure_bank_account(&mut tx, app, org_id, input, None).await?;
    tx.commit().await?;
    Ok(ba)
}

async fn ensure_bank_account(
    conn: &mut AnyConnection,
    app: &App,
    org_id: &str,
    input: &NewBankAccount,
    actor: Option<&Actor>,
) -> AppResult<BankAccount> {
    let account = input.account.trim().to_uppercase();
    if !account.starts_with("512") || !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::invalid(
            "account",
            "account_invalid",
            "a bank account is 512 or one of its sub-accounts (5121, 5122…)",
        ));
    }
    let name = match input.name.trim() {
        "" => "Banque".to_owned(),
        n => n.to_owned(),
    };
    let chart = chart(app, org_id).await?;
    if !chart.contains(&account) {
        store_account(conn, org_id, &account, &name, app.now()).await?;
    }
    let mapping = input
        .csv_mapping
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(anyhow::Error::new)?;
    let existing = bank_accounts_of(conn, org_id)
        .await?
        .into_iter()
        .find(|b| b.account == account);
    let id = match existing {
        Some(b) => {
            sqlx::query(
                "UPDATE treasury_bank_accounts SET name = $1, csv_mapping = COALESCE($2, csv_mapping) WHERE id = $3",
            )
            .bind(&name)
            .bind(&mapping)
            .bind(&b.id)
            .execute(&mut *conn)
            .await?;
            b.id
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO treasury_bank_accounts (id, org_id, account, name, csv_mapping, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(org_id)
            .bind(&account)
            .bind(&name)
            .bind(&mapping)
            .bind(app.now())
            .execute(&mut *conn)
            .await?;
            id
        }
    };
    audit(
        conn,
        app,
        org_id,
        actor,
        "treasury.bank_account_saved",
        ("treasury_bank_account", &id),
        serde_json::json!({"account": account, "name": name}),
    )
    .await?;
    bank_accounts_of(conn, org_id)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or(AppError::NotFound {
            what: "bank account",
        })
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// `fec`, `ofx`, `qif`, `camt053` or `csv`.
    pub format: String,
    /// Lines (bank statements) or entries (FEC) created.
    pub created: usize,
    /// Lines or entries already imported, skipped.
    pub duplicate: usize,
    /// Lines refused (always 0: a file with a bad line is refused whole).
    pub rejected: usize,
    /// The bank account imported into, for a statement.
    pub bank_account: Option<String>,
}

/// Whether the bytes are a FEC (its first line names the 18 columns).
pub fn is_fec(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
    head.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("JournalCode")
}

/// Imports a file (administrators): a FEC (all its entries, accounts created as needed)
/// or a bank statement (OFX, QIF, CAMT.053, or CSV with the account's mapping) into the
/// bank account `account` (default: the first one, or 512). All or nothing; importing the
/// same file again creates nothing; a file that fails to parse names the line.
pub async fn import(
    app: &App,
    actor: &Actor,
    slug: &str,
    bytes: &[u8],
    account: Option<&str>,
) -> AppResult<ImportOutcome> {
    let org = can_write(app, actor, slug).await?;
    let outcome = import_org(app, Some(actor), &org.id, bytes, account, &mut |_, _| {}).await?;
    super::plan::notify_alerts(app, &org.id).await;
    Ok(outcome)
}

/// Imports for an organisation; `progress(done, total)` is called as entries are stored.
pub async fn import_org(
    app: &App,
    actor: Option<&Actor>,
    org_id: &str,
    bytes: &[u8],
    account: Option<&str>,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> AppResult<ImportOutcome> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::invalid("file", "file_empty", "the file is empty"));
    }
    if is_fec(bytes) {
        return import_fec(app, actor, org_id, bytes, progress).await;
    }
    let mut tx = app.db.write.begin().await?;
    let accounts = bank_accounts_of(&mut tx, org_id).await?;
    let wanted = account
        .map(|a| a.trim().to_uppercase())
        .filter(|a| !a.is_empty());
    let ba = match (&wanted, accounts.first()) {
        (Some(a), _) => match accounts.iter().find(|b| &b.account == a) {
            Some(b) => b.clone(),
            None => {
                let input = NewBankAccount {
                    account: a.clone(),
                    name: String::new(),
                    csv_mapping: None,
                };
                ensure_bank_account(&mut tx, app, org_id, &input, actor)
                    .await
                    .map_err(|e| match e {
                        AppError::Invalid(f) => AppError::Invalid(f.at("bank_account")),
                        other => other,
                    })?
            }
        },
        (None, Some(b)) => b.clone(),
        (None, None) => {
            let input = NewBankAccount {
                account: "512".into(),
                name: String::new(),
                csv_mapping: None,
            };
            ensure_bank_account(&mut tx, app, org_id, &input, actor).await?
        }
    };
    let (format, lines) = bank::parse_statement(bytes, ba.csv_mapping.as_ref()).map_err(|e| {
        let message = if e.line > 0 {
            format!("{} statement, line {}: {}", e.format, e.line, e.message)
        } else {
            format!("{} statement: {}", e.format, e.message)
        };
        AppError::invalid("file", "statement_invalid", message)
    })?;
    let known: HashSet<String> =
        sqlx::query("SELECT dedup_key FROM treasury_bank_lines WHERE bank_account_id = $1")
            .bind(&ba.id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("dedup_key"))
            .collect::<Result<_, _>>()?;
    let total = lines.len();
    let plan = bank::plan_import(&ba.account, lines, &known);
    let import_id = new_id();
    let base: i64 = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM treasury_bank_lines WHERE bank_account_id = $1",
    )
    .bind(&ba.id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("n")?;
    for (n, chunk) in plan.new.chunks(1_000).enumerate() {
        let mut values = Vec::with_capacity(chunk.len() * 10);
        for (i, (key, line)) in chunk.iter().enumerate() {
            values.extend([
                Val::Text(new_id()),
                Val::Text(org_id.to_owned()),
                Val::Text(ba.id.clone()),
                Val::Text(import_id.clone()),
                Val::Text(key.clone()),
                Val::Text(line.date.to_string()),
                Val::Int(line.amount),
                Val::Text(line.label.clone()),
                Val::OptText(line.reference.clone()),
                Val::Int(base + (n * 1_000 + i) as i64),
            ]);
        }
        books::insert_batch(
            &mut tx,
            "INSERT INTO treasury_bank_lines (id, org_id, bank_account_id, import_id, dedup_key, line_date, amount, label, reference, position)",
            10,
            &values,
        )
        .await?;
        progress(n * 1_000 + chunk.len(), total);
    }
    if let Some(b) = position::statement_balance(bytes) {
        sqlx::query(
            "DELETE FROM treasury_statement_balances WHERE bank_account_id = $1 AND balance_date = $2",
        )
        .bind(&ba.id)
        .bind(b.date.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO treasury_statement_balances (bank_account_id, balance_date, amount, import_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(&ba.id)
        .bind(b.date.to_string())
        .bind(b.amount)
        .bind(&import_id)
        .execute(&mut *tx)
        .await?;
    }
    let format = format!("{format:?}").to_lowercase();
    finish_import(
        &mut tx,
        app,
        actor,
        org_id,
        (&import_id, Some(&ba.id), &format),
        plan.new.len(),
        plan.duplicates,
    )
    .await?;
    tx.commit().await?;
    Ok(ImportOutcome {
        format,
        created: plan.new.len(),
        duplicate: plan.duplicates,
        rejected: 0,
        bank_account: Some(ba.account),
    })
}

async fn finish_import(
    conn: &mut AnyConnection,
    app: &App,
    actor: Option<&Actor>,
    org_id: &str,
    (id, bank_account, format): (&str, Option<&str>, &str),
    created: usize,
    duplicates: usize,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO treasury_imports (id, org_id, bank_account_id, format, created, duplicates, at, actor_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(org_id)
    .bind(bank_account)
    .bind(format)
    .bind(created as i64)
    .bind(duplicates as i64)
    .bind(app.now())
    .bind(actor.map(|a| a.user_id.as_str()))
    .execute(&mut *conn)
    .await?;
    audit(
        conn,
        app,
        org_id,
        actor,
        "treasury.imported",
        ("treasury_import", id),
        serde_json::json!({"format": format, "created": created, "duplicate": duplicates}),
    )
    .await
}

async fn import_fec(
    app: &App,
    actor: Option<&Actor>,
    org_id: &str,
    bytes: &[u8],
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> AppResult<ImportOutcome> {
    let chart = chart(app, org_id).await?;
    let parsed = fec::import(bytes, &chart).map_err(|e| {
        AppError::invalid(
            "file",
            "fec_invalid",
            format!("FEC, line {}: {}", e.line, e.message),
        )
    })?;
    let mut tx = app.db.write.begin().await?;
    for a in &parsed.new_accounts {
        store_account(&mut tx, org_id, &a.number, &a.label, app.now()).await?;
    }
    let existing: HashSet<(String, i64, i64)> = sqlx::query(
        "SELECT journal, year, seq FROM treasury_entries WHERE org_id = $1 AND seq IS NOT NULL",
    )
    .bind(org_id)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("journal")?, r.try_get("year")?, r.try_get("seq")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let total = parsed.entries.len();
    let mut duplicate = 0;
    let mut checked_years = HashSet::new();
    let mut drafts = Vec::with_capacity(total);
    for e in &parsed.entries {
        let key = (
            e.journal.code(),
            i64::from(e.number.year),
            i64::from(e.number.seq),
        );
        if existing.contains(&key) {
            duplicate += 1;
            continue;
        }
        if checked_years.insert(e.number.year) && is_closed(&mut tx, org_id, e.number.year).await? {
            return Err(AppError::invalid(
                "file",
                "year_closed",
                format!(
                    "the fiscal year {} is closed: its entries can no longer change",
                    e.number.year
                ),
            ));
        }
        let draft = EntryDraft {
            journal: e.journal.clone(),
            date: e.date,
            label: e.label.clone(),
            piece_ref: e.piece_ref.clone(),
            lines: e.lines.clone(),
            kind: e.kind,
        };
        drafts.push((draft, &e.number, e.valid_date));
    }
    let created = drafts.len();
    // Stored in batches (a few round trips per thousand entries), reporting progress.
    for (n, chunk) in drafts.chunks(1_000).enumerate() {
        let rows: Vec<books::NewRow<'_>> = chunk
            .iter()
            .map(|(d, number, valid)| (d, Some((*number, *valid)), None))
            .collect();
        books::insert_many(
            &mut tx,
            org_id,
            &rows,
            actor.map(|a| a.user_id.as_str()),
            app.now(),
        )
        .await?;
        progress(duplicate + n * 1_000 + chunk.len(), total);
    }
    let id = new_id();
    finish_import(
        &mut tx,
        app,
        actor,
        org_id,
        (&id, None, "fec"),
        created,
        duplicate,
    )
    .await?;
    tx.commit().await?;
    Ok(ImportOutcome {
        format: "fec".into(),
        created,
        duplicate,
        rejected: 0,
        bank_account: None,
    })
}

/// A suggested match for a statement line.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    /// The entry line to match.
    pub entry_line_id: String,
    /// Its entry's label.
    pub label: String,
    /// Its date.
    pub date: String,
    /// Its amount on the bank account (cents, positive in).
    pub amount: i64,
    /// Score 0–100.
    pub score: u32,
}

/// A statement line and its reconciliation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BankLineView {
    /// Id.
    pub id: String,
    /// Bank account (ledger number).
    pub account: String,
    /// Date.
    pub date: String,
    /// Signed amount in cents (positive in).
    pub amount: i64,
    /// Label.
    pub label: String,
    /// Reference.
    pub reference: Option<String>,
    /// The entry line it is matched to, once reconciled.
    pub entry_line_id: Option<String>,
    /// Suggestions (for lines not yet reconciled).
    pub suggestions: Vec<SuggestionView>,
}

/// The statement lines of every bank account with suggestions for those not reconciled
/// (members).
pub async fn reconciliation(app: &App, actor: &Actor, slug: &str) -> AppResult<Vec<BankLineView>> {
    let org = can_read(app, actor, slug).await?;
    let rows = sqlx::query(
        "SELECT l.id, a.account, l.line_date, l.amount, l.label, l.reference, l.entry_line_id \
         FROM treasury_bank_lines l JOIN treasury_bank_accounts a ON a.id = l.bank_account_id \
         WHERE l.org_id = $1 ORDER BY a.account, l.line_date, l.position",
    )
    .bind(&org.id)
    .fetch_all(&app.db.read)
    .await?;
    let matched: HashSet<String> = rows
        .iter()
        .filter_map(|r| {
            r.try_get::<Option<String>, _>("entry_line_id")
                .ok()
                .flatten()
        })
        .collect();
    let entries = books::load(&app.db.read, &org.id, Filter::Validated).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let account: String = r.try_get("account")?;
        let line = BankLine {
            date: super::parse_date("date", &r.try_get::<String, _>("line_date")?)?,
            amount: r.try_get("amount")?,
            label: r.try_get("label")?,
            reference: r.try_get("reference")?,
            fit_id: None,
            occurrence: 0,
        };
        let entry_line_id: Option<String> = r.try_get("entry_line_id")?;
        let mut suggestions = vec![];
        if entry_line_id.is_none() {
            let candidates: Vec<reconcile::OpenLine> = entries
                .iter()
                .flat_map(|s| {
                    s.entry
                        .lines
                        .iter()
                        .zip(&s.line_ids)
                        .filter(|(l, id)| l.account == account && !matched.contains(*id))
                        .map(|(l, id)| reconcile::OpenLine {
                            id: id.clone(),
                            date: s.entry.date,
                            amount: l.debit - l.credit,
                            label: s.entry.label.clone(),
                        })
                })
                .collect();
            suggestions = reconcile::suggest(&line, &candidates, 3)
                .into_iter()
                .filter_map(|s| {
                    let c = candidates.iter().find(|c| c.id == s.id)?;
                    Some(SuggestionView {
                        entry_line_id: s.id,
                        label: c.label.clone(),
                        date: c.date.to_string(),
                        amount: c.amount,
                        score: s.score,
                    })
                })
                .collect();
        }
        out.push(BankLineView {
            id: r.try_get("id")?,
            account,
            date: line.date.to_string(),
            amount: line.amount,
            label: line.label,
            reference: line.reference,
            entry_line_id,
            suggestions,
        });
    }
    Ok(out)
}

/// How to reconcile a statement line: match an entry line, or create an entry against a
/// category account.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct Reconcile {
    /// The entry line to match.
    #[serde(default)]
    pub entry_line_id: Option<String>,
    /// Or: the category account of a new entry (756, 606…).
    #[serde(default)]
    pub category: Option<String>,
    /// Analytic project of the new entry.
    #[serde(default)]
    pub project: Option<String>,
}

/// Reconciles a statement line (administrators).
pub async fn reconcile_line(
    app: &App,
    actor: &Actor,
    slug: &str,
    bank_line_id: &str,
    input: &Reconcile,
) -> AppResult<BankLineView> {
    let org = can_write(app, actor, slug).await?;
    let chart = chart(app, &org.id).await?;
    let mut tx = app.db.write.begin().await?;
    let row = sqlx::query(
        "SELECT l.line_date, l.amount, l.label, l.reference, l.entry_line_id, a.account FROM treasury_bank_lines l \
         JOIN treasury_bank_accounts a ON a.id = l.bank_account_id WHERE l.id = $1 AND l.org_id = $2",
    )
    .bind(bank_line_id)
    .bind(&org.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound {
        what: "statement line",
    })?;
    if row.try_get::<Option<String>, _>("entry_line_id")?.is_some() {
        return Err(AppError::conflict(
            "id",
            "line_reconciled",
            "this statement line is already reconciled",
        ));
    }
    let account: String = row.try_get("account")?;
    let line = BankLine {
        date: super::parse_date("date", &row.try_get::<String, _>("line_date")?)?,
        amount: row.try_get("amount")?,
        label: row.try_get("label")?,
        reference: row.try_get("reference")?,
        fit_id: None,
        occurrence: 0,
    };
    let entry_line_id = match (
        input.entry_line_id.as_deref().filter(|s| !s.is_empty()),
        input
            .category
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty()),
    ) {
        (Some(id), _) => {
            let ok = sqlx::query(
                "SELECT l.account, l.debit, l.credit FROM treasury_lines l JOIN treasury_entries e ON e.id = l.entry_id \
                 WHERE l.id = $1 AND e.org_id = $2 AND e.status = 'validated'",
            )
            .bind(id)
            .bind(&org.id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(l) = ok else {
                return Err(AppError::invalid(
                    "entry_line_id",
                    "line_unknown",
                    "no validated entry line has this id",
                ));
            };
            if l.try_get::<String, _>("account")? != account {
                return Err(AppError::invalid(
                    "entry_line_id",
                    "line_other_account",
                    format!("this entry line is not on the bank account {account}"),
                ));
            }
            let taken = sqlx::query("SELECT 1 FROM treasury_bank_lines WHERE entry_line_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(AppError::conflict(
                    "entry_line_id",
                    "line_reconciled",
                    "this entry line is already matched to another statement line",
                ));
            }
            id.to_owned()
        }
        (None, Some(category)) => {
            let draft = bank::to_draft(
                &line,
                &account,
                &category.to_uppercase(),
                input.project.as_deref().filter(|p| !p.trim().is_empty()),
            )
            .map_err(|e| form_error(&e))?;
            let year = FiscalYear::calendar(draft.date.year());
            draft
                .check(&chart, &year)
                .map_err(|e| match books::entry_error(&e) {
                    AppError::Invalid(f) if f.field.starts_with("lines[") => {
                        AppError::Invalid(f.at("category"))
                    }
                    other => other,
                })?;
            let (entry_id, _) = record(
                &mut tx,
                app,
                &org.id,
                &chart,
                &draft,
                None,
                Some(&actor.user_id),
            )
            .await?;
            sqlx::query(
                "SELECT id FROM treasury_lines WHERE entry_id = $1 AND account = $2 ORDER BY position",
            )
            .bind(&entry_id)
            .bind(&account)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?
        }
        (None, None) => {
            return Err(AppError::invalid(
                "category",
                "reconcile_choice",
                "choose an entry to match or a category for a new entry",
            ));
        }
    };
    sqlx::query("UPDATE treasury_bank_lines SET entry_line_id = $1 WHERE id = $2")
        .bind(&entry_line_id)
        .bind(bank_line_id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        app,
        &org.id,
        Some(actor),
        "treasury.line_reconciled",
        ("treasury_bank_line", bank_line_id),
        serde_json::json!({"entry_line_id": entry_line_id}),
    )
    .await?;
    tx.commit().await?;
    super::plan::notify_alerts(app, &org.id).await;
    Ok(BankLineView {
        id: bank_line_id.to_owned(),
        account,
        date: line.date.to_string(),
        amount: line.amount,
        label: line.label,
        reference: line.reference,
        entry_line_id: Some(entry_line_id),
        suggestions: vec![],
    })
}

/// The opening position of one bank or cash account in the cash-flow plan.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OpeningPosition {
    /// Ledger account (512, 5121, 530…).
    pub account: String,
    /// `statement` (a statement balance at the last reconciled line), `reconciled_lines`
    /// (the books reconciled with the statement lines, at the last reconciled line) or
    /// `ledger` (the books' balance today: a cash account, or nothing reconciled yet).
    pub source: String,
    /// The day at whose end the amount holds.
    pub date: String,
    /// Signed cents.
    pub amount: i64,
}

fn source_str(s: PositionSource) -> &'static str {
    match s {
        PositionSource::Statement => "statement",
        PositionSource::ReconciledLines => "reconciled_lines",
        PositionSource::Ledger => "ledger",
    }
}

/// The opening positions of the cash plan: for each bank account with a reconciled
/// statement line, the reconciled bank position (see
/// [`fabrique_treasury::bank::position`]); for the other bank and cash accounts, their
/// balance in the books today.
pub async fn opening_positions(
    app: &App,
    org_id: &str,
    today: jiff::civil::Date,
) -> AppResult<Vec<OpeningPosition>> {
    let ledger = books::treasury_balances(app, org_id, today).await?;
    let mut conn = app.db.read.acquire().await?;
    let accounts = bank_accounts_of(&mut conn, org_id).await?;
    drop(conn);
    let mut out = Vec::new();
    for ba in &accounts {
        let statement = sqlx::query(
            "SELECT line_date, amount, entry_line_id FROM treasury_bank_lines WHERE bank_account_id = $1",
        )
        .bind(&ba.id)
        .fetch_all(&app.db.read)
        .await?
        .iter()
        .map(|r| {
            Ok(StoredLine {
                date: super::parse_date("date", &r.try_get::<String, _>("line_date")?)?,
                amount: r.try_get("amount")?,
                reconciled: r.try_get::<Option<String>, _>("entry_line_id")?.is_some(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
        if !statement.iter().any(|l| l.reconciled) {
            continue;
        }
        let balances = sqlx::query(
            "SELECT balance_date, amount FROM treasury_statement_balances WHERE bank_account_id = $1",
        )
        .bind(&ba.id)
        .fetch_all(&app.db.read)
        .await?
        .iter()
        .map(|r| {
            Ok(StatementBalance {
                date: super::parse_date("date", &r.try_get::<String, _>("balance_date")?)?,
                amount: r.try_get("amount")?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
        let book_lines = if balances.is_empty() {
            books::account_lines(app, org_id, &ba.account).await?
        } else {
            vec![]
        };
        if let Some(p) = position::reconciled_position(&statement, &balances, &book_lines) {
            out.push(OpeningPosition {
                account: ba.account.clone(),
                source: source_str(p.source).into(),
                date: p.date.to_string(),
                amount: p.amount,
            });
        }
    }
    for (account, balance) in ledger {
        if !out.iter().any(|p| p.account == account) {
            out.push(OpeningPosition {
                account,
                source: source_str(PositionSource::Ledger).into(),
                date: today.to_string(),
                amount: balance,
            });
        }
    }
    out.sort_by(|a, b| a.account.cmp(&b.account));
    Ok(out)
}
