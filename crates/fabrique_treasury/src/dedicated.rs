//! Fonds dédiés: at year end, the unspent part of income earmarked for a project is carried
//! over (689x → 19x) and used the next year as the project spends (19x → 789x).
//!
//! Per earmarked project and kind of resource, over the year's entries (closing entries
//! excluded), on lines tagged with the project:
//! - earmarked income = credit − debit on the kind's income accounts (74x subsidies;
//!   754x/7541/7542 donations; 7543 and 757 legacies) plus the 789x use of funds carried
//!   from earlier years;
//! - expenses = debit − credit on class 6, except 689x, allocated to subsidies first, then
//!   donations, then legacies;
//! - unspent = earmarked income − allocated expenses, when positive.
//!
//! Accounts: subsidies 6894 / 194 / 7894, donations 6895 / 195 / 7895, legacies
//! 6897 / 197 / 7897.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::amount::Cents;
use crate::ledger::{Entry, EntryDraft, EntryKind, Journal, Line};

/// Kind of earmarked resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundKind {
    /// Operating subsidies (74x).
    Subsidy,
    /// Manual gifts and patronage (754x).
    Donation,
    /// Legacies and donations (7543, 757).
    Legacy,
}

impl FundKind {
    /// The kind of an income account, if it can be earmarked.
    pub fn of_income_account(account: &str) -> Option<FundKind> {
        if account.starts_with("74") {
            Some(FundKind::Subsidy)
        } else if account.starts_with("7543") || account.starts_with("757") {
            Some(FundKind::Legacy)
        } else if account.starts_with("754") {
            Some(FundKind::Donation)
        } else {
            None
        }
    }

    fn use_account_kind(account: &str) -> Option<FundKind> {
        match account.get(..4)? {
            "7894" => Some(FundKind::Subsidy),
            "7895" => Some(FundKind::Donation),
            "7897" => Some(FundKind::Legacy),
            _ => None,
        }
    }

    /// Carry-over expense account (689x).
    pub fn carry_account(self) -> &'static str {
        match self {
            FundKind::Subsidy => "6894",
            FundKind::Donation => "6895",
            FundKind::Legacy => "6897",
        }
    }

    /// Balance-sheet account (19x).
    pub fn fund_account(self) -> &'static str {
        match self {
            FundKind::Subsidy => "194",
            FundKind::Donation => "195",
            FundKind::Legacy => "197",
        }
    }

    /// Use income account (789x).
    pub fn use_account(self) -> &'static str {
        match self {
            FundKind::Subsidy => "7894",
            FundKind::Donation => "7895",
            FundKind::Legacy => "7897",
        }
    }
}

/// The computation for one project and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedicatedFund {
    /// Project tag.
    pub project: String,
    /// Kind.
    pub kind: FundKind,
    /// Earmarked income of the year (including funds used from earlier years).
    pub income: Cents,
    /// Expenses allocated to this kind.
    pub expenses: Cents,
    /// Unspent part to carry over (≥ 0).
    pub unspent: Cents,
}

/// Computes the funds of the given earmarked projects over a year's entries.
pub fn compute(entries: &[Entry], projects: &[&str]) -> Vec<DedicatedFund> {
    let mut income: BTreeMap<(&str, FundKind), Cents> = BTreeMap::new();
    let mut expenses: BTreeMap<&str, Cents> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.kind != EntryKind::Closing) {
        for l in &e.lines {
            let Some(p) = l.project.as_deref() else {
                continue;
            };
            let Some(&p) = projects.iter().find(|x| **x == p) else {
                continue;
            };
            if let Some(k) =
                FundKind::of_income_account(&l.account).or(FundKind::use_account_kind(&l.account))
            {
                *income.entry((p, k)).or_insert(0) += l.credit - l.debit;
            } else if l.account.starts_with('6') && !l.account.starts_with("689") {
                *expenses.entry(p).or_insert(0) += l.debit - l.credit;
            }
        }
    }
    let mut out = Vec::new();
    for p in projects {
        let mut left = expenses.get(p).copied().unwrap_or(0).max(0);
        for k in [FundKind::Subsidy, FundKind::Donation, FundKind::Legacy] {
            let Some(&inc) = income.get(&(*p, k)) else {
                continue;
            };
            let used = left.min(inc.max(0));
            left -= used;
            out.push(DedicatedFund {
                project: (*p).to_string(),
                kind: k,
                income: inc,
                expenses: used,
                unspent: (inc - used).max(0),
            });
        }
    }
    out
}

/// The year-end carry-over entry (OD, dated `date`): debit 689x, credit 19x per fund with
/// an unspent part, lines tagged with the project. `None` when nothing is unspent.
pub fn carry_over_entry(funds: &[DedicatedFund], date: Date) -> Option<EntryDraft> {
    let mut draft = EntryDraft::new(Journal::Misc, date, "Report en fonds dédiés");
    for f in funds.iter().filter(|f| f.unspent > 0) {
        let p = Some(f.project.as_str());
        draft = draft
            .line(Line::debit(f.kind.carry_account(), f.unspent).with_project(p))
            .line(Line::credit(f.kind.fund_account(), f.unspent).with_project(p));
    }
    (!draft.lines.is_empty()).then_some(draft)
}

/// The use of carried funds the next year (OD, dated `date`): for each fund carried in,
/// the part spent by its project in `next_year_entries` (class 6 lines tagged with it,
/// 689x excluded), at most the fund: debit 19x, credit 789x.
pub fn use_entry(
    carried: &[DedicatedFund],
    next_year_entries: &[Entry],
    date: Date,
) -> Option<EntryDraft> {
    pending_use_entry(carried, next_year_entries, date)
}

/// What is left to record of the use of funds carried into a year: the part of each fund
/// spent by its project in `year_entries` (as [`use_entry`] counts it), less what the
/// 789x lines already in `year_entries` record for that project and kind — so the use can
/// be recorded as the funds are spent, several times in a year, and never twice. Funds are
/// spent in the order given (carried funds before the year's own income, see [`compute`]).
/// `None` when nothing is left to record.
pub fn pending_use_entry(
    carried: &[DedicatedFund],
    year_entries: &[Entry],
    date: Date,
) -> Option<EntryDraft> {
    let mut spent: BTreeMap<&str, Cents> = BTreeMap::new();
    let mut recorded: BTreeMap<(&str, FundKind), Cents> = BTreeMap::new();
    for e in year_entries.iter().filter(|e| e.kind != EntryKind::Closing) {
        for l in &e.lines {
            let Some(p) = l.project.as_deref() else {
                continue;
            };
            if let Some(k) = FundKind::use_account_kind(&l.account) {
                *recorded.entry((p, k)).or_insert(0) += l.credit - l.debit;
            } else if l.account.starts_with('6') && !l.account.starts_with("689") {
                *spent.entry(p).or_insert(0) += l.debit - l.credit;
            }
        }
    }
    let mut draft = EntryDraft::new(Journal::Misc, date, "Utilisation des fonds dédiés");
    for f in carried.iter().filter(|f| f.unspent > 0) {
        let left = spent.entry(f.project.as_str()).or_insert(0);
        let used = (*left).clamp(0, f.unspent);
        *left -= used;
        let already = recorded
            .get(&(f.project.as_str(), f.kind))
            .copied()
            .unwrap_or(0);
        let todo = used - already;
        if todo > 0 {
            let p = Some(f.project.as_str());
            draft = draft
                .line(Line::debit(f.kind.fund_account(), todo).with_project(p))
                .line(Line::credit(f.kind.use_account(), todo).with_project(p));
        }
    }
    (!draft.lines.is_empty()).then_some(draft)
}

/// The funds carried into a year, from the entries of the years before it: per project
/// and kind, credit − debit on the 19x account on lines tagged with the project (the
/// carry-overs less the uses already recorded), when positive, as `unspent`.
pub fn carried_into<'a>(
    earlier_entries: impl IntoIterator<Item = &'a Entry>,
) -> Vec<DedicatedFund> {
    let mut funds: BTreeMap<(String, FundKind), Cents> = BTreeMap::new();
    for e in earlier_entries
        .into_iter()
        .filter(|e| e.kind != EntryKind::Opening)
    {
        for l in &e.lines {
            let Some(p) = l.project.as_deref() else {
                continue;
            };
            for k in [FundKind::Subsidy, FundKind::Donation, FundKind::Legacy] {
                if l.account.starts_with(k.fund_account()) {
                    *funds.entry((p.to_string(), k)).or_insert(0) += l.credit - l.debit;
                }
            }
        }
    }
    funds
        .into_iter()
        .filter(|(_, v)| *v > 0)
        .map(|((project, kind), unspent)| DedicatedFund {
            project,
            kind,
            income: 0,
            expenses: 0,
            unspent,
        })
        .collect()
}
