//! Property tests: order independence, Condorcet consistency, splitting counts, unanimity.

use fabrique_vote::majority_judgment::{MeritProfile, compare};
use fabrique_vote::{Ballot, Election, Method, StvVariant, Tier, tally};
use num_bigint::BigUint;
use proptest::prelude::*;
use std::cmp::Ordering;

const RANKED: [Method; 7] = [
    Method::Borda,
    Method::Copeland,
    Method::Schulze,
    Method::RankedPairs,
    Method::Irv,
    Method::Stv,
    Method::Stv,
];

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("C{i}")).collect()
}

/// A ranking from a rank per candidate (`n` = unranked), with ties and truncation.
fn ranking_from(ranks: &[usize]) -> Vec<Tier> {
    let n = ranks.len();
    (0..n)
        .map(|r| {
            (0..n)
                .filter(|&c| ranks[c] == r)
                .map(|c| format!("C{c}"))
                .collect::<Vec<_>>()
        })
        .filter(|t| !t.is_empty())
        .map(Tier::Many)
        .collect()
}

/// (candidates, ballots as (rank per candidate, count)).
fn ballots_strategy() -> impl Strategy<Value = (usize, Vec<(Vec<usize>, i64)>)> {
    (3usize..=5).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((prop::collection::vec(0..=n, n), 1i64..=4), 1..=10),
        )
    })
}

fn election(method: Method, n: usize, ballots: &[(Vec<usize>, i64)], seats: u32) -> Election {
    let cands = names(n);
    let refs: Vec<&str> = cands.iter().map(String::as_str).collect();
    let mut e = Election::new(method, &refs);
    e.seats = seats;
    e.seed = Some(fabrique_vote::Seed("prop".into()));
    for (ranks, count) in ballots {
        e.push(Ballot {
            ranking: Some(ranking_from(ranks)),
            count: Some(*count),
            ..Ballot::default()
        });
    }
    e
}

fn graded(n: usize, ballots: &[(Vec<usize>, i64)]) -> Election {
    let cands = names(n);
    let refs: Vec<&str> = cands.iter().map(String::as_str).collect();
    let mut e = Election::new(Method::MajorityJudgment, &refs);
    e.grades = (0..=5).map(|g| format!("g{g}")).collect();
    for (ranks, count) in ballots {
        let grades: Vec<(String, String)> = ranks
            .iter()
            .enumerate()
            .filter(|(_, r)| **r < 5)
            .map(|(c, r)| (format!("C{c}"), format!("g{r}")))
            .collect();
        let refs: Vec<(&str, &str)> = grades
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        e.push(Ballot::grades(&refs).times(*count));
    }
    e
}

fn condorcet_winner(n: usize, ballots: &[(Vec<usize>, i64)]) -> Option<usize> {
    (0..n).find(|&a| {
        (0..n).filter(|&b| b != a).all(|b| {
            let (mut x, mut y) = (0, 0);
            for (r, c) in ballots {
                if r[a] < r[b] {
                    x += c;
                } else if r[b] < r[a] {
                    y += c;
                }
            }
            x > y
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn shuffling_ballots_changes_nothing(
        (n, ballots) in ballots_strategy(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = ballots.clone();
        // A deterministic permutation from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        for (k, m) in RANKED.into_iter().enumerate() {
            let seats = if m == Method::Stv { 2 } else { 1 };
            let mut a = election(m, n, &ballots, seats);
            let mut b = election(m, n, &shuffled, seats);
            if k == RANKED.len() - 1 {
                a.stv_variant = StvVariant::Meek;
                b.stv_variant = StvVariant::Meek;
            }
            prop_assert_eq!(tally(&a).expect("a"), tally(&b).expect("b"), "{}", m);
        }
        prop_assert_eq!(
            tally(&graded(n, &ballots)).expect("a"),
            tally(&graded(n, &shuffled)).expect("b")
        );
    }

    #[test]
    fn a_condorcet_winner_wins((n, ballots) in ballots_strategy()) {
        if let Some(w) = condorcet_winner(n, &ballots) {
            for m in [Method::Schulze, Method::RankedPairs, Method::Copeland] {
                let o = tally(&election(m, n, &ballots, 1)).expect("count");
                prop_assert_eq!(&o.winners, &vec![format!("C{w}")], "{}", m);
                prop_assert_eq!(&o.ranking[0], &vec![format!("C{w}")], "{}", m);
                prop_assert!(o.tie_break.is_none());
            }
        }
    }

    #[test]
    fn splitting_a_count_changes_nothing((n, ballots) in ballots_strategy()) {
        let split: Vec<(Vec<usize>, i64)> = ballots
            .iter()
            .flat_map(|(r, c)| std::iter::repeat_n((r.clone(), 1), *c as usize))
            .collect();
        for m in RANKED {
            let seats = if m == Method::Stv { 2 } else { 1 };
            prop_assert_eq!(
                tally(&election(m, n, &ballots, seats)).expect("a"),
                tally(&election(m, n, &split, seats)).expect("b"),
                "{}", m
            );
        }
        prop_assert_eq!(
            tally(&graded(n, &ballots)).expect("a"),
            tally(&graded(n, &split)).expect("b")
        );
    }

    #[test]
    fn unanimous_ballots_elect_the_unanimous_choice(
        order in (3usize..=6).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle()),
        voters in 1i64..50,
    ) {
        let n = order.len();
        let mut ranks = vec![0; n];
        for (pos, &c) in order.iter().enumerate() {
            ranks[c] = pos;
        }
        let ballots = vec![(ranks.clone(), voters)];
        let top = format!("C{}", order[0]);
        for m in RANKED.into_iter().chain([Method::Plurality]) {
            let o = tally(&election(m, n, &ballots, 1)).expect("count");
            prop_assert_eq!(&o.winners, &vec![top.clone()], "{}", m);
        }
        let mut e = graded(n, &[(ranks.iter().map(|&r| 4usize.saturating_sub(r)).collect(), voters)]);
        e.seats = 1;
        let o = tally(&e).expect("mj");
        prop_assert_eq!(&o.winners, &vec![top.clone()]);
    }

    #[test]
    fn mj_blocks_match_one_by_one(
        a in prop::collection::vec(0u64..8, 5),
        b in prop::collection::vec(0u64..8, 5),
    ) {
        // Make totals equal by padding the worst grade.
        let (ta, tb): (u64, u64) = (a.iter().sum(), b.iter().sum());
        let (mut a, mut b) = (a, b);
        if ta < tb { a[0] += tb - ta } else { b[0] += ta - tb }
        let expand = |p: &[u64]| -> Vec<usize> {
            p.iter().enumerate().flat_map(|(g, &c)| std::iter::repeat_n(g, c as usize)).collect()
        };
        let (mut x, mut y) = (expand(&a), expand(&b));
        let mut expected = Ordering::Equal;
        while !x.is_empty() {
            let m = (x.len() - 1) / 2;
            if x[m] != y[m] { expected = x[m].cmp(&y[m]); break; }
            x.remove(m);
            y.remove(m);
        }
        let big = |v: &[u64]| MeritProfile(v.iter().map(|&c| BigUint::from(c)).collect());
        prop_assert_eq!(compare(&big(&a), &big(&b)), expected);
    }
}

/// A random, often malformed, ballot.
fn wild_ballot() -> impl Strategy<Value = Ballot> {
    let name = prop::sample::select(vec!["C0", "C1", "C2", "C3", "X", ""]);
    let grade = prop::sample::select(vec!["g0", "g1", "g2", "Bien", "??"]);
    let choice = prop::sample::select(vec![
        "for", "against", "abstain", "blank", "C0", "C1", "maybe",
    ]);
    (
        prop::option::of(choice),
        prop::option::of(prop::collection::vec(
            prop::collection::vec(name.clone(), 0..3),
            0..4,
        )),
        prop::option::of(prop::collection::vec(name.clone(), 0..3)),
        prop::option::of(prop::collection::btree_map(name.clone(), -2i64..5, 0..3)),
        prop::option::of(prop::collection::btree_map(name, grade, 0..4)),
        prop::option::of(prop::sample::select(vec!["", "a reason"])),
        prop::option::of(-1i64..8),
        prop::option::of(prop::sample::select(vec!["A", "B", "Z"])),
        prop::option::of(prop::sample::select(vec!["1", "3/2", "0"])),
        0usize..8,
    )
        .prop_map(
            |(
                choice,
                ranking,
                approve,
                scores,
                grades,
                objection,
                count,
                college,
                weight,
                kind,
            )| {
                // Mostly one vote field (kind < 6), sometimes any mix.
                let keep = |k: usize| kind >= 6 || kind == k;
                let choice = choice.filter(|_| keep(0));
                let ranking = ranking.filter(|_| keep(1));
                let approve = approve.filter(|_| keep(2));
                let scores = scores.filter(|_| keep(3));
                let grades = grades.filter(|_| keep(4));
                let objection = objection.filter(|_| keep(5));
                Ballot {
                    choice: choice.map(String::from),
                    ranking: ranking.map(|r| {
                        r.into_iter()
                            .map(|t| Tier::Many(t.into_iter().map(String::from).collect()))
                            .collect()
                    }),
                    approve: approve.map(|a| a.into_iter().map(String::from).collect()),
                    scores: scores
                        .map(|s| s.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
                    grades: grades.map(|g| {
                        g.into_iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect()
                    }),
                    objection: objection.map(String::from),
                    count,
                    college: college.map(String::from),
                    weight: weight.and_then(fabrique_vote::Fraction::parse),
                    ..Ballot::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(
        method in prop::sample::select(fabrique_vote::Method::ALL.to_vec()),
        seats in 0u32..5,
        shaped in any::<bool>(),
        colleges in any::<bool>(),
        meek in any::<bool>(),
        ballots in prop::collection::vec(wild_ballot(), 0..8),
    ) {
        let mut e = Election::new(method, &["C0", "C1", "C2", "C3"]);
        e.grades = vec!["g0".into(), "g1".into(), "g2".into()];
        e.seats = seats;
        if meek {
            e.stv_variant = StvVariant::Meek;
            e.missing_grade = fabrique_vote::MissingGrade::Normalized;
        }
        if colleges {
            e.colleges = Some(
                [("A", "1/2"), ("B", "1/2")]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), fabrique_vote::Fraction::parse(v).expect("f")))
                    .collect(),
            );
        }
        if shaped {
            // Keep only ballots whose vote field suits the method, so that counts happen.
            e.seats = seats.max(1);
            e.ballots = ballots
                .into_iter()
                .filter(|b| match method {
                    Method::Motion | Method::Plurality => b.choice.is_some(),
                    Method::Consent => b.objection.is_some(),
                    Method::Approval => b.approve.is_some(),
                    Method::Score => b.scores.is_some(),
                    Method::MajorityJudgment => b.grades.is_some(),
                    _ => b.ranking.is_some(),
                })
                .collect();
        } else {
            e.ballots = ballots;
        }
        // Either a result or a one-line error; never a panic.
        match tally(&e) {
            Ok(o) => prop_assert!(o.winners.len() <= e.seats as usize),
            Err(err) => prop_assert!(!err.to_string().contains('\n')),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_weight_counts_like_a_count((n, ballots) in ballots_strategy()) {
        for m in RANKED {
            let seats = if m == Method::Stv { 2 } else { 1 };
            let counted = election(m, n, &ballots, seats);
            let mut weighted = election(m, n, &ballots, seats);
            for b in &mut weighted.ballots {
                let k = b.count.take().unwrap_or(1);
                b.weight = Some(fabrique_vote::Fraction::new(k, 1));
            }
            prop_assert_eq!(tally(&counted).expect("a"), tally(&weighted).expect("b"), "{}", m);
        }
    }
}
