//! Ledger invariants on a generated year: balance, numbering, chain, closing.

use fabrique_treasury::chain::{chain_hashes, verify_chain};
use fabrique_treasury::closing::close_year;
use fabrique_treasury::ledger::{FiscalYear, Numbering, check_continuity};
use fabrique_treasury::reports::{balance_sheet, income_statement, result, trial_balance};

use crate::common::{chart, generated_year};

#[test]
fn generated_year_balances_and_numbers_continuously() {
    let entries = generated_year(2_000, 7);
    assert!(entries.iter().all(|e| e.is_balanced()));
    check_continuity(&entries).unwrap();
    let tb = trial_balance(&entries, &chart());
    assert_eq!(tb.total_balance, 0);
    assert_eq!(tb.total_debit, tb.total_credit);
    let bs = balance_sheet(&entries, &chart());
    assert_eq!(bs.total_assets, bs.total_liabilities);
    assert_eq!(bs.result, result(&entries));
}

#[test]
fn closing_then_opening_carries_the_balance_sheet() {
    let chart = chart();
    let year = FiscalYear::calendar(2026);
    let mut entries = generated_year(500, 11);
    let closing = close_year(&entries, &year);
    assert_eq!(closing.result, income_statement(&entries, &chart).result);
    let mut numbering = Numbering::from_entries(&entries);
    let c = closing.closing.unwrap();
    let num = numbering.next(&c.journal, 2026);
    entries.push(c.validate(&chart, &year, num, year.end).unwrap());
    // After closing, no class 6/7 balance is left, and 120/129 hold the result.
    let tb = trial_balance(&entries, &chart);
    for r in &tb.accounts {
        if r.account.starts_with('6') || r.account.starts_with('7') {
            assert_eq!(r.balance, 0, "{}", r.account);
        }
    }
    assert_eq!(-(tb.balance("120") + tb.balance("129")), closing.result);
    // The income statement of a closed year still shows its figures.
    assert_eq!(income_statement(&entries, &chart).result, closing.result);
    // Opening entries of 2027 equal the 2026 balance-sheet balances.
    let next = year.next();
    let an = closing.opening.unwrap();
    let an = an
        .validate(
            &chart,
            &next,
            Numbering::new().next(&an.journal, 2027),
            next.start,
        )
        .unwrap();
    let tb_an = trial_balance(std::slice::from_ref(&an), &chart);
    for r in &tb.accounts {
        if matches!(r.account.as_bytes()[0], b'1'..=b'5') {
            assert_eq!(tb_an.balance(&r.account), r.balance, "{}", r.account);
        }
    }
    // Closing a year twice gives the same entries.
    assert_eq!(close_year(&entries, &year).result, closing.result);
}

#[test]
fn locked_year_chain_detects_any_altered_row() {
    let entries = generated_year(300, 3);
    let hashes = chain_hashes(&entries);
    let stored: Vec<_> = entries.into_iter().zip(hashes).collect();
    verify_chain(&stored).unwrap();
    for i in [0usize, 150, 299] {
        let mut altered = stored.clone();
        altered[i].0.label.push('.');
        let err = verify_chain(&altered).unwrap_err();
        assert_eq!(err.index, i);
        assert_eq!(err.number, stored[i].0.number.to_string());
    }
    // Swapping two entries is detected at the first of them.
    let mut swapped = stored.clone();
    swapped.swap(10, 11);
    assert_eq!(verify_chain(&swapped).unwrap_err().index, 10);
}

#[test]
fn api_json_shapes() {
    use fabrique_treasury::ledger::{EntryDraft, EntryKind, Journal};
    let json = r#"{"journal":"BQ1","date":"2026-03-01","label":"Cotisation",
        "lines":[{"account":"5121","debit":3000},{"account":"756","credit":3000,"project":"x"}]}"#;
    let d: EntryDraft = serde_json::from_str(json).unwrap();
    assert_eq!(d.journal, Journal::Bank(1));
    assert_eq!(d.kind, EntryKind::Standard);
    assert_eq!((d.lines[0].debit, d.lines[0].credit), (3000, 0));
    assert_eq!(d.lines[1].project.as_deref(), Some("x"));
    d.check(&chart(), &FiscalYear::calendar(2026)).unwrap();
    let back = serde_json::to_value(&d).unwrap();
    assert_eq!(back["journal"], "BQ1");
    assert_eq!(back["date"], "2026-03-01");
    assert!(serde_json::from_str::<EntryDraft>(&json.replace("BQ1", "bq")).is_err());
    let tb = trial_balance(&generated_year(50, 1), &chart());
    let v = serde_json::to_value(&tb).unwrap();
    assert_eq!(v["accounts"][0]["account"], "102");
    assert_eq!(v["accounts"][0]["balance"], -400_000);
}
