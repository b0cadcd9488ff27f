//! Benchmarks of the three performance targets:
//! - majority judgment over 1,000,000 ballots × 10 candidates (< 100 ms);
//! - Schulze and ranked pairs over 100,000 complete rankings of 10 candidates (< 200 ms);
//! - STV, 100,000 ballots, 20 candidates, 5 seats (< 1 s).
//!
//! Run: `cargo bench -p fabrique_vote --bench counting -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fabrique_vote::majority_judgment::{MeritProfile, MjMode, aggregate, rank_profiles};
use fabrique_vote::{Ballot, Election, Method, Tier, tally};
use num_bigint::BigUint;

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            v.swap(i, self.below(i + 1));
        }
        v
    }
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Candidate {i}")).collect()
}

fn ranked_election(
    method: Method,
    n: usize,
    ballots: usize,
    truncate: bool,
    seed: u64,
) -> Election {
    let cands = names(n);
    let refs: Vec<&str> = cands.iter().map(String::as_str).collect();
    let mut e = Election::new(method, &refs);
    let mut rng = Rng(seed);
    for _ in 0..ballots {
        let perm = rng.permutation(n);
        // Candidate 0 is slightly favoured so the count is not a pure lottery.
        let len = if truncate { 1 + rng.below(n) } else { n };
        let mut order: Vec<usize> = perm[..len].to_vec();
        if rng.below(4) == 0 {
            order.retain(|&c| c != 0);
            order.insert(0, 0);
        }
        e.push(Ballot {
            ranking: Some(order.iter().map(|&c| Tier::One(cands[c].clone())).collect()),
            ..Ballot::default()
        });
    }
    e
}

fn mj_ballots(ballots: usize, n: usize) -> Vec<Vec<Option<u8>>> {
    let mut rng = Rng(42);
    (0..ballots)
        .map(|_| {
            (0..n)
                .map(|c| Some(((rng.below(7) + c % 3) % 7) as u8))
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("targets");
    group.sample_size(10);

    let grades = mj_ballots(1_000_000, 10);
    group.bench_function("majority_judgment_1M_ballots_10_candidates", |b| {
        b.iter(|| {
            let (counts, _) = aggregate(10, 7, grades.iter().map(|g| (g.as_slice(), 1u128)));
            let profiles: Vec<MeritProfile> = counts
                .iter()
                .map(|c| MeritProfile::from_counts(c))
                .collect();
            black_box(rank_profiles(
                &profiles,
                &BigUint::from(1_000_000u32),
                MjMode::Static(0),
            ))
        })
    });

    // The same through the whole engine, from ballots naming candidates and grades.
    let cands = names(10);
    let refs: Vec<&str> = cands.iter().map(String::as_str).collect();
    let mut mj = Election::new(Method::MajorityJudgment, &refs);
    let grade_names = mj.grades.clone();
    for g in &grades {
        let b = Ballot {
            grades: Some(
                g.iter()
                    .enumerate()
                    .map(|(c, x)| {
                        (
                            cands[c].clone(),
                            grade_names[x.unwrap_or(0) as usize].clone(),
                        )
                    })
                    .collect(),
            ),
            ..Ballot::default()
        };
        mj.push(b);
    }
    drop(grades);
    group.bench_function(
        "majority_judgment_1M_ballots_10_candidates_full_tally",
        |b| b.iter(|| black_box(tally(&mj).expect("count"))),
    );
    drop(mj);

    let schulze = ranked_election(Method::Schulze, 10, 100_000, false, 7);
    group.bench_function("schulze_100k_rankings_10_candidates", |b| {
        b.iter(|| black_box(tally(&schulze).expect("count")))
    });
    let mut pairs = schulze.clone();
    pairs.method = Method::RankedPairs;
    group.bench_function("ranked_pairs_100k_rankings_10_candidates", |b| {
        b.iter(|| black_box(tally(&pairs).expect("count")))
    });

    let mut stv = ranked_election(Method::Stv, 20, 100_000, true, 11);
    stv.seats = 5;
    group.bench_function("stv_100k_ballots_20_candidates_5_seats", |b| {
        b.iter(|| black_box(tally(&stv).expect("count")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
