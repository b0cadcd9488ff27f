//! Ledger model: journals, draft and validated entries, numbering, reversals and the simple
//! forms (income, expense, transfer) that build entries for non-accountants.
//!
//! Lifecycle: an [`EntryDraft`] is free-form; [`EntryDraft::validate`] checks it against the
//! chart and the fiscal year and, given the next [`EntryNumber`] from [`Numbering`], returns
//! an immutable [`Entry`]. A mistake in a validated entry is corrected by
//! [`Entry::reversal`], never by editing it.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::Cents;
use crate::chart::Chart;

/// A journal. Codes: `AC` purchases, `VE` sales/income, `BQ1`, `BQ2`… one per bank account
/// (plain `BQ` is bank journal 0), `CA` cash, `OD` miscellaneous, `AN` opening balances;
/// any other code (from a FEC import) is kept as [`Journal::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Journal {
    /// AC: purchases.
    Purchases,
    /// VE: sales and income.
    Sales,
    /// BQn: bank account n (0 is written `BQ`).
    Bank(u16),
    /// CA: cash.
    Cash,
    /// OD: miscellaneous operations (and year closing).
    Misc,
    /// AN: opening balances (à-nouveaux).
    Opening,
    /// Another code, as found in an imported FEC (1–20 uppercase letters or digits).
    Other(String),
}

impl Journal {
    /// The journal code (FEC `JournalCode`).
    pub fn code(&self) -> String {
        match self {
            Journal::Purchases => "AC".into(),
            Journal::Sales => "VE".into(),
            Journal::Bank(0) => "BQ".into(),
            Journal::Bank(n) => format!("BQ{n}"),
            Journal::Cash => "CA".into(),
            Journal::Misc => "OD".into(),
            Journal::Opening => "AN".into(),
            Journal::Other(c) => c.clone(),
        }
    }

    /// The journal label (FEC `JournalLib`).
    pub fn label(&self) -> String {
        match self {
            Journal::Purchases => "Achats".into(),
            Journal::Sales => "Ventes et produits".into(),
            Journal::Bank(0) => "Banque".into(),
            Journal::Bank(n) => format!("Banque {n}"),
            Journal::Cash => "Caisse".into(),
            Journal::Misc => "Opérations diverses".into(),
            Journal::Opening => "À-nouveaux".into(),
            Journal::Other(c) => format!("Journal {c}"),
        }
    }

    /// Parses a journal code.
    pub fn parse(code: &str) -> Result<Journal, LedgerError> {
        let code = code.trim();
        Ok(match code {
            "AC" => Journal::Purchases,
            "VE" => Journal::Sales,
            "BQ" => Journal::Bank(0),
            "CA" => Journal::Cash,
            "OD" => Journal::Misc,
            "AN" => Journal::Opening,
            _ => {
                if let Some(n) = code.strip_prefix("BQ").and_then(|n| n.parse::<u16>().ok())
                    && !code[2..].starts_with('0')
                    && n > 0
                {
                    return Ok(Journal::Bank(n));
                }
                if code.is_empty()
                    || code.len() > 20
                    || !code
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                {
                    return Err(LedgerError::InvalidJournal(code.to_string()));
                }
                Journal::Other(code.to_string())
            }
        })
    }
}

impl fmt::Display for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl TryFrom<String> for Journal {
    type Error = LedgerError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Journal::parse(&value)
    }
}

impl From<Journal> for String {
    fn from(value: Journal) -> Self {
        value.code()
    }
}

/// What an entry is for; the FEC leaves closing entries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// An ordinary entry.
    #[default]
    Standard,
    /// A reversal of another entry.
    Reversal,
    /// The year-end closing of classes 6/7 into 120/129.
    Closing,
    /// Opening balances (AN) of a year.
    Opening,
}

/// A fiscal year: first and last day, both included. Its `year` (used in entry numbers and
/// receipts) is the calendar year of its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FiscalYear {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

impl FiscalYear {
    /// A fiscal year; `start` must not be after `end`.
    pub fn new(start: Date, end: Date) -> Result<FiscalYear, LedgerError> {
        if start > end {
            return Err(LedgerError::InvalidFiscalYear { start, end });
        }
        Ok(FiscalYear { start, end })
    }

    /// The calendar year from 1 January to 31 December.
    pub fn calendar(year: i16) -> FiscalYear {
        FiscalYear {
            start: Date::new(year, 1, 1).expect("valid date"),
            end: Date::new(year, 12, 31).expect("valid date"),
        }
    }

    /// The identifying year (calendar year of the last day).
    pub fn year(&self) -> i16 {
        self.end.year()
    }

    /// Whether a date is inside the year.
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    /// The year that follows (same length in months: the day after `end` to one year later).
    pub fn next(&self) -> FiscalYear {
        let start = self.end.tomorrow().expect("date in range");
        let end = Date::new(self.end.year() + 1, self.end.month(), 1)
            .expect("valid")
            .last_of_month();
        FiscalYear { start, end }
    }
}

/// One line of an entry. Exactly one of `debit` and `credit` is positive, the other zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Line {
    /// Account number (must exist in the chart).
    pub account: String,
    /// Debit in cents (0 when omitted in JSON).
    #[serde(default)]
    pub debit: Cents,
    /// Credit in cents (0 when omitted in JSON).
    #[serde(default)]
    pub credit: Cents,
    /// Line label; empty means the entry's label.
    #[serde(default)]
    pub label: String,
    /// Analytic project tag.
    #[serde(default)]
    pub project: Option<String>,
}

impl Line {
    /// A debit line.
    pub fn debit(account: &str, amount: Cents) -> Line {
        Line {
            account: account.to_string(),
            debit: amount,
            credit: 0,
            label: String::new(),
            project: None,
        }
    }

    /// A credit line.
    pub fn credit(account: &str, amount: Cents) -> Line {
        Line {
            account: account.to_string(),
            debit: 0,
            credit: amount,
            label: String::new(),
            project: None,
        }
    }

    /// The same line tagged with a project.
    pub fn with_project(mut self, project: Option<&str>) -> Line {
        self.project = project.map(str::to_string);
        self
    }

    /// The same line with its own label.
    pub fn with_label(mut self, label: &str) -> Line {
        self.label = label.to_string();
        self
    }

    /// Debit minus credit.
    pub fn balance(&self) -> Cents {
        self.debit - self.credit
    }
}

/// An entry being written: free to change until validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryDraft {
    /// Journal.
    pub journal: Journal,
    /// Accounting date.
    pub date: Date,
    /// Label (EcritureLib).
    pub label: String,
    /// Supporting document reference (PieceRef): invoice number, receipt number…
    #[serde(default)]
    pub piece_ref: String,
    /// Lines.
    pub lines: Vec<Line>,
    /// What the entry is for.
    #[serde(default)]
    pub kind: EntryKind,
}

impl EntryDraft {
    /// An empty draft: of kind [`EntryKind::Opening`] in the `AN` journal, else standard.
    pub fn new(journal: Journal, date: Date, label: &str) -> EntryDraft {
        let kind = if journal == Journal::Opening {
            EntryKind::Opening
        } else {
            EntryKind::Standard
        };
        EntryDraft {
            journal,
            date,
            label: label.to_string(),
            piece_ref: String::new(),
            lines: Vec::new(),
            kind,
        }
    }

    /// Adds a line (builder style).
    pub fn line(mut self, line: Line) -> EntryDraft {
        self.lines.push(line);
        self
    }

    /// Sets the piece reference (builder style).
    pub fn piece(mut self, piece_ref: &str) -> EntryDraft {
        self.piece_ref = piece_ref.to_string();
        self
    }

    /// Checks the draft without numbering it. Errors name the 1-based line.
    pub fn check(&self, chart: &Chart, year: &FiscalYear) -> Result<(), EntryError> {
        if self.label.trim().is_empty() {
            return Err(EntryError::EmptyLabel);
        }
        if !year.contains(self.date) {
            return Err(EntryError::DateOutsideYear {
                date: self.date,
                start: year.start,
                end: year.end,
            });
        }
        check_lines(&self.lines, Some(chart))
    }

    /// Checks the draft and turns it into an immutable entry with its number. `valid_date`
    /// is the day of validation (FEC `ValidDate`). The number must be for this journal and
    /// this fiscal year (take it from [`Numbering::next`]).
    pub fn validate(
        &self,
        chart: &Chart,
        year: &FiscalYear,
        number: EntryNumber,
        valid_date: Date,
    ) -> Result<Entry, EntryError> {
        self.check(chart, year)?;
        if number.journal != self.journal || number.year != year.year() || number.seq == 0 {
            return Err(EntryError::NumberMismatch {
                number: number.to_string(),
            });
        }
        Ok(Entry {
            number,
            journal: self.journal.clone(),
            date: self.date,
            label: self.label.trim().to_string(),
            piece_ref: self.piece_ref.trim().to_string(),
            lines: self.lines.clone(),
            kind: self.kind,
            valid_date,
        })
    }
}

/// Checks lines: at least two, each with exactly one positive side, accounts in the chart
/// (when given), balanced.
pub(crate) fn check_lines(lines: &[Line], chart: Option<&Chart>) -> Result<(), EntryError> {
    if lines.len() < 2 {
        return Err(EntryError::TooFewLines(lines.len()));
    }
    let (mut debit, mut credit) = (0i64, 0i64);
    for (i, l) in lines.iter().enumerate() {
        let line = i + 1;
        if l.debit < 0 || l.credit < 0 {
            return Err(EntryError::NegativeAmount { line });
        }
        if l.debit > 0 && l.credit > 0 {
            return Err(EntryError::BothSides { line });
        }
        if l.debit == 0 && l.credit == 0 {
            return Err(EntryError::ZeroLine { line });
        }
        if let Some(chart) = chart
            && !chart.contains(&l.account)
        {
            return Err(EntryError::UnknownAccount {
                line,
                account: l.account.clone(),
            });
        }
        debit = debit
            .checked_add(l.debit)
            .ok_or(EntryError::Overflow { line })?;
        credit = credit
            .checked_add(l.credit)
            .ok_or(EntryError::Overflow { line })?;
    }
    if debit != credit {
        return Err(EntryError::Unbalanced { debit, credit });
    }
    Ok(())
}

/// An entry number: journal, fiscal year and a sequence continuous from 1 within the
/// journal and year. Written `VE-2026-00001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntryNumber {
    /// Journal.
    pub journal: Journal,
    /// Fiscal year (see [`FiscalYear::year`]).
    pub year: i16,
    /// Sequence, from 1.
    pub seq: u32,
}

impl fmt::Display for EntryNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:05}", self.journal, self.year, self.seq)
    }
}

impl EntryNumber {
    /// Parses `VE-2026-00001`.
    pub fn parse(text: &str) -> Option<EntryNumber> {
        let mut parts = text.rsplitn(3, '-');
        let seq = parts.next()?.parse().ok()?;
        let year = parts.next()?.parse().ok()?;
        let journal = Journal::parse(parts.next()?).ok()?;
        Some(EntryNumber { journal, year, seq })
    }
}

/// Gives continuous entry numbers per journal and year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Numbering {
    last: BTreeMap<(Journal, i16), u32>,
}

impl Numbering {
    /// Empty: every journal starts at 1.
    pub fn new() -> Numbering {
        Numbering::default()
    }

    /// Knows the last numbers used by these entries.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Numbering {
        let mut n = Numbering::new();
        for e in entries {
            n.record(&e.number);
        }
        n
    }

    /// Records a number as used.
    pub fn record(&mut self, number: &EntryNumber) {
        let last = self
            .last
            .entry((number.journal.clone(), number.year))
            .or_insert(0);
        *last = (*last).max(number.seq);
    }

    /// The number after `last` (for a database that stores the last sequence).
    pub fn after(journal: Journal, year: i16, last: Option<u32>) -> EntryNumber {
        EntryNumber {
            journal,
            year,
            seq: last.unwrap_or(0) + 1,
        }
    }

    /// Takes the next number of this journal and year.
    pub fn next(&mut self, journal: &Journal, year: i16) -> EntryNumber {
        let last = self.last.entry((journal.clone(), year)).or_insert(0);
        *last += 1;
        EntryNumber {
            journal: journal.clone(),
            year,
            seq: *last,
        }
    }
}

/// Checks that the numbers of these entries are continuous from 1 in each journal and year.
pub fn check_continuity(entries: &[Entry]) -> Result<(), LedgerError> {
    let mut seqs: BTreeMap<(Journal, i16), Vec<u32>> = BTreeMap::new();
    for e in entries {
        seqs.entry((e.number.journal.clone(), e.number.year))
            .or_default()
            .push(e.number.seq);
    }
    for ((journal, year), mut v) in seqs {
        v.sort_unstable();
        for (i, s) in v.iter().enumerate() {
            let expected = i as u32 + 1;
            if *s != expected {
                return Err(LedgerError::NumberingGap {
                    journal: journal.code(),
                    year,
                    expected,
                    found: *s,
                });
            }
        }
    }
    Ok(())
}

/// A validated entry: immutable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    /// Number (continuous per journal and year).
    pub number: EntryNumber,
    /// Journal.
    pub journal: Journal,
    /// Accounting date.
    pub date: Date,
    /// Label.
    pub label: String,
    /// Supporting document reference.
    pub piece_ref: String,
    /// Lines (two or more, balanced).
    pub lines: Vec<Line>,
    /// What the entry is for.
    pub kind: EntryKind,
    /// Day of validation.
    pub valid_date: Date,
}

impl Entry {
    /// Total of debits (equal to total of credits).
    pub fn total(&self) -> Cents {
        self.lines.iter().map(|l| l.debit).sum()
    }

    /// Whether the entry balances and every line has one positive side (always true for an
    /// entry built by [`EntryDraft::validate`]; useful on data read back from storage).
    pub fn is_balanced(&self) -> bool {
        check_lines(&self.lines, None).is_ok()
    }

    /// A draft that cancels this entry: same journal and lines with debit and credit
    /// swapped, dated `date`, labelled "Contrepassation de <number>".
    pub fn reversal(&self, date: Date) -> EntryDraft {
        EntryDraft {
            journal: self.journal.clone(),
            date,
            label: format!("Contrepassation de {} : {}", self.number, self.label),
            piece_ref: self.piece_ref.clone(),
            lines: self
                .lines
                .iter()
                .map(|l| Line {
                    account: l.account.clone(),
                    debit: l.credit,
                    credit: l.debit,
                    label: l.label.clone(),
                    project: l.project.clone(),
                })
                .collect(),
            kind: EntryKind::Reversal,
        }
    }
}

/// Why a draft is not a valid entry. Line numbers are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntryError {
    /// Fewer than two lines.
    #[error("an entry needs at least two lines, found {0}")]
    TooFewLines(usize),
    /// A negative debit or credit.
    #[error("line {line}: negative amount")]
    NegativeAmount {
        /// 1-based line.
        line: usize,
    },
    /// Both debit and credit set.
    #[error("line {line}: both debit and credit are set")]
    BothSides {
        /// 1-based line.
        line: usize,
    },
    /// Neither debit nor credit set.
    #[error("line {line}: neither debit nor credit is set")]
    ZeroLine {
        /// 1-based line.
        line: usize,
    },
    /// Account missing from the chart.
    #[error("line {line}: unknown account {account}")]
    UnknownAccount {
        /// 1-based line.
        line: usize,
        /// The account number given.
        account: String,
    },
    /// Sums overflow.
    #[error("line {line}: amounts too large")]
    Overflow {
        /// 1-based line.
        line: usize,
    },
    /// Debits and credits differ.
    #[error("unbalanced entry: debit {debit} ≠ credit {credit} (cents)")]
    Unbalanced {
        /// Sum of debits.
        debit: Cents,
        /// Sum of credits.
        credit: Cents,
    },
    /// The date is outside the fiscal year.
    #[error("date {date} outside the fiscal year {start} – {end}")]
    DateOutsideYear {
        /// The entry date.
        date: Date,
        /// First day of the year.
        start: Date,
        /// Last day of the year.
        end: Date,
    },
    /// Empty label.
    #[error("the entry needs a label")]
    EmptyLabel,
    /// The number given is not of this journal and year.
    #[error("number {number} does not belong to this journal and year")]
    NumberMismatch {
        /// The number given.
        number: String,
    },
}

/// The order of entries in journals, ledgers and exports: by date, opening entries (AN)
/// first on their day, then by number.
pub fn chronological(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    (a.date, a.kind != EntryKind::Opening, &a.number).cmp(&(
        b.date,
        b.kind != EntryKind::Opening,
        &b.number,
    ))
}

/// Other ledger errors.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LedgerError {
    /// Unknown or malformed journal code.
    #[error("invalid journal code {0:?}")]
    InvalidJournal(String),
    /// Start after end.
    #[error("fiscal year starts {start} after it ends {end}")]
    InvalidFiscalYear {
        /// First day.
        start: Date,
        /// Last day.
        end: Date,
    },
    /// A hole or duplicate in the numbering.
    #[error("journal {journal} year {year}: expected number {expected}, found {found}")]
    NumberingGap {
        /// Journal code.
        journal: String,
        /// Year.
        year: i16,
        /// Expected sequence.
        expected: u32,
        /// Sequence found.
        found: u32,
    },
}

/// Why a simple form cannot produce an entry.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FormError {
    /// The amount is zero or negative.
    #[error("the amount must be positive")]
    NonPositiveAmount,
    /// The money account is not a bank (51x) or cash (53x) account.
    #[error("{0} is not a bank or cash account")]
    NotTreasury(String),
    /// The category account is a bank or cash account.
    #[error("{0} is a bank or cash account, not a category")]
    CategoryIsTreasury(String),
    /// Both sides of a transfer are the same account.
    #[error("a transfer needs two different accounts")]
    SameAccount,
}

/// A simple form: one amount between a category account and a bank or cash account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimpleForm {
    /// Date.
    pub date: Date,
    /// Label.
    pub label: String,
    /// Supporting document reference.
    #[serde(default)]
    pub piece_ref: String,
    /// Positive amount in cents.
    pub amount: Cents,
    /// Category account (756 dues, 606 purchases, 411DUPONT…).
    pub category: String,
    /// Bank (512…) or cash (530…) account.
    pub treasury: String,
    /// Analytic project.
    #[serde(default)]
    pub project: Option<String>,
}

fn is_treasury(account: &str) -> bool {
    account.starts_with("51") || account.starts_with("53")
}

/// The journal for a bank or cash account: 53x → `CA`; `512` → `BQ1`; `512N…` → `BQN`
/// when N is a digit 1–9 (5121 → BQ1, 5122 → BQ2); other 51x → `BQ1`.
pub fn journal_for_treasury(account: &str) -> Journal {
    if account.starts_with("53") {
        return Journal::Cash;
    }
    match account.as_bytes().get(3) {
        Some(d @ b'1'..=b'9') if account.starts_with("512") => Journal::Bank(u16::from(d - b'0')),
        _ => Journal::Bank(1),
    }
}

fn simple(form: &SimpleForm, incoming: bool) -> Result<EntryDraft, FormError> {
    if form.amount <= 0 {
        return Err(FormError::NonPositiveAmount);
    }
    if !is_treasury(&form.treasury) {
        return Err(FormError::NotTreasury(form.treasury.clone()));
    }
    if is_treasury(&form.category) {
        return Err(FormError::CategoryIsTreasury(form.category.clone()));
    }
    let p = form.project.as_deref();
    let (money, category) = if incoming {
        (
            Line::debit(&form.treasury, form.amount),
            Line::credit(&form.category, form.amount).with_project(p),
        )
    } else {
        (
            Line::credit(&form.treasury, form.amount),
            Line::debit(&form.category, form.amount).with_project(p),
        )
    };
    let mut draft = EntryDraft::new(journal_for_treasury(&form.treasury), form.date, &form.label)
        .piece(&form.piece_ref);
    if incoming {
        draft = draft.line(money).line(category);
    } else {
        draft = draft.line(category).line(money);
    }
    Ok(draft)
}

/// Money received: debit the bank/cash account, credit the category (e.g. 756 dues).
pub fn income(form: &SimpleForm) -> Result<EntryDraft, FormError> {
    simple(form, true)
}

/// Money paid: debit the category (e.g. 606), credit the bank/cash account.
pub fn expense(form: &SimpleForm) -> Result<EntryDraft, FormError> {
    simple(form, false)
}

/// Moves money between two bank/cash accounts: debit `to`, credit `from`, in the journal of
/// `from`.
pub fn transfer(
    date: Date,
    label: &str,
    amount: Cents,
    from: &str,
    to: &str,
) -> Result<EntryDraft, FormError> {
    if amount <= 0 {
        return Err(FormError::NonPositiveAmount);
    }
    for a in [from, to] {
        if !is_treasury(a) {
            return Err(FormError::NotTreasury(a.to_string()));
        }
    }
    if from == to {
        return Err(FormError::SameAccount);
    }
    Ok(EntryDraft::new(journal_for_treasury(from), date, label)
        .line(Line::debit(to, amount))
        .line(Line::credit(from, amount)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn year() -> FiscalYear {
        FiscalYear::calendar(2026)
    }

    #[test]
    fn journal_codes_roundtrip() {
        for code in ["AC", "VE", "BQ", "BQ1", "BQ12", "CA", "OD", "AN", "HA"] {
            assert_eq!(Journal::parse(code).unwrap().code(), code);
        }
        assert!(Journal::parse("bq").is_err());
        assert!(Journal::parse("").is_err());
        assert_eq!(
            Journal::parse("BQ01").unwrap(),
            Journal::Other("BQ01".into())
        );
    }

    #[test]
    fn validation_names_the_line() {
        let chart = Chart::associations();
        let mut n = Numbering::new();
        let d = EntryDraft::new(Journal::Sales, date(2026, 3, 1), "Cotisation")
            .line(Line::debit("512", 3000))
            .line(Line::credit("756", 3000));
        let e = d
            .validate(
                &chart,
                &year(),
                n.next(&Journal::Sales, 2026),
                date(2026, 3, 2),
            )
            .unwrap();
        assert_eq!(e.number.to_string(), "VE-2026-00001");
        assert_eq!(n.next(&Journal::Sales, 2026).seq, 2);
        assert_eq!(n.next(&Journal::Misc, 2026).seq, 1);

        let mut bad = d.clone();
        bad.lines[1].debit = 5;
        assert_eq!(
            bad.check(&chart, &year()),
            Err(EntryError::BothSides { line: 2 })
        );
        let mut bad = d.clone();
        bad.lines[1].account = "999".into();
        assert_eq!(
            bad.check(&chart, &year()),
            Err(EntryError::UnknownAccount {
                line: 2,
                account: "999".into()
            })
        );
        let mut bad = d.clone();
        bad.lines[0].debit = 0;
        assert_eq!(
            bad.check(&chart, &year()),
            Err(EntryError::ZeroLine { line: 1 })
        );
        let mut bad = d.clone();
        bad.lines[0].debit = -3000;
        assert_eq!(
            bad.check(&chart, &year()),
            Err(EntryError::NegativeAmount { line: 1 })
        );
        let mut bad = d.clone();
        bad.lines[0].debit = 2999;
        assert_eq!(
            bad.check(&chart, &year()),
            Err(EntryError::Unbalanced {
                debit: 2999,
                credit: 3000
            })
        );
        let mut bad = d.clone();
        bad.lines.pop();
        assert_eq!(bad.check(&chart, &year()), Err(EntryError::TooFewLines(1)));
        let mut bad = d.clone();
        bad.date = date(2027, 1, 1);
        assert!(matches!(
            bad.check(&chart, &year()),
            Err(EntryError::DateOutsideYear { .. })
        ));
        assert!(matches!(
            d.validate(
                &chart,
                &year(),
                Numbering::after(Journal::Misc, 2026, None),
                date(2026, 3, 2)
            ),
            Err(EntryError::NumberMismatch { .. })
        ));
    }

    #[test]
    fn forms_and_reversal() {
        let chart = Chart::associations();
        let form = SimpleForm {
            date: date(2026, 5, 4),
            label: "Boîte à dons install party".into(),
            piece_ref: "R-12".into(),
            amount: 4250,
            category: "7541".into(),
            treasury: "530".into(),
            project: Some("install-party".into()),
        };
        let d = income(&form).unwrap();
        assert_eq!(d.journal, Journal::Cash);
        assert_eq!(d.lines[0], Line::debit("530", 4250));
        assert_eq!(d.lines[1].credit, 4250);
        assert_eq!(d.lines[1].project.as_deref(), Some("install-party"));
        let e = expense(&SimpleForm {
            category: "606".into(),
            treasury: "512".into(),
            ..form.clone()
        })
        .unwrap();
        assert_eq!(e.journal, Journal::Bank(1));
        assert_eq!(
            e.lines[0],
            Line::debit("606", 4250).with_project(Some("install-party"))
        );
        assert_eq!(
            income(&SimpleForm {
                amount: 0,
                ..form.clone()
            }),
            Err(FormError::NonPositiveAmount)
        );
        assert_eq!(
            income(&SimpleForm {
                treasury: "606".into(),
                ..form.clone()
            }),
            Err(FormError::NotTreasury("606".into()))
        );
        let t = transfer(date(2026, 5, 5), "Dépôt espèces", 4000, "530", "512").unwrap();
        assert_eq!(t.journal, Journal::Cash);
        assert_eq!(
            transfer(date(2026, 5, 5), "x", 1, "512", "512"),
            Err(FormError::SameAccount)
        );
        let v = d
            .validate(
                &chart,
                &year(),
                Numbering::after(Journal::Cash, 2026, None),
                form.date,
            )
            .unwrap();
        let r = v.reversal(date(2026, 5, 6));
        assert_eq!(r.kind, EntryKind::Reversal);
        assert_eq!(r.lines[0], Line::credit("530", 4250));
        assert!(r.label.contains("CA-2026-00001"));
        r.check(&chart, &year()).unwrap();
        assert_eq!(journal_for_treasury("5122"), Journal::Bank(2));
    }

    #[test]
    fn continuity() {
        let chart = Chart::associations();
        let mut n = Numbering::new();
        let d = EntryDraft::new(Journal::Sales, date(2026, 3, 1), "x")
            .line(Line::debit("512", 1))
            .line(Line::credit("756", 1));
        let a = d
            .validate(
                &chart,
                &year(),
                n.next(&Journal::Sales, 2026),
                date(2026, 3, 1),
            )
            .unwrap();
        n.next(&Journal::Sales, 2026);
        let c = d
            .validate(
                &chart,
                &year(),
                n.next(&Journal::Sales, 2026),
                date(2026, 3, 1),
            )
            .unwrap();
        assert!(check_continuity(std::slice::from_ref(&a)).is_ok());
        assert_eq!(
            check_continuity(&[a, c]),
            Err(LedgerError::NumberingGap {
                journal: "VE".into(),
                year: 2026,
                expected: 2,
                found: 3
            })
        );
        assert_eq!(EntryNumber::parse("BQ1-2026-00042").unwrap().seq, 42);
        assert_eq!(
            FiscalYear::calendar(2026).next(),
            FiscalYear::calendar(2027)
        );
    }
}
