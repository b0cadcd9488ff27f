//! The hledger export checked by an independent hledger, when installed.

use std::collections::BTreeMap;
use std::process::Command;

use fabrique_treasury::amount::parse_amount;
use fabrique_treasury::hledger::export;
use fabrique_treasury::reports::trial_balance;

use crate::common::{chart, generated_year};

#[test]
fn hledger_balance_equals_our_trial_balance() {
    let entries = generated_year(5_000, 2026);
    let journal = export(&entries, &chart());
    assert!(journal.contains("account 512"));
    let available = Command::new("hledger")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        println!("note: hledger not installed, skipping the independent check");
        return;
    }
    let dir =
        std::env::temp_dir().join(format!("fabrique-treasury-hledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("year.journal");
    std::fs::write(&file, &journal).unwrap();
    let out = Command::new("hledger")
        .arg("-f")
        .arg(&file)
        .args(["balance", "--flat", "--no-total", "--empty", "-O", "csv"])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut theirs: BTreeMap<String, i64> = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let (account, amount) = line.split_once(',').unwrap();
        let account = account.trim_matches('"').to_string();
        let amount = amount.trim_matches('"').trim_end_matches("EUR").trim();
        theirs.insert(account, parse_amount(amount).unwrap());
    }
    let tb = trial_balance(&entries, &chart());
    let ours: BTreeMap<String, i64> = tb
        .accounts
        .iter()
        .map(|r| (r.account.clone(), r.balance))
        .collect();
    assert!(ours.len() > 20);
    assert_eq!(theirs, ours);
}
