//! Reports on a small hand-checked year (amounts in cents).

use fabrique_treasury::chart::Chart;
use fabrique_treasury::dedicated::{FundKind, carry_over_entry, compute, use_entry};
use fabrique_treasury::ledger::{Entry, EntryDraft, FiscalYear, Journal, Line, Numbering};
use fabrique_treasury::reports::{
    BudgetLine, balance_sheet, budget_vs_actual, general_ledger, income_statement, journal_report,
    per_project, trial_balance,
};
use jiff::civil::date;

fn camille_year() -> (Chart, Vec<Entry>) {
    let chart = Chart::associations();
    let year = FiscalYear::calendar(2026);
    let mut n = Numbering::new();
    let drafts = vec![
        EntryDraft::new(Journal::Opening, date(2026, 1, 1), "À-nouveaux")
            .line(Line::debit("512", 250_000))
            .line(Line::debit("530", 5_000))
            .line(Line::credit("102", 255_000)),
        EntryDraft::new(Journal::Bank(1), date(2026, 1, 20), "Cotisations janvier")
            .line(Line::debit("512", 60_000))
            .line(Line::credit("756", 60_000)),
        EntryDraft::new(
            Journal::Cash,
            date(2026, 3, 14),
            "Boîte à dons install party",
        )
        .line(Line::debit("530", 8_750))
        .line(Line::credit("7541", 8_750).with_project(Some("install-party"))),
        EntryDraft::new(
            Journal::Misc,
            date(2026, 4, 1),
            "Subvention commune notifiée",
        )
        .line(Line::debit("441", 150_000))
        .line(Line::credit("744", 150_000).with_project(Some("repair-cafe"))),
        EntryDraft::new(Journal::Bank(1), date(2026, 5, 2), "Outillage repair café")
            .line(Line::debit("606", 40_000).with_project(Some("repair-cafe")))
            .line(Line::credit("512", 40_000)),
        EntryDraft::new(Journal::Bank(1), date(2026, 6, 2), "Assurance")
            .line(Line::debit("616", 32_000))
            .line(Line::credit("512", 32_000)),
        EntryDraft::new(Journal::Misc, date(2026, 6, 30), "Bénévolat valorisé")
            .line(Line::debit("864", 120_000))
            .line(Line::credit("875", 120_000)),
    ];
    let entries = drafts
        .into_iter()
        .map(|d| {
            let num = n.next(&d.journal, 2026);
            d.validate(&chart, &year, num, d.date).unwrap()
        })
        .collect();
    (chart, entries)
}

#[test]
fn trial_balance_and_ledger() {
    let (chart, entries) = camille_year();
    let tb = trial_balance(&entries, &chart);
    let row = tb.get("512").unwrap();
    assert_eq!(
        (row.debit, row.credit, row.balance),
        (310_000, 72_000, 238_000)
    );
    assert_eq!(row.label, "Banques");
    assert_eq!(tb.balance("530"), 13_750);
    assert_eq!(tb.balance("756"), -60_000);
    assert_eq!(
        tb.total_debit,
        255_000 + 60_000 + 8_750 + 150_000 + 40_000 + 32_000 + 120_000
    );
    assert_eq!(tb.total_balance, 0);
    let gl = general_ledger(&entries, &chart);
    let bank = gl.iter().find(|a| a.account == "512").unwrap();
    let running: Vec<i64> = bank.movements.iter().map(|m| m.running).collect();
    assert_eq!(running, vec![250_000, 310_000, 270_000, 238_000]);
    assert_eq!(bank.movements[1].number, "BQ1-2026-00001");
    let journals = journal_report(&entries);
    let codes: Vec<String> = journals.iter().map(|j| j.journal.code()).collect();
    assert_eq!(codes, vec!["BQ1", "CA", "OD", "AN"]);
    assert!(journals.iter().all(|j| j.debit == j.credit));
}

#[test]
fn income_statement_keeps_volunteering_apart() {
    let (chart, entries) = camille_year();
    let is = income_statement(&entries, &chart);
    assert_eq!(is.total_income, 60_000 + 8_750 + 150_000);
    assert_eq!(is.total_expenses, 72_000);
    assert_eq!(is.result, 218_750 - 72_000);
    let h = |key: &str| is.income.iter().find(|h| h.key == key).unwrap().amount;
    assert_eq!(h("dues"), 60_000);
    assert_eq!(h("public_generosity"), 8_750);
    assert_eq!(h("subsidies"), 150_000);
    let e = |key: &str| is.expenses.iter().find(|h| h.key == key).unwrap().amount;
    assert_eq!(e("purchases"), 40_000);
    assert_eq!(e("external"), 32_000);
    assert_eq!(is.volunteer.total_uses, 120_000);
    assert_eq!(is.volunteer.total_sources, 120_000);
    assert_eq!(is.volunteer.uses[0].account, "864");

    let bs = balance_sheet(&entries, &chart);
    assert_eq!(bs.total_assets, 238_000 + 13_750 + 150_000);
    assert_eq!(bs.total_assets, bs.total_liabilities);
    assert_eq!(bs.result, 146_750);
    let equity = bs.liabilities.iter().find(|h| h.key == "equity").unwrap();
    assert_eq!(equity.amount, 255_000 + 146_750);
}

#[test]
fn budget_and_projects() {
    let (chart, entries) = camille_year();
    let rows = budget_vs_actual(
        &entries,
        &chart,
        &[
            BudgetLine {
                account: "756".into(),
                amount: 70_000,
            },
            BudgetLine {
                account: "60".into(),
                amount: 30_000,
            },
            BudgetLine {
                account: "74".into(),
                amount: 150_000,
            },
        ],
    );
    assert_eq!((rows[0].actual, rows[0].variance), (60_000, -10_000));
    assert_eq!((rows[1].actual, rows[1].variance), (40_000, 10_000));
    assert_eq!(rows[2].variance, 0);
    let p = per_project(&entries, &chart);
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].project, "install-party");
    assert_eq!(p[0].result, 8_750);
    assert_eq!(
        (p[1].income, p[1].expenses, p[1].result),
        (150_000, 40_000, 110_000)
    );
}

#[test]
fn fonds_dedies_carry_and_use() {
    let (chart, entries) = camille_year();
    let funds = compute(&entries, &["repair-cafe", "install-party"]);
    assert_eq!(funds.len(), 2);
    let rc = &funds[0];
    assert_eq!(
        (rc.kind, rc.income, rc.expenses, rc.unspent),
        (FundKind::Subsidy, 150_000, 40_000, 110_000)
    );
    let ip = &funds[1];
    assert_eq!((ip.kind, ip.unspent), (FundKind::Donation, 8_750));
    let carry = carry_over_entry(&funds, date(2026, 12, 31)).unwrap();
    carry.check(&chart, &FiscalYear::calendar(2026)).unwrap();
    assert_eq!(
        carry.lines[0],
        Line::debit("6894", 110_000).with_project(Some("repair-cafe"))
    );
    assert_eq!(
        carry.lines[1],
        Line::credit("194", 110_000).with_project(Some("repair-cafe"))
    );
    // Next year the repair café spends 300 €: 300 € of the fund are used.
    let year = FiscalYear::calendar(2027);
    let spend = EntryDraft::new(Journal::Bank(1), date(2027, 2, 1), "Pièces détachées")
        .line(Line::debit("606", 30_000).with_project(Some("repair-cafe")))
        .line(Line::credit("512", 30_000))
        .validate(
            &chart,
            &year,
            Numbering::new().next(&Journal::Bank(1), 2027),
            date(2027, 2, 1),
        )
        .unwrap();
    let used = use_entry(&funds, &[spend], date(2027, 12, 31)).unwrap();
    assert_eq!(
        used.lines,
        vec![
            Line::debit("194", 30_000).with_project(Some("repair-cafe")),
            Line::credit("7894", 30_000).with_project(Some("repair-cafe")),
        ]
    );
    used.check(&chart, &year).unwrap();
}

#[test]
fn entries_as_csv() {
    let (chart, entries) = camille_year();
    let csv = fabrique_treasury::reports::entries_csv(&entries, &chart);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "date;journal;numero;piece;compte;libelle_compte;libelle;debit;credit;projet"
    );
    assert_eq!(
        lines.next().unwrap(),
        "2026-01-01;AN;AN-2026-00001;;512;Banques;À-nouveaux;2500,00;0,00;"
    );
    assert_eq!(csv.lines().count(), 1 + 15);
    assert!(csv.contains("2026-03-14;CA;CA-2026-00001;;7541;Dons manuels;Boîte à dons install party;0,00;87,50;install-party"));
}
