//! `irv` and `stv`.
//!
//! Papers are the groups of identical rankings. A paper goes to its highest-ranked
//! continuing candidate; when the next tier holds several continuing candidates the paper's
//! value is split equally between them. A truncated ballot (unranked candidates) exhausts
//! when no ranked candidate continues.
//!
//! # IRV
//!
//! Each round, a candidate holding more than half of the continuing (non-exhausted) value
//! wins; otherwise the candidate with the fewest votes is eliminated and its papers move on.
//!
//! # STV, Scottish variant (default)
//!
//! Droop quota `⌊T / (seats + 1)⌋ + 1` on the total value `T` of the valid ballots (when
//! weights are fractional, as with colleges, the exact Droop quota `T / (seats + 1)`, which a
//! candidate must strictly exceed). Each stage: candidates reaching the quota are elected
//! (highest first); then the largest pending
//! surplus is transferred: all the elected candidate's papers move on at transfer value
//! `tv × surplus / total` — computed **exactly** with rationals (the Scottish rules truncate to
//! 5 decimals; we do not) — skipping elected and excluded candidates; when no surplus is
//! pending, the lowest candidate is excluded and its papers move on at their current value,
//! in sub-stages by transfer value (highest first); a candidate reaching the quota after a
//! sub-stage is elected at once and receives no further papers. When the continuing candidates are no more than the seats left, they are all
//! elected.
//!
//! # STV, Meek variant (`stv_variant: meek`)
//!
//! Keep factors, fixed-point integer arithmetic with 9 decimals as in Hill, Wichmann &
//! Woodall (1987): each paper gives each candidate in turn `value × keep factor` (rounded
//! down) and passes on the rest; the quota is `(T − exhausted) / (seats + 1)` (rounded up, plus
//! 10⁻⁹); keep factors of elected candidates are updated to `kf × quota / total` (rounded up)
//! until the elected candidates' surpluses total less than 10⁻⁵ of a vote, or stop changing.
//!
//! # Ties
//!
//! A tie for exclusion is broken by the most recent earlier round in which the tied
//! candidates' totals differed (the lowest then is excluded), else by the seeded lottery
//! (the least favoured is excluded). Candidates without any vote are excluded together
//! (they share a tier of the ranking) when enough candidates remain. The order of election
//! of tied candidates uses the lottery too; both are reported. `excluded` in a round is a
//! list of names.
//!
//! `details`: `quota`, and `rounds`: each with `totals` (continuing and elected candidates),
//! `elected`, `excluded`, `transfer` (`from`, `value`, `to` per candidate, `exhausted`).

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use serde_json::json;

use crate::fxhash::FxMap;
use crate::model::{Election, Method, StvVariant};
use crate::prepare::{Content, Prepared, group};
use crate::report::{Lottery, num};
use crate::{Counted, TallyError};

/// A group of identical ballots: tiers of candidates (ranked tiers only) and weight.
struct Paper {
    tiers: Vec<Vec<u32>>,
    weight: u128,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Hopeful,
    Elected,
    Excluded,
}

fn papers(p: &Prepared) -> Vec<Paper> {
    let groups = group(p.items.iter().filter_map(|it| match &it.content {
        Content::Ranking(r, ranked) => Some(((r.as_slice(), *ranked), it.weight)),
        _ => None,
    }));
    groups
        .into_iter()
        .map(|((ranks, ranked), w)| {
            let mut tiers = vec![Vec::new(); ranked as usize];
            for (c, &r) in ranks.iter().enumerate() {
                if r < ranked {
                    tiers[r as usize].push(c as u32);
                }
            }
            Paper { tiers, weight: w }
        })
        .collect()
}

/// A bundle of papers sharing one transfer value; each entry is (paper index, tier index).
struct Parcel {
    value: BigRational,
    papers: Vec<(u32, u32)>,
}

/// Papers (paper index, tier) bound for one candidate with one split, and their weight.
type Bucket = (Vec<(u32, u32)>, u128);

struct Count<'a> {
    p: &'a Prepared,
    papers: Vec<Paper>,
    state: Vec<State>,
    piles: Vec<Vec<Parcel>>,
    totals: Vec<BigRational>,
    history: Vec<Vec<BigRational>>,
    exhausted: BigRational,
}

impl Count<'_> {
    /// Moves papers (each at its tier) with value `value` onwards from tier `from_tier`
    /// (inclusive), to the first tier holding hopeful candidates. Returns what each candidate
    /// received and the exhausted value.
    fn distribute(
        &mut self,
        entries: impl Iterator<Item = (u32, u32)>,
        value: &BigRational,
        transfers: &mut BTreeMap<usize, BigRational>,
    ) -> BigRational {
        let mut buckets: FxMap<(u32, u32), Bucket> = FxMap::default();
        let mut exhausted = 0u128;
        for (pi, mut t) in entries {
            let paper = &self.papers[pi as usize];
            loop {
                let Some(tier) = paper.tiers.get(t as usize) else {
                    exhausted += paper.weight;
                    break;
                };
                let k = tier
                    .iter()
                    .filter(|&&c| self.state[c as usize] == State::Hopeful)
                    .count() as u32;
                if k == 0 {
                    t += 1;
                    continue;
                }
                for &c in tier {
                    if self.state[c as usize] == State::Hopeful {
                        let b = buckets.entry((c, k)).or_default();
                        b.0.push((pi, t));
                        b.1 += paper.weight;
                    }
                }
                break;
            }
        }
        let mut keys: Vec<(u32, u32)> = buckets.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            let (mut entries, weight) = buckets.remove(&key).unwrap_or_default();
            entries.sort_unstable();
            let v = value / BigRational::from_integer(BigInt::from(key.1));
            let amount = &v * BigRational::from_integer(BigInt::from(weight));
            self.totals[key.0 as usize] += &amount;
            *transfers
                .entry(key.0 as usize)
                .or_insert_with(BigRational::zero) += amount;
            self.piles[key.0 as usize].push(Parcel {
                value: v,
                papers: entries,
            });
        }
        let ex = value * BigRational::from_integer(BigInt::from(exhausted));
        self.exhausted += &ex;
        ex
    }

    /// Takes all parcels of `c` and moves them on, each at `factor × its value`.
    ///
    /// With `substages = Some((quota, strict, room))` (an STV exclusion), parcels move in sub-stages
    /// by transfer value, highest first; after each sub-stage the hopeful candidates reaching
    /// the quota are elected (at most `room`, highest first) and receive no further papers.
    /// Returns the report and the candidates so elected.
    fn transfer_all(
        &mut self,
        c: usize,
        factor: &BigRational,
        substages: Option<(&BigRational, bool, usize)>,
        lottery: &mut Lottery,
    ) -> (serde_json::Value, Vec<usize>) {
        let mut parcels = std::mem::take(&mut self.piles[c]);
        let mut transfers = BTreeMap::new();
        let mut exhausted = BigRational::zero();
        let mut elected = Vec::new();
        let mut stages: Vec<Vec<Parcel>> = Vec::new();
        if substages.is_some() {
            parcels.sort_by(|a, b| b.value.cmp(&a.value));
            for parcel in parcels {
                match stages.last_mut() {
                    Some(st) if st[0].value == parcel.value => st.push(parcel),
                    _ => stages.push(vec![parcel]),
                }
            }
        } else {
            stages.push(parcels);
        }
        for stage in stages {
            for parcel in stage {
                let v = &parcel.value * factor;
                if v.is_zero() {
                    continue;
                }
                // Restart at the same tier: candidates ranked equal with `c` and still
                // hopeful take its part; `c` itself is no longer hopeful.
                exhausted += self.distribute(parcel.papers.into_iter(), &v, &mut transfers);
            }
            if let Some((quota, strict, room)) = substages {
                let mut reached: Vec<usize> = (0..self.state.len())
                    .filter(|&x| {
                        self.state[x] == State::Hopeful && reaches(&self.totals[x], quota, strict)
                    })
                    .collect();
                by_total_desc(&mut reached, &self.totals, lottery);
                reached.truncate(room - elected.len());
                for &x in &reached {
                    self.state[x] = State::Elected;
                }
                elected.extend(reached);
            }
        }
        let report = json!({
            "from": self.p.candidates[c],
            "to": transfers
                .iter()
                .map(|(&k, v)| (self.p.candidates[k].clone(), num(&self.p.real_r(v))))
                .collect::<BTreeMap<_, _>>(),
            "exhausted": num(&self.p.real_r(&exhausted)),
        });
        (report, elected)
    }

    fn totals_json(&self) -> serde_json::Value {
        let m: BTreeMap<String, serde_json::Value> = (0..self.state.len())
            .filter(|&c| self.state[c] != State::Excluded)
            .map(|c| {
                (
                    self.p.candidates[c].clone(),
                    num(&self.p.real_r(&self.totals[c])),
                )
            })
            .collect();
        serde_json::to_value(m).unwrap_or_default()
    }

    /// Picks the candidate to exclude among the lowest hopefuls.
    fn lowest(&self, lottery: &mut Lottery) -> usize {
        let hopeful: Vec<usize> = (0..self.state.len())
            .filter(|&c| self.state[c] == State::Hopeful)
            .collect();
        let min = hopeful
            .iter()
            .map(|&c| &self.totals[c])
            .min()
            .cloned()
            .unwrap_or_default();
        let mut tied: Vec<usize> = hopeful
            .into_iter()
            .filter(|&c| self.totals[c] == min)
            .collect();
        for past in self.history.iter().rev() {
            if tied.len() <= 1 {
                break;
            }
            let m = tied
                .iter()
                .map(|&c| &past[c])
                .min()
                .cloned()
                .unwrap_or_default();
            let narrowed: Vec<usize> = tied.iter().copied().filter(|&c| past[c] == m).collect();
            if narrowed.len() < tied.len() {
                tied = narrowed;
                break;
            }
        }
        if tied.len() == 1 {
            tied[0]
        } else {
            lottery.pick_last(&tied, "tie for exclusion")
        }
    }
}

/// Whether `total` reaches the quota (strictly exceeds it when `strict`).
fn reaches(total: &BigRational, quota: &BigRational, strict: bool) -> bool {
    if strict {
        total > quota
    } else {
        total >= quota
    }
}

/// Orders `cands` by total descending, ties by the lottery.
fn by_total_desc(cands: &mut [usize], totals: &[BigRational], lottery: &mut Lottery) {
    cands.sort_by(|&a, &b| {
        totals[b]
            .cmp(&totals[a])
            .then(lottery.position[a].cmp(&lottery.position[b]))
    });
    for w in cands.windows(2) {
        if totals[w[0]] == totals[w[1]] {
            lottery.pick(w, 1, "tie for the order of election");
        }
    }
}

pub(crate) fn count(
    e: &Election,
    p: &Prepared,
    lottery: &mut Lottery,
) -> Result<Counted, TallyError> {
    if e.method == Method::Stv && e.stv_variant == StvVariant::Meek {
        return meek(e, p, lottery);
    }
    let n = p.candidates.len();
    let papers = papers(p);
    let seats = if e.method == Method::Irv {
        1
    } else {
        e.seats as usize
    };
    let mut c = Count {
        p,
        state: vec![State::Hopeful; n],
        piles: (0..n).map(|_| Vec::new()).collect(),
        totals: vec![BigRational::zero(); n],
        history: Vec::new(),
        exhausted: BigRational::zero(),
        papers,
    };
    let total: u128 = c.papers.iter().map(|x| x.weight).sum();
    let total_r = BigRational::from_integer(BigInt::from(total));
    let scale = BigRational::from_integer(p.scale.clone());
    // Droop quota in real units, then scaled. With whole votes: ⌊T/(S+1)⌋ + 1, reached at
    // ≥; with fractional weights (colleges, rational weights): exactly T/(S+1), reached
    // when strictly exceeded.
    let whole = p.scale.is_one();
    let exact = (&total_r / &scale) / BigRational::from_integer(BigInt::from(seats as u64 + 1));
    let quota = if whole {
        exact.floor() + BigRational::one()
    } else {
        exact
    };
    let quota_s = &quota * &scale;
    let strict = !whole;
    let first: Vec<(u32, u32)> = (0..c.papers.len() as u32).map(|i| (i, 0)).collect();
    let mut sink = BTreeMap::new();
    c.distribute(first.into_iter(), &BigRational::one(), &mut sink);

    let mut rounds = Vec::new();
    let mut elected: Vec<usize> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut excluded_order: Vec<Vec<usize>> = Vec::new();
    loop {
        let mut round = json!({ "totals": c.totals_json() });
        c.history.push(c.totals.clone());
        let hopeful: Vec<usize> = (0..n).filter(|&x| c.state[x] == State::Hopeful).collect();
        if elected.len() + hopeful.len() <= seats {
            let mut rest = hopeful.clone();
            by_total_desc(&mut rest, &c.totals, lottery);
            for &x in &rest {
                c.state[x] = State::Elected;
            }
            round["elected"] = json!(crate::report::names(&p.candidates, &rest));
            elected.extend(rest);
            rounds.push(round);
            break;
        }
        // Election.
        let mut newly: Vec<usize> = if e.method == Method::Irv {
            let active: BigRational = hopeful.iter().map(|&x| c.totals[x].clone()).sum();
            hopeful
                .iter()
                .copied()
                .filter(|&x| &c.totals[x] * BigRational::from_integer(2.into()) > active)
                .collect()
        } else {
            hopeful
                .iter()
                .copied()
                .filter(|&x| reaches(&c.totals[x], &quota_s, strict))
                .collect()
        };
        if !newly.is_empty() {
            by_total_desc(&mut newly, &c.totals, lottery);
            let room = seats - elected.len();
            newly.truncate(room);
            for &x in &newly {
                c.state[x] = State::Elected;
            }
            round["elected"] = json!(crate::report::names(&p.candidates, &newly));
            elected.extend(newly.iter().copied());
            pending.extend(newly.iter().copied());
            rounds.push(round);
            if elected.len() == seats {
                break;
            }
            continue;
        }
        // Surplus transfer, largest first.
        pending.retain(|&x| c.totals[x] > quota_s);
        if e.method == Method::Stv && !pending.is_empty() {
            by_total_desc(&mut pending, &c.totals, lottery);
            let x = pending.remove(0);
            let surplus = &c.totals[x] - &quota_s;
            let factor = &surplus / &c.totals[x];
            let (mut t, _) = c.transfer_all(x, &factor, None, lottery);
            c.totals[x] = quota_s.clone();
            t["surplus"] = num(&p.real_r(&surplus));
            t["transfer_value"] = json!(factor.to_string());
            round["transfer"] = t;
            rounds.push(round);
            continue;
        }
        // Exclusion. Candidates without any vote are excluded together (they hold no paper,
        // so no lottery is needed) when enough candidates remain for the seats left.
        let hopeful_now: Vec<usize> = (0..n).filter(|&x| c.state[x] == State::Hopeful).collect();
        let zeros: Vec<usize> = hopeful_now
            .iter()
            .copied()
            .filter(|&x| c.totals[x].is_zero() && c.piles[x].is_empty())
            .collect();
        if zeros.len() > 1 && hopeful_now.len() - zeros.len() >= seats - elected.len() {
            for &x in &zeros {
                c.state[x] = State::Excluded;
            }
            round["excluded"] = json!(crate::report::names(&p.candidates, &zeros));
            excluded_order.push(zeros);
            rounds.push(round);
            continue;
        }
        let x = c.lowest(lottery);
        c.state[x] = State::Excluded;
        excluded_order.push(vec![x]);
        round["excluded"] = json!([p.candidates[x]]);
        let substages =
            (e.method == Method::Stv).then_some((&quota_s, strict, seats - elected.len()));
        let (t, during) = c.transfer_all(x, &BigRational::one(), substages, lottery);
        c.totals[x] = BigRational::zero();
        round["transfer"] = t;
        if !during.is_empty() {
            round["elected"] = json!(crate::report::names(&p.candidates, &during));
            elected.extend(during.iter().copied());
            pending.extend(during);
        }
        rounds.push(round);
        if elected.len() == seats {
            break;
        }
    }
    let mut ranking: Vec<Vec<usize>> = elected.iter().map(|&x| vec![x]).collect();
    let mut rest: Vec<usize> = (0..n).filter(|&x| c.state[x] == State::Hopeful).collect();
    if !rest.is_empty() {
        let keys: Vec<BigRational> = c.totals.clone();
        rest.sort_by(|&a, &b| keys[b].cmp(&keys[a]).then(a.cmp(&b)));
        let mut tiers: Vec<Vec<usize>> = Vec::new();
        for x in rest {
            match tiers.last_mut() {
                Some(t) if keys[t[0]] == keys[x] => t.push(x),
                _ => tiers.push(vec![x]),
            }
        }
        ranking.extend(tiers);
    }
    ranking.extend(excluded_order.iter().rev().cloned());
    let mut details = json!({
        "ballots": num(&p.real(total)),
        "rounds": rounds,
        "exhausted": num(&p.real_r(&c.exhausted)),
    });
    if e.method == Method::Stv {
        details["quota"] = num(&quota);
        details["variant"] = json!("scottish");
    }
    Ok(Counted {
        ranking,
        winners: elected,
        passed: None,
        details,
    })
}

const UNIT: u128 = 1_000_000_000;

fn meek(e: &Election, p: &Prepared, lottery: &mut Lottery) -> Result<Counted, TallyError> {
    let n = p.candidates.len();
    let seats = e.seats as usize;
    let papers = papers(p);
    let mut state = vec![State::Hopeful; n];
    let mut keep = vec![UNIT; n];
    let mut elected: Vec<usize> = Vec::new();
    let mut excluded_order: Vec<usize> = Vec::new();
    let mut rounds = Vec::new();
    let mut history: Vec<Vec<u128>> = Vec::new();
    let scale = BigRational::from_integer(p.scale.clone());
    let to_real = |v: u128| BigRational::new(BigInt::from(v), BigInt::from(UNIT)) / &scale;
    let mut quota;
    loop {
        // Converge keep factors.
        let mut iterations = 0;
        let (totals, exhausted) = loop {
            iterations += 1;
            let mut totals = vec![0u128; n];
            let mut exhausted = 0u128;
            for paper in &papers {
                let mut rem = paper.weight.checked_mul(UNIT).ok_or(TallyError::Overflow)?;
                for tier in &paper.tiers {
                    if rem == 0 {
                        break;
                    }
                    let live: Vec<u32> = tier
                        .iter()
                        .copied()
                        .filter(|&c| state[c as usize] != State::Excluded)
                        .collect();
                    if live.is_empty() {
                        continue;
                    }
                    let share = rem / live.len() as u128;
                    let mut given = 0;
                    for &c in &live {
                        let g = share / UNIT * keep[c as usize]
                            + share % UNIT * keep[c as usize] / UNIT;
                        totals[c as usize] += g;
                        given += g;
                    }
                    rem -= given;
                }
                exhausted += rem;
            }
            let total: u128 = totals.iter().sum();
            quota = total.div_ceil(seats as u128 + 1) + 1;
            let surplus: u128 = (0..n)
                .filter(|&c| state[c] == State::Elected)
                .map(|c| totals[c].saturating_sub(quota))
                .sum();
            let mut changed = false;
            for c in 0..n {
                if state[c] == State::Elected && totals[c] > 0 {
                    let k = match keep[c].checked_mul(quota) {
                        Some(x) => x.div_ceil(totals[c]).min(UNIT),
                        None => {
                            let big: BigInt = (BigInt::from(keep[c]) * BigInt::from(quota)
                                + BigInt::from(totals[c])
                                - 1)
                                / BigInt::from(totals[c]);
                            u128::try_from(big).unwrap_or(UNIT).min(UNIT)
                        }
                    };
                    if k != keep[c] {
                        changed = true;
                        keep[c] = k;
                    }
                }
            }
            let tolerance = (p.scale.clone() * BigInt::from(UNIT / 100_000))
                .try_into()
                .unwrap_or(u128::MAX);
            if surplus < tolerance || !changed || iterations >= 500 {
                break (totals, exhausted);
            }
        };
        let mut round = json!({
            "totals": (0..n).filter(|&c| state[c] != State::Excluded)
                .map(|c| (p.candidates[c].clone(), num(&to_real(totals[c]))))
                .collect::<BTreeMap<_, _>>(),
            "keep_factors": (0..n).filter(|&c| state[c] != State::Excluded)
                .map(|c| (p.candidates[c].clone(), json!(BigRational::new(BigInt::from(keep[c]), BigInt::from(UNIT)).to_string())))
                .collect::<BTreeMap<_, _>>(),
            "quota": num(&to_real(quota)),
            "exhausted": num(&to_real(exhausted)),
            "iterations": iterations,
        });
        history.push(totals.clone());
        let hopeful: Vec<usize> = (0..n).filter(|&c| state[c] == State::Hopeful).collect();
        let big: Vec<BigRational> = totals
            .iter()
            .map(|&t| BigRational::from_integer(BigInt::from(t)))
            .collect();
        if elected.len() + hopeful.len() <= seats {
            let mut rest = hopeful;
            by_total_desc(&mut rest, &big, lottery);
            round["elected"] = json!(crate::report::names(&p.candidates, &rest));
            elected.extend(rest);
            rounds.push(round);
            break;
        }
        let mut newly: Vec<usize> = hopeful
            .iter()
            .copied()
            .filter(|&c| totals[c] >= quota)
            .collect();
        if !newly.is_empty() {
            by_total_desc(&mut newly, &big, lottery);
            newly.truncate(seats - elected.len());
            for &c in &newly {
                state[c] = State::Elected;
            }
            round["elected"] = json!(crate::report::names(&p.candidates, &newly));
            elected.extend(newly);
            rounds.push(round);
            if elected.len() == seats {
                break;
            }
            continue;
        }
        let min = hopeful.iter().map(|&c| totals[c]).min().unwrap_or(0);
        let mut tied: Vec<usize> = hopeful.into_iter().filter(|&c| totals[c] == min).collect();
        for past in history.iter().rev().skip(1) {
            if tied.len() <= 1 {
                break;
            }
            let m = tied.iter().map(|&c| past[c]).min().unwrap_or(0);
            let narrowed: Vec<usize> = tied.iter().copied().filter(|&c| past[c] == m).collect();
            if narrowed.len() < tied.len() {
                tied = narrowed;
                break;
            }
        }
        let x = if tied.len() == 1 {
            tied[0]
        } else {
            lottery.pick_last(&tied, "tie for exclusion")
        };
        state[x] = State::Excluded;
        keep[x] = 0;
        excluded_order.push(x);
        round["excluded"] = json!([p.candidates[x]]);
        rounds.push(round);
    }
    let mut ranking: Vec<Vec<usize>> = elected.iter().map(|&x| vec![x]).collect();
    let last = history.last().cloned().unwrap_or_default();
    let mut rest: Vec<usize> = (0..n)
        .filter(|&x| state[x] == State::Hopeful && !elected.contains(&x))
        .collect();
    rest.sort_by(|&a, &b| last[b].cmp(&last[a]).then(a.cmp(&b)));
    let mut tiers: Vec<Vec<usize>> = Vec::new();
    for x in rest {
        match tiers.last_mut() {
            Some(t) if last[t[0]] == last[x] => t.push(x),
            _ => tiers.push(vec![x]),
        }
    }
    ranking.extend(tiers);
    ranking.extend(excluded_order.iter().rev().map(|&x| vec![x]));
    Ok(Counted {
        ranking,
        winners: elected,
        passed: None,
        details: json!({"variant": "meek", "rounds": rounds}),
    })
}
