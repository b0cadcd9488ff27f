//! Load client of the ballot benchmark (`bench/ballots.sh` runs it).
//!
//! ```text
//! ballots BASE_URL SEED_JSON [CONNECTIONS]
//! ```
//!
//! `SEED_JSON` is what `fabrique bench-seed` printed: an organisation, an open secret
//! motion, and one session token per voter. Each voter casts one ballot over HTTP with
//! their own session cookie (`POST /api/v1/orgs/{slug}/decisions/{id}/ballots`), from
//! CONNECTIONS concurrent connections (default 64). Then the administrator closes the
//! decision, and the client checks that the count equals what was acknowledged: the
//! participation, the totals per choice, and every acknowledged tracker among the
//! published ballots. Prints ballots/s and latency percentiles; exits non-zero if any
//! check fails.

use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Any value of 32 characters or more is accepted as the double-submit CSRF token.
const CSRF: &str = "benchmarkbenchmarkbenchmarkbenchmark";

#[derive(serde::Deserialize)]
struct Seed {
    slug: String,
    decision: String,
    admin_session: String,
    voters: Vec<String>,
}

/// The choice voter `i` makes: 3 in 5 for, 1 against, 1 abstains.
fn choice(i: usize) -> &'static str {
    match i % 5 {
        0..=2 => "for",
        3 => "against",
        _ => "abstain",
    }
}

/// What one connection saw.
#[derive(Default)]
struct Outcome {
    latencies_us: Vec<u64>,
    acknowledged: Vec<(String, &'static str)>,
    refused: BTreeMap<u16, usize>,
    first_refusal: Option<String>,
    transport_errors: usize,
}

fn cookie(session: &str) -> String {
    format!("fabrique_session={session}; fabrique_csrf={CSRF}")
}

async fn voter_loop(
    client: reqwest::Client,
    url: Arc<String>,
    seed: Arc<Seed>,
    next: Arc<AtomicUsize>,
) -> Outcome {
    let mut out = Outcome::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(session) = seed.voters.get(i) else {
            return out;
        };
        let c = choice(i);
        let start = Instant::now();
        let sent = client
            .post(url.as_str())
            .header("cookie", cookie(session))
            .header("x-csrf-token", CSRF)
            .json(&json!({"choice": c}))
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                out.latencies_us.push(start.elapsed().as_micros() as u64);
                if status == 201 {
                    let tracker = serde_json::from_str::<Value>(&body)
                        .ok()
                        .and_then(|v| v["tracker"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    out.acknowledged.push((tracker, c));
                } else {
                    *out.refused.entry(status).or_default() += 1;
                    out.first_refusal.get_or_insert(body);
                }
            }
            Err(e) => {
                out.transport_errors += 1;
                out.first_refusal.get_or_insert(e.to_string());
            }
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn total(result: &Value, choice: &str) -> i64 {
    let v = &result["details"]["totals"][choice];
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(-1)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(base), Some(seed_path)) = (args.get(1), args.get(2)) else {
        return Err("usage: ballots BASE_URL SEED_JSON [CONNECTIONS]".into());
    };
    let connections: usize = args.get(3).map(|c| c.parse()).transpose()?.unwrap_or(64);
    let seed: Arc<Seed> = Arc::new(serde_json::from_str(&std::fs::read_to_string(seed_path)?)?);
    let decision = format!(
        "{}/api/v1/orgs/{}/decisions/{}",
        base.trim_end_matches('/'),
        seed.slug,
        seed.decision
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(60))
        .build()?;
    let url = Arc::new(format!("{decision}/ballots"));
    let next = Arc::new(AtomicUsize::new(0));
    println!(
        "voters: {}; connections: {connections}; decision: {decision}",
        seed.voters.len()
    );
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            tokio::spawn(voter_loop(
                client.clone(),
                url.clone(),
                seed.clone(),
                next.clone(),
            ))
        })
        .collect();
    let mut all = Outcome::default();
    for t in tasks {
        let o = t.await?;
        all.latencies_us.extend(o.latencies_us);
        all.acknowledged.extend(o.acknowledged);
        for (s, n) in o.refused {
            *all.refused.entry(s).or_default() += n;
        }
        all.transport_errors += o.transport_errors;
        if all.first_refusal.is_none() {
            all.first_refusal = o.first_refusal;
        }
    }
    let elapsed = start.elapsed();
    all.latencies_us.sort_unstable();
    let acked = all.acknowledged.len();
    println!(
        "acknowledged: {acked} ballots in {:.2} s = {:.0} ballots/s",
        elapsed.as_secs_f64(),
        acked as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&all.latencies_us, 50.0),
        percentile(&all.latencies_us, 90.0),
        percentile(&all.latencies_us, 99.0),
        percentile(&all.latencies_us, 100.0)
    );
    if !all.refused.is_empty() || all.transport_errors > 0 {
        println!(
            "refused: {:?}; transport errors: {}; first: {}",
            all.refused,
            all.transport_errors,
            all.first_refusal.as_deref().unwrap_or("")
        );
    }

    // Close, count, and compare with what was acknowledged.
    let admin = cookie(&seed.admin_session);
    let start = Instant::now();
    let closed = client
        .post(format!("{decision}/close"))
        .header("cookie", &admin)
        .header("x-csrf-token", CSRF)
        .send()
        .await?;
    let close_status = closed.status();
    let close_time = start.elapsed();
    if !close_status.is_success() {
        return Err(format!("closing answered {close_status}: {}", closed.text().await?).into());
    }
    println!(
        "closed and counted in {:.0} ms",
        close_time.as_secs_f64() * 1000.0
    );
    let result: Value = client
        .get(format!("{decision}/result"))
        .header("cookie", &admin)
        .send()
        .await?
        .json()
        .await?;
    let published: Value = client
        .get(format!("{decision}/ballots"))
        .header("cookie", &admin)
        .send()
        .await?
        .json()
        .await?;
    let mut ok = true;
    let voted = result["participation"]["voted"].as_i64().unwrap_or(-1);
    println!("participation: {voted} voices used; acknowledged {acked}");
    ok &= voted == acked as i64;
    for c in ["for", "against", "abstain"] {
        let expected = all.acknowledged.iter().filter(|(_, x)| *x == c).count() as i64;
        let counted = total(&result, c);
        println!("  {c}: counted {counted}, acknowledged {expected}");
        ok &= counted == expected;
    }
    let trackers: HashSet<&str> = published["trackers"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let missing = all
        .acknowledged
        .iter()
        .filter(|(t, _)| !trackers.contains(t.as_str()))
        .count();
    println!(
        "published ballots: {}; acknowledged trackers missing from them: {missing}",
        trackers.len()
    );
    ok &= missing == 0 && trackers.len() == acked;
    println!("passed: {}", result["passed"]);
    println!(
        "{}",
        if ok {
            "CHECK OK: every acknowledged ballot was counted, and nothing else"
        } else {
            "CHECK FAILED"
        }
    );
    Ok(ok)
}
