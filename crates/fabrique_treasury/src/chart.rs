//! Chart of accounts: the associations' chart (règlement ANC 2018-06 on top of the PCG).
//!
//! The default chart is the data file `data/chart_anc_2018_06.txt`, compiled into the crate.
//! An organisation adds sub-accounts (`5121 Banque Crédit Coopératif`) and third-party
//! accounts (`401OVH` a supplier, `411DUPONT` a member): a new account must extend the digits
//! of an existing account, which becomes its parent and gives it its class and nature.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

const ANC_2018_06: &str = include_str!("../data/chart_anc_2018_06.txt");

/// What an account is, which decides where it appears in the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    /// Balance-sheet asset (actif): classes 2, 3, most of 4, 5.
    Asset,
    /// Balance-sheet liability (dettes, provisions, fonds dédiés).
    Liability,
    /// Equity (fonds propres: 10x–14x).
    Equity,
    /// Income (produits, class 7).
    Income,
    /// Expense (charges, class 6).
    Expense,
    /// Volunteer contributions (86x uses, 87x sources): shown apart, never in the result.
    VolunteerContribution,
}

impl Nature {
    fn from_code(code: &str) -> Option<Nature> {
        Some(match code {
            "A" => Nature::Asset,
            "L" => Nature::Liability,
            "E" => Nature::Equity,
            "I" => Nature::Income,
            "X" => Nature::Expense,
            "V" => Nature::VolunteerContribution,
            _ => return None,
        })
    }
}

/// One account of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Account number: digits, then for third-party accounts optionally uppercase letters
    /// and digits (`411DUPONT`).
    pub number: String,
    /// French label.
    pub label: String,
    /// Class: the first digit (1–8).
    pub class: u8,
    /// What the account is.
    pub nature: Nature,
}

impl Account {
    /// True for accounts of the income statement proper (classes 6 and 7).
    pub fn is_result_account(&self) -> bool {
        is_result_account(&self.number)
    }
}

/// True for numbers of classes 6 and 7 (income statement), false for 86/87 and the rest.
pub fn is_result_account(number: &str) -> bool {
    matches!(number.as_bytes().first(), Some(b'6' | b'7'))
}

/// True for balance-sheet numbers (classes 1 to 5).
pub fn is_balance_sheet_account(number: &str) -> bool {
    matches!(number.as_bytes().first(), Some(b'1'..=b'5'))
}

/// True for volunteer contributions (86x, 87x).
pub fn is_volunteer_account(number: &str) -> bool {
    number.starts_with("86") || number.starts_with("87")
}

/// Why an account cannot be added.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChartError {
    /// The number is empty, does not start with a digit 1–8, or has other characters than
    /// digits and uppercase letters.
    #[error("invalid account number {0:?}")]
    InvalidNumber(String),
    /// No existing account is a prefix of the number.
    #[error("account {0:?} does not extend any account of the chart")]
    NoParent(String),
    /// The account already exists.
    #[error("account {0:?} already exists")]
    AlreadyExists(String),
    /// The label is empty.
    #[error("account {0:?} needs a label")]
    EmptyLabel(String),
    /// A line of a chart file is malformed (1-based line number).
    #[error("line {line}: malformed chart line")]
    MalformedLine {
        /// 1-based line number.
        line: usize,
    },
}

/// Kinds of third-party accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThirdParty {
    /// Supplier: under 401.
    Supplier,
    /// Member, user or customer: under 411.
    Member,
    /// Funder owing a subsidy: under 441.
    Funder,
}

impl ThirdParty {
    /// The collective account the third party sits under.
    pub fn root(self) -> &'static str {
        match self {
            ThirdParty::Supplier => "401",
            ThirdParty::Member => "411",
            ThirdParty::Funder => "441",
        }
    }
}

/// A chart of accounts, ordered by number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    accounts: BTreeMap<String, Account>,
}

fn valid_number(number: &str) -> bool {
    let b = number.as_bytes();
    !b.is_empty()
        && b.len() <= 40
        && matches!(b[0], b'1'..=b'8')
        && b.iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

impl Chart {
    /// The associations' chart (ANC 2018-06), as shipped.
    pub fn associations() -> Chart {
        Chart::parse(ANC_2018_06).expect("the shipped chart parses")
    }

    /// An empty chart (for tests and imports that bring their own accounts).
    pub fn empty() -> Chart {
        Chart {
            accounts: BTreeMap::new(),
        }
    }

    /// Parses a chart in the format of the shipped data file (`number;nature;label`).
    pub fn parse(text: &str) -> Result<Chart, ChartError> {
        let mut accounts = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, ';');
            let (Some(number), Some(nature), Some(label)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(ChartError::MalformedLine { line: i + 1 });
            };
            let nature =
                Nature::from_code(nature).ok_or(ChartError::MalformedLine { line: i + 1 })?;
            if !valid_number(number) {
                return Err(ChartError::MalformedLine { line: i + 1 });
            }
            accounts.insert(
                number.to_string(),
                Account {
                    number: number.to_string(),
                    label: label.to_string(),
                    class: number.as_bytes()[0] - b'0',
                    nature,
                },
            );
        }
        Ok(Chart { accounts })
    }

    /// The account with this number.
    pub fn get(&self, number: &str) -> Option<&Account> {
        self.accounts.get(number)
    }

    /// Whether the account exists.
    pub fn contains(&self, number: &str) -> bool {
        self.accounts.contains_key(number)
    }

    /// The label of an account, or an empty string when unknown.
    pub fn label(&self, number: &str) -> &str {
        self.get(number).map(|a| a.label.as_str()).unwrap_or("")
    }

    /// All accounts, ordered by number.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether the chart has no account.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The nearest existing account whose number is a strict prefix of `number`.
    pub fn parent_of(&self, number: &str) -> Option<&Account> {
        (1..number.len())
            .rev()
            .find_map(|len| number.get(..len).and_then(|p| self.accounts.get(p)))
    }

    /// The nature an account with this number has or would have (its own, else its
    /// nearest parent's, else derived from its class).
    pub fn nature_of(&self, number: &str) -> Nature {
        if let Some(a) = self.get(number).or_else(|| self.parent_of(number)) {
            return a.nature;
        }
        nature_from_class(number)
    }

    /// Adds a sub-account. Its number must extend an existing account's digits (the parent,
    /// whose class and nature it takes).
    pub fn add_sub_account(&mut self, number: &str, label: &str) -> Result<&Account, ChartError> {
        if !valid_number(number) {
            return Err(ChartError::InvalidNumber(number.to_string()));
        }
        if label.trim().is_empty() {
            return Err(ChartError::EmptyLabel(number.to_string()));
        }
        if self.contains(number) {
            return Err(ChartError::AlreadyExists(number.to_string()));
        }
        let parent = self
            .parent_of(number)
            .ok_or_else(|| ChartError::NoParent(number.to_string()))?;
        let account = Account {
            number: number.to_string(),
            label: label.trim().to_string(),
            class: parent.class,
            nature: parent.nature,
        };
        self.accounts.insert(number.to_string(), account);
        Ok(&self.accounts[number])
    }

    /// Adds a third-party account `root + code` (`401` + `OVH` → `401OVH`); the code is
    /// uppercased and stripped of anything but letters and digits.
    pub fn add_third_party(
        &mut self,
        kind: ThirdParty,
        code: &str,
        label: &str,
    ) -> Result<&Account, ChartError> {
        let code: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.is_empty() {
            return Err(ChartError::InvalidNumber(format!("{}{code}", kind.root())));
        }
        let number = format!("{}{code}", kind.root());
        self.add_sub_account(&number, label)
    }

    /// Inserts an account as is (used by FEC import after checking it); replaces any
    /// account with the same number.
    pub fn insert(&mut self, account: Account) {
        self.accounts.insert(account.number.clone(), account);
    }
}

/// Nature derived from the class alone, for numbers with no known parent.
pub fn nature_from_class(number: &str) -> Nature {
    if is_volunteer_account(number) {
        return Nature::VolunteerContribution;
    }
    match number.as_bytes().first() {
        Some(b'1') if matches!(number.as_bytes().get(1), Some(b'5'..=b'9')) => Nature::Liability,
        Some(b'1') => Nature::Equity,
        Some(b'4') if number.starts_with("40") || number.starts_with("42") => Nature::Liability,
        Some(b'2' | b'3' | b'4' | b'5') => Nature::Asset,
        Some(b'6') => Nature::Expense,
        Some(b'7') => Nature::Income,
        _ => Nature::Asset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_chart_has_the_key_accounts() {
        let chart = Chart::associations();
        for n in [
            "102", "106", "110", "119", "120", "129", "194", "195", "197", "401", "411", "421",
            "431", "441", "467", "468", "486", "487", "512", "530", "580", "604", "606", "6061",
            "613", "615", "616", "618", "622", "623", "625", "626", "627", "628", "641", "645",
            "658", "6586", "661", "671", "681", "689", "6894", "6895", "6897", "706", "707", "708",
            "74", "740", "741", "742", "743", "744", "7541", "7542", "755", "756", "757", "758",
            "789", "7894", "7895", "860", "861", "862", "864", "870", "871", "875",
        ] {
            assert!(chart.contains(n), "{n} missing");
        }
        assert_eq!(chart.get("512").unwrap().nature, Nature::Asset);
        assert_eq!(chart.get("194").unwrap().nature, Nature::Liability);
        assert_eq!(chart.get("102").unwrap().nature, Nature::Equity);
        assert_eq!(
            chart.get("875").unwrap().nature,
            Nature::VolunteerContribution
        );
        assert_eq!(chart.get("6586").unwrap().class, 6);
    }

    #[test]
    fn sub_accounts_need_a_parent() {
        let mut chart = Chart::associations();
        let a = chart.add_sub_account("5121", "Crédit Coopératif").unwrap();
        assert_eq!((a.class, a.nature), (5, Nature::Asset));
        assert_eq!(
            chart.add_sub_account("5121", "x"),
            Err(ChartError::AlreadyExists("5121".into()))
        );
        assert_eq!(
            chart.add_sub_account("999", "x"),
            Err(ChartError::InvalidNumber("999".into()))
        );
        let mut empty = Chart::empty();
        assert_eq!(
            empty.add_sub_account("5121", "x"),
            Err(ChartError::NoParent("5121".into()))
        );
        assert_eq!(
            chart.add_sub_account("5122", " "),
            Err(ChartError::EmptyLabel("5122".into()))
        );
        let t = chart
            .add_third_party(ThirdParty::Member, "du-pont", "Dupont")
            .unwrap();
        assert_eq!(t.number, "411DUPONT");
        assert_eq!(t.nature, Nature::Asset);
        let s = chart
            .add_third_party(ThirdParty::Supplier, "ovh", "OVH")
            .unwrap();
        assert_eq!((s.number.as_str(), s.nature), ("401OVH", Nature::Liability));
    }
}
