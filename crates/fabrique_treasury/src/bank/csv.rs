//! CSV statements with a column mapping saved per bank account.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{
    BankError, BankFormat, BankLine, decode, number_occurrences, squash, statement_amount,
};
use crate::amount::Cents;

/// Where the amount is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AmountColumns {
    /// One signed amount column (0-based index).
    Single {
        /// Column index.
        column: usize,
    },
    /// Separate debit (money out) and credit (money in) columns; the sign written in the
    /// file is ignored, the column decides.
    DebitCredit {
        /// Debit column index.
        debit: usize,
        /// Credit column index.
        credit: usize,
    },
}

/// How to read one bank's CSV. Columns are 0-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvMapping {
    /// Field separator (`;` for most French banks).
    pub separator: char,
    /// Rows to skip at the top (headers, account information).
    pub skip_rows: usize,
    /// Date column.
    pub date_column: usize,
    /// Date format in `strftime` syntax, e.g. `%d/%m/%Y` or `%Y-%m-%d`.
    pub date_format: String,
    /// Amount columns.
    pub amount: AmountColumns,
    /// Label columns, joined by a space (e.g. label and complement).
    pub label_columns: Vec<usize>,
    /// Reference column, if any.
    pub reference_column: Option<usize>,
    /// Unique id column, if the bank gives one.
    pub id_column: Option<usize>,
    /// True when amounts use a decimal comma (`1.234,56`), false for a decimal point
    /// (`1,234.56`).
    pub decimal_comma: bool,
}

impl Default for CsvMapping {
    /// The common French layout: `Date;Libellé;Montant` with a header row, dates
    /// `dd/mm/yyyy`, decimal comma.
    fn default() -> Self {
        CsvMapping {
            separator: ';',
            skip_rows: 1,
            date_column: 0,
            date_format: "%d/%m/%Y".into(),
            amount: AmountColumns::Single { column: 2 },
            label_columns: vec![1],
            reference_column: None,
            id_column: None,
            decimal_comma: true,
        }
    }
}

fn amount(text: &str, decimal_comma: bool) -> Result<Cents, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    let normalised: String = if decimal_comma {
        t.chars().filter(|c| *c != '.').collect()
    } else {
        t.chars().filter(|c| *c != ',').collect()
    };
    statement_amount(&normalised).map_err(|e| format!("amount {t:?}: {e}"))
}

/// Parses a CSV statement.
pub fn parse(bytes: &[u8], mapping: &CsvMapping) -> Result<Vec<BankLine>, BankError> {
    let text = decode(bytes);
    let e = |line: usize, m: String| BankError::new(BankFormat::Csv, line, m);
    if !mapping.separator.is_ascii() {
        return Err(e(0, "the separator must be an ASCII character".into()));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(mapping.separator as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|err| {
            let line = err.position().map(|p| p.line() as usize).unwrap_or(i + 1);
            e(line, err.to_string())
        })?;
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(i + 1);
        if i < mapping.skip_rows || record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: usize, what: &str| {
            record
                .get(c)
                .ok_or_else(|| e(line, format!("missing {what} column {}", c + 1)))
        };
        let date_text = get(mapping.date_column, "date")?.trim();
        let date = Date::strptime(&mapping.date_format, date_text).map_err(|_| {
            e(
                line,
                format!(
                    "date {date_text:?} does not match {:?}",
                    mapping.date_format
                ),
            )
        })?;
        let amount = match mapping.amount {
            AmountColumns::Single { column } => {
                amount(get(column, "amount")?, mapping.decimal_comma).map_err(|m| e(line, m))?
            }
            AmountColumns::DebitCredit { debit, credit } => {
                let d =
                    amount(get(debit, "debit")?, mapping.decimal_comma).map_err(|m| e(line, m))?;
                let c = amount(get(credit, "credit")?, mapping.decimal_comma)
                    .map_err(|m| e(line, m))?;
                c.abs() - d.abs()
            }
        };
        let mut label = String::new();
        for &c in &mapping.label_columns {
            let part = get(c, "label")?.trim();
            if !part.is_empty() {
                if !label.is_empty() {
                    label.push(' ');
                }
                label.push_str(part);
            }
        }
        let opt = |c: Option<usize>| -> Result<Option<String>, BankError> {
            Ok(match c {
                Some(c) => Some(get(c, "reference")?.trim().to_string()).filter(|s| !s.is_empty()),
                None => None,
            })
        };
        out.push(BankLine {
            date,
            amount,
            label: squash(&label),
            reference: opt(mapping.reference_column)?,
            fit_id: opt(mapping.id_column)?,
            occurrence: 0,
        });
    }
    number_occurrences(&mut out);
    Ok(out)
}
