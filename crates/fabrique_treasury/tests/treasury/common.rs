//! Shared fixtures: a deterministic generated year of books.

use fabrique_treasury::chart::Chart;
use fabrique_treasury::ledger::{
    Entry, EntryDraft, FiscalYear, Journal, Line, Numbering, SimpleForm, expense, income, transfer,
};
use jiff::civil::{Date, date};

/// A tiny deterministic generator (64-bit LCG), so tests need no randomness source.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn path(name: &str) -> String {
    format!("{}/tests/treasury/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn read(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap()
}

/// The chart with a few sub-accounts an association adds.
pub fn chart() -> Chart {
    let mut c = Chart::associations();
    c.add_sub_account("5121", "Crédit Coopératif").unwrap();
    c.add_sub_account("5122", "Livret association").unwrap();
    c.add_sub_account("411DUPONT", "Jean Dupont").unwrap();
    c.add_sub_account("401OVH", "OVH SAS").unwrap();
    c
}

const INCOME: [&str; 6] = ["756", "7541", "7542", "706", "744", "758"];
const EXPENSES: [&str; 9] = [
    "606", "6061", "613", "616", "623", "625", "626", "627", "6586",
];
const TREASURY: [&str; 3] = ["5121", "5122", "530"];
const PROJECTS: [Option<&str>; 3] = [None, Some("install-party"), Some("repair-cafe")];

fn day(rng: &mut Lcg, year: i16) -> Date {
    let d = date(year, 1, 1);
    fabrique_treasury::dates::add_days(d, rng.below(365) as i64)
}

/// `n` validated entries of the year 2026: an opening entry, then incomes, expenses,
/// transfers, multi-line expert entries and reversals, with continuous numbering.
pub fn generated_year(n: usize, seed: u64) -> Vec<Entry> {
    let chart = chart();
    let year = FiscalYear::calendar(2026);
    let mut rng = Lcg(seed);
    let mut numbering = Numbering::new();
    let mut out: Vec<Entry> = Vec::with_capacity(n);
    let mut validate = |d: EntryDraft, out: &mut Vec<Entry>| {
        let num = numbering.next(&d.journal, 2026);
        let e = d.validate(&chart, &year, num, d.date).unwrap();
        out.push(e);
    };
    validate(
        EntryDraft::new(Journal::Opening, date(2026, 1, 1), "À-nouveaux")
            .line(Line::debit("5121", 500_000))
            .line(Line::debit("530", 20_000))
            .line(Line::credit("102", 400_000))
            .line(Line::credit("110", 120_000)),
        &mut out,
    );
    while out.len() < n {
        let date = day(&mut rng, 2026);
        let amount = 1 + rng.below(200_000) as i64;
        let treasury = TREASURY[rng.below(3) as usize];
        let project = PROJECTS[rng.below(3) as usize].map(str::to_string);
        let kind = rng.below(10);
        let draft = match kind {
            0..=3 => income(&SimpleForm {
                date,
                label: format!("Recette {}", out.len()),
                piece_ref: format!("R{}", out.len()),
                amount,
                category: INCOME[rng.below(6) as usize].into(),
                treasury: treasury.into(),
                project,
            })
            .unwrap(),
            4..=6 => expense(&SimpleForm {
                date,
                label: format!("Dépense {}", out.len()),
                piece_ref: format!("F{}", out.len()),
                amount,
                category: EXPENSES[rng.below(9) as usize].into(),
                treasury: treasury.into(),
                project,
            })
            .unwrap(),
            7 => {
                let to = TREASURY[(rng.below(2) as usize
                    + 1
                    + TREASURY.iter().position(|t| *t == treasury).unwrap())
                    % 3];
                transfer(date, "Virement interne", amount, treasury, to).unwrap()
            }
            8 => {
                // Expert entry: a supplier invoice split over two expense accounts.
                let a = amount / 3 + 1;
                EntryDraft::new(Journal::Purchases, date, "Facture OVH : hébergement")
                    .piece("OVH-1")
                    .line(Line::debit("626", a).with_project(project.as_deref()))
                    .line(Line::debit("6061", amount))
                    .line(Line::credit("401OVH", a + amount))
            }
            _ => {
                let i = rng.below(out.len() as u64) as usize;
                let mut r = out[i].reversal(date);
                if r.journal == Journal::Opening {
                    r.journal = Journal::Misc;
                }
                r
            }
        };
        validate(draft, &mut out);
    }
    out
}
