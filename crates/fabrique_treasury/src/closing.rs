//! Year closing: the result of classes 6/7 (86/87 excluded) goes to 120 (excédent) or 129
//! (déficit) through a closing entry in `OD`, and the balance-sheet accounts (classes 1–5)
//! open the next year through an `AN` entry on its first day.
//!
//! The caller validates both drafts (the closing one in the closed year, the opening one in
//! the next), then locks the year and hash-chains its entries ([`crate::chain`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::amount::Cents;
use crate::chart::{is_balance_sheet_account, is_result_account, is_volunteer_account};
use crate::ledger::{Entry, EntryDraft, EntryKind, FiscalYear, Journal, Line};

/// What closing a year produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    /// Result of the year: income − expenses (positive: excédent).
    pub result: Cents,
    /// Entry zeroing classes 6/7 into 120/129, dated the last day of the year (`None`
    /// when there is nothing to close).
    pub closing: Option<EntryDraft>,
    /// Opening entry of the next year (`AN`), dated its first day (`None` when every
    /// balance-sheet account is at zero).
    pub opening: Option<EntryDraft>,
}

/// Closes `year` from its entries (entries dated outside the year are ignored, and so
/// are earlier closing entries of the year, so that closing twice gives the same result).
pub fn close_year(entries: &[Entry], year: &FiscalYear) -> Closing {
    let mut balances: BTreeMap<&str, Cents> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| year.contains(e.date) && e.kind != EntryKind::Closing)
    {
        for l in &e.lines {
            *balances.entry(&l.account).or_insert(0) += l.debit - l.credit;
        }
    }
    let mut closing_lines = Vec::new();
    let mut result = 0;
    for (account, &b) in &balances {
        if b == 0 || !is_result_account(account) || is_volunteer_account(account) {
            continue;
        }
        result -= b;
        closing_lines.push(if b > 0 {
            Line::credit(account, b)
        } else {
            Line::debit(account, -b)
        });
    }
    if result > 0 {
        closing_lines.push(Line::credit("120", result));
    } else if result < 0 {
        closing_lines.push(Line::debit("129", -result));
    }
    if result != 0 {
        let acc = if result > 0 { "120" } else { "129" };
        *balances.entry(acc).or_insert(0) -= result;
    }
    let closing = (!closing_lines.is_empty()).then(|| EntryDraft {
        journal: Journal::Misc,
        date: year.end,
        label: format!("Clôture de l'exercice {}", year.year()),
        piece_ref: format!("CLOTURE-{}", year.year()),
        lines: closing_lines,
        kind: EntryKind::Closing,
    });
    let next = year.next();
    let opening_lines: Vec<Line> = balances
        .iter()
        .filter(|(a, b)| **b != 0 && is_balance_sheet_account(a))
        .map(|(a, &b)| {
            if b > 0 {
                Line::debit(a, b)
            } else {
                Line::credit(a, -b)
            }
        })
        .collect();
    let opening = (!opening_lines.is_empty()).then(|| EntryDraft {
        journal: Journal::Opening,
        date: next.start,
        label: format!("À-nouveaux de l'exercice {}", next.year()),
        piece_ref: format!("AN-{}", next.year()),
        lines: opening_lines,
        kind: EntryKind::Opening,
    });
    Closing {
        result,
        closing,
        opening,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Chart;
    use crate::ledger::Numbering;
    use crate::reports::{balance_sheet, income_statement, trial_balance};
    use jiff::civil::date;

    #[test]
    fn closes_a_small_year() {
        let chart = Chart::associations();
        let year = FiscalYear::calendar(2026);
        let mut n = Numbering::new();
        let mut v = |d: EntryDraft| {
            let num = n.next(&d.journal, 2026);
            d.validate(&chart, &year, num, d.date).unwrap()
        };
        let j = Journal::Bank(1);
        let entries = vec![
            v(EntryDraft::new(Journal::Opening, date(2026, 1, 1), "AN")
                .line(Line::debit("512", 100_000))
                .line(Line::credit("102", 100_000))),
            v(EntryDraft::new(j.clone(), date(2026, 2, 1), "Cotisations")
                .line(Line::debit("512", 180_000))
                .line(Line::credit("756", 180_000))),
            v(
                EntryDraft::new(j.clone(), date(2026, 3, 1), "Subvention mairie")
                    .line(Line::debit("441", 50_000))
                    .line(Line::credit("744", 50_000)),
            ),
            v(EntryDraft::new(j.clone(), date(2026, 4, 1), "Ordinateurs")
                .line(Line::debit("606", 230_000))
                .line(Line::credit("512", 230_000))),
            v(
                EntryDraft::new(Journal::Misc, date(2026, 6, 1), "Bénévolat")
                    .line(Line::debit("864", 70_000))
                    .line(Line::credit("875", 70_000)),
            ),
        ];
        let is = income_statement(&entries, &chart);
        assert_eq!(is.total_income, 230_000);
        assert_eq!(is.total_expenses, 230_000);
        assert_eq!(is.result, 0);
        assert_eq!(is.volunteer.total_uses, 70_000);
        assert_eq!(is.volunteer.total_sources, 70_000);
        let dues = is.income.iter().find(|h| h.key == "dues").unwrap();
        assert_eq!(dues.amount, 180_000);
        let bs = balance_sheet(&entries, &chart);
        assert_eq!(bs.total_assets, bs.total_liabilities);
        assert_eq!(bs.total_assets, 50_000 + 50_000);

        let c = close_year(&entries, &year);
        assert_eq!(c.result, 0);
        let closing = c.closing.unwrap();
        assert!(
            closing
                .lines
                .iter()
                .all(|l| l.account != "120" && l.account != "129")
        );

        // Add a surplus: 120 gets it, AN carries it.
        let mut more = entries.clone();
        more.push(v(EntryDraft::new(j, date(2026, 5, 1), "Don")
            .line(Line::debit("512", 12_345))
            .line(Line::credit("7541", 12_345))));
        let c = close_year(&more, &year);
        assert_eq!(c.result, 12_345);
        let closing = c.closing.unwrap();
        assert_eq!(closing.lines.last().unwrap(), &Line::credit("120", 12_345));
        closing.check(&chart, &year).unwrap();
        let opening = c.opening.unwrap();
        opening.check(&chart, &year.next()).unwrap();
        assert_eq!(opening.date, date(2027, 1, 1));
        assert_eq!(
            opening.lines,
            vec![
                Line::credit("102", 100_000),
                Line::credit("120", 12_345),
                Line::debit("441", 50_000),
                Line::debit("512", 62_345),
            ]
        );
        let tb = trial_balance(&more, &chart);
        assert_eq!(tb.total_balance, 0);
    }
}
