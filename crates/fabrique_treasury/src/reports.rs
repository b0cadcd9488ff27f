//! Reports computed from a slice of entries, all in integer cents: trial balance, general
//! ledger, journal, income statement (with the separate volunteer-contributions block),
//! balance sheet, budget against actual, per project.
//!
//! Conventions: `balance = debit − credit`. In the income statement, income amounts are
//! `credit − debit` of class 7 accounts and expense amounts `debit − credit` of class 6; the
//! result is income − expenses; 86x/87x never enter it.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::amount::Cents;
use crate::chart::{Chart, is_result_account, is_volunteer_account};
use crate::ledger::{Entry, EntryKind, Journal};

/// One account of the trial balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialRow {
    /// Account number.
    pub account: String,
    /// Label from the chart (empty when unknown).
    pub label: String,
    /// Sum of debits.
    pub debit: Cents,
    /// Sum of credits.
    pub credit: Cents,
    /// Debit − credit.
    pub balance: Cents,
}

/// Trial balance (balance générale): one row per account with movements, by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialBalance {
    /// Rows, ordered by account number.
    pub accounts: Vec<TrialRow>,
    /// Sum of debits.
    pub total_debit: Cents,
    /// Sum of credits.
    pub total_credit: Cents,
    /// Sum of balances: zero when every entry balances.
    pub total_balance: Cents,
}

impl TrialBalance {
    /// The row of an account.
    pub fn get(&self, account: &str) -> Option<&TrialRow> {
        self.accounts
            .binary_search_by(|r| r.account.as_str().cmp(account))
            .ok()
            .map(|i| &self.accounts[i])
    }

    /// Balance of an account (0 when absent).
    pub fn balance(&self, account: &str) -> Cents {
        self.get(account).map(|r| r.balance).unwrap_or(0)
    }
}

/// Sums debit and credit per account.
pub fn sums<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> HashMap<&'a str, (Cents, Cents)> {
    let mut map: HashMap<&str, (Cents, Cents)> = HashMap::with_capacity(256);
    for e in entries {
        for l in &e.lines {
            let s = map.entry(l.account.as_str()).or_insert((0, 0));
            s.0 += l.debit;
            s.1 += l.credit;
        }
    }
    map
}

/// The trial balance of these entries.
pub fn trial_balance(entries: &[Entry], chart: &Chart) -> TrialBalance {
    trial_balance_of(entries.iter(), chart)
}

/// The trial balance of any selection of entries (e.g. one period, or without closing
/// entries).
pub fn trial_balance_of<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    chart: &Chart,
) -> TrialBalance {
    let map = sums(entries);
    let mut accounts: Vec<TrialRow> = map
        .into_iter()
        .map(|(account, (debit, credit))| TrialRow {
            account: account.to_string(),
            label: chart.label(account).to_string(),
            debit,
            credit,
            balance: debit - credit,
        })
        .collect();
    accounts.sort_by(|a, b| a.account.cmp(&b.account));
    let total_debit = accounts.iter().map(|r| r.debit).sum();
    let total_credit = accounts.iter().map(|r| r.credit).sum();
    let total_balance = accounts.iter().map(|r| r.balance).sum();
    TrialBalance {
        accounts,
        total_debit,
        total_credit,
        total_balance,
    }
}

/// A movement in the general ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// Entry date.
    pub date: Date,
    /// Entry number.
    pub number: String,
    /// Journal code.
    pub journal: String,
    /// Line label, else entry label.
    pub label: String,
    /// Debit.
    pub debit: Cents,
    /// Credit.
    pub credit: Cents,
    /// Running balance (debit − credit) after this movement.
    pub running: Cents,
}

/// One account of the general ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerAccount {
    /// Account number.
    pub account: String,
    /// Label.
    pub label: String,
    /// Movements by date, then entry number.
    pub movements: Vec<Movement>,
    /// Sum of debits.
    pub debit: Cents,
    /// Sum of credits.
    pub credit: Cents,
    /// Debit − credit.
    pub balance: Cents,
}

fn sorted(entries: &[Entry]) -> Vec<&Entry> {
    let mut v: Vec<&Entry> = entries.iter().collect();
    v.sort_by(|a, b| crate::ledger::chronological(a, b));
    v
}

/// The general ledger (grand livre): movements per account with running balances.
pub fn general_ledger(entries: &[Entry], chart: &Chart) -> Vec<LedgerAccount> {
    let mut map: BTreeMap<&str, LedgerAccount> = BTreeMap::new();
    for e in sorted(entries) {
        for l in &e.lines {
            let acc = map
                .entry(l.account.as_str())
                .or_insert_with(|| LedgerAccount {
                    account: l.account.clone(),
                    label: chart.label(&l.account).to_string(),
                    movements: Vec::new(),
                    debit: 0,
                    credit: 0,
                    balance: 0,
                });
            acc.debit += l.debit;
            acc.credit += l.credit;
            acc.balance += l.debit - l.credit;
            acc.movements.push(Movement {
                date: e.date,
                number: e.number.to_string(),
                journal: e.journal.code(),
                label: if l.label.is_empty() {
                    e.label.clone()
                } else {
                    l.label.clone()
                },
                debit: l.debit,
                credit: l.credit,
                running: acc.balance,
            });
        }
    }
    map.into_values().collect()
}

/// One journal with its entries in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalSection<'a> {
    /// The journal.
    pub journal: Journal,
    /// Entries by date, then number.
    pub entries: Vec<&'a Entry>,
    /// Sum of debits.
    pub debit: Cents,
    /// Sum of credits.
    pub credit: Cents,
}

/// The journal report: entries grouped per journal, by date then number.
pub fn journal_report(entries: &[Entry]) -> Vec<JournalSection<'_>> {
    let mut map: BTreeMap<Journal, JournalSection<'_>> = BTreeMap::new();
    for e in sorted(entries) {
        let s = map
            .entry(e.journal.clone())
            .or_insert_with(|| JournalSection {
                journal: e.journal.clone(),
                entries: Vec::new(),
                debit: 0,
                credit: 0,
            });
        s.entries.push(e);
        let t = e.total();
        s.debit += t;
        s.credit += e.lines.iter().map(|l| l.credit).sum::<Cents>();
    }
    map.into_values().collect()
}

/// An amount on one account inside a report heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountAmount {
    /// Account number.
    pub account: String,
    /// Label.
    pub label: String,
    /// Amount (sign per the report's convention).
    pub amount: Cents,
}

/// A heading of a report with its accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// Stable key (for translations and CSV).
    pub key: String,
    /// French label of the heading, as in the ANC 2018-06 model.
    pub label: String,
    /// Sum of the accounts.
    pub amount: Cents,
    /// Accounts under the heading.
    pub accounts: Vec<AccountAmount>,
}

/// The volunteer contributions block (86x uses / 87x sources), shown under the income
/// statement and never part of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolunteerBlock {
    /// 86x: uses (debit − credit).
    pub uses: Vec<AccountAmount>,
    /// Total of uses.
    pub total_uses: Cents,
    /// 87x: contributions (credit − debit).
    pub sources: Vec<AccountAmount>,
    /// Total of contributions.
    pub total_sources: Cents,
}

/// The income statement (compte de résultat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomeStatement {
    /// Income headings (produits), in the order of the model.
    pub income: Vec<Heading>,
    /// Expense headings (charges).
    pub expenses: Vec<Heading>,
    /// Total income.
    pub total_income: Cents,
    /// Total expenses.
    pub total_expenses: Cents,
    /// Result: income − expenses (positive: excédent).
    pub result: Cents,
    /// Volunteer contributions, outside the result.
    pub volunteer: VolunteerBlock,
}

/// (account prefixes, key, label), most specific prefixes matched first.
const INCOME_HEADINGS: &[(&[&str], &str, &str)] = &[
    (&["756"], "dues", "Cotisations"),
    (&["70"], "sales", "Ventes de biens et de services"),
    (
        &["74"],
        "subsidies",
        "Concours publics et subventions d'exploitation",
    ),
    (
        &["754", "757"],
        "public_generosity",
        "Ressources liées à la générosité du public",
    ),
    (&["755"], "contributions", "Contributions financières"),
    (
        &["78", "79"],
        "reversals",
        "Reprises sur amortissements, dépréciations, provisions et transferts de charges",
    ),
    (&["789"], "dedicated_use", "Utilisations des fonds dédiés"),
    (&["71", "72", "75"], "other_operating", "Autres produits"),
    (&["76"], "financial", "Produits financiers"),
    (&["77"], "exceptional", "Produits exceptionnels"),
];

const EXPENSE_HEADINGS: &[(&[&str], &str, &str)] = &[
    (
        &["60"],
        "purchases",
        "Achats de marchandises, matières premières et approvisionnements",
    ),
    (
        &["61", "62"],
        "external",
        "Autres achats et charges externes",
    ),
    (&["63"], "taxes", "Impôts, taxes et versements assimilés"),
    (
        &["641", "642", "643", "644"],
        "salaries",
        "Salaires et traitements",
    ),
    (
        &["645", "646", "647", "648", "64"],
        "social",
        "Charges sociales",
    ),
    (&["657"], "grants", "Aides financières"),
    (&["65"], "other_operating", "Autres charges"),
    (
        &["68"],
        "allowances",
        "Dotations aux amortissements, dépréciations et provisions",
    ),
    (&["689"], "dedicated_carry", "Reports en fonds dédiés"),
    (&["66"], "financial", "Charges financières"),
    (&["67"], "exceptional", "Charges exceptionnelles"),
    (&["69"], "income_tax", "Impôts sur les bénéfices"),
];

/// Index of the heading whose longest prefix matches the account.
fn heading_for(account: &str, table: &[(&[&str], &str, &str)]) -> usize {
    let mut best = (0usize, table.len() - 1);
    let mut found = false;
    for (i, (prefixes, _, _)) in table.iter().enumerate() {
        for p in *prefixes {
            if account.starts_with(p) && (!found || p.len() > best.0) {
                best = (p.len(), i);
                found = true;
            }
        }
    }
    best.1
}

fn build_headings(
    table: &[(&[&str], &str, &str)],
    items: Vec<AccountAmount>,
) -> (Vec<Heading>, Cents) {
    let mut headings: Vec<Heading> = table
        .iter()
        .map(|(_, key, label)| Heading {
            key: (*key).to_string(),
            label: (*label).to_string(),
            amount: 0,
            accounts: Vec::new(),
        })
        .collect();
    let mut total = 0;
    for item in items {
        let h = &mut headings[heading_for(&item.account, table)];
        h.amount += item.amount;
        total += item.amount;
        h.accounts.push(item);
    }
    (headings, total)
}

/// Whether an entry counts in the income statement: closing entries are left out (so the
/// statement of a closed year still shows its income and expenses).
fn counts_for_result(e: &Entry) -> bool {
    e.kind != EntryKind::Closing
}

/// The income statement of these entries.
pub fn income_statement(entries: &[Entry], chart: &Chart) -> IncomeStatement {
    let tb = trial_balance_filtered(entries, chart, counts_for_result);
    let (mut inc, mut exp, mut uses, mut sources) = (vec![], vec![], vec![], vec![]);
    for r in tb.accounts {
        let item = |amount| AccountAmount {
            account: r.account.clone(),
            label: r.label.clone(),
            amount,
        };
        if r.account.starts_with("86") {
            uses.push(item(r.balance));
        } else if r.account.starts_with("87") {
            sources.push(item(-r.balance));
        } else if r.account.starts_with('7') {
            inc.push(item(-r.balance));
        } else if r.account.starts_with('6') {
            exp.push(item(r.balance));
        }
    }
    let (income, total_income) = build_headings(INCOME_HEADINGS, inc);
    let (expenses, total_expenses) = build_headings(EXPENSE_HEADINGS, exp);
    let total_uses = uses.iter().map(|a| a.amount).sum();
    let total_sources = sources.iter().map(|a| a.amount).sum();
    IncomeStatement {
        income,
        expenses,
        total_income,
        total_expenses,
        result: total_income - total_expenses,
        volunteer: VolunteerBlock {
            uses,
            total_uses,
            sources,
            total_sources,
        },
    }
}

fn trial_balance_filtered(
    entries: &[Entry],
    chart: &Chart,
    keep: impl Fn(&Entry) -> bool,
) -> TrialBalance {
    trial_balance_of(entries.iter().filter(|e| keep(e)), chart)
}

/// The result (income − expenses of classes 6/7, excluding 86/87 and closing entries).
pub fn result(entries: &[Entry]) -> Cents {
    let mut r = 0;
    for e in entries.iter().filter(|e| counts_for_result(e)) {
        for l in &e.lines {
            if is_result_account(&l.account) && !is_volunteer_account(&l.account) {
                r += l.credit - l.debit;
            }
        }
    }
    r
}

/// The balance sheet (bilan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceSheet {
    /// Assets (actif), amounts positive when the account has a debit balance.
    pub assets: Vec<Heading>,
    /// Liabilities and equity (passif), amounts positive when credit balance.
    pub liabilities: Vec<Heading>,
    /// Total actif.
    pub total_assets: Cents,
    /// Total passif (equals total actif when the books balance).
    pub total_liabilities: Cents,
    /// Result of the year included in the passif (0 once the year is closed).
    pub result: Cents,
}

/// The balance sheet of these entries. The result of classes 6/7 not yet closed is shown
/// in the passif ("Résultat de l'exercice"). Third-party (class 4) and treasury (class 5)
/// accounts go to the actif when their balance is debit and to the passif when it is
/// credit (a bank overdraft is a debt).
pub fn balance_sheet(entries: &[Entry], chart: &Chart) -> BalanceSheet {
    let tb = trial_balance(entries, chart);
    let mut a: Vec<(usize, AccountAmount)> = vec![];
    let mut p: Vec<(usize, AccountAmount)> = vec![];
    let mut open_result = 0;
    const ASSETS: [(&str, &str); 5] = [
        ("fixed_assets", "Actif immobilisé"),
        ("stocks", "Stocks"),
        ("receivables", "Créances"),
        ("cash", "Disponibilités"),
        ("prepaid", "Charges constatées d'avance"),
    ];
    const LIABILITIES: [(&str, &str); 6] = [
        ("equity", "Fonds propres"),
        ("investment_subsidies", "Subventions d'investissement"),
        ("provisions", "Provisions"),
        ("dedicated_funds", "Fonds reportés et dédiés"),
        ("debts", "Dettes"),
        ("deferred_income", "Produits constatés d'avance"),
    ];
    for r in tb.accounts {
        if r.balance == 0 {
            continue;
        }
        let item = |amount| AccountAmount {
            account: r.account.clone(),
            label: r.label.clone(),
            amount,
        };
        let n = r.account.as_str();
        match n.as_bytes()[0] {
            b'6' | b'7' if !is_volunteer_account(n) => open_result -= r.balance,
            b'1' => {
                let idx = if n.starts_with("13") {
                    1
                } else if n.starts_with("15") {
                    2
                } else if n.starts_with("19") {
                    3
                } else if n.starts_with("16") || n.starts_with("17") || n.starts_with("18") {
                    4
                } else {
                    0
                };
                p.push((idx, item(-r.balance)));
            }
            b'2' => a.push((0, item(r.balance))),
            b'3' => a.push((1, item(r.balance))),
            b'4' | b'5' => {
                if n.starts_with("486") {
                    a.push((4, item(r.balance)));
                } else if n.starts_with("487") {
                    p.push((5, item(-r.balance)));
                } else if r.balance > 0 {
                    a.push((if n.starts_with('5') { 3 } else { 2 }, item(r.balance)));
                } else {
                    p.push((4, item(-r.balance)));
                }
            }
            _ => {}
        }
    }
    let mut assets: Vec<Heading> = ASSETS
        .iter()
        .map(|(k, l)| Heading {
            key: (*k).into(),
            label: (*l).into(),
            amount: 0,
            accounts: vec![],
        })
        .collect();
    let mut liabilities: Vec<Heading> = LIABILITIES
        .iter()
        .map(|(k, l)| Heading {
            key: (*k).into(),
            label: (*l).into(),
            amount: 0,
            accounts: vec![],
        })
        .collect();
    for (i, item) in a {
        assets[i].amount += item.amount;
        assets[i].accounts.push(item);
    }
    for (i, item) in p {
        liabilities[i].amount += item.amount;
        liabilities[i].accounts.push(item);
    }
    if open_result != 0 {
        liabilities[0].amount += open_result;
        liabilities[0].accounts.push(AccountAmount {
            account: "12".into(),
            label: "Résultat de l'exercice".into(),
            amount: open_result,
        });
    }
    let total_assets = assets.iter().map(|h| h.amount).sum();
    let total_liabilities = liabilities.iter().map(|h| h.amount).sum();
    BalanceSheet {
        assets,
        liabilities,
        total_assets,
        total_liabilities,
        result: open_result,
    }
}

/// A budget line: an amount planned for an account or a prefix (`606`, `74`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    /// Account number or prefix (classes 6 and 7).
    pub account: String,
    /// Planned amount, positive.
    pub amount: Cents,
}

/// Budget against actual for one budget line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetRow {
    /// Account or prefix.
    pub account: String,
    /// Label.
    pub label: String,
    /// Planned.
    pub budget: Cents,
    /// Actual: debit − credit for class 6, credit − debit for class 7.
    pub actual: Cents,
    /// Actual − budget.
    pub variance: Cents,
}

/// Budget against actual. Each budget line sums the actual amounts of every account that
/// starts with its number (closing entries excluded).
pub fn budget_vs_actual(entries: &[Entry], chart: &Chart, budget: &[BudgetLine]) -> Vec<BudgetRow> {
    let tb = trial_balance_filtered(entries, chart, counts_for_result);
    budget
        .iter()
        .map(|b| {
            let sign = if b.account.starts_with('7') { -1 } else { 1 };
            let actual: Cents = tb
                .accounts
                .iter()
                .filter(|r| r.account.starts_with(&b.account))
                .map(|r| r.balance * sign)
                .sum();
            BudgetRow {
                account: b.account.clone(),
                label: chart.label(&b.account).to_string(),
                budget: b.amount,
                actual,
                variance: actual - b.amount,
            }
        })
        .collect()
}

/// Income, expenses and result of one project (lines tagged with it; classes 6/7 only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectReport {
    /// Project tag.
    pub project: String,
    /// Income (credit − debit on class 7).
    pub income: Cents,
    /// Expenses (debit − credit on class 6).
    pub expenses: Cents,
    /// Income − expenses.
    pub result: Cents,
    /// Per account: balance with the statement's sign convention.
    pub accounts: Vec<AccountAmount>,
}

/// One report per project tag found on class 6/7 lines, by project name.
pub fn per_project(entries: &[Entry], chart: &Chart) -> Vec<ProjectReport> {
    let mut map: BTreeMap<&str, BTreeMap<&str, Cents>> = BTreeMap::new();
    for e in entries.iter().filter(|e| counts_for_result(e)) {
        for l in &e.lines {
            if let Some(p) = &l.project
                && is_result_account(&l.account)
                && !is_volunteer_account(&l.account)
            {
                *map.entry(p).or_default().entry(&l.account).or_insert(0) += l.debit - l.credit;
            }
        }
    }
    map.into_iter()
        .map(|(project, accounts)| {
            let mut income = 0;
            let mut expenses = 0;
            let accounts = accounts
                .into_iter()
                .map(|(a, bal)| {
                    let amount = if a.starts_with('7') {
                        income -= bal;
                        -bal
                    } else {
                        expenses += bal;
                        bal
                    };
                    AccountAmount {
                        account: a.to_string(),
                        label: chart.label(a).to_string(),
                        amount,
                    }
                })
                .collect();
            ProjectReport {
                project: project.to_string(),
                income,
                expenses,
                result: income - expenses,
                accounts,
            }
        })
        .collect()
}

/// All entry lines as CSV (`;` separator, decimal comma, UTF-8), one row per line with
/// the header `date;journal;numero;piece;compte;libelle_compte;libelle;debit;credit;projet`,
/// in [`crate::ledger::chronological`] order.
pub fn entries_csv(entries: &[Entry], chart: &Chart) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let _ = w.write_record([
        "date",
        "journal",
        "numero",
        "piece",
        "compte",
        "libelle_compte",
        "libelle",
        "debit",
        "credit",
        "projet",
    ]);
    for e in sorted(entries) {
        let (date, journal, number) = (e.date.to_string(), e.journal.code(), e.number.to_string());
        for l in &e.lines {
            let label = if l.label.is_empty() {
                &e.label
            } else {
                &l.label
            };
            let _ = w.write_record([
                date.as_str(),
                journal.as_str(),
                number.as_str(),
                e.piece_ref.as_str(),
                l.account.as_str(),
                chart.label(&l.account),
                label.as_str(),
                &crate::amount::format_fec(l.debit),
                &crate::amount::format_fec(l.credit),
                l.project.as_deref().unwrap_or(""),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
