//! Demo data for the association of the demo (Camille's Linux users' association): two
//! years of books and a cash plan that alerts in the fourth month under the pessimistic
//! scenario. Pure and deterministic, so the storage layer can seed it and tests can check it.
//!
//! The books: dues paid by bank transfer in January and February, an install-party
//! donation box emptied into the cash box each quarter and paid into the bank, a municipal
//! subsidy notified in April and paid late (November), a hardware purchase, insurance,
//! hosting and bank fees, and volunteer time (864/875). The first year is closed (result to
//! 120/129) and its balance-sheet accounts open the second.

use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

use crate::amount::Cents;
use crate::chart::Chart;
use crate::closing::close_year;
use crate::forecast::{
    DueItem, ForecastItems, Instalment, InstalmentCondition, InstalmentShare, Recurring, Subsidy,
    SubsidyStatus, YearMonth,
};
use crate::ledger::{Entry, EntryDraft, FiscalYear, Journal, Line, Numbering};

/// One year of demo books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoYear {
    /// The fiscal year.
    pub year: FiscalYear,
    /// Its validated entries, numbered continuously per journal.
    pub entries: Vec<Entry>,
    /// Whether the year was closed (its closing entry is among the entries).
    pub closed: bool,
}

/// The demo chart: the associations' chart with the sub-accounts the demo uses.
pub fn chart() -> Chart {
    let mut c = Chart::associations();
    for (n, l) in [
        ("5121", "Crédit Coopératif"),
        ("401OVH", "OVH SAS"),
        ("441MAIRIE", "Mairie de Saint-Denis"),
    ] {
        c.add_sub_account(n, l).expect("demo sub-account");
    }
    c
}

fn year_drafts(y: i16, subsidy: Cents) -> Vec<EntryDraft> {
    let d = |m: i8, day: i8| date(y, m, day);
    let bank = Journal::Bank(1);
    let mut v = Vec::new();
    for (m, day, n) in [(1, 15, 34), (2, 10, 19)] {
        v.push(
            EntryDraft::new(
                bank.clone(),
                d(m, day),
                &format!("Cotisations ({n} adhérents)"),
            )
            .piece(&format!("COT-{y}-{m:02}"))
            .line(Line::debit("5121", 2_000 * n))
            .line(Line::credit("756", 2_000 * n)),
        );
    }
    for (q, (m, amount)) in [(3, 8_750), (6, 12_420), (9, 6_380), (12, 10_150)]
        .into_iter()
        .enumerate()
    {
        v.push(
            EntryDraft::new(Journal::Cash, d(m, 14), "Boîte à dons install party")
                .piece(&format!("DON-{y}-T{}", q + 1))
                .line(Line::debit("530", amount))
                .line(Line::credit("7541", amount).with_project(Some("install-party"))),
        );
        v.push(
            EntryDraft::new(Journal::Cash, d(m, 20), "Dépôt des espèces en banque")
                .line(Line::debit("5121", amount))
                .line(Line::credit("530", amount)),
        );
    }
    v.push(
        EntryDraft::new(Journal::Misc, d(4, 2), "Subvention municipale notifiée")
            .piece(&format!("SUB-{y}"))
            .line(Line::debit("441MAIRIE", subsidy))
            .line(Line::credit("744", subsidy).with_project(Some("repair-cafe"))),
    );
    v.push(
        EntryDraft::new(
            bank.clone(),
            d(11, 25),
            "Versement subvention municipale (en retard)",
        )
        .piece(&format!("SUB-{y}"))
        .line(Line::debit("5121", subsidy))
        .line(Line::credit("441MAIRIE", subsidy)),
    );
    v.push(
        EntryDraft::new(Journal::Purchases, d(5, 6), "Ordinateurs reconditionnés")
            .piece(&format!("FAC-{y}-0042"))
            .line(Line::debit("606", 64_000).with_project(Some("repair-cafe")))
            .line(Line::credit("401OVH", 64_000)),
    );
    v.push(
        EntryDraft::new(bank.clone(), d(5, 20), "Règlement ordinateurs")
            .piece(&format!("FAC-{y}-0042"))
            .line(Line::debit("401OVH", 64_000))
            .line(Line::credit("5121", 64_000)),
    );
    v.push(
        EntryDraft::new(bank.clone(), d(3, 1), "Assurance responsabilité civile")
            .line(Line::debit("616", 32_000))
            .line(Line::credit("5121", 32_000)),
    );
    for m in 1..=12 {
        v.push(
            EntryDraft::new(
                bank.clone(),
                d(m, 28),
                "Hébergement serveur et frais bancaires",
            )
            .line(Line::debit("626", 2_400))
            .line(Line::debit("627", 600))
            .line(Line::credit("5121", 3_000)),
        );
    }
    v.push(
        EntryDraft::new(Journal::Misc, d(12, 31), "Bénévolat valorisé (180 h)")
            .line(Line::debit("864", 180 * 1_200))
            .line(Line::credit("875", 180 * 1_200)),
    );
    v
}

fn validate_all(
    chart: &Chart,
    year: &FiscalYear,
    numbering: &mut Numbering,
    mut drafts: Vec<EntryDraft>,
) -> Vec<Entry> {
    drafts.sort_by_key(|d| d.date);
    drafts
        .into_iter()
        .map(|d| {
            let n = numbering.next(&d.journal, year.year());
            d.validate(chart, year, n, d.date)
                .expect("demo entries are valid")
        })
        .collect()
}

/// Two years of demo books: `first_year` (closed) and the next (open).
pub fn books(first_year: i16) -> Vec<DemoYear> {
    let chart = chart();
    let y1 = FiscalYear::calendar(first_year);
    let y2 = y1.next();
    let mut n1 = Numbering::new();
    let mut drafts = vec![
        EntryDraft::new(Journal::Opening, y1.start, "À-nouveaux")
            .line(Line::debit("5121", 120_000))
            .line(Line::debit("530", 8_000))
            .line(Line::credit("102", 128_000)),
    ];
    drafts.extend(year_drafts(first_year, 150_000));
    let mut first = validate_all(&chart, &y1, &mut n1, drafts);
    let closing = close_year(&first, &y1);
    if let Some(c) = closing.closing {
        let n = n1.next(&c.journal, y1.year());
        first.push(c.validate(&chart, &y1, n, y1.end).expect("closing"));
    }
    let mut n2 = Numbering::new();
    let mut drafts: Vec<EntryDraft> = closing.opening.into_iter().collect();
    drafts.extend(year_drafts(y2.year(), 120_000));
    let second = validate_all(&chart, &y2, &mut n2, drafts);
    vec![
        DemoYear {
            year: y1,
            entries: first,
            closed: true,
        },
        DemoYear {
            year: y2,
            entries: second,
            closed: false,
        },
    ]
}

/// The demo cash plan starting at `start`: opening position, items and threshold. Under
/// the pessimistic scenario the balance falls under the threshold in the fourth month
/// (the uncertain dues and subsidy are dropped and a hardware bill falls due); the base and
/// optimistic scenarios never do.
pub fn cash_plan(start: YearMonth) -> (Cents, ForecastItems, Cents) {
    let day = |months: i32, d: i8| -> Date {
        let ym = start.plus(months);
        date(ym.year, ym.month, d)
    };
    let items = ForecastItems {
        subsidies: vec![Subsidy {
            funder: "Mairie de Saint-Denis".into(),
            amount: 150_000,
            status: SubsidyStatus::Requested,
            instalments: vec![Instalment {
                share: InstalmentShare::Percent(100),
                expected_date: day(2, 10),
                condition: InstalmentCondition::Advance,
                received: false,
            }],
            probability: 80,
            expected_delay_days: 30,
            project: Some("repair-cafe".into()),
        }],
        recurring: vec![Recurring {
            label: "Hébergement et frais bancaires".into(),
            amount: -3_000,
            start: day(0, 28),
            every_months: 1,
            end: None,
            probability: 100,
        }],
        dues: vec![
            DueItem {
                label: "Cotisations attendues".into(),
                amount: 60_000,
                due: day(1, 15),
                probability: 90,
            },
            DueItem {
                label: "Assurance".into(),
                amount: -32_000,
                due: day(2, 1),
                probability: 100,
            },
            DueItem {
                label: "Facture matériel repair café".into(),
                amount: -40_000,
                due: day(3, 5),
                probability: 100,
            },
        ],
    };
    (100_000, items, 30_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::{Scenario, forecast};
    use crate::ledger::check_continuity;
    use crate::reports::{income_statement, trial_balance};

    #[test]
    fn two_years_of_books() {
        let years = books(2025);
        let chart = chart();
        for y in &years {
            check_continuity(&y.entries).unwrap();
            assert_eq!(trial_balance(&y.entries, &chart).total_balance, 0);
        }
        let is = income_statement(&years[0].entries, &chart);
        // Dues 1 060 €, donations 377 €, subsidy 1 500 €; purchases 640 €, insurance
        // 320 €, hosting and fees 360 €.
        assert_eq!(is.total_income, 106_000 + 37_700 + 150_000);
        assert_eq!(is.total_expenses, 64_000 + 32_000 + 36_000);
        assert_eq!(is.result, 161_700);
        assert_eq!(is.volunteer.total_sources, 216_000);
        let tb2 = trial_balance(&years[1].entries, &chart);
        assert_eq!(tb2.get("120").unwrap().credit, 161_700);
    }

    #[test]
    fn pessimistic_alert_in_the_fourth_month() {
        let start = YearMonth {
            year: 2027,
            month: 1,
        };
        let (opening, items, threshold) = cash_plan(start);
        let p = forecast(opening, &items, start, Scenario::Pessimistic, threshold);
        let alert = p.alert.unwrap();
        assert_eq!(alert.month, start.plus(3));
        // 1 000 − 4 × 30 − 320 − 400 = 160 €: 140 € under the 300 € threshold.
        assert_eq!(alert.gap, 14_000);
        assert_eq!(
            forecast(opening, &items, start, Scenario::Base, threshold).alert,
            None
        );
        assert_eq!(
            forecast(opening, &items, start, Scenario::Optimistic, threshold).alert,
            None
        );
    }
}
