//! Validation of an [`Election`] and its conversion to indexed ballots with exact integer
//! weights.
//!
//! Every ballot's weight is `count × weight × college factor` (a rational); all weights are
//! then multiplied by the least common multiple `scale` of their denominators so that the
//! methods add integers (`u128`). A real value is `integer / scale`.

use std::collections::{BTreeMap, HashMap};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};

use crate::TallyError;
use crate::fxhash::FxMap;
use crate::model::{Ballot, Election, Method, QuorumBy};

/// A motion choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Choice {
    For,
    Against,
    Abstain,
    Blank,
}

/// What a consent ballot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConsentBallot {
    Consent,
    Objection(String),
    StandAside(String),
}

/// An indexed ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// Not expressed.
    Blank,
    Motion(Choice),
    Consent(ConsentBallot),
    /// Plurality: one candidate.
    Single(u32),
    /// Approval: sorted, distinct candidates.
    Approve(Vec<u32>),
    /// Score per candidate (0 when not given).
    Scores(Vec<i64>),
    /// Rank (tier index, 0 best) per candidate; unranked candidates share the tier after the
    /// last one, whose index is the second field (the number of ranked tiers).
    Ranking(Vec<u32>, u32),
    /// Grade index per candidate (`None`: missing judgment).
    Grades(Vec<Option<u8>>),
}

impl Content {
    pub(crate) fn expressed(&self) -> bool {
        !matches!(
            self,
            Content::Blank | Content::Motion(Choice::Abstain) | Content::Motion(Choice::Blank)
        )
    }
}

/// One indexed ballot with its integer weight.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub content: Content,
    /// `count × weight × college factor × scale`.
    pub weight: u128,
    /// College index, if any.
    pub college: Option<usize>,
    /// The ballot's count.
    pub count: u64,
    /// The ballot's own weight, when not 1.
    pub own_weight: Option<BigRational>,
}

impl Item {
    /// `count × weight` (no college factor), for reports and the quorum.
    pub(crate) fn raw(&self) -> BigRational {
        let c = BigRational::from_integer(BigInt::from(self.count));
        match &self.own_weight {
            Some(w) => c * w,
            None => c,
        }
    }
}

/// A college after redistribution.
#[derive(Debug, Clone)]
pub(crate) struct College {
    pub name: String,
    pub share: BigRational,
    pub effective_share: BigRational,
    /// Σ `count × weight` of expressed ballots.
    pub expressed: BigRational,
}

/// An election ready to count.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub candidates: Vec<String>,
    pub items: Vec<Item>,
    pub scale: BigInt,
    pub colleges: Vec<College>,
    pub quorum_reached: bool,
    pub quorum_report: serde_json::Value,
}

impl Prepared {
    /// A real value from an integer count in scaled units.
    pub(crate) fn real(&self, v: u128) -> BigRational {
        BigRational::new(BigInt::from(v), self.scale.clone())
    }
    /// A real value from a rational in scaled units.
    pub(crate) fn real_r(&self, v: &BigRational) -> BigRational {
        v / BigRational::from_integer(self.scale.clone())
    }
}

fn ballot_err(i: usize, problem: impl Into<String>) -> TallyError {
    TallyError::Ballot {
        ballot: i + 1,
        problem: problem.into(),
    }
}

fn shape_name(b: &Ballot) -> Vec<&'static str> {
    let mut v = Vec::new();
    if b.choice.is_some() {
        v.push("choice");
    }
    if b.ranking.is_some() {
        v.push("ranking");
    }
    if b.approve.is_some() {
        v.push("approve");
    }
    if b.scores.is_some() {
        v.push("scores");
    }
    if b.grades.is_some() {
        v.push("grades");
    }
    if b.objection.is_some() {
        v.push("objection");
    }
    if b.stand_aside.is_some() {
        v.push("stand_aside");
    }
    if b.consent.is_some() {
        v.push("consent");
    }
    if b.blank.is_some() {
        v.push("blank");
    }
    v
}

fn expected_shape(m: Method) -> &'static str {
    match m {
        Method::Motion => "{\"choice\": \"for\"|\"against\"|\"abstain\"|\"blank\"}",
        Method::Consent => {
            "{\"consent\": true}, {\"objection\": \"reason\"} or {\"stand_aside\": \"reason\"}"
        }
        Method::Plurality => "{\"choice\": candidate}",
        Method::Approval => "{\"approve\": [candidates]}",
        Method::Score => "{\"scores\": {candidate: integer}}",
        Method::MajorityJudgment => "{\"grades\": {candidate: grade}}",
        _ => "{\"ranking\": [[candidates], …]}",
    }
}

struct Names<'a> {
    map: FxMap<&'a str, u32>,
}

impl<'a> Names<'a> {
    fn get(&self, i: usize, name: &str) -> Result<u32, TallyError> {
        self.map
            .get(name)
            .copied()
            .ok_or_else(|| ballot_err(i, format!("unknown candidate {name:?}")))
    }
}

fn content_of(
    e: &Election,
    names: &Names<'_>,
    grade_map: &FxMap<&str, u8>,
    i: usize,
    b: &Ballot,
) -> Result<Content, TallyError> {
    let fields = [
        b.choice.is_some(),
        b.ranking.is_some(),
        b.approve.is_some(),
        b.scores.is_some(),
        b.grades.is_some(),
        b.objection.is_some(),
        b.stand_aside.is_some(),
        b.consent.is_some(),
        b.blank.is_some(),
    ]
    .into_iter()
    .filter(|&f| f)
    .count();
    if b.blank == Some(true) {
        if fields > 1 {
            return Err(ballot_err(i, "a blank ballot cannot also carry a vote"));
        }
        return Ok(Content::Blank);
    }
    let wrong = || {
        let shape = shape_name(b);
        ballot_err(
            i,
            format!(
                "wrong shape for {} (has {}; expected {})",
                e.method,
                if shape.is_empty() {
                    "no vote".to_string()
                } else {
                    shape.join(", ")
                },
                expected_shape(e.method)
            ),
        )
    };
    if fields != 1 {
        return Err(wrong());
    }
    let n = e.candidates.len();
    match e.method {
        Method::Motion => match b.choice.as_deref() {
            Some("for") => Ok(Content::Motion(Choice::For)),
            Some("against") => Ok(Content::Motion(Choice::Against)),
            Some("abstain") => Ok(Content::Motion(Choice::Abstain)),
            Some("blank") => Ok(Content::Motion(Choice::Blank)),
            Some(other) => Err(ballot_err(
                i,
                format!("unknown choice {other:?} (expected for, against, abstain or blank)"),
            )),
            None => Err(wrong()),
        },
        Method::Consent => {
            if let Some(reason) = &b.objection {
                if reason.trim().is_empty() {
                    return Err(ballot_err(i, "an objection must carry a reason"));
                }
                Ok(Content::Consent(ConsentBallot::Objection(reason.clone())))
            } else if let Some(reason) = &b.stand_aside {
                Ok(Content::Consent(ConsentBallot::StandAside(reason.clone())))
            } else if b.consent == Some(true) {
                Ok(Content::Consent(ConsentBallot::Consent))
            } else if b.consent == Some(false) {
                Err(ballot_err(
                    i,
                    "\"consent\": false is not a vote; an objection is {\"objection\": \"reason\"}",
                ))
            } else {
                Err(wrong())
            }
        }
        Method::Plurality => {
            if let Some(c) = &b.choice {
                Ok(Content::Single(names.get(i, c)?))
            } else if let Some(r) = &b.ranking {
                let ranks = ranking(names, n, i, r)?;
                let firsts: Vec<u32> = (0..n as u32).filter(|&c| ranks[c as usize] == 0).collect();
                match firsts.len() {
                    0 => Ok(Content::Blank),
                    1 => Ok(Content::Single(firsts[0])),
                    _ => Err(ballot_err(
                        i,
                        "plurality needs a single first choice, not a tie",
                    )),
                }
            } else {
                Err(wrong())
            }
        }
        Method::Approval => {
            let a = b.approve.as_ref().ok_or_else(wrong)?;
            let mut v = Vec::with_capacity(a.len());
            for name in a {
                v.push(names.get(i, name)?);
            }
            v.sort_unstable();
            if let Some(w) = v.windows(2).find(|w| w[0] == w[1]) {
                return Err(ballot_err(
                    i,
                    format!("candidate {:?} approved twice", e.candidates[w[0] as usize]),
                ));
            }
            if v.is_empty() {
                return Ok(Content::Blank);
            }
            Ok(Content::Approve(v))
        }
        Method::Score => {
            let s = b.scores.as_ref().ok_or_else(wrong)?;
            if s.is_empty() {
                return Ok(Content::Blank);
            }
            let mut v = vec![0i64; n];
            for (name, &score) in s {
                if score < 0 {
                    return Err(ballot_err(
                        i,
                        format!("negative score {score} for {name:?}"),
                    ));
                }
                v[names.get(i, name)? as usize] = score;
            }
            Ok(Content::Scores(v))
        }
        Method::MajorityJudgment => {
            let g = b.grades.as_ref().ok_or_else(wrong)?;
            if g.is_empty() {
                return Ok(Content::Blank);
            }
            let mut v = vec![None; n];
            for (name, grade) in g {
                let gi = grade_map
                    .get(grade.as_str())
                    .copied()
                    .ok_or_else(|| ballot_err(i, format!("unknown grade {grade:?}")))?;
                v[names.get(i, name)? as usize] = Some(gi);
            }
            Ok(Content::Grades(v))
        }
        _ => {
            let r = b.ranking.as_ref().ok_or_else(wrong)?;
            if r.iter().all(|t| t.names().is_empty()) {
                return Ok(Content::Blank);
            }
            let ranks = ranking(names, n, i, r)?;
            let ranked = r.iter().filter(|t| !t.names().is_empty()).count() as u32;
            Ok(Content::Ranking(ranks, ranked))
        }
    }
}

fn ranking(
    names: &Names<'_>,
    n: usize,
    i: usize,
    tiers: &[crate::model::Tier],
) -> Result<Vec<u32>, TallyError> {
    let mut ranks = vec![u32::MAX; n];
    let mut tier_index = 0u32;
    for tier in tiers {
        if tier.names().is_empty() {
            continue;
        }
        for name in tier.names() {
            let c = names.get(i, name)? as usize;
            if ranks[c] != u32::MAX {
                return Err(ballot_err(
                    i,
                    format!("candidate {name:?} appears twice in the ranking"),
                ));
            }
            ranks[c] = tier_index;
        }
        tier_index += 1;
    }
    for r in &mut ranks {
        if *r == u32::MAX {
            *r = tier_index;
        }
    }
    Ok(ranks)
}

fn lcm_denominators<'a>(it: impl Iterator<Item = &'a BigRational>) -> BigInt {
    let mut l = BigInt::one();
    for r in it {
        if !r.denom().is_one() {
            l = l.lcm(r.denom());
        }
    }
    l
}

fn to_u128(v: &BigInt) -> Result<u128, TallyError> {
    v.to_u128().ok_or(TallyError::Overflow)
}

/// Validates and indexes an election.
pub(crate) fn prepare(e: &Election) -> Result<Prepared, TallyError> {
    let needs_candidates = !matches!(e.method, Method::Motion | Method::Consent);
    let n = e.candidates.len();
    if needs_candidates && n == 0 {
        return Err(TallyError::Election(format!(
            "{} needs at least one candidate",
            e.method
        )));
    }
    if n > u32::MAX as usize / 2 {
        return Err(TallyError::Election("too many candidates".into()));
    }
    let mut map = FxMap::default();
    for (i, c) in e.candidates.iter().enumerate() {
        if map.insert(c.as_str(), i as u32).is_some() {
            return Err(TallyError::Election(format!(
                "candidate {c:?} is listed twice"
            )));
        }
    }
    let names = Names { map };
    if needs_candidates && (e.seats == 0 || e.seats as usize > n) {
        return Err(TallyError::Election(format!(
            "seats must be between 1 and the number of candidates ({n}), not {}",
            e.seats
        )));
    }
    if e.method == Method::Irv && e.seats != 1 {
        return Err(TallyError::Election(format!(
            "irv fills one seat, not {}; use stv for several seats",
            e.seats
        )));
    }
    if e.method == Method::MajorityJudgment && (e.grades.is_empty() || e.grades.len() > 255) {
        return Err(TallyError::Election(
            "majority judgment needs between 1 and 255 grades".into(),
        ));
    }
    let mut grade_map = FxMap::default();
    for (i, g) in e.grades.iter().enumerate() {
        if grade_map.insert(g.as_str(), i as u8).is_some() && e.method == Method::MajorityJudgment {
            return Err(TallyError::Election(format!("grade {g:?} is listed twice")));
        }
    }

    // Colleges.
    let mut college_index = HashMap::new();
    let mut colleges = Vec::new();
    if let Some(cs) = &e.colleges {
        if cs.is_empty() {
            return Err(TallyError::Election("colleges are given but empty".into()));
        }
        let tenth = BigRational::new(1.into(), 10.into());
        let half = BigRational::new(1.into(), 2.into());
        let mut sum = BigRational::zero();
        for (name, share) in cs {
            if share.0 < tenth || share.0 > half {
                return Err(TallyError::Election(format!(
                    "college {name:?} has share {share}, outside [1/10, 1/2]"
                )));
            }
            sum += &share.0;
            college_index.insert(name.as_str(), colleges.len());
            colleges.push(College {
                name: name.clone(),
                share: share.0.clone(),
                effective_share: share.0.clone(),
                expressed: BigRational::zero(),
            });
        }
        if !sum.is_one() {
            return Err(TallyError::Election(format!(
                "college shares sum to {sum}, not 1"
            )));
        }
    }

    // Ballots.
    let simple = e.colleges.is_none() && e.ballots.iter().all(|b| b.weight.is_none());
    let mut items = Vec::with_capacity(e.ballots.len());
    for (i, b) in e.ballots.iter().enumerate() {
        let count = b.count.unwrap_or(1);
        if count < 0 {
            return Err(ballot_err(i, format!("negative count {count}")));
        }
        let content = content_of(e, &names, &grade_map, i, b)?;
        let college = match (&b.college, e.colleges.is_some()) {
            (Some(c), true) => Some(
                *college_index
                    .get(c.as_str())
                    .ok_or_else(|| ballot_err(i, format!("unknown college {c:?}")))?,
            ),
            (None, true) => return Err(ballot_err(i, "no college, but the election has colleges")),
            (Some(c), false) => {
                return Err(ballot_err(
                    i,
                    format!("college {c:?} given, but the election has no colleges"),
                ));
            }
            (None, false) => None,
        };
        items.push(Item {
            content,
            weight: if simple { count as u128 } else { 0 },
            college,
            count: count as u64,
            own_weight: b.weight.as_ref().map(|f| f.0.clone()),
        });
    }

    let mut scale = BigInt::one();
    if !simple {
        let mut factors: Vec<BigRational> = vec![BigRational::one(); colleges.len().max(1)];
        if !colleges.is_empty() {
            for it in &items {
                if it.content.expressed() {
                    colleges[it.college.unwrap_or(0)].expressed += it.raw();
                }
            }
            let live: BigRational = colleges
                .iter()
                .filter(|c| !c.expressed.is_zero())
                .map(|c| c.share.clone())
                .sum();
            for (ci, c) in colleges.iter_mut().enumerate() {
                if c.expressed.is_zero() {
                    c.effective_share = BigRational::zero();
                    factors[ci] = BigRational::zero();
                } else {
                    if e.college_redistribution && !live.is_zero() {
                        c.effective_share = &c.share / &live;
                    }
                    factors[ci] = &c.effective_share / &c.expressed;
                }
            }
        }
        let weights: Vec<BigRational> = items
            .iter()
            .map(|it| {
                if !it.content.expressed() {
                    // Not expressed: counted for reports only, weight 0 in decisions.
                    BigRational::zero()
                } else {
                    it.raw() * &factors[it.college.unwrap_or(0)]
                }
            })
            .collect();
        scale = lcm_denominators(weights.iter());
        let scale_r = BigRational::from_integer(scale.clone());
        let mut total = 0u128;
        for (it, w) in items.iter_mut().zip(&weights) {
            let v = (w * &scale_r).to_integer();
            it.weight = to_u128(&v)?;
            total = total.checked_add(it.weight).ok_or(TallyError::Overflow)?;
        }
    } else {
        let mut total = 0u128;
        for it in &mut items {
            if !it.content.expressed() {
                it.weight = 0;
            }
            total = total.checked_add(it.weight).ok_or(TallyError::Overflow)?;
        }
    }

    // Quorum.
    let mut participants: u128 = items.iter().map(|it| it.count as u128).sum();
    if let Some(profiles) = &e.profiles {
        if e.method != Method::MajorityJudgment {
            return Err(TallyError::Election(
                "\"profiles\" are only for majority_judgment".into(),
            ));
        }
        if !e.ballots.is_empty() || e.colleges.is_some() {
            return Err(TallyError::Election(
                "give either \"profiles\" or \"ballots\" (without colleges), not both".into(),
            ));
        }
        let mut largest = 0u128;
        for (name, counts) in profiles {
            if !names.map.contains_key(name.as_str()) {
                return Err(TallyError::Election(format!(
                    "profile of unknown candidate {name:?}"
                )));
            }
            if counts.len() != e.grades.len() {
                return Err(TallyError::Election(format!(
                    "profile of {name:?} has {} counts for {} grades",
                    counts.len(),
                    e.grades.len()
                )));
            }
            largest = largest.max(counts.iter().map(|&c| c as u128).sum());
        }
        participants = match e.participants {
            Some(p) if (p as u128) < largest => {
                return Err(TallyError::Election(format!(
                    "{p} participants, but a profile holds {largest} judgments"
                )));
            }
            Some(p) => p as u128,
            None => largest,
        };
    }
    let participation_count = BigRational::from_integer(BigInt::from(participants));
    let participation = match e.quorum_by {
        QuorumBy::Count => participation_count,
        QuorumBy::Weight => items.iter().map(Item::raw).sum(),
    };
    let participation = match (&e.present, e.quorum_by) {
        (Some(p), QuorumBy::Count) => p.0.clone(),
        _ => participation,
    };
    let (quorum_reached, quorum_report) = match &e.quorum {
        None => (true, serde_json::Value::Null),
        Some(q) => {
            let electorate = e.electorate.as_ref().ok_or_else(|| {
                TallyError::Election("a quorum needs the size of the electorate".into())
            })?;
            let required = &q.0 * &electorate.0;
            let reached = participation >= required;
            (
                reached,
                serde_json::json!({
                    "fraction": q.0.to_string(),
                    "by": match e.quorum_by { QuorumBy::Count => "count", QuorumBy::Weight => "weight" },
                    "electorate": crate::report::num(&electorate.0),
                    "required": crate::report::num(&required),
                    "participation": crate::report::num(&participation),
                    "reached": reached,
                }),
            )
        }
    };

    Ok(Prepared {
        candidates: e.candidates.clone(),
        items,
        scale,
        colleges,
        quorum_reached,
        quorum_report,
    })
}

/// Groups identical contents, summing their weights (ballots of weight 0 are dropped). The
/// order of the groups is unspecified: callers only add over them, so results do not depend
/// on it (nor on the order of the ballots).
pub(crate) fn group<K: std::hash::Hash + Eq>(
    items: impl Iterator<Item = (K, u128)>,
) -> Vec<(K, u128)> {
    let mut map: FxMap<K, u128> = FxMap::default();
    for (k, w) in items {
        if w > 0 {
            *map.entry(k).or_insert(0) += w;
        }
    }
    map.into_iter().collect()
}

/// Sum of expressed weights per college (for reports).
pub(crate) fn college_report(p: &Prepared) -> serde_json::Value {
    if p.colleges.is_empty() {
        return serde_json::Value::Null;
    }
    let mut m = BTreeMap::new();
    for c in &p.colleges {
        m.insert(
            c.name.clone(),
            serde_json::json!({
                "share": c.share.to_string(),
                "effective_share": c.effective_share.to_string(),
                "expressed": crate::report::num(&c.expressed),
            }),
        );
    }
    serde_json::to_value(m).unwrap_or_default()
}
