//! Subsidies, recurring items, open receivables and payables, and the 12-month cash-flow
//! plan (plan de trésorerie) with its alert.
//!
//! Scenarios (DOMAIN-RULES, "Cash-flow plan"):
//! - **base**: every flow at its expected date — for a subsidy instalment, its expected
//!   date plus the subsidy's `expected_delay_days`; each amount weighted by its
//!   probability (`amount × probability / 100`, rounded half away from zero to the cent).
//! - **pessimistic**: flows whose probability is below 100 % are dropped; the others count
//!   in full; every subsidy instalment comes 60 days after its base date.
//! - **optimistic**: every flow in full (100 %) and subsidy instalments at their expected
//!   date with no delay.
//!
//! Flows due before the first month (an overdue receivable, a late instalment) fall in the
//! first month; flows after the twelfth month are left out. Recurring items count from
//! their start, every `every_months` months, until their end. Paid subsidies and received
//! instalments are already in the bank: they are left out.
//!
//! The alert names the first month whose closing balance is under the threshold, and the
//! gap (`threshold − closing`).

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::amount::Cents;
use crate::dates::add_days;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct YearMonth {
    /// Year.
    pub year: i16,
    /// Month, 1–12.
    pub month: i8,
}

impl YearMonth {
    /// The month of a date.
    pub fn of(date: Date) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Months from `self` to `other` (negative when `other` is earlier).
    pub fn months_until(self, other: YearMonth) -> i32 {
        (i32::from(other.year) - i32::from(self.year)) * 12
            + (i32::from(other.month) - i32::from(self.month))
    }

    /// The month `n` months later.
    pub fn plus(self, n: i32) -> YearMonth {
        let total = i32::from(self.year) * 12 + i32::from(self.month) - 1 + n;
        YearMonth {
            year: total.div_euclid(12) as i16,
            month: (total.rem_euclid(12) + 1) as i8,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Where a subsidy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyStatus {
    /// Applied for.
    Requested,
    /// Granted (notification received).
    Notified,
    /// Agreement (convention) signed.
    AgreementSigned,
    /// Fully paid.
    Paid,
}

/// How much an instalment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstalmentShare {
    /// A percentage of the subsidy (rounded to the cent).
    Percent(u8),
    /// A fixed amount.
    Amount(Cents),
}

/// When an instalment is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstalmentCondition {
    /// Advance, on signature.
    Advance,
    /// Balance, after the spending report.
    AfterSpendingReport,
}

/// One instalment of a subsidy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    /// Share or amount.
    pub share: InstalmentShare,
    /// Date the funder's schedule gives.
    pub expected_date: Date,
    /// Condition.
    pub condition: InstalmentCondition,
    /// Already received (then it is in the bank and out of the plan).
    #[serde(default)]
    pub received: bool,
}

/// A subsidy, first-class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subsidy {
    /// Funder (commune, département, État, fondation…).
    pub funder: String,
    /// Total amount.
    pub amount: Cents,
    /// Status.
    pub status: SubsidyStatus,
    /// Schedule.
    pub instalments: Vec<Instalment>,
    /// Probability of payment, percent (0–100).
    pub probability: u8,
    /// Delay usually observed with this funder, in days.
    pub expected_delay_days: u32,
    /// Project funded.
    #[serde(default)]
    pub project: Option<String>,
}

impl Subsidy {
    /// The amount of each instalment: percentages are rounded to the cent, and the last
    /// percentage-based instalment takes what rounding left when the shares sum to 100 %.
    pub fn instalment_amounts(&self) -> Vec<Cents> {
        let total_pct: u32 = self
            .instalments
            .iter()
            .map(|i| match i.share {
                InstalmentShare::Percent(p) => u32::from(p),
                InstalmentShare::Amount(_) => 0,
            })
            .sum();
        let last_pct = self
            .instalments
            .iter()
            .rposition(|i| matches!(i.share, InstalmentShare::Percent(_)));
        let mut pct_sum = 0;
        let mut out = Vec::with_capacity(self.instalments.len());
        for (idx, i) in self.instalments.iter().enumerate() {
            out.push(match i.share {
                InstalmentShare::Amount(a) => a,
                InstalmentShare::Percent(p) => {
                    let a = if total_pct == 100 && Some(idx) == last_pct {
                        self.amount - pct_sum
                    } else {
                        weigh(self.amount, p)
                    };
                    pct_sum += a;
                    a
                }
            });
        }
        out
    }
}

/// A recurring item (salaries, rent, dues…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurring {
    /// Label.
    pub label: String,
    /// Signed amount per occurrence (positive: money in).
    pub amount: Cents,
    /// First occurrence.
    pub start: Date,
    /// Months between occurrences (1 monthly, 3 quarterly, 12 yearly).
    pub every_months: u32,
    /// Last possible date, if any.
    pub end: Option<Date>,
    /// Probability, percent.
    pub probability: u8,
}

/// An open receivable (positive) or payable (negative) with its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueItem {
    /// Label.
    pub label: String,
    /// Signed amount.
    pub amount: Cents,
    /// Due date.
    pub due: Date,
    /// Probability, percent.
    pub probability: u8,
}

/// Everything the plan is built from, besides the opening position.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastItems {
    /// Subsidies.
    pub subsidies: Vec<Subsidy>,
    /// Recurring items.
    pub recurring: Vec<Recurring>,
    /// Open receivables and payables.
    pub dues: Vec<DueItem>,
}

/// Scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Expected dates, amounts weighted by probability.
    Base,
    /// Subsidies 60 days later, uncertain items dropped.
    Pessimistic,
    /// Everything in full, no delay.
    Optimistic,
}

/// One month of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    /// The month.
    pub month: YearMonth,
    /// Money in (positive).
    pub inflows: Cents,
    /// Money out (positive).
    pub outflows: Cents,
    /// Balance at the end of the month.
    pub closing: Cents,
}

/// The first month under the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// The month.
    pub month: YearMonth,
    /// Threshold − closing balance (positive).
    pub gap: Cents,
}

/// A 12-month plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// Scenario.
    pub scenario: Scenario,
    /// Opening position.
    pub opening: Cents,
    /// Twelve months.
    pub months: Vec<MonthRow>,
    /// First month under the threshold.
    pub alert: Option<Alert>,
}

/// `amount × percent / 100`, rounded half away from zero.
pub fn weigh(amount: Cents, percent: u8) -> Cents {
    let x = i128::from(amount) * i128::from(percent);
    let r = if x >= 0 {
        (x + 50) / 100
    } else {
        (x - 50) / 100
    };
    r as Cents
}

/// Pessimistic delay added to subsidies, in days.
pub const PESSIMISTIC_DELAY_DAYS: i64 = 60;

/// The date `months` months after `start`, the day clamped to the month's length.
fn add_months(start: Date, months: u32) -> Option<Date> {
    let ym = YearMonth::of(start).plus(i32::try_from(months).ok()?);
    let first = Date::new(ym.year, ym.month, 1).ok()?;
    first
        .with()
        .day(start.day().min(first.days_in_month()))
        .build()
        .ok()
}

/// Builds the 12-month plan.
pub fn forecast(
    opening: Cents,
    items: &ForecastItems,
    start: YearMonth,
    scenario: Scenario,
    threshold: Cents,
) -> Forecast {
    let mut inflows = [0 as Cents; 12];
    let mut outflows = [0 as Cents; 12];
    let mut add = |date: Date, amount: Cents, probability: u8, clamp_past: bool| {
        let p = match scenario {
            Scenario::Optimistic => 100,
            Scenario::Pessimistic if probability < 100 => return,
            _ => probability.min(100),
        };
        let m = start.months_until(YearMonth::of(date));
        let m = if m < 0 && clamp_past { 0 } else { m };
        if !(0..12).contains(&m) {
            return;
        }
        let a = weigh(amount, p);
        if a >= 0 {
            inflows[m as usize] += a;
        } else {
            outflows[m as usize] -= a;
        }
    };
    for s in &items.subsidies {
        if s.status == SubsidyStatus::Paid {
            continue;
        }
        for (i, amount) in s.instalments.iter().zip(s.instalment_amounts()) {
            if i.received {
                continue;
            }
            let delay = match scenario {
                Scenario::Optimistic => 0,
                Scenario::Base => i64::from(s.expected_delay_days),
                Scenario::Pessimistic => i64::from(s.expected_delay_days) + PESSIMISTIC_DELAY_DAYS,
            };
            add(
                add_days(i.expected_date, delay),
                amount,
                s.probability,
                true,
            );
        }
    }
    let window_end = start.plus(12);
    for r in &items.recurring {
        let every = r.every_months.max(1);
        let mut k = 0u32;
        while let Some(d) = add_months(r.start, k * every) {
            if YearMonth::of(d) >= window_end || r.end.is_some_and(|e| d > e) {
                break;
            }
            add(d, r.amount, r.probability, false);
            k += 1;
        }
    }
    for d in &items.dues {
        add(d.due, d.amount, d.probability, true);
    }
    let mut balance = opening;
    let mut months = Vec::with_capacity(12);
    let mut alert = None;
    for m in 0..12 {
        balance += inflows[m] - outflows[m];
        let month = start.plus(m as i32);
        if alert.is_none() && balance < threshold {
            alert = Some(Alert {
                month,
                gap: threshold - balance,
            });
        }
        months.push(MonthRow {
            month,
            inflows: inflows[m],
            outflows: outflows[m],
            closing: balance,
        });
    }
    Forecast {
        scenario,
        opening,
        months,
        alert,
    }
}

/// An SVG chart (a standalone `<svg>` string, 640×320) of the closing balance of each
/// forecast against the threshold: one polyline per scenario (classes `base`,
/// `pessimistic`, `optimistic`), a dashed threshold line and the month labels. It has no
/// role of its own: the page that shows it wraps it in an element with the image role and
/// a name in the reader's language.
pub fn svg_chart(forecasts: &[Forecast], threshold: Cents) -> String {
    use std::fmt::Write;
    let (w, h, left, right, top, bottom) = (640.0, 320.0, 70.0, 10.0, 10.0, 30.0);
    let mut lo = threshold;
    let mut hi = threshold;
    for f in forecasts {
        for m in &f.months {
            lo = lo.min(m.closing);
            hi = hi.max(m.closing);
        }
    }
    if hi == lo {
        hi = lo + 100;
    }
    let n = forecasts
        .iter()
        .map(|f| f.months.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let x = |i: usize| left + (w - left - right) * i as f64 / (n - 1) as f64;
    let y = |v: Cents| top + (h - top - bottom) * (hi - v) as f64 / (hi - lo) as f64;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" class=\"cash-forecast\">"
    );
    let _ = write!(
        out,
        "<line class=\"threshold\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c00\" stroke-dasharray=\"6 4\"/>",
        w - right,
        y(threshold),
        y(threshold)
    );
    for (v, label) in [(hi, hi), (lo, lo), (threshold, threshold)] {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>",
            left - 4.0,
            y(v) + 3.0,
            crate::amount::format_display(label / 100 * 100)
        );
    }
    if let Some(f) = forecasts.first() {
        for (i, m) in f.months.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{:02}/{}</text>",
                x(i),
                h - 10.0,
                m.month.month,
                m.month.year % 100
            );
        }
    }
    for f in forecasts {
        let (class, colour) = match f.scenario {
            Scenario::Base => ("base", "#1f5fa8"),
            Scenario::Pessimistic => ("pessimistic", "#b35c00"),
            Scenario::Optimistic => ("optimistic", "#2e7d32"),
        };
        let points: Vec<String> = f
            .months
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{:.1},{:.1}", x(i), y(m.closing)))
            .collect();
        let _ = write!(
            out,
            "<polyline class=\"{class}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn items() -> ForecastItems {
        ForecastItems {
            subsidies: vec![Subsidy {
                funder: "Commune".into(),
                amount: 300_000,
                status: SubsidyStatus::AgreementSigned,
                instalments: vec![
                    Instalment {
                        share: InstalmentShare::Percent(70),
                        expected_date: date(2027, 2, 15),
                        condition: InstalmentCondition::Advance,
                        received: false,
                    },
                    Instalment {
                        share: InstalmentShare::Percent(30),
                        expected_date: date(2027, 6, 15),
                        condition: InstalmentCondition::AfterSpendingReport,
                        received: false,
                    },
                ],
                probability: 90,
                expected_delay_days: 20,
                project: Some("install-party".into()),
            }],
            recurring: vec![
                Recurring {
                    label: "Loyer local".into(),
                    amount: -45_000,
                    start: date(2026, 11, 5),
                    every_months: 1,
                    end: None,
                    probability: 100,
                },
                Recurring {
                    label: "Cotisations".into(),
                    amount: 60_000,
                    start: date(2027, 1, 10),
                    every_months: 12,
                    end: None,
                    probability: 80,
                },
            ],
            dues: vec![DueItem {
                label: "Facture OVH".into(),
                amount: -12_000,
                due: date(2026, 12, 20),
                probability: 100,
            }],
        }
    }

    #[test]
    fn base_weights_and_delays() {
        let start = YearMonth {
            year: 2027,
            month: 1,
        };
        let f = forecast(200_000, &items(), start, Scenario::Base, 50_000);
        // January: rent −450, dues 600 × 80 % = 480, overdue OVH −120.
        assert_eq!(f.months[0].inflows, 48_000);
        assert_eq!(f.months[0].outflows, 45_000 + 12_000);
        assert_eq!(f.months[0].closing, 200_000 + 48_000 - 57_000);
        // Advance 2 100 € × 90 % = 1 890 € on 15 Feb + 20 days → March.
        assert_eq!(f.months[1].inflows, 0);
        assert_eq!(f.months[2].inflows, 189_000);
        // Balance 900 € × 90 % = 810 € on 15 June + 20 days → July.
        assert_eq!(f.months[6].inflows, 81_000);
        assert_eq!(
            f.months[11].month,
            YearMonth {
                year: 2027,
                month: 12
            }
        );
        // Lowest point before March: 1 910 − 450 = 1 460 in February, above 500.
        assert_eq!(f.months[1].closing, 146_000);
        let alert = f.alert.unwrap();
        // Rent 450/month from 1 910 (March 3 350)… first under 500 is in October? compute:
        let mut b = 146_000 + 189_000 - 45_000; // March
        let mut expected = None;
        for m in 3..12 {
            b += if m == 6 { 81_000 } else { 0 } - 45_000;
            if b < 50_000 && expected.is_none() {
                expected = Some((m, 50_000 - b));
            }
        }
        let (m, gap) = expected.unwrap();
        assert_eq!(alert.month, start.plus(m));
        assert_eq!(alert.gap, gap);
    }

    #[test]
    fn pessimistic_and_optimistic() {
        let start = YearMonth {
            year: 2027,
            month: 1,
        };
        let p = forecast(200_000, &items(), start, Scenario::Pessimistic, 50_000);
        // Subsidy (90 %) and dues (80 %) dropped: only rent and OVH.
        assert!(p.months.iter().all(|m| m.inflows == 0));
        assert_eq!(p.months[0].closing, 200_000 - 57_000);
        // 1 430 then −450 a month: under 500 in April (1 430 − 3 × 450 = 80).
        assert_eq!(
            p.alert,
            Some(Alert {
                month: YearMonth {
                    year: 2027,
                    month: 4
                },
                gap: 50_000 - 8_000
            })
        );
        let o = forecast(200_000, &items(), start, Scenario::Optimistic, 50_000);
        assert_eq!(o.months[0].inflows, 60_000);
        assert_eq!(o.months[1].inflows, 210_000);
        assert_eq!(o.months[5].inflows, 90_000);
        // A fully certain subsidy is 60 days late in the pessimistic scenario.
        let mut certain = items();
        certain.subsidies[0].probability = 100;
        let p = forecast(200_000, &certain, start, Scenario::Pessimistic, 0);
        // 15 Feb + 20 + 60 days = 6 May.
        assert_eq!(p.months[4].inflows, 210_000);
    }

    #[test]
    fn rounding_and_months() {
        assert_eq!(weigh(333, 50), 167);
        assert_eq!(weigh(-333, 50), -167);
        let s = Subsidy {
            funder: "x".into(),
            amount: 100_001,
            status: SubsidyStatus::Notified,
            instalments: vec![
                Instalment {
                    share: InstalmentShare::Percent(33),
                    expected_date: date(2027, 1, 1),
                    condition: InstalmentCondition::Advance,
                    received: false,
                },
                Instalment {
                    share: InstalmentShare::Percent(67),
                    expected_date: date(2027, 1, 1),
                    condition: InstalmentCondition::AfterSpendingReport,
                    received: false,
                },
            ],
            probability: 100,
            expected_delay_days: 0,
            project: None,
        };
        assert_eq!(s.instalment_amounts(), vec![33_000, 67_001]);
        assert_eq!(
            YearMonth {
                year: 2026,
                month: 11
            }
            .plus(3),
            YearMonth {
                year: 2027,
                month: 2
            }
        );
        assert_eq!(add_months(date(2027, 1, 31), 1), Some(date(2027, 2, 28)));
    }

    #[test]
    fn chart_has_three_lines_and_the_threshold() {
        let start = YearMonth {
            year: 2027,
            month: 1,
        };
        let all: Vec<Forecast> = [Scenario::Base, Scenario::Pessimistic, Scenario::Optimistic]
            .into_iter()
            .map(|s| forecast(200_000, &items(), start, s, 50_000))
            .collect();
        let svg = svg_chart(&all, 50_000);
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert!(svg.contains("class=\"threshold\""));
        assert!(svg.contains(">01/27<"));
        assert!(svg.ends_with("</svg>"));
    }
}
