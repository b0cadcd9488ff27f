//! Treasury through the application: the use cases of `fabrique_app::treasury` on an SQLite
//! file (WAL, the same pools and PRAGMAs as `fabrique serve`), with authorization, audit,
//! storage and the cash-plan check that follows each import — not only the pure crate.
//!
//! - FEC import of 20,000 entries (40,000 lines) into a fresh organisation (target < 1 s);
//! - trial balance of a year holding 1,000,000 lines (250,000 entries of 4 lines, stored by
//!   a FEC import) (target < 1 s);
//! - OFX import of 10,000 statement lines into a fresh organisation.
//!
//! Run (release build; a few minutes on 2 cores):
//! `cargo bench -p fabrique_app --bench treasury` — `-- --runs N` to change the number of
//! timed runs (default 3). Prints each run and the median.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fabrique_app::orgs::{self, NewOrg};
use fabrique_app::treasury::{bank, ledger};
use fabrique_app::{Actor, App, Config, Db, Mailer};
use fabrique_core::SystemClock;
use fabrique_core::ids::new_id;

/// Category accounts used by the generated entries: expenses then income.
const EXPENSES: [&str; 4] = ["606", "613", "616", "626"];
const INCOME: [&str; 4] = ["756", "7541", "744", "706"];

/// A FEC (TAB, UTF-8) of `entries` entries of `lines` lines each in 2026: each entry moves
/// the bank (512) against `lines − 1` category lines, spread over the year.
fn fec(entries: usize, lines: usize) -> String {
    let mut s = String::with_capacity(entries * lines * 120);
    s.push_str("JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise\n");
    for i in 0..entries {
        let day = jiff::civil::date(2026, 1, 1)
            .checked_add(jiff::Span::new().days((i * 365 / entries) as i64))
            .expect("a day of 2026");
        let d = format!("{:04}{:02}{:02}", day.year(), day.month(), day.day());
        let amount = 100 + (i as i64 * 7_919) % 100_000;
        let income = i % 3 == 0;
        let n = i + 1;
        let mut line = |account: &str, debit: i64, credit: i64| {
            let _ = writeln!(
                s,
                "BQ1\tBanque\tBQ1-2026-{n:06}\t{d}\t{account}\t\t\t\tP{n}\t{d}\tOpération {n}\t{},{:02}\t{},{:02}\t\t\t{d}\t\t",
                debit / 100,
                debit % 100,
                credit / 100,
                credit % 100
            );
        };
        for k in 0..lines - 1 {
            if income {
                line(INCOME[(i + k) % 4], 0, amount);
            } else {
                line(EXPENSES[(i + k) % 4], amount, 0);
            }
        }
        let total = amount * (lines as i64 - 1);
        if income {
            line("512", total, 0);
        } else {
            line("512", 0, total);
        }
    }
    s
}

/// An OFX 1.x statement of `n` transactions spread over 2026, with a ledger balance.
fn ofx(n: usize) -> String {
    let mut s = String::from(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<STMTRS>\n<CURDEF>EUR\n<BANKTRANLIST>\n",
    );
    for i in 0..n {
        let day = jiff::civil::date(2026, 1, 1)
            .checked_add(jiff::Span::new().days((i % 365) as i64))
            .expect("a day of 2026");
        let sign = if i % 4 == 0 { "" } else { "-" };
        let _ = write!(
            s,
            "<STMTTRN>\n<TRNTYPE>{}\n<DTPOSTED>{:04}{:02}{:02}\n<TRNAMT>{sign}{}.{:02}\n<FITID>F{i:08}\n<NAME>{} {i}\n<MEMO>REF {i}\n</STMTTRN>\n",
            if sign.is_empty() { "CREDIT" } else { "DEBIT" },
            day.year(),
            day.month(),
            day.day(),
            1 + i % 1000,
            i % 100,
            if sign.is_empty() {
                "VIR ADHERENT"
            } else {
                "PRLV FOURNISSEUR"
            },
        );
    }
    s.push_str("</BANKTRANLIST>\n<LEDGERBAL>\n<BALAMT>1234.56\n<DTASOF>20261231\n</LEDGERBAL>\n</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n");
    s
}

/// The application on a new SQLite file, with a treasurer.
async fn setup(dir: &std::path::Path) -> anyhow::Result<(App, Actor)> {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let app = App::new(
        db,
        Arc::new(SystemClock),
        Mailer::log_only(),
        Config {
            base_url: "http://127.0.0.1:8080".into(),
        },
    );
    let user = fabrique_app::accounts::User {
        id: new_id(),
        email: "tresorier@bench.test".into(),
        name: "Camille".into(),
        instance_admin: false,
        created_at: app.now(),
    };
    // A stand-in hash: the bench never signs in, and argon2 would only add start-up time.
    fabrique_app::accounts::insert_user(&app, &user, "bench").await?;
    let actor = Actor {
        user_id: user.id,
        name: user.name,
        email: user.email,
        instance_admin: false,
    };
    Ok((app, actor))
}

/// A new association administered by the treasurer.
async fn new_org(app: &App, actor: &Actor, slug: &str) -> anyhow::Result<()> {
    orgs::create(
        app,
        actor,
        &NewOrg {
            slug: slug.into(),
            name: format!("Association {slug}"),
            kind: "association".into(),
            ..NewOrg::default()
        },
    )
    .await?;
    Ok(())
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn report(name: &str, runs: Vec<Duration>, target: Option<Duration>) {
    let shown: Vec<String> = runs.iter().map(|d| format!("{d:.3?}")).collect();
    let m = median(runs);
    let verdict = match target {
        Some(t) if m < t => format!(" (target < {t:?}: met)"),
        Some(t) => format!(" (target < {t:?}: MISSED)"),
        None => String::new(),
    };
    println!("{name}: median {m:.3?}{verdict}; runs {}", shown.join(", "));
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
        .max(1);
    let dir = tempfile::tempdir()?;
    let (app, actor) = setup(dir.path()).await?;
    println!(
        "fabrique_app treasury bench on SQLite ({}), {} cores, {runs} runs each",
        dir.path().join("bench.db").display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // FEC import: 20,000 entries, 40,000 lines, each run into a fresh organisation.
    let text = fec(20_000, 2);
    let mut times = Vec::new();
    for run in 0..runs {
        let slug = format!("fec-{run}");
        new_org(&app, &actor, &slug).await?;
        let t = Instant::now();
        let out = bank::import(&app, &actor, &slug, text.as_bytes(), None).await?;
        times.push(t.elapsed());
        assert_eq!((out.format.as_str(), out.created), ("fec", 20_000));
    }
    report(
        "FEC import, 20,000 entries (40,000 lines), bank::import",
        times,
        Some(Duration::from_secs(1)),
    );

    // Trial balance over 1,000,000 lines.
    new_org(&app, &actor, "big").await?;
    let text = fec(250_000, 4);
    let t = Instant::now();
    let out = bank::import(&app, &actor, "big", text.as_bytes(), None).await?;
    assert_eq!(out.created, 250_000);
    println!(
        "setup: FEC import of 250,000 entries (1,000,000 lines) took {:.3?}",
        t.elapsed()
    );
    drop(text);
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let tb = ledger::trial_balance(&app, &actor, "big", 2026).await?;
        times.push(t.elapsed());
        assert_eq!(tb.total_debit, tb.total_credit);
        assert_eq!(tb.accounts.len(), 9);
    }
    report(
        "trial balance over 1,000,000 lines, ledger::trial_balance",
        times,
        Some(Duration::from_secs(1)),
    );

    // OFX import: 10,000 statement lines, each run into a fresh organisation.
    let text = ofx(10_000);
    let mut times = Vec::new();
    for run in 0..runs {
        let slug = format!("ofx-{run}");
        new_org(&app, &actor, &slug).await?;
        let t = Instant::now();
        let out = bank::import(&app, &actor, &slug, text.as_bytes(), None).await?;
        times.push(t.elapsed());
        assert_eq!((out.format.as_str(), out.created), ("ofx", 10_000));
    }
    report("OFX import, 10,000 lines, bank::import", times, None);
    app.db.close().await;
    Ok(())
}
