//! Majority judgment (Balinski & Laraki), as the Mieux Voter association specifies it.
//!
//! The engine works on **merit profiles** — per candidate, the number (or weight) of
//! judgments at each grade, worst first — aggregated once from the ballots; judgments are
//! never replayed one by one, so billions of judgments cost no more than ten.
//!
//! 1. A candidate's *majority grade* is its **lower** median grade.
//! 2. Candidates are compared by majority grade; a tie is broken by repeatedly removing one
//!    judgment equal to the current majority grade from each tied candidate and comparing
//!    the new lower medians, until they differ or judgments run out (an exact tie).
//!
//! Step 2 is computed in blocks: with equal totals, the sequence of removed judgments
//! alternates between the lower half (going down) and the upper half (going up) of the
//! sorted judgments, so runs in which both candidates remove the same grades are skipped
//! in one step. Counts are arbitrary-precision integers.
//!
//! Missing judgments ([`MjMode`]): the worst grade (default), another static grade, the
//! candidate's own lower median, or *normalized* — every profile is scaled to the least
//! common multiple of the totals so missing judgments weigh nothing.
//!
//! Input: `ballots` with `grades`, or `profiles` already aggregated (per candidate, counts
//! per grade, worst first) with an optional `participants`.
//!
//! `details`: `grades` (names, worst first), `profiles` (counts per grade as given),
//! `completed_profiles` (those where missing judgments were filled in, worst or median
//! modes), `majority_grades`, and `gauge` (per candidate, the shares of judgments above and
//! below the majority grade, as exact fractions).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Zero};
use serde_json::json;

use crate::model::{Election, MissingGrade};
use crate::prepare::{Content, Prepared};
use crate::report::{Lottery, fill_seats};
use crate::{Counted, TallyError};

/// How missing judgments are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MjMode {
    /// Missing judgments count as this grade (index, 0 = worst).
    Static(usize),
    /// Missing judgments count as the candidate's own lower median grade.
    Median,
    /// Profiles are scaled to a common total: missing judgments weigh nothing.
    Normalized,
}

/// A merit profile: count of judgments per grade, worst grade first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeritProfile(pub Vec<BigUint>);

impl MeritProfile {
    /// A profile from machine integers.
    pub fn from_counts(counts: &[u128]) -> Self {
        MeritProfile(counts.iter().map(|&c| BigUint::from(c)).collect())
    }

    /// Total number of judgments.
    pub fn total(&self) -> BigUint {
        self.0.iter().sum()
    }

    /// The lower median grade (index), or `None` when the profile is empty.
    pub fn majority_grade(&self) -> Option<usize> {
        let total = self.total();
        if total.is_zero() {
            return None;
        }
        let m = (total - 1u32) / 2u32; // 0-based position of the lower median
        let mut acc = BigUint::zero();
        for (g, c) in self.0.iter().enumerate() {
            acc += c;
            if acc > m {
                return Some(g);
            }
        }
        None
    }

    /// The weight of judgments strictly above and strictly below the majority grade.
    pub fn gauge(&self) -> (BigUint, BigUint) {
        match self.majority_grade() {
            None => (BigUint::zero(), BigUint::zero()),
            Some(g) => (self.0[g + 1..].iter().sum(), self.0[..g].iter().sum()),
        }
    }
}

/// Fills missing judgments so that every profile has the same total.
///
/// `participants` is the number (or weight) of judges; profiles summing to less are filled
/// according to `mode` (ignored in `Normalized` mode, where profiles are scaled to the
/// least common multiple of their totals).
pub fn complete_profiles(
    profiles: &[MeritProfile],
    participants: &BigUint,
    mode: MjMode,
) -> Vec<MeritProfile> {
    match mode {
        MjMode::Static(g) => profiles
            .iter()
            .map(|p| {
                let mut p = p.clone();
                let t = p.total();
                if &t < participants && g < p.0.len() {
                    p.0[g] += participants - t;
                }
                p
            })
            .collect(),
        MjMode::Median => profiles
            .iter()
            .map(|p| {
                let mut q = p.clone();
                let t = p.total();
                if &t < participants {
                    let g = p.majority_grade().unwrap_or(0);
                    if g < q.0.len() {
                        q.0[g] += participants - t;
                    }
                }
                q
            })
            .collect(),
        MjMode::Normalized => {
            let mut l = BigUint::one();
            for p in profiles {
                let t = p.total();
                if !t.is_zero() {
                    l = l.lcm(&t);
                }
            }
            profiles
                .iter()
                .map(|p| {
                    let t = p.total();
                    if t.is_zero() {
                        return p.clone();
                    }
                    let f = &l / &t;
                    MeritProfile(p.0.iter().map(|c| c * &f).collect())
                })
                .collect()
        }
    }
}

/// The removal sequence of a profile, in blocks.
#[derive(Clone)]
struct Halves {
    /// Lower half, as a stack: last element is the top (highest grade).
    lower: Vec<(usize, BigUint)>,
    /// Upper half, as a stack: last element is the bottom (lowest grade).
    upper: Vec<(usize, BigUint)>,
}

impl Halves {
    fn new(p: &MeritProfile) -> Self {
        let total = p.total();
        let mut lower = Vec::new();
        let mut upper = Vec::new();
        if total.is_zero() {
            return Halves { lower, upper };
        }
        // Lower half: positions 0..=m, i.e. m+1 judgments.
        let mut need = (&total - 1u32) / 2u32 + 1u32;
        for (g, c) in p.0.iter().enumerate() {
            if c.is_zero() {
                continue;
            }
            if need.is_zero() {
                upper.push((g, c.clone()));
            } else if *c <= need {
                need -= c;
                lower.push((g, c.clone()));
            } else {
                lower.push((g, need.clone()));
                upper.push((g, c - &need));
                need = BigUint::zero();
            }
        }
        upper.reverse();
        Halves { lower, upper }
    }

    fn len(v: &[(usize, BigUint)]) -> BigUint {
        v.iter().map(|b| &b.1).sum()
    }

    fn take(v: &mut Vec<(usize, BigUint)>, k: &BigUint) {
        if let Some(top) = v.last_mut() {
            top.1 -= k;
            if top.1.is_zero() {
                v.pop();
            }
        }
    }
}

/// Compares two profiles by majority judgment: `Greater` when `a` is better. Returns
/// `Equal` only for an exact tie (identical removal sequences). Profiles should have equal
/// totals (see [`complete_profiles`]); if they do not, each is first scaled to the product
/// of the two totals.
pub fn compare(a: &MeritProfile, b: &MeritProfile) -> Ordering {
    let (ta, tb) = (a.total(), b.total());
    if ta != tb {
        if ta.is_zero() || tb.is_zero() {
            return ta.cmp(&tb);
        }
        let scale =
            |p: &MeritProfile, f: &BigUint| MeritProfile(p.0.iter().map(|c| c * f).collect());
        return compare(&scale(a, &tb), &scale(b, &ta));
    }
    let (mut x, mut y) = (Halves::new(a), Halves::new(b));
    let mut l = Halves::len(&x.lower);
    let mut u = Halves::len(&x.upper);
    loop {
        let lower_next = l >= u;
        if l.is_zero() && u.is_zero() {
            return Ordering::Equal;
        }
        let (side_x, side_y) = if lower_next {
            (&x.lower, &y.lower)
        } else {
            (&x.upper, &y.upper)
        };
        let (Some(gx), Some(gy)) = (side_x.last(), side_y.last()) else {
            // Unequal totals: the shorter sequence is worse.
            return side_x.len().cmp(&side_y.len());
        };
        if gx.0 != gy.0 {
            return gx.0.cmp(&gy.0);
        }
        let pairs = l <= u && !l.is_zero() && !u.is_zero();
        let other_equal = match (
            x.lower.last(),
            y.lower.last(),
            x.upper.last(),
            y.upper.last(),
        ) {
            (Some(a), Some(b), Some(c), Some(d)) => a.0 == b.0 && c.0 == d.0,
            _ => false,
        };
        if pairs && other_equal {
            let p = [
                &x.lower.last().map(|b| b.1.clone()).unwrap_or_default(),
                &y.lower.last().map(|b| b.1.clone()).unwrap_or_default(),
                &x.upper.last().map(|b| b.1.clone()).unwrap_or_default(),
                &y.upper.last().map(|b| b.1.clone()).unwrap_or_default(),
            ]
            .into_iter()
            .min()
            .cloned()
            .unwrap_or_default();
            Halves::take(&mut x.lower, &p);
            Halves::take(&mut y.lower, &p);
            Halves::take(&mut x.upper, &p);
            Halves::take(&mut y.upper, &p);
            l -= &p;
            u -= &p;
        } else {
            let one = BigUint::one();
            if lower_next {
                Halves::take(&mut x.lower, &one);
                Halves::take(&mut y.lower, &one);
                l -= 1u32;
            } else {
                Halves::take(&mut x.upper, &one);
                Halves::take(&mut y.upper, &one);
                u -= 1u32;
            }
        }
    }
}

/// Ranks profiles (completed per `mode`): returns tiers of candidate indices, best first.
pub fn rank_profiles(
    profiles: &[MeritProfile],
    participants: &BigUint,
    mode: MjMode,
) -> Vec<Vec<usize>> {
    let full = complete_profiles(profiles, participants, mode);
    tiers(&full)
}

fn tiers(full: &[MeritProfile]) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..full.len()).collect();
    idx.sort_by(|&a, &b| compare(&full[b], &full[a]).then(a.cmp(&b)));
    let mut out: Vec<Vec<usize>> = Vec::new();
    for c in idx {
        match out.last_mut() {
            Some(t) if compare(&full[t[0]], &full[c]) == Ordering::Equal => t.push(c),
            _ => out.push(vec![c]),
        }
    }
    out
}

/// Ranks (1 = best, equal ranks for exact ties) from tiers, per candidate.
pub fn ranks_of(tiers: &[Vec<usize>], n: usize) -> Vec<usize> {
    let mut ranks = vec![0; n];
    let mut next = 1;
    for t in tiers {
        for &c in t {
            ranks[c] = next;
        }
        next += t.len();
    }
    ranks
}

/// Aggregates graded ballots given as grade indices (one per candidate, `None` = missing)
/// into per-candidate counts `[candidate][grade]` and missing counts, in one pass.
pub fn aggregate<'a>(
    candidates: usize,
    grades: usize,
    ballots: impl IntoIterator<Item = (&'a [Option<u8>], u128)>,
) -> (Vec<Vec<u128>>, Vec<u128>) {
    let mut counts = vec![0u128; candidates * grades];
    let mut missing = vec![0u128; candidates];
    for (b, w) in ballots {
        for (c, g) in b.iter().enumerate().take(candidates) {
            match g {
                Some(g) if (*g as usize) < grades => counts[c * grades + *g as usize] += w,
                _ => missing[c] += w,
            }
        }
    }
    (
        counts.chunks(grades.max(1)).map(|c| c.to_vec()).collect(),
        missing,
    )
}

pub(crate) fn count(
    e: &Election,
    p: &Prepared,
    lottery: &mut Lottery,
) -> Result<Counted, TallyError> {
    let n = p.candidates.len();
    let g = e.grades.len();
    let mut total = 0u128;
    let (counts, _missing) = aggregate(
        n,
        g,
        p.items.iter().filter_map(|it| match &it.content {
            Content::Grades(v) if it.weight > 0 => {
                total += it.weight;
                Some((v.as_slice(), it.weight))
            }
            _ => None,
        }),
    );
    let mut given: Vec<MeritProfile> = counts
        .iter()
        .map(|c| MeritProfile::from_counts(c))
        .collect();
    let mut participants = BigUint::from(total);
    if let Some(profiles) = &e.profiles {
        let zero = MeritProfile(vec![BigUint::zero(); g]);
        given = p
            .candidates
            .iter()
            .map(|c| match profiles.get(c) {
                Some(v) => MeritProfile(v.iter().map(|&x| BigUint::from(x)).collect()),
                None => zero.clone(),
            })
            .collect();
        let largest = given
            .iter()
            .map(MeritProfile::total)
            .max()
            .unwrap_or_default();
        participants = e.participants.map(BigUint::from).unwrap_or(largest);
    }
    let full = match e.missing_grade {
        MissingGrade::Worst => complete_profiles(&given, &participants, MjMode::Static(0)),
        MissingGrade::Median => complete_profiles(&given, &participants, MjMode::Median),
        MissingGrade::Normalized => complete_profiles(&given, &participants, MjMode::Normalized),
    };
    let ranking = tiers(&full);
    let winners = fill_seats(&ranking, e.seats as usize, lottery);
    let scale = p.scale.clone();
    let real = |v: &BigUint| {
        crate::report::num(&num_rational::BigRational::new(
            num_bigint::BigInt::from(v.clone()),
            scale.clone(),
        ))
    };
    let mut profiles = BTreeMap::new();
    let mut majority = BTreeMap::new();
    let mut gauge = BTreeMap::new();
    let mut completed = BTreeMap::new();
    for c in 0..n {
        profiles.insert(
            p.candidates[c].clone(),
            given[c].0.iter().map(real).collect::<Vec<_>>(),
        );
        majority.insert(
            p.candidates[c].clone(),
            full[c].majority_grade().map(|g| e.grades[g].clone()),
        );
        let (above, below) = full[c].gauge();
        let total = BigInt::from(full[c].total());
        let share = |v: BigUint| {
            if total.is_zero() {
                serde_json::Value::Null
            } else {
                crate::report::num(&BigRational::new(BigInt::from(v), total.clone()))
            }
        };
        gauge.insert(
            p.candidates[c].clone(),
            json!({"above": share(above), "below": share(below)}),
        );
        if e.missing_grade != MissingGrade::Normalized && full[c] != given[c] {
            completed.insert(
                p.candidates[c].clone(),
                full[c].0.iter().map(real).collect::<Vec<_>>(),
            );
        }
    }
    Ok(Counted {
        ranking,
        winners,
        passed: None,
        details: json!({
            "grades": e.grades,
            "missing_grade": e.missing_grade,
            "ballots": real(&participants),
            "profiles": profiles,
            "completed_profiles": completed,
            "majority_grades": majority,
            "gauge": gauge,
        }),
    })
}
