//! The demo association's books: two years from `fabrique_treasury::demo` (the first
//! closed and hash-chained, the second open) and the cash plan that alerts in the fourth
//! month under the pessimistic scenario.

use fabrique_treasury::demo;
use fabrique_treasury::forecast::{InstalmentShare, YearMonth};
use fabrique_treasury::ledger::EntryDraft;

use super::bank::NewBankAccount;
use super::plan::{RecurringInput, Settings};
use super::{ledger, plan, store_account, today};
use crate::{App, AppResult, orgs};

/// The demo organisation that gets books.
pub const DEMO_ORG: &str = "manchots-libres";

/// Loads the books of the demo association (no-op when it does not exist).
pub async fn load(app: &App) -> AppResult<()> {
    let Ok(org) = orgs::by_slug(app, DEMO_ORG).await else {
        return Ok(());
    };
    let now = app.now();
    let today = today(app);
    // Both demo years are in the past, so the books are complete whatever today is.
    let years = demo::books(today.year() - 2);
    let mut tx = app.db.write.begin().await?;
    for a in demo::chart().accounts() {
        if !fabrique_treasury::chart::Chart::associations().contains(&a.number) {
            store_account(&mut tx, &org.id, &a.number, &a.label, now).await?;
        }
    }
    for y in &years {
        for e in &y.entries {
            let draft = EntryDraft {
                journal: e.journal.clone(),
                date: e.date,
                label: e.label.clone(),
                piece_ref: e.piece_ref.clone(),
                lines: e.lines.clone(),
                kind: e.kind,
            };
            ledger::insert(
                &mut tx,
                &org.id,
                &draft,
                Some((&e.number, e.valid_date)),
                None,
                None,
                now,
            )
            .await?;
        }
        if y.closed {
            let result = fabrique_treasury::reports::result(&y.entries);
            ledger::seal(&mut tx, &org.id, y.year.year(), result, now).await?;
        }
    }
    tx.commit().await?;
    super::bank::save_bank_account_org(
        app,
        &org.id,
        &NewBankAccount {
            account: "5121".into(),
            name: "Crédit Coopératif".into(),
            csv_mapping: None,
        },
    )
    .await?;
    plan::save_settings_org(
        app,
        None,
        &org.id,
        &Settings {
            siren: None,
            rna: Some("W931001234".into()),
            address: "6 rue de la République, 93200 Saint-Denis".into(),
            purpose: "Promouvoir les logiciels libres et le réemploi du matériel informatique"
                .into(),
            place: "Saint-Denis".into(),
            signatory_name: "Camille Martin".into(),
            signatory_role: "Trésorière".into(),
            alert_threshold: 0,
            transparency: true,
            dues_amount: 2_000,
        },
    )
    .await?;
    // The cash plan of the pure demo, starting this month. Its figures assume an opening
    // position of 1 000 €; the books hold more, so a planned investment this month brings
    // the position to that level and the plan alerts exactly as the pure demo does.
    let start = YearMonth::of(today);
    let (opening, items, threshold) = demo::cash_plan(start);
    let ledger_opening: i64 = ledger::treasury_balances(app, &org.id, today)
        .await?
        .iter()
        .map(|(_, b)| b)
        .sum();
    let mut settings = plan::settings_of(app, &org.id).await?;
    settings.alert_threshold = threshold;
    plan::save_settings_org(app, None, &org.id, &settings).await?;
    if ledger_opening != opening {
        plan::add_recurring_org(
            app,
            None,
            &org.id,
            &RecurringInput {
                label: "Aménagement du local du repair café (devis signé)".into(),
                amount: opening - ledger_opening,
                start: today.to_string(),
                every_months: 0,
                end: None,
                probability: 100,
            },
        )
        .await?;
    }
    for s in &items.subsidies {
        debug_assert!(
            s.instalments
                .iter()
                .all(|i| matches!(i.share, InstalmentShare::Percent(_)))
        );
        plan::add_subsidy_org(app, None, &org.id, s).await?;
    }
    for r in &items.recurring {
        plan::add_recurring_org(
            app,
            None,
            &org.id,
            &RecurringInput {
                label: r.label.clone(),
                amount: r.amount,
                start: r.start.to_string(),
                every_months: r.every_months,
                end: r.end.map(|e| e.to_string()),
                probability: r.probability,
            },
        )
        .await?;
    }
    for d in &items.dues {
        plan::add_recurring_org(
            app,
            None,
            &org.id,
            &RecurringInput {
                label: d.label.clone(),
                amount: d.amount,
                start: d.due.to_string(),
                every_months: 0,
                end: None,
                probability: d.probability,
            },
        )
        .await?;
    }
    Ok(())
}
