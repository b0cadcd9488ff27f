//! Result types, the seeded tie-break and helpers to write exact numbers in JSON.
//!
//! # Numbers in `details`
//!
//! Exact values are written as JSON integers when they are whole and fit in 64 bits, and
//! otherwise as strings: `"2/3"` for a fraction, `"123456789012345678901234"` for a big
//! integer. No floating-point number is ever produced.
//!
//! # Tie-break
//!
//! When seats must be filled (or an IRV/STV elimination chosen) and the method leaves a tie,
//! the tie is broken by a lottery order computed from the election's `seed` (default `""`):
//! each candidate's key is the hexadecimal SHA-256 of the UTF-8 text `seed + "\n" + name`;
//! candidates sorted by increasing key (then by name) form the lottery order, and the earlier
//! a candidate is in it, the more it is favoured (it takes the seat, or survives elimination).
//! Anyone can recompute it with `printf '%s\n%s' "$seed" "$name" | sha256sum`. The order and
//! every choice it made are reported in `tie_break`.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::Method;

/// The result of a count, serialised exactly as `fabrique tally` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The method used.
    pub method: Method,
    /// False when the quorum was missed: the decision is invalid (not rejected).
    pub valid: bool,
    /// Whether the quorum (if any) was reached.
    pub quorum_reached: bool,
    /// Candidates in tiers from best to worst, without any tie-break.
    pub ranking: Vec<Vec<String>>,
    /// The filled seats, after the tie-break if one was needed (empty when not `valid`).
    pub winners: Vec<String>,
    /// For `motion` and `consent`: whether the proposal passed (false when invalid); else null.
    pub passed: Option<bool>,
    /// The tie-break used, if any.
    pub tie_break: Option<TieBreak>,
    /// What a results page shows: totals, pairwise matrix, paths, rounds, merit profiles…
    pub details: serde_json::Value,
}

/// A reported tie-break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieBreak {
    /// The seed used.
    pub seed: String,
    /// The lottery order of all candidates, most favoured first.
    pub order: Vec<String>,
    /// Every choice the lottery made, in words.
    pub choices: Vec<String>,
}

/// The seeded lottery order; records the choices it makes.
#[derive(Debug, Clone)]
pub(crate) struct Lottery {
    seed: String,
    /// Position of each candidate in the lottery order (0 = most favoured).
    pub position: Vec<usize>,
    order: Vec<usize>,
    names: Vec<String>,
    choices: Vec<String>,
}

impl Lottery {
    pub(crate) fn new(seed: &str, names: &[String]) -> Self {
        let mut keyed: Vec<(String, &String, usize)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut h = Sha256::new();
                h.update(seed.as_bytes());
                h.update(b"\n");
                h.update(n.as_bytes());
                (hex::encode(h.finalize()), n, i)
            })
            .collect();
        keyed.sort();
        let order: Vec<usize> = keyed.iter().map(|k| k.2).collect();
        let mut position = vec![0; names.len()];
        for (p, &c) in order.iter().enumerate() {
            position[c] = p;
        }
        Lottery {
            seed: seed.to_string(),
            position,
            order,
            names: names.to_vec(),
            choices: Vec::new(),
        }
    }

    /// Picks the `k` most favoured of `tied` (sorted by favour) and records why.
    pub(crate) fn pick(&mut self, tied: &[usize], k: usize, why: &str) -> Vec<usize> {
        let mut v = tied.to_vec();
        v.sort_by_key(|&c| self.position[c]);
        let chosen: Vec<usize> = v[..k].to_vec();
        self.choices.push(format!(
            "{why}: {} chosen among {}",
            self.list(&chosen),
            self.list(&v)
        ));
        chosen
    }

    /// Picks the least favoured of `tied` (for an elimination) and records why.
    pub(crate) fn pick_last(&mut self, tied: &[usize], why: &str) -> usize {
        let mut v = tied.to_vec();
        v.sort_by_key(|&c| self.position[c]);
        let c = *v.last().unwrap_or(&tied[0]);
        self.choices.push(format!(
            "{why}: {} chosen among {}",
            self.names[c],
            self.list(&v)
        ));
        c
    }

    fn list(&self, v: &[usize]) -> String {
        v.iter()
            .map(|&c| self.names[c].as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn report(&self) -> Option<TieBreak> {
        if self.choices.is_empty() {
            return None;
        }
        Some(TieBreak {
            seed: self.seed.clone(),
            order: self.order.iter().map(|&c| self.names[c].clone()).collect(),
            choices: self.choices.clone(),
        })
    }
}

/// Fills `seats` from tiers (best first), breaking the tier that straddles the last seat
/// with the lottery.
pub(crate) fn fill_seats(tiers: &[Vec<usize>], seats: usize, lottery: &mut Lottery) -> Vec<usize> {
    let mut winners = Vec::new();
    for tier in tiers {
        let left = seats - winners.len();
        if left == 0 {
            break;
        }
        if tier.len() <= left {
            winners.extend(tier.iter().copied());
        } else {
            let mut sorted = tier.clone();
            sorted.sort_unstable();
            winners.extend(lottery.pick(&sorted, left, "tie for the last seats"));
        }
    }
    winners
}

/// Groups candidates into tiers by a key, best (greatest key) first; candidates keep their
/// index order inside a tier.
pub(crate) fn tiers_by_key<K: Ord + Clone>(keys: &[K]) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    idx.sort_by(|&a, &b| keys[b].cmp(&keys[a]).then(a.cmp(&b)));
    let mut tiers: Vec<Vec<usize>> = Vec::new();
    for c in idx {
        match tiers.last_mut() {
            Some(t) if keys[t[0]] == keys[c] => t.push(c),
            _ => tiers.push(vec![c]),
        }
    }
    tiers
}

/// Names of candidates.
pub(crate) fn names(all: &[String], v: &[usize]) -> Vec<String> {
    v.iter().map(|&c| all[c].clone()).collect()
}

/// An exact number as JSON: integer when whole and within 64 bits, else a string.
pub fn num(r: &BigRational) -> serde_json::Value {
    if r.is_integer() {
        int(r.numer())
    } else {
        serde_json::Value::String(r.to_string())
    }
}

/// An exact integer as JSON: a number within 64 bits, else a string.
pub fn int(i: &BigInt) -> serde_json::Value {
    if let Some(v) = i.to_i64() {
        serde_json::Value::from(v)
    } else if let Some(v) = i.to_u64() {
        serde_json::Value::from(v)
    } else {
        serde_json::Value::String(i.to_string())
    }
}
