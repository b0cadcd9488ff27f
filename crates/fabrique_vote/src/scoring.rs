//! `plurality`, `approval`, `score` and `borda`: the highest total wins.
//!
//! Borda gives n−1 points for a first place down to 0 for the last; candidates tied in a
//! ranking share the points of the places they occupy (exact rationals), and unranked
//! candidates tie for the remaining places.
//!
//! `details.totals`: each candidate's total (weighted), and `details.ballots`: the total
//! weight of expressed ballots.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use serde_json::json;

use crate::Counted;
use crate::model::{Election, Method};
use crate::prepare::{Content, Prepared, group};
use crate::report::{Lottery, fill_seats, num, tiers_by_key};

/// Borda points of each candidate for one ranking (rank per candidate, 0 best).
pub(crate) fn borda_points(ranks: &[u32]) -> Vec<BigRational> {
    let n = ranks.len();
    let tiers = ranks.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut size = vec![0usize; tiers];
    for &r in ranks {
        size[r as usize] += 1;
    }
    let mut start = vec![0usize; tiers];
    for t in 1..tiers {
        start[t] = start[t - 1] + size[t - 1];
    }
    ranks
        .iter()
        .map(|&r| {
            let (s, k) = (start[r as usize], size[r as usize]);
            // Places s..s+k get points n-1-s down to n-s-k; their sum / k.
            let sum: usize = (s..s + k).map(|j| n - 1 - j).sum();
            BigRational::new(BigInt::from(sum), BigInt::from(k))
        })
        .collect()
}

pub(crate) fn count(e: &Election, p: &Prepared, lottery: &mut Lottery) -> Counted {
    let n = p.candidates.len();
    let mut totals = vec![BigRational::zero(); n];
    let mut expressed = 0u128;
    match e.method {
        Method::Plurality | Method::Approval => {
            let mut t = vec![0u128; n];
            for it in &p.items {
                match &it.content {
                    Content::Single(c) => t[*c as usize] += it.weight,
                    Content::Approve(v) => {
                        for c in v {
                            t[*c as usize] += it.weight;
                        }
                    }
                    _ => continue,
                }
                expressed += it.weight;
            }
            for (tot, v) in totals.iter_mut().zip(t) {
                *tot = p.real(v);
            }
        }
        Method::Score => {
            let mut t = vec![BigInt::zero(); n];
            for it in &p.items {
                if let Content::Scores(s) = &it.content {
                    let w = BigInt::from(it.weight);
                    for (tot, &v) in t.iter_mut().zip(s) {
                        if v != 0 {
                            *tot += &w * v;
                        }
                    }
                    expressed += it.weight;
                }
            }
            for (tot, v) in totals.iter_mut().zip(t) {
                *tot = BigRational::new(v, p.scale.clone());
            }
        }
        _ => {
            let groups = group(p.items.iter().filter_map(|it| match &it.content {
                Content::Ranking(r, _) => Some((r.clone(), it.weight)),
                _ => None,
            }));
            for (ranks, w) in groups {
                let wr = BigRational::from_integer(BigInt::from(w));
                for (tot, pts) in totals.iter_mut().zip(borda_points(&ranks)) {
                    *tot += pts * &wr;
                }
                expressed += w;
            }
            for tot in &mut totals {
                *tot = p.real_r(tot);
            }
        }
    }
    let ranking = tiers_by_key(&totals);
    let winners = fill_seats(&ranking, e.seats as usize, lottery);
    let t: BTreeMap<String, serde_json::Value> = p
        .candidates
        .iter()
        .zip(&totals)
        .map(|(c, v)| (c.clone(), num(v)))
        .collect();
    Counted {
        ranking,
        winners,
        passed: None,
        details: json!({"totals": t, "ballots": num(&p.real(expressed))}),
    }
}
