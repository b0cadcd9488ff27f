//! The reconciled position of a bank account: what the bank itself says the account held
//! on the day of the last statement line reconciled with the books — the opening position
//! of the cash-flow plan, rather than the ledger's balance, which may hold entries the bank
//! never saw (or miss some it did).
//!
//! Two ways, the first that applies:
//! 1. [`PositionSource::Statement`]: a balance the bank gave in a statement (OFX
//!    `LEDGERBAL`, CAMT.053 `CLBD` or `OPBD`), moved to the end of the day of the last
//!    reconciled line by the statement lines in between (every line of the account is
//!    stored, so the walk is exact);
//! 2. [`PositionSource::ReconciledLines`]: without any statement balance (QIF, CSV), the
//!    bank reconciliation of the books at that day: the ledger balance, less the book lines
//!    the bank has not shown yet (unmatched, dated within the statements' period), plus the
//!    statement lines not yet in the books (unmatched, up to that day).
//!
//! With no reconciled line at all there is no reconciled position (`None`); the caller
//! falls back on the ledger ([`PositionSource::Ledger`]).

use jiff::civil::Date;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

use super::{BankFormat, decode, detect_format};
use crate::amount::{Cents, parse_amount};
use crate::dates::add_days;

/// A balance given by the bank: what the account held at the end of `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementBalance {
    /// The day at whose end the balance holds.
    pub date: Date,
    /// Signed cents (positive: in credit with the bank).
    pub amount: Cents,
}

/// Where an opening position comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    /// A statement balance, at the last reconciled line.
    Statement,
    /// The books' opening balance plus the reconciled statement lines.
    ReconciledLines,
    /// The ledger balance (no statement line reconciled yet, or a cash account).
    Ledger,
}

/// One stored statement line, as the position needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredLine {
    /// Booking date.
    pub date: Date,
    /// Signed cents.
    pub amount: Cents,
    /// Whether it is matched to an entry line.
    pub reconciled: bool,
}

/// A reconciled position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// How it was found.
    pub source: PositionSource,
    /// The day at whose end it holds (the last reconciled line's date).
    pub date: Date,
    /// Signed cents.
    pub amount: Cents,
}

/// The reconciled position of an account from all its stored statement lines, the
/// balances its statements gave (the latest is used) and, only when there is no balance,
/// its lines in the books (debit − credit, `reconciled` when matched to a statement line,
/// the opening balance included). `None` when no statement line is reconciled.
pub fn reconciled_position(
    statement: &[StoredLine],
    balances: &[StatementBalance],
    books: &[StoredLine],
) -> Option<Position> {
    let lines = statement;
    let date = lines
        .iter()
        .filter(|l| l.reconciled)
        .map(|l| l.date)
        .max()?;
    let Some(b) = balances.iter().max_by_key(|b| b.date) else {
        let first = lines.iter().map(|l| l.date).min().unwrap_or(date);
        let ledger: Cents = books
            .iter()
            .filter(|l| l.date <= date)
            .map(|l| l.amount)
            .sum();
        let outstanding: Cents = books
            .iter()
            .filter(|l| !l.reconciled && l.date >= first && l.date <= date)
            .map(|l| l.amount)
            .sum();
        let unrecorded: Cents = lines
            .iter()
            .filter(|l| !l.reconciled && l.date <= date)
            .map(|l| l.amount)
            .sum();
        return Some(Position {
            source: PositionSource::ReconciledLines,
            date,
            amount: ledger - outstanding + unrecorded,
        });
    };
    // Balance at the end of `date` = balance at the end of `b.date` ± the lines between.
    let between = |from: Date, to: Date| -> Cents {
        lines
            .iter()
            .filter(|l| l.date > from && l.date <= to)
            .map(|l| l.amount)
            .sum()
    };
    let amount = if date >= b.date {
        b.amount + between(b.date, date)
    } else {
        b.amount - between(date, b.date)
    };
    Some(Position {
        source: PositionSource::Statement,
        date,
        amount,
    })
}

/// The balance a statement gives, if any: OFX `LEDGERBAL` (`BALAMT` at `DTASOF`), or
/// CAMT.053 `CLBD` (closing booked, at the end of its date), else `OPBD` (opening booked:
/// the end of the day before). A statement whose balance cannot be read gives `None`: its
/// lines are what matters, and the position then comes from the reconciled lines.
pub fn statement_balance(bytes: &[u8]) -> Option<StatementBalance> {
    match detect_format(bytes) {
        BankFormat::Ofx => ofx_balance(&decode(bytes)),
        BankFormat::Camt053 => camt_balance(&decode(bytes)),
        BankFormat::Qif | BankFormat::Csv => None,
    }
}

fn leaf_value<'a>(block: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = block.find(&open)? + open.len();
    let end = block[start..].find('<').map_or(block.len(), |e| start + e);
    Some(block[start..end].trim())
}

fn ymd(text: &str) -> Option<Date> {
    let d = text.get(..8)?;
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Date::new(
        d[..4].parse().ok()?,
        d[4..6].parse().ok()?,
        d[6..].parse().ok()?,
    )
    .ok()
}

fn ofx_balance(text: &str) -> Option<StatementBalance> {
    let at = text.rfind("<LEDGERBAL>")?;
    let block = &text[at + "<LEDGERBAL>".len()..];
    let block = &block[..block.find("</LEDGERBAL>").unwrap_or(block.len())];
    Some(StatementBalance {
        date: ymd(leaf_value(block, "DTASOF")?)?,
        amount: parse_amount(leaf_value(block, "BALAMT")?).ok()?,
    })
}

#[derive(Default)]
struct Bal {
    code: String,
    amount: String,
    indicator: String,
    date: String,
}

fn camt_balance(text: &str) -> Option<StatementBalance> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut found: Vec<Bal> = Vec::new();
    let mut value = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                let name = str::to_owned(e.local_name().as_ref());
                if name == "Bal" {
                    found.push(Bal::default());
                }
                path.push(name);
                value.clear();
            }
            Event::Text(t) => value.push_str(t.as_ref()),
            Event::End(_) => {
                let inside = path.iter().any(|p| p == "Bal");
                if let (true, Some(b)) = (inside, found.last_mut()) {
                    let v = value.trim().to_owned();
                    match path.last().map(String::as_str) {
                        Some("Cd") if path.iter().any(|p| p == "Tp") => b.code = v,
                        Some("Amt") => b.amount = v,
                        Some("CdtDbtInd") => b.indicator = v,
                        Some("Dt") if b.date.is_empty() && !v.is_empty() => b.date = v,
                        _ => {}
                    }
                }
                value.clear();
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let pick = |code: &str| found.iter().rev().find(|b| b.code == code);
    let (b, day_before) = match pick("CLBD") {
        Some(b) => (b, false),
        None => (pick("OPBD")?, true),
    };
    let date: Date = b.date.get(..10)?.parse().ok()?;
    let amount = parse_amount(&b.amount).ok()?;
    Some(StatementBalance {
        date: if day_before { add_days(date, -1) } else { date },
        amount: if b.indicator == "DBIT" {
            -amount
        } else {
            amount
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn line(d: Date, amount: Cents, reconciled: bool) -> StoredLine {
        StoredLine {
            date: d,
            amount,
            reconciled,
        }
    }

    #[test]
    fn statement_balance_is_walked_back_to_the_last_reconciled_line() {
        let lines = [
            line(date(2026, 11, 3), 3_000, true),
            line(date(2026, 11, 5), -45_000, true),
            line(date(2026, 11, 20), 150_000, false),
        ];
        let b = StatementBalance {
            date: date(2026, 11, 30),
            amount: 299_010,
        };
        let p = reconciled_position(&lines, &[b], &[]).unwrap();
        assert_eq!(p.source, PositionSource::Statement);
        assert_eq!(p.date, date(2026, 11, 5));
        assert_eq!(p.amount, 299_010 - 150_000);
        // A balance older than the last reconciled line is walked forward.
        let old = StatementBalance {
            date: date(2026, 11, 1),
            amount: 200_000,
        };
        let p = reconciled_position(&lines, &[old], &[]).unwrap();
        assert_eq!(p.amount, 200_000 + 3_000 - 45_000);
    }

    #[test]
    fn without_a_statement_balance_the_books_are_reconciled() {
        let statement = [
            line(date(2026, 11, 3), 3_000, true),
            line(date(2026, 11, 4), -500, false),
            line(date(2026, 11, 5), -45_000, true),
            line(date(2026, 11, 9), 7_000, false),
        ];
        let books = [
            // Opening balance and a year of entries before the first statement.
            line(date(2026, 1, 1), 250_000, false),
            line(date(2026, 6, 1), -10_000, false),
            line(date(2026, 11, 3), 3_000, true),
            line(date(2026, 11, 5), -45_000, true),
            // A cheque written but not yet cashed.
            line(date(2026, 11, 5), -8_990, false),
            line(date(2026, 11, 28), -1_000, false),
        ];
        let p = reconciled_position(&statement, &[], &books).unwrap();
        assert_eq!(p.source, PositionSource::ReconciledLines);
        assert_eq!(p.date, date(2026, 11, 5));
        // Books at 5 Nov: 250,000 − 10,000 + 3,000 − 45,000 − 8,990 = 189,010; the cheque
        // is not at the bank yet (+8,990); the bank's fee is not in the books (−500).
        assert_eq!(p.amount, 189_010 + 8_990 - 500);
        assert_eq!(reconciled_position(&statement[1..2], &[], &books), None);
    }

    #[test]
    fn balances_are_read_from_ofx_and_camt() {
        let ofx = "OFXHEADER:100\n<OFX><STMTRS><LEDGERBAL>\n<BALAMT>-12.50\n<DTASOF>20261130120000\n</LEDGERBAL></STMTRS></OFX>";
        assert_eq!(
            statement_balance(ofx.as_bytes()),
            Some(StatementBalance {
                date: date(2026, 11, 30),
                amount: -1_250
            })
        );
        let camt = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>
</Stmt></BkToCstmrStmt></Document>"#;
        assert_eq!(
            statement_balance(camt.as_bytes()),
            Some(StatementBalance {
                date: date(2026, 10, 31),
                amount: 200_000
            })
        );
        let closing = camt.replace(
            "</Stmt>",
            r#"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">15.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal></Stmt>"#,
        );
        assert_eq!(
            statement_balance(closing.as_bytes()),
            Some(StatementBalance {
                date: date(2026, 11, 30),
                amount: -1_500
            })
        );
        assert_eq!(
            statement_balance(b"!Type:Bank\nD03/11/2026\nT30.00\n^\n"),
            None
        );
    }
}
