//! Benchmarks: FEC import of 20,000 entries (40,000 lines), trial balance over 1,000,000
//! lines, OFX import of 10,000 transactions.
//!
//! Run: `cargo bench -p fabrique_treasury --bench treasury -- --warm-up-time 1 --measurement-time 3`

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fabrique_treasury::chart::Chart;
use fabrique_treasury::dates::add_days;
use fabrique_treasury::fec::{FecOptions, export, import};
use fabrique_treasury::ledger::{Entry, EntryKind, EntryNumber, Journal, Line};
use fabrique_treasury::reports::trial_balance;
use jiff::civil::date;

const ACCOUNTS: [&str; 8] = ["606", "613", "616", "626", "756", "7541", "744", "706"];

/// `n` entries of `lines_per_entry` lines (bank against categories), numbered per journal.
fn entries(n: usize, lines_per_entry: usize) -> Vec<Entry> {
    let start = date(2026, 1, 1);
    (0..n)
        .map(|i| {
            let amount = 100 + (i as i64 * 7_919) % 100_000;
            let cat = ACCOUNTS[i % ACCOUNTS.len()];
            let income = cat.starts_with('7');
            let mut lines = Vec::with_capacity(lines_per_entry);
            let others = lines_per_entry - 1;
            for k in 0..others {
                let a = ACCOUNTS[(i + k) % 4 + if income { 4 } else { 0 }];
                lines.push(if income {
                    Line::credit(a, amount)
                } else {
                    Line::debit(a, amount)
                });
            }
            let total = amount * others as i64;
            lines.push(if income {
                Line::debit("512", total)
            } else {
                Line::credit("512", total)
            });
            let d = add_days(start, (i * 365 / n.max(1)) as i64);
            Entry {
                number: EntryNumber {
                    journal: Journal::Bank(1),
                    year: 2026,
                    seq: i as u32 + 1,
                },
                journal: Journal::Bank(1),
                date: d,
                label: format!("Opération {i}"),
                piece_ref: format!("P{i}"),
                lines,
                kind: EntryKind::Standard,
                valid_date: d,
            }
        })
        .collect()
}

fn ofx(n: usize) -> String {
    let mut s = String::from(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<STMTRS>\n<BANKTRANLIST>\n",
    );
    for i in 0..n {
        let d = add_days(date(2026, 1, 1), (i % 365) as i64);
        let _ = write!(
            s,
            "<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>{:04}{:02}{:02}\n<TRNAMT>-{}.{:02}\n<FITID>F{i:08}\n<NAME>PRLV FOURNISSEUR {i}\n<MEMO>FACTURE {i}\n</STMTTRN>\n",
            d.year(),
            d.month(),
            d.day(),
            i % 1000,
            i % 100
        );
    }
    s.push_str("</BANKTRANLIST>\n</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n");
    s
}

fn benches(c: &mut Criterion) {
    let chart = Chart::associations();

    let fec = export(&entries(20_000, 2), &chart, &FecOptions::default());
    assert_eq!(import(&fec, &chart).unwrap().entries.len(), 20_000);
    c.bench_function("fec_import_20k_entries_40k_lines", |b| {
        b.iter(|| import(black_box(&fec), &chart).unwrap())
    });

    let big = entries(250_000, 4);
    assert_eq!(big.iter().map(|e| e.lines.len()).sum::<usize>(), 1_000_000);
    c.bench_function("trial_balance_1m_lines", |b| {
        b.iter(|| trial_balance(black_box(&big), &chart))
    });
    drop(big);

    let text = ofx(10_000);
    assert_eq!(
        fabrique_treasury::bank::ofx::parse(text.as_bytes())
            .unwrap()
            .len(),
        10_000
    );
    c.bench_function("ofx_import_10k_lines", |b| {
        b.iter(|| fabrique_treasury::bank::ofx::parse(black_box(text.as_bytes())).unwrap())
    });
}

criterion_group!(treasury, benches);
criterion_main!(treasury);
