//! hledger journal export, so that anyone can check our figures with an independent tool.
//!
//! Format (hledger 1.x reads it unambiguously):
//!
//! ```text
//! decimal-mark .
//! commodity 1000.00 EUR
//! account 512  ; Banques
//!
//! 2026-03-01 (VE-2026-00001) Cotisation Dupont
//!     ; piece: R-12
//!     512    30.00 EUR
//!     756   -30.00 EUR  ; project: install-party
//! ```
//!
//! Account names are the bare account numbers, so `hledger balance --flat` gives one line
//! per account number, as our trial balance does; labels go in `account` directives as
//! comments. Debits are positive, credits negative, two decimals, `.` as decimal mark,
//! the commodity `EUR` after the number. Descriptions lose `|` (hledger's payee/note
//! separator) and line breaks. Entries are written by date, then number; closing entries
//! are included, so the balance of a closed year is the balance after closing.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::amount::format_plain;
use crate::chart::Chart;
use crate::ledger::Entry;

fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '|' | '\n' | '\r' | '\t' | ';' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The hledger journal of these entries.
pub fn export(entries: &[Entry], chart: &Chart) -> String {
    let mut out = String::with_capacity(entries.len() * 160 + 1024);
    out.push_str(
        "; Fabrique ledger export, amounts in EUR\ndecimal-mark .\ncommodity 1000.00 EUR\n",
    );
    let accounts: BTreeSet<&str> = entries
        .iter()
        .flat_map(|e| e.lines.iter().map(|l| l.account.as_str()))
        .collect();
    for a in &accounts {
        let label = clean(chart.label(a));
        if label.is_empty() {
            let _ = writeln!(out, "account {a}");
        } else {
            let _ = writeln!(out, "account {a}  ; {label}");
        }
    }
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| crate::ledger::chronological(a, b));
    for e in sorted {
        let _ = writeln!(out, "\n{} ({}) {}", e.date, e.number, clean(&e.label));
        if !e.piece_ref.is_empty() {
            let _ = writeln!(out, "    ; piece: {}", clean(&e.piece_ref));
        }
        for l in &e.lines {
            let amount = format_plain(l.debit - l.credit);
            let _ = write!(out, "    {}  {:>12} EUR", l.account, amount);
            if let Some(p) = &l.project {
                let _ = write!(out, "  ; project: {}", clean(p).replace(',', " "));
            }
            out.push('\n');
        }
    }
    out
}
