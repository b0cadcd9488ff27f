//! The election as it is described in JSON: candidates, rule, colleges and ballots.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Deserializer, Serialize};

use crate::TallyError;

/// The counting method of an election.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A yes/no question: for, against, abstain or blank, decided by a [`Rule`].
    Motion,
    /// Consent: passes unless someone objects (with a reason); standing aside does not block.
    Consent,
    /// One choice per ballot; the most chosen candidates win.
    Plurality,
    /// Each ballot approves any number of candidates; the most approved win.
    Approval,
    /// Each ballot gives each candidate an integer score; the highest total wins.
    Score,
    /// Ranked ballots; n−1 points for a first place down to 0, tied ranks share points.
    Borda,
    /// Ranked ballots; one point per pairwise win, half a point per pairwise tie.
    Copeland,
    /// Ranked ballots; Schulze beat-path method (winning votes).
    Schulze,
    /// Ranked ballots; Tideman's ranked pairs (winning votes).
    RankedPairs,
    /// Ranked ballots; instant-runoff voting (single seat).
    Irv,
    /// Ranked ballots; single transferable vote with a Droop quota (several seats).
    Stv,
    /// Graded ballots; majority judgment (Balinski & Laraki, as Mieux Voter specifies it).
    MajorityJudgment,
}

impl Method {
    /// Every method, in documentation order.
    pub const ALL: [Method; 12] = [
        Method::Motion,
        Method::Consent,
        Method::Plurality,
        Method::Approval,
        Method::Score,
        Method::Borda,
        Method::Copeland,
        Method::Schulze,
        Method::RankedPairs,
        Method::Irv,
        Method::Stv,
        Method::MajorityJudgment,
    ];

    /// The method's name as written in JSON (`"ranked_pairs"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Method::Motion => "motion",
            Method::Consent => "consent",
            Method::Plurality => "plurality",
            Method::Approval => "approval",
            Method::Score => "score",
            Method::Borda => "borda",
            Method::Copeland => "copeland",
            Method::Schulze => "schulze",
            Method::RankedPairs => "ranked_pairs",
            Method::Irv => "irv",
            Method::Stv => "stv",
            Method::MajorityJudgment => "majority_judgment",
        }
    }

    /// Whether ballots of this method are rankings.
    pub fn is_ranked(self) -> bool {
        matches!(
            self,
            Method::Borda
                | Method::Copeland
                | Method::Schulze
                | Method::RankedPairs
                | Method::Irv
                | Method::Stv
        )
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Method {
    type Err = TallyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| TallyError::UnknownMethod(s.to_string()))
    }
}

/// An exact non-negative fraction such as `"2/3"`, `"1/4"`, `"0.3"` or `1`.
///
/// In JSON it is written as a string (`"p/q"`, an integer or a decimal) or as a number (a
/// decimal number such as `0.3` is taken as written: exactly 3/10).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fraction(pub BigRational);

impl Fraction {
    /// The fraction `n/d`. Panics if `d` is zero.
    pub fn new(n: i64, d: i64) -> Self {
        Fraction(BigRational::new(BigInt::from(n), BigInt::from(d)))
    }

    /// Parses `"p/q"`, `"12"` or `"0.25"`; `None` when malformed, negative or with a zero
    /// denominator.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let value = if let Some((p, q)) = s.split_once('/') {
            let p: BigInt = p.trim().parse().ok()?;
            let q: BigInt = q.trim().parse().ok()?;
            if q.is_zero() {
                return None;
            }
            BigRational::new(p, q)
        } else if let Some((i, f)) = s.split_once('.') {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let int: BigInt = if i.is_empty() {
                BigInt::zero()
            } else {
                i.parse().ok()?
            };
            if i.starts_with('-') {
                return None;
            }
            let frac: BigInt = f.parse().ok()?;
            let den = num_traits::pow(BigInt::from(10), f.len());
            BigRational::new(int * &den + frac, den)
        } else {
            BigRational::from_integer(s.parse().ok()?)
        };
        if value.is_negative() {
            return None;
        }
        Some(Fraction(value))
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Float(f64),
            Str(String),
        }
        let text = match Raw::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected a fraction such as \"2/3\""))?
        {
            Raw::Int(i) => i.to_string(),
            // A JSON decimal such as 0.3 is read as written (its shortest representation),
            // i.e. exactly 3/10, never as a binary floating-point value.
            Raw::Float(f) => format!("{f}"),
            Raw::Str(s) => s,
        };
        Fraction::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid fraction {text:?} (expected a non-negative \"p/q\", integer or decimal)"
            ))
        })
    }
}

impl Serialize for Fraction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// Which majority a motion needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Majority {
    /// More *for* than *against*.
    #[default]
    Simple,
    /// *For* strictly more than half of the base.
    Absolute,
    /// *For* at least `fraction` of the base.
    Qualified,
}

/// What a motion's majority is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Base {
    /// Expressed votes (for + against); abstentions and blank ballots are not expressed.
    #[default]
    Expressed,
    /// Members present and represented (the election's `present`).
    Present,
    /// The whole electorate (the election's `electorate`).
    Electorate,
}

/// The rule deciding a motion.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Simple, absolute or qualified majority.
    #[serde(default)]
    pub majority: Majority,
    /// The fraction a qualified majority needs (e.g. `"2/3"`).
    #[serde(default)]
    pub fraction: Option<Fraction>,
    /// What the majority is measured against.
    #[serde(default)]
    pub base: Base,
}

/// How a majority-judgment ballot's missing grades count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingGrade {
    /// A missing judgment is the worst grade (the default).
    #[default]
    Worst,
    /// A missing judgment is the candidate's own (lower) median grade.
    Median,
    /// Missing judgments weigh nothing: every profile is scaled to a common total.
    Normalized,
}

/// Whether the quorum counts voters or their weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuorumBy {
    /// Number of participants (ballots' `count`s) against the electorate.
    #[default]
    Count,
    /// Participants' weights (`count × weight`) against the electorate's weight.
    Weight,
}

/// The STV transfer rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StvVariant {
    /// Scottish STV: surplus transferred at exact fractional values (weighted inclusive Gregory).
    #[default]
    Scottish,
    /// Meek STV: keep factors iterated until surpluses are negligible.
    Meek,
}

/// One tier of a ranking: a candidate, or several candidates ranked equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Tier {
    /// A single candidate.
    One(String),
    /// Candidates ranked equal.
    Many(Vec<String>),
}

impl Tier {
    /// The candidates of this tier.
    pub fn names(&self) -> &[String] {
        match self {
            Tier::One(s) => std::slice::from_ref(s),
            Tier::Many(v) => v,
        }
    }
}

/// A ballot's multiplicity: a JSON integer (possibly negative, which is then refused with a
/// clear message) or a decimal string.
pub type Count = i64;

/// One ballot (or `count` identical ballots). Which fields are expected depends on the method:
///
/// | method | fields |
/// |---|---|
/// | motion | `choice`: `"for"`, `"against"`, `"abstain"` or `"blank"` |
/// | consent | `consent: true`, `objection: "reason"` or `stand_aside: "reason"` |
/// | plurality | `choice`: a candidate (or a `ranking` whose first tier is one candidate) |
/// | approval | `approve`: candidates |
/// | score | `scores`: candidate → non-negative integer |
/// | ranked methods | `ranking`: tiers best first, e.g. `[["Alice"], ["Bob", "Chloé"]]` |
/// | majority_judgment | `grades`: candidate → grade name |
///
/// `{"blank": true}`, or an empty `ranking`/`approve`/`scores`/`grades`, is a blank ballot: it
/// counts for the quorum but is not expressed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    /// Motion choice or plurality candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// Ranking, best tier first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranking: Option<Vec<Tier>>,
    /// Approved candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approve: Option<Vec<String>>,
    /// Scores per candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<BTreeMap<String, i64>>,
    /// Grades per candidate (majority judgment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grades: Option<BTreeMap<String, String>>,
    /// Consent: an objection and its (mandatory) reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objection: Option<String>,
    /// Consent: standing aside, with its reason; recorded, does not block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stand_aside: Option<String>,
    /// Consent: explicit consent (`true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<bool>,
    /// An explicitly blank ballot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blank: Option<bool>,
    /// How many identical ballots this entry stands for (default 1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_count"
    )]
    pub count: Option<Count>,
    /// The voter's weight (default 1), e.g. `2` or `"3/2"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Fraction>,
    /// The voter's college, one of the election's `colleges`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub college: Option<String>,
}

fn deserialize_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Count>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    match &v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(Some(i)),
            None => Err(serde::de::Error::custom(format!(
                "invalid count {n} (expected a whole number)"
            ))),
        },
        other => Err(serde::de::Error::custom(format!(
            "invalid count {other} (expected a whole number)"
        ))),
    }
}

/// The seed of the reproducible tie-break: a string or an integer in JSON (also accepted as
/// `"tie_break": {"seed": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Seed(pub String);

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let inner = match &value {
            serde_json::Value::Object(m) if m.len() == 1 => m.get("seed").unwrap_or(&value),
            _ => &value,
        };
        match inner {
            serde_json::Value::String(s) => Ok(Seed(s.clone())),
            serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Seed(n.to_string())),
            _ => Err(serde::de::Error::custom(
                "expected a seed (string, integer or {\"seed\": …})",
            )),
        }
    }
}

fn default_seats() -> u32 {
    1
}

fn default_true() -> bool {
    true
}

/// The seven French grades of majority judgment, worst first.
pub fn default_grades() -> Vec<String> {
    [
        "À rejeter",
        "Insuffisant",
        "Passable",
        "Assez bien",
        "Bien",
        "Très bien",
        "Excellent",
    ]
    .into_iter()
    .map(String::from)
    .collect()
}

/// An election to count, as `fabrique tally` reads it from JSON. Only the fields the method
/// needs are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Election {
    /// The counting method.
    pub method: Method,
    /// The candidates (not needed for `motion` and `consent`).
    #[serde(default)]
    pub candidates: Vec<String>,
    /// Seats to fill (default 1).
    #[serde(default = "default_seats")]
    pub seats: u32,
    /// Majority-judgment grades, worst first (default: the seven French grades).
    #[serde(default = "default_grades")]
    pub grades: Vec<String>,
    /// How missing majority-judgment grades count (default `worst`).
    #[serde(default)]
    pub missing_grade: MissingGrade,
    /// The rule of a motion (default: simple majority of expressed votes).
    #[serde(default)]
    pub rule: Rule,
    /// Size of the electorate (its total weight when the quorum is by weight); needed by a
    /// quorum and by `base: electorate`.
    #[serde(default)]
    pub electorate: Option<Fraction>,
    /// Members present and represented; needed by `base: present`, and used for the quorum of
    /// an assembly when given.
    #[serde(default)]
    pub present: Option<Fraction>,
    /// Quorum as a fraction of the electorate (e.g. `"1/4"`); none by default.
    #[serde(default)]
    pub quorum: Option<Fraction>,
    /// Whether the quorum counts participants or weights (default `count`).
    #[serde(default)]
    pub quorum_by: QuorumBy,
    /// SCIC colleges and their statutory shares (each within [1/10, 1/2], summing to 1).
    #[serde(default)]
    pub colleges: Option<BTreeMap<String, Fraction>>,
    /// Whether a college without expressed ballots has its share redistributed to the others
    /// in proportion to their shares (default true); when false its share is simply lost.
    #[serde(default = "default_true")]
    pub college_redistribution: bool,
    /// The ballots.
    #[serde(default)]
    pub ballots: Vec<Ballot>,
    /// Majority judgment only, instead of `ballots`: merit profiles already aggregated (e.g.
    /// by the database) — per candidate, the number of judgments at each grade, worst first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<BTreeMap<String, Vec<u64>>>,
    /// With `profiles`: the number of judges (default: the largest profile total); profiles
    /// summing to less are completed according to `missing_grade`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<u64>,
    /// STV transfer rule (default `scottish`).
    #[serde(default)]
    pub stv_variant: StvVariant,
    /// Seed of the reproducible tie-break (default: the empty string).
    #[serde(default, alias = "tie_break")]
    pub seed: Option<Seed>,
}

impl Election {
    /// A new election with the given method and candidates, default settings and no ballots.
    pub fn new(method: Method, candidates: &[&str]) -> Self {
        Election {
            method,
            candidates: candidates.iter().map(|s| s.to_string()).collect(),
            seats: 1,
            grades: default_grades(),
            missing_grade: MissingGrade::Worst,
            rule: Rule::default(),
            electorate: None,
            present: None,
            quorum: None,
            quorum_by: QuorumBy::Count,
            colleges: None,
            college_redistribution: true,
            ballots: Vec::new(),
            profiles: None,
            participants: None,
            stv_variant: StvVariant::Scottish,
            seed: None,
        }
    }

    /// Parses an election from JSON text. Unlike plain `serde_json::from_str`, a malformed
    /// ballot is reported with its 1-based index (`ballot 4: unknown field "rankng"`), and a
    /// syntax error with its line and column.
    pub fn from_json(text: &str) -> Result<Election, TallyError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| TallyError::Json(format!("invalid JSON: {e}")))?;
        Election::from_value(value)
    }

    /// Like [`Election::from_json`], from an already parsed JSON value.
    pub fn from_value(mut value: serde_json::Value) -> Result<Election, TallyError> {
        let ballots = match value.as_object_mut() {
            Some(obj) => obj.remove("ballots"),
            None => {
                return Err(TallyError::Json(
                    "the election must be a JSON object".into(),
                ));
            }
        };
        let mut election: Election = serde_json::from_value(value)
            .map_err(|e| TallyError::Json(format!("invalid election: {e}")))?;
        if let Some(ballots) = ballots {
            let serde_json::Value::Array(items) = ballots else {
                return Err(TallyError::Json(
                    "invalid election: \"ballots\" must be an array".into(),
                ));
            };
            election.ballots = items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    serde_json::from_value(v).map_err(|e| TallyError::Ballot {
                        ballot: i + 1,
                        problem: e.to_string(),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(election)
    }

    /// Adds `count` identical ballots (builder helper for tests and governance code).
    pub fn push(&mut self, ballot: Ballot) -> &mut Self {
        self.ballots.push(ballot);
        self
    }
}

impl Ballot {
    /// A ranked ballot from tiers of candidate names, best first.
    pub fn ranked(tiers: &[&[&str]]) -> Self {
        Ballot {
            ranking: Some(
                tiers
                    .iter()
                    .map(|t| Tier::Many(t.iter().map(|s| s.to_string()).collect()))
                    .collect(),
            ),
            ..Ballot::default()
        }
    }

    /// A ranked ballot without ties, best first.
    pub fn order(names: &[&str]) -> Self {
        Ballot {
            ranking: Some(names.iter().map(|s| Tier::One(s.to_string())).collect()),
            ..Ballot::default()
        }
    }

    /// A ballot with a `choice` (motion: for/against/abstain/blank; plurality: a candidate).
    pub fn choice(choice: &str) -> Self {
        Ballot {
            choice: Some(choice.to_string()),
            ..Ballot::default()
        }
    }

    /// An approval ballot.
    pub fn approve(names: &[&str]) -> Self {
        Ballot {
            approve: Some(names.iter().map(|s| s.to_string()).collect()),
            ..Ballot::default()
        }
    }

    /// A score ballot.
    pub fn scores(scores: &[(&str, i64)]) -> Self {
        Ballot {
            scores: Some(scores.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            ..Ballot::default()
        }
    }

    /// A majority-judgment ballot.
    pub fn grades(grades: &[(&str, &str)]) -> Self {
        Ballot {
            grades: Some(
                grades
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..Ballot::default()
        }
    }

    /// Sets the ballot's count.
    pub fn times(mut self, count: i64) -> Self {
        self.count = Some(count);
        self
    }

    /// Sets the ballot's college.
    pub fn in_college(mut self, college: &str) -> Self {
        self.college = Some(college.to_string());
        self
    }

    /// Sets the ballot's weight.
    pub fn weighted(mut self, weight: Fraction) -> Self {
        self.weight = Some(weight);
        self
    }
}
