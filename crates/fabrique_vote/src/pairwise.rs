//! Pairwise (Condorcet) methods: `copeland`, `schulze`, `ranked_pairs`.
//!
//! The pairwise matrix `d[a][b]` is the weight of the ballots ranking *a* strictly above *b*
//! (tied or both unranked: neither). Identical ballots are grouped first and the matrix is
//! built with integers.
//!
//! - **Copeland**: one point per pairwise win, half a point per pairwise tie.
//! - **Schulze** (winning votes): the link a→b has strength `d[a][b]` when
//!   `d[a][b] > d[b][a]`, else 0; `p[a][b]` is the strength of the strongest path (widest
//!   path, Floyd–Warshall). *a* ranks above *b* when `p[a][b] > p[b][a]`; the tiers group
//!   candidates by the number of candidates they beat this way (this relation is
//!   transitive, so no tier hides a strict preference).
//! - **Ranked pairs** (winning votes): victories are sorted by `d[winner][loser]`
//!   descending, then `d[loser][winner]` ascending. Victories of *equal strength* are handled
//!   together, so the result never depends on an arbitrary order: each of them that would
//!   close a cycle with the pairs already locked is skipped; the others are tentatively
//!   added together, and those of them that then lie on a cycle are all skipped (none of
//!   them is preferred to another); the rest are locked. The ranking is the layering of the
//!   locked graph: first the candidates no locked pair beats, then those beaten only by
//!   them, and so on.
//!
//! With several seats, the seats go to the best tiers of the ranking (these methods are not
//! proportional; use `stv` for proportional representation).
//!
//! `details`: `pairwise` (`pairwise[a][b]` = d[a][b]), and `copeland_scores`,
//! `strongest_paths`, or `locked` / `skipped` (pairs `[winner, loser, for, against]`).

use std::collections::BTreeMap;

use serde_json::json;

use crate::Counted;
use crate::model::{Election, Method};
use crate::prepare::{Content, Prepared, group};
use crate::report::{Lottery, fill_seats, num, tiers_by_key};

/// Builds the pairwise matrix (row-major, `n × n`) from grouped rankings.
pub(crate) fn matrix(p: &Prepared) -> Vec<u128> {
    let n = p.candidates.len();
    let groups = group(p.items.iter().filter_map(|it| match &it.content {
        Content::Ranking(r, _) => Some((r.as_slice(), it.weight)),
        _ => None,
    }));
    let total: u128 = groups.iter().map(|g| g.1).sum();
    if total <= u64::MAX as u128 {
        // Every entry is at most the total: 64-bit arithmetic suffices (and vectorises).
        let g64 = groups.iter().map(|&(r, w)| (r, w as u64));
        accumulate::<u64>(g64, n)
            .into_iter()
            .map(u128::from)
            .collect()
    } else {
        accumulate::<u128>(groups.into_iter(), n)
    }
}

/// `d[a][b] += w` for every ballot ranking `a` strictly above `b`, branch-free.
fn accumulate<'a, T>(groups: impl Iterator<Item = (&'a [u32], T)>, n: usize) -> Vec<T>
where
    T: Copy + Default + std::ops::AddAssign + std::ops::Mul<Output = T> + From<bool>,
{
    let mut d = vec![T::default(); n * n];
    for (ranks, w) in groups {
        for (row, &ra) in d.chunks_exact_mut(n).zip(ranks) {
            for (x, &rb) in row.iter_mut().zip(ranks) {
                *x += w * T::from(ra < rb);
            }
        }
    }
    d
}

fn matrix_json(p: &Prepared, m: &[u128]) -> serde_json::Value {
    let n = p.candidates.len();
    let mut out = BTreeMap::new();
    for a in 0..n {
        let mut row = BTreeMap::new();
        for b in 0..n {
            if a != b {
                row.insert(p.candidates[b].clone(), num(&p.real(m[a * n + b])));
            }
        }
        out.insert(p.candidates[a].clone(), row);
    }
    serde_json::to_value(out).unwrap_or_default()
}

/// Schulze strongest paths (winning votes) from a pairwise matrix.
pub(crate) fn strongest_paths(d: &[u128], n: usize) -> Vec<u128> {
    let mut p = vec![0u128; n * n];
    for a in 0..n {
        for b in 0..n {
            if a != b && d[a * n + b] > d[b * n + a] {
                p[a * n + b] = d[a * n + b];
            }
        }
    }
    for k in 0..n {
        for a in 0..n {
            if a == k {
                continue;
            }
            let pak = p[a * n + k];
            if pak == 0 {
                continue;
            }
            for b in 0..n {
                if b != a && b != k {
                    let via = pak.min(p[k * n + b]);
                    if via > p[a * n + b] {
                        p[a * n + b] = via;
                    }
                }
            }
        }
    }
    p
}

fn reaches(locked: &[bool], n: usize, from: usize, to: usize) -> bool {
    let mut seen = vec![false; n];
    let mut stack = vec![from];
    while let Some(x) = stack.pop() {
        if x == to {
            return true;
        }
        if std::mem::replace(&mut seen[x], true) {
            continue;
        }
        for y in 0..n {
            if locked[x * n + y] && !seen[y] {
                stack.push(y);
            }
        }
    }
    false
}

/// A list of (winner, loser) pairs.
pub(crate) type Pairs = Vec<(usize, usize)>;

/// Ranked pairs: returns the locked graph and the list of locked and skipped pairs.
pub(crate) fn ranked_pairs(d: &[u128], n: usize) -> (Vec<bool>, Pairs, Pairs) {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for a in 0..n {
        for b in 0..n {
            if a != b && d[a * n + b] > d[b * n + a] {
                pairs.push((a, b));
            }
        }
    }
    let strength = |&(a, b): &(usize, usize)| (d[a * n + b], std::cmp::Reverse(d[b * n + a]));
    pairs.sort_by(|x, y| strength(y).cmp(&strength(x)).then(x.cmp(y)));
    let mut locked = vec![false; n * n];
    let (mut locked_list, mut skipped) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && strength(&pairs[j]) == strength(&pairs[i]) {
            j += 1;
        }
        let group = &pairs[i..j];
        let mut candidates = Vec::new();
        for &(a, b) in group {
            if reaches(&locked, n, b, a) {
                skipped.push((a, b));
            } else {
                candidates.push((a, b));
            }
        }
        let mut tentative = locked.clone();
        for &(a, b) in &candidates {
            tentative[a * n + b] = true;
        }
        for &(a, b) in &candidates {
            if reaches(&tentative, n, b, a) {
                skipped.push((a, b));
            } else {
                locked[a * n + b] = true;
                locked_list.push((a, b));
            }
        }
        i = j;
    }
    (locked, locked_list, skipped)
}

/// Layers of a DAG: sources first.
fn layers(locked: &[bool], n: usize) -> Vec<Vec<usize>> {
    let mut left: Vec<usize> = (0..n).collect();
    let mut out = Vec::new();
    while !left.is_empty() {
        let tier: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&b| !left.iter().any(|&a| locked[a * n + b]))
            .collect();
        if tier.is_empty() {
            // Cannot happen with an acyclic graph; keep the rest together rather than loop.
            out.push(left.clone());
            break;
        }
        left.retain(|c| !tier.contains(c));
        out.push(tier);
    }
    out
}

pub(crate) fn count(e: &Election, p: &Prepared, lottery: &mut Lottery) -> Counted {
    let n = p.candidates.len();
    let d = matrix(p);
    let mut details = json!({ "pairwise": matrix_json(p, &d) });
    let pair_json = |v: &[(usize, usize)]| -> serde_json::Value {
        v.iter()
            .map(|&(a, b)| {
                json!([
                    p.candidates[a],
                    p.candidates[b],
                    num(&p.real(d[a * n + b])),
                    num(&p.real(d[b * n + a]))
                ])
            })
            .collect()
    };
    let ranking = match e.method {
        Method::Copeland => {
            let mut half_points = vec![0u64; n];
            for a in 0..n {
                for b in 0..n {
                    if a != b {
                        let (x, y) = (d[a * n + b], d[b * n + a]);
                        half_points[a] += match x.cmp(&y) {
                            std::cmp::Ordering::Greater => 2,
                            std::cmp::Ordering::Equal => 1,
                            std::cmp::Ordering::Less => 0,
                        };
                    }
                }
            }
            let scores: BTreeMap<String, serde_json::Value> = p
                .candidates
                .iter()
                .zip(&half_points)
                .map(|(c, &h)| {
                    let r = num_rational::BigRational::new(h.into(), 2.into());
                    (c.clone(), num(&r))
                })
                .collect();
            details["copeland_scores"] = serde_json::to_value(scores).unwrap_or_default();
            tiers_by_key(&half_points)
        }
        Method::Schulze => {
            let paths = strongest_paths(&d, n);
            let wins: Vec<usize> = (0..n)
                .map(|a| {
                    (0..n)
                        .filter(|&b| b != a && paths[a * n + b] > paths[b * n + a])
                        .count()
                })
                .collect();
            details["strongest_paths"] = matrix_json(p, &paths);
            tiers_by_key(&wins)
        }
        _ => {
            let (locked, locked_list, skipped) = ranked_pairs(&d, n);
            details["locked"] = pair_json(&locked_list);
            details["skipped"] = pair_json(&skipped);
            layers(&locked, n)
        }
    };
    let winners = fill_seats(&ranking, e.seats as usize, lottery);
    Counted {
        ranking,
        winners,
        passed: None,
        details,
    }
}
