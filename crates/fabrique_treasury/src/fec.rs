//! FEC (fichier des écritures comptables, article A47 A-1 du LPF): export and import.
//!
//! Export, per DOMAIN-RULES: one line per entry line after a header of the 18 column names
//! ([`COLUMNS`]); TAB or `|` separator; dates `AAAAMMJJ`; decimal comma, no thousands
//! separator; opening entries (AN) included; closing entries ([`EntryKind::Closing`])
//! excluded; UTF-8 or ISO-8859-15. Third-party accounts (numbers with letters, such as
//! `411DUPONT`) are written with their three-digit root in `CompteNum` and the full
//! number in `CompAuxNum`. Separators, tabs and line breaks inside texts become spaces.
//! Entries are written in [`crate::ledger::chronological`] order.
//!
//! Import: the encoding is UTF-8 when the bytes are valid UTF-8 (BOM allowed), else
//! ISO-8859-15; the separator is TAB when the header has one, else `|`. Lines are grouped
//! into entries by (`JournalCode`, `EcritureNum`); each entry must balance. Lines with zero
//! debit and credit are skipped; a negative debit is read as a credit and vice versa.
//! Numbers written by Fabrique (`VE-2026-00001`) are kept; otherwise every entry is
//! renumbered continuously per journal in file order. The FEC has no analytic column, so
//! projects are not carried. Errors name the 1-based line of the file.

use std::collections::HashMap;

use encoding_rs::ISO_8859_15;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::{Cents, format_fec, parse_amount};
use crate::chart::{Account, Chart};
use crate::ledger::{Entry, EntryKind, EntryNumber, Journal, Line};

/// The 18 column names, in order.
pub const COLUMNS: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

/// Field separator of a FEC file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    /// Tabulation (the default).
    #[default]
    Tab,
    /// Vertical bar.
    Pipe,
}

impl Separator {
    /// The character.
    pub fn char(self) -> char {
        match self {
            Separator::Tab => '\t',
            Separator::Pipe => '|',
        }
    }
}

/// Character encoding of a FEC file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FecEncoding {
    /// UTF-8 without BOM (the default).
    #[default]
    Utf8,
    /// ISO-8859-15 (Latin-9); characters it lacks become `?`.
    Iso8859_15,
}

/// Export options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FecOptions {
    /// Separator.
    pub separator: Separator,
    /// Encoding.
    pub encoding: FecEncoding,
}

/// The legal file name: `<SIREN>FEC<AAAAMMJJ>.txt` with the last day of the fiscal year.
pub fn file_name(siren: &str, year_end: Date) -> String {
    format!("{}FEC{}.txt", siren.trim(), fec_date(year_end))
}

/// `AAAAMMJJ`.
pub fn fec_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn clean(text: &str, sep: char) -> String {
    text.chars()
        .map(|c| {
            if c == sep || c == '\t' || c == '\r' || c == '\n' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn is_third_party(account: &str) -> bool {
    account.bytes().any(|b| b.is_ascii_uppercase())
}

/// The FEC as text (before encoding).
pub fn export_string(entries: &[Entry], chart: &Chart, separator: Separator) -> String {
    let sep = separator.char();
    let mut sorted: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.kind != EntryKind::Closing)
        .collect();
    sorted.sort_by(|a, b| crate::ledger::chronological(a, b));
    let mut out = String::with_capacity(64 + sorted.len() * 300);
    out.push_str(&COLUMNS.join(&sep.to_string()));
    out.push_str("\r\n");
    for e in sorted {
        let jcode = e.journal.code();
        let jlib = clean(&e.journal.label(), sep);
        let num = e.number.to_string();
        let date = fec_date(e.date);
        let valid = fec_date(e.valid_date);
        let piece = clean(&e.piece_ref, sep);
        for l in &e.lines {
            let (compte, compte_lib, aux, aux_lib) = if is_third_party(&l.account) {
                let root = &l.account[..3.min(l.account.len())];
                (
                    root.to_string(),
                    clean(chart.label(root), sep),
                    l.account.clone(),
                    clean(chart.label(&l.account), sep),
                )
            } else {
                (
                    l.account.clone(),
                    clean(chart.label(&l.account), sep),
                    String::new(),
                    String::new(),
                )
            };
            let lib = if l.label.is_empty() {
                &e.label
            } else {
                &l.label
            };
            let fields: [&str; 18] = [
                &jcode,
                &jlib,
                &num,
                &date,
                &compte,
                &compte_lib,
                &aux,
                &aux_lib,
                &piece,
                &date,
                &clean(lib, sep),
                &format_fec(l.debit),
                &format_fec(l.credit),
                "",
                "",
                &valid,
                "",
                "",
            ];
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(sep);
                }
                out.push_str(f);
            }
            out.push_str("\r\n");
        }
    }
    out
}

/// The FEC file's bytes.
pub fn export(entries: &[Entry], chart: &Chart, options: &FecOptions) -> Vec<u8> {
    let text = export_string(entries, chart, options.separator);
    match options.encoding {
        FecEncoding::Utf8 => text.into_bytes(),
        FecEncoding::Iso8859_15 => encode_latin9(&text),
    }
}

fn encode_latin9(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = ISO_8859_15.encode(text);
    if !had_errors {
        return bytes.into_owned();
    }
    // encoding_rs writes unmappable characters as HTML references: replace them by '?'.
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (b, _, err) = ISO_8859_15.encode(c.encode_utf8(&mut buf));
        if err {
            out.push(b'?');
        } else {
            out.extend_from_slice(&b);
        }
    }
    out
}

/// A FEC import that failed, naming the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("FEC line {line}: {message}")]
pub struct FecError {
    /// 1-based line of the file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> FecError {
    FecError {
        line,
        message: message.into(),
    }
}

/// What a FEC import gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FecImport {
    /// Entries, in file order.
    pub entries: Vec<Entry>,
    /// Accounts used by the file and missing from the chart (to create).
    pub new_accounts: Vec<Account>,
    /// The separator found.
    pub separator: Separator,
    /// The encoding found.
    pub encoding: FecEncoding,
}

fn parse_fec_date(text: &str, line: usize, column: &str) -> Result<Date, FecError> {
    let t = text.trim();
    let bad = || {
        err(
            line,
            format!("{column}: invalid date {t:?} (expected AAAAMMJJ)"),
        )
    };
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let y: i16 = t[..4].parse().map_err(|_| bad())?;
    let m: i8 = t[4..6].parse().map_err(|_| bad())?;
    let d: i8 = t[6..].parse().map_err(|_| bad())?;
    Date::new(y, m, d).map_err(|_| bad())
}

struct Pending {
    first_line: usize,
    journal: Journal,
    num_text: String,
    date: Date,
    valid_date: Date,
    label: String,
    piece_ref: String,
    lines: Vec<Line>,
}

fn valid_account(n: &str) -> bool {
    !n.is_empty()
        && matches!(n.as_bytes()[0], b'1'..=b'8')
        && n.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// Parses and checks a FEC file.
pub fn import(bytes: &[u8], chart: &Chart) -> Result<FecImport, FecError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding) = match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), FecEncoding::Utf8),
        Err(_) => (
            ISO_8859_15.decode_without_bom_handling(bytes).0,
            FecEncoding::Iso8859_15,
        ),
    };
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().ok_or_else(|| err(1, "empty file"))?;
    let separator = if header.contains('\t') {
        Separator::Tab
    } else if header.contains('|') {
        Separator::Pipe
    } else {
        return Err(err(1, "header has neither TAB nor | separators"));
    };
    let sep = separator.char();
    let names: Vec<&str> = header.trim_end_matches('\r').split(sep).collect();
    for (i, expected) in COLUMNS.iter().enumerate() {
        match names.get(i) {
            Some(n) if n.trim().eq_ignore_ascii_case(expected) => {}
            Some(n) => {
                return Err(err(
                    1,
                    format!("column {} is {:?}, expected {expected}", i + 1, n.trim()),
                ));
            }
            None => return Err(err(1, format!("column {} ({expected}) missing", i + 1))),
        }
    }
    if names.len() > 18 && names[18..].iter().any(|n| !n.trim().is_empty()) {
        return Err(err(1, "more than 18 columns"));
    }

    let mut pending: Vec<Pending> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut new_accounts: Vec<Account> = Vec::new();
    let mut seen_new: HashMap<String, usize> = HashMap::new();
    let mut f: Vec<&str> = Vec::with_capacity(19);
    for (i, raw) in lines {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        f.clear();
        f.extend(raw.split(sep));
        if f.len() < 18 || (f.len() > 18 && f[18..].iter().any(|x| !x.trim().is_empty())) {
            return Err(err(line, format!("{} fields, expected 18", f.len())));
        }
        let journal = Journal::parse(f[0])
            .map_err(|_| err(line, format!("JournalCode: invalid code {:?}", f[0])))?;
        let num_text = f[2].trim();
        if num_text.is_empty() {
            return Err(err(line, "EcritureNum is empty"));
        }
        let date = parse_fec_date(f[3], line, "EcritureDate")?;
        let compte = f[4].trim();
        let aux = f[6].trim();
        let account = if aux.is_empty() {
            compte.to_string()
        } else {
            // The first three characters (not bytes: the file may hold any text).
            let root = compte
                .char_indices()
                .nth(3)
                .map_or(compte, |(i, _)| &compte[..i]);
            let code: String = aux
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_uppercase())
                .collect();
            if code.starts_with(root) {
                code
            } else {
                format!("{root}{code}")
            }
        };
        if !valid_account(&account) {
            return Err(err(line, format!("CompteNum: invalid account {account:?}")));
        }
        let amount = |col: usize, name: &str| -> Result<Cents, FecError> {
            let t = f[col].trim();
            if t.is_empty() {
                return Ok(0);
            }
            parse_amount(t).map_err(|e| err(line, format!("{name}: {e}")))
        };
        let mut debit = amount(11, "Debit")?;
        let mut credit = amount(12, "Credit")?;
        let too_large = || err(line, "Debit/Credit: amount too large");
        if debit < 0 {
            credit = credit.checked_sub(debit).ok_or_else(too_large)?;
            debit = 0;
        }
        if credit < 0 {
            debit = debit.checked_sub(credit).ok_or_else(too_large)?;
            credit = 0;
        }
        if debit > 0 && credit > 0 {
            let net = debit - credit;
            (debit, credit) = if net >= 0 { (net, 0) } else { (0, -net) };
        }
        let valid_date = if f[15].trim().is_empty() {
            date
        } else {
            parse_fec_date(f[15], line, "ValidDate")?
        };
        if !chart.contains(&account) && !seen_new.contains_key(&account) {
            let label = if !aux.is_empty() && !f[7].trim().is_empty() {
                f[7].trim()
            } else if f[5].trim().is_empty() {
                chart
                    .parent_of(&account)
                    .map(|a| a.label.as_str())
                    .unwrap_or("")
            } else {
                f[5].trim()
            };
            let label = if label.is_empty() {
                account.as_str()
            } else {
                label
            };
            seen_new.insert(account.clone(), new_accounts.len());
            new_accounts.push(Account {
                number: account.clone(),
                label: label.to_string(),
                class: account.as_bytes()[0] - b'0',
                nature: chart.nature_of(&account),
            });
        }
        let lib = f[10].trim();
        let key = (journal.code(), num_text.to_string());
        let idx = match index.get(&key) {
            Some(&idx) => idx,
            None => {
                index.insert(key, pending.len());
                pending.push(Pending {
                    first_line: line,
                    journal,
                    num_text: num_text.to_string(),
                    date,
                    valid_date,
                    label: lib.to_string(),
                    piece_ref: f[8].trim().to_string(),
                    lines: Vec::new(),
                });
                pending.len() - 1
            }
        };
        let p = &mut pending[idx];
        if p.date != date {
            return Err(err(
                line,
                format!(
                    "entry {} has lines dated {} and {}",
                    p.num_text, p.date, date
                ),
            ));
        }
        if debit == 0 && credit == 0 {
            continue;
        }
        p.lines.push(Line {
            account,
            debit,
            credit,
            label: if lib == p.label {
                String::new()
            } else {
                lib.to_string()
            },
            project: None,
        });
    }

    for p in &pending {
        if let Err(e) = crate::ledger::check_lines(&p.lines, None) {
            return Err(err(p.first_line, format!("entry {}: {e}", p.num_text)));
        }
    }
    // Keep our own numbers when every entry has one; otherwise renumber per journal.
    let parsed: Option<Vec<EntryNumber>> = pending
        .iter()
        .map(|p| EntryNumber::parse(&p.num_text).filter(|n| n.journal == p.journal))
        .collect();
    let numbers = match parsed {
        Some(n) => n,
        None => {
            let year = pending.iter().map(|p| p.date.year()).max().unwrap_or(0);
            let mut numbering = crate::ledger::Numbering::new();
            pending
                .iter()
                .map(|p| numbering.next(&p.journal, year))
                .collect()
        }
    };
    let entries = pending
        .into_iter()
        .zip(numbers)
        .map(|(p, number)| Entry {
            number,
            kind: if p.journal == Journal::Opening {
                EntryKind::Opening
            } else if p.label.starts_with("Contrepassation de ") {
                EntryKind::Reversal
            } else {
                EntryKind::Standard
            },
            journal: p.journal,
            date: p.date,
            label: p.label,
            piece_ref: p.piece_ref,
            lines: p.lines,
            valid_date: p.valid_date,
        })
        .collect();
    Ok(FecImport {
        entries,
        new_accounts,
        separator,
        encoding,
    })
}
