//! Property tests (modest case counts).

use fabrique_treasury::amount::{format_display, format_fec, format_plain, parse_amount};
use fabrique_treasury::chain::{chain_hashes, verify_chain};
use fabrique_treasury::fec::{FecOptions, export, import};
use fabrique_treasury::ledger::{
    Entry, EntryDraft, FiscalYear, Journal, Line, Numbering, SimpleForm, expense, income, transfer,
};
use fabrique_treasury::reports::trial_balance;
use jiff::civil::date;
use proptest::prelude::*;

use crate::common::chart;

#[derive(Debug, Clone)]
enum Op {
    Income {
        amount: i64,
        category: usize,
        treasury: usize,
        day: i64,
    },
    Expense {
        amount: i64,
        category: usize,
        treasury: usize,
        day: i64,
    },
    Transfer {
        amount: i64,
        from: usize,
        day: i64,
    },
    Expert {
        amounts: Vec<i64>,
        day: i64,
    },
    Reverse {
        index: usize,
        day: i64,
    },
}

const CATEGORIES: [&str; 6] = ["756", "7541", "606", "626", "411DUPONT", "401OVH"];
const TREASURY: [&str; 3] = ["5121", "5122", "530"];
const EXPERT: [&str; 5] = ["606", "613", "6586", "625", "616"];

fn op() -> impl Strategy<Value = Op> {
    let amount = 1i64..10_000_000;
    let day = 0i64..365;
    prop_oneof![
        (amount.clone(), 0..6usize, 0..3usize, day.clone()).prop_map(
            |(amount, category, treasury, day)| Op::Income {
                amount,
                category,
                treasury,
                day
            }
        ),
        (amount.clone(), 0..6usize, 0..3usize, day.clone()).prop_map(
            |(amount, category, treasury, day)| Op::Expense {
                amount,
                category,
                treasury,
                day
            }
        ),
        (amount.clone(), 0..3usize, day.clone()).prop_map(|(amount, from, day)| Op::Transfer {
            amount,
            from,
            day
        }),
        (proptest::collection::vec(amount, 1..5), day.clone())
            .prop_map(|(amounts, day)| Op::Expert { amounts, day }),
        (any::<usize>(), day).prop_map(|(index, day)| Op::Reverse { index, day }),
    ]
}

fn apply(ops: &[Op]) -> Vec<Entry> {
    let chart = chart();
    let year = FiscalYear::calendar(2026);
    let mut numbering = Numbering::new();
    let mut out: Vec<Entry> = Vec::new();
    for op in ops {
        let d = |day: i64| fabrique_treasury::dates::add_days(date(2026, 1, 1), day);
        let form = |amount, category: usize, treasury: usize, day| SimpleForm {
            date: d(day),
            label: "Opération".into(),
            piece_ref: String::new(),
            amount,
            category: CATEGORIES[category].into(),
            treasury: TREASURY[treasury].into(),
            project: None,
        };
        let draft = match op {
            Op::Income {
                amount,
                category,
                treasury,
                day,
            } => income(&form(*amount, *category, *treasury, *day)).unwrap(),
            Op::Expense {
                amount,
                category,
                treasury,
                day,
            } => expense(&form(*amount, *category, *treasury, *day)).unwrap(),
            Op::Transfer { amount, from, day } => transfer(
                d(*day),
                "Virement",
                *amount,
                TREASURY[*from],
                TREASURY[(*from + 1) % 3],
            )
            .unwrap(),
            Op::Expert { amounts, day } => {
                let mut draft = EntryDraft::new(Journal::Purchases, d(*day), "Facture");
                for (i, a) in amounts.iter().enumerate() {
                    draft = draft.line(Line::debit(EXPERT[i % EXPERT.len()], *a));
                }
                draft.line(Line::credit("401OVH", amounts.iter().sum()))
            }
            Op::Reverse { index, day } => {
                if out.is_empty() {
                    continue;
                }
                out[index % out.len()].reversal(d(*day))
            }
        };
        let number = numbering.next(&draft.journal, 2026);
        out.push(
            draft
                .validate(&chart, &year, number, draft.date)
                .expect("valid operation"),
        );
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_valid_operations_keep_the_books_balanced(ops in proptest::collection::vec(op(), 1..60)) {
        let entries = apply(&ops);
        for e in &entries {
            prop_assert!(e.is_balanced());
            prop_assert_eq!(e.lines.iter().map(|l| l.debit).sum::<i64>(), e.lines.iter().map(|l| l.credit).sum::<i64>());
        }
        let tb = trial_balance(&entries, &chart());
        prop_assert_eq!(tb.total_balance, 0);
        prop_assert_eq!(tb.accounts.iter().map(|r| r.balance).sum::<i64>(), 0);
        fabrique_treasury::ledger::check_continuity(&entries).unwrap();
    }

    #[test]
    fn chain_detects_any_single_altered_field(
        ops in proptest::collection::vec(op(), 1..20),
        pick in any::<usize>(),
        field in 0usize..9,
    ) {
        let entries = apply(&ops);
        prop_assume!(!entries.is_empty());
        let hashes = chain_hashes(&entries);
        let mut stored: Vec<_> = entries.into_iter().zip(hashes).collect();
        let i = pick % stored.len();
        let e = &mut stored[i].0;
        let l = e.lines.len() - 1;
        match field {
            0 => e.label.push('x'),
            1 => e.piece_ref.push('x'),
            2 => e.date = e.date.tomorrow().unwrap(),
            3 => e.number.seq += 1,
            4 => e.lines[l].account.push('1'),
            5 => { e.lines[0].debit += 1; e.lines[0].credit += 1; }
            6 => e.lines[l].label.push(' '),
            7 => e.lines[0].project = Some(String::new()),
            _ => e.valid_date = e.valid_date.yesterday().unwrap(),
        }
        let err = verify_chain(&stored).unwrap_err();
        prop_assert_eq!(err.index, i);
    }

    #[test]
    fn exported_fec_parses_back_to_the_same_entries(ops in proptest::collection::vec(op(), 1..40)) {
        let mut entries = apply(&ops);
        let back = import(&export(&entries, &chart(), &FecOptions::default()), &chart()).unwrap();
        entries.sort_by(fabrique_treasury::ledger::chronological);
        prop_assert_eq!(back.entries, entries);
        prop_assert!(back.new_accounts.is_empty());
    }

    #[test]
    fn amounts_roundtrip(cents in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
        prop_assert_eq!(parse_amount(&format_fec(cents)), Ok(cents));
        prop_assert_eq!(parse_amount(&format_plain(cents)), Ok(cents));
        prop_assert_eq!(parse_amount(&format_display(cents)), Ok(cents));
    }
}
