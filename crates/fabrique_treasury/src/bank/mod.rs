//! Bank statements: parsers for CSV, OFX, QIF and CAMT.053, format detection, dedup keys
//! and reconciliation suggestions.
//!
//! Every parser returns all lines or an error naming the 1-based line of the file: a file
//! that fails imports nothing. Amounts are signed cents from the account holder's point of
//! view (positive: money in). Each line carries its `occurrence`: how many identical lines
//! (same date, amount and label) came before it in the file, so that two genuine identical
//! payments on one day keep distinct [`dedup_key`]s while re-importing the same statement
//! gives the same keys.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::amount::{AmountError, Cents, parse_amount};

pub mod camt;
pub mod csv;
pub mod ofx;
pub mod position;
pub mod qif;
pub mod reconcile;

pub use self::csv::{AmountColumns, CsvMapping};

/// One line of a bank statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BankLine {
    /// Booking date.
    pub date: Date,
    /// Signed amount in cents (positive: credit to the account holder).
    pub amount: Cents,
    /// Label (payee, memo, remittance information).
    pub label: String,
    /// Bank or check reference, when given.
    pub reference: Option<String>,
    /// Unique transaction id given by the bank (OFX FITID, CAMT AcctSvcrRef).
    pub fit_id: Option<String>,
    /// Number of earlier lines in the same file with the same date, amount and label.
    pub occurrence: u32,
}

/// A statement that cannot be read, naming the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{format} line {line}: {message}")]
pub struct BankError {
    /// Format being parsed.
    pub format: BankFormat,
    /// 1-based line in the file (0 when the file as a whole is wrong).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl BankError {
    pub(crate) fn new(format: BankFormat, line: usize, message: impl Into<String>) -> BankError {
        BankError {
            format,
            line,
            message: message.into(),
        }
    }
}

/// Statement formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankFormat {
    /// CSV with a [`CsvMapping`].
    Csv,
    /// OFX 1.x (SGML) or 2.x (XML).
    Ofx,
    /// Quicken Interchange Format.
    Qif,
    /// ISO 20022 CAMT.053.
    Camt053,
}

impl std::fmt::Display for BankFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BankFormat::Csv => "CSV",
            BankFormat::Ofx => "OFX",
            BankFormat::Qif => "QIF",
            BankFormat::Camt053 => "CAMT.053",
        })
    }
}

/// Guesses the format from the content: OFX header or `<OFX>` tag; a CAMT.053 document
/// (`camt.053` namespace or `BkToCstmrStmt`); QIF (first non-blank line starts with `!`);
/// anything else is CSV.
pub fn detect_format(bytes: &[u8]) -> BankFormat {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let upper = trimmed.to_ascii_uppercase();
    if upper.starts_with("OFXHEADER") || upper.contains("<OFX>") || upper.contains("<?OFX") {
        BankFormat::Ofx
    } else if text.contains("camt.053") || text.contains("BkToCstmrStmt") {
        BankFormat::Camt053
    } else if trimmed.starts_with('!') {
        BankFormat::Qif
    } else {
        BankFormat::Csv
    }
}

/// Detects the format and parses. CSV needs a mapping; without one a CSV file is an error.
pub fn parse_statement(
    bytes: &[u8],
    mapping: Option<&CsvMapping>,
) -> Result<(BankFormat, Vec<BankLine>), BankError> {
    let format = detect_format(bytes);
    let lines = match format {
        BankFormat::Ofx => ofx::parse(bytes)?,
        BankFormat::Qif => qif::parse(bytes)?,
        BankFormat::Camt053 => camt::parse(bytes)?,
        BankFormat::Csv => match mapping {
            Some(m) => csv::parse(bytes, m)?,
            None => {
                return Err(BankError::new(
                    BankFormat::Csv,
                    0,
                    "a CSV statement needs a column mapping",
                ));
            }
        },
    };
    Ok((format, lines))
}

/// Decodes bytes: UTF-8 (BOM allowed) when valid, else Windows-1252 (a superset of
/// Latin-1 that French banks use).
pub(crate) fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// Parses a statement amount like [`parse_amount`], refusing −2⁶³ cents, the one amount
/// without an opposite: a line's sign can then always be flipped (debit columns, `DBIT`,
/// [`to_draft`]) without overflowing.
pub(crate) fn statement_amount(text: &str) -> Result<Cents, AmountError> {
    match parse_amount(text)? {
        Cents::MIN => Err(AmountError::Overflow(text.to_string())),
        amount => Ok(amount),
    }
}

/// Sets `occurrence` on each line (count of earlier identical date/amount/label lines).
pub(crate) fn number_occurrences(lines: &mut [BankLine]) {
    let mut seen: HashMap<(Date, Cents, String), u32> = HashMap::new();
    for l in lines {
        let n = seen.entry((l.date, l.amount, l.label.clone())).or_insert(0);
        l.occurrence = *n;
        *n += 1;
    }
}

/// A stable key identifying a bank line of an account, so re-importing creates nothing:
/// `fitid:<account>:<FITID>` when the bank gives an id, else
/// `hash:<hex sha256 of account, date, amount, label, occurrence>`.
pub fn dedup_key(account: &str, line: &BankLine) -> String {
    if let Some(id) = line.fit_id.as_deref().filter(|s| !s.trim().is_empty()) {
        return format!("fitid:{account}:{}", id.trim());
    }
    let mut h = Sha256::new();
    for part in [
        account,
        &line.date.to_string(),
        &line.amount.to_string(),
        line.label.trim(),
        &line.occurrence.to_string(),
    ] {
        h.update(part.len().to_string().as_bytes());
        h.update(b":");
        h.update(part.as_bytes());
        h.update(b";");
    }
    format!("hash:{}", hex::encode(h.finalize()))
}

/// Collapses runs of whitespace and trims.
pub(crate) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 1-based line number of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// What importing a parsed statement into an account would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlan {
    /// Lines not seen before, with their dedup keys, in statement order.
    pub new: Vec<(String, BankLine)>,
    /// Number of lines already imported (their key is known).
    pub duplicates: usize,
}

/// Splits parsed lines into new ones and duplicates, given the keys already stored for the
/// account: importing the same statement twice creates nothing the second time.
pub fn plan_import(
    account: &str,
    lines: Vec<BankLine>,
    known: &std::collections::HashSet<String>,
) -> ImportPlan {
    let mut new = Vec::new();
    let mut duplicates = 0;
    for line in lines {
        let key = dedup_key(account, &line);
        if known.contains(&key) {
            duplicates += 1;
        } else {
            new.push((key, line));
        }
    }
    ImportPlan { new, duplicates }
}

/// Turns an unmatched statement line into an entry draft on the bank account: money in
/// is an [`crate::ledger::income`] credited to `category`, money out an
/// [`crate::ledger::expense`] debited to it; the label and reference come from the line.
pub fn to_draft(
    line: &BankLine,
    bank_account: &str,
    category: &str,
    project: Option<&str>,
) -> Result<crate::ledger::EntryDraft, crate::ledger::FormError> {
    let form = crate::ledger::SimpleForm {
        date: line.date,
        label: if line.label.is_empty() {
            "Opération bancaire".to_string()
        } else {
            line.label.clone()
        },
        piece_ref: line.reference.clone().unwrap_or_default(),
        amount: line.amount.abs(),
        category: category.to_string(),
        treasury: bank_account.to_string(),
        project: project.map(str::to_string),
    };
    if line.amount >= 0 {
        crate::ledger::income(&form)
    } else {
        crate::ledger::expense(&form)
    }
}
