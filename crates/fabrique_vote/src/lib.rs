//! Fabrique's counting engine: every voting method cooperatives and associations use, with
//! exact arithmetic (integers and rationals, never floating point in a decision) and results
//! independent of the order of the ballots.
//!
//! The crate is pure: no I/O, no database. Governance code builds an [`Election`] (or parses
//! one with [`Election::from_json`]) and calls [`tally`], which returns an [`Outcome`] or a
//! [`TallyError`] naming the faulty ballot.
//!
//! # Weights and colleges
//!
//! A ballot's weight is `count × weight`. With SCIC colleges, each expressed ballot of
//! college *c* further weighs `share_c / W_c`, where `W_c` is the total `count × weight` of
//! the expressed ballots of *c* (with unit weights: the number of expressed ballots), so
//! that each college counts exactly for its share. For a motion this gives the score
//! `Σ share_c × for_c / expressed_c`. A college without expressed ballots has its share
//! redistributed to the others in proportion to their shares (setting
//! `college_redistribution`, default true); when the setting is off, its share is lost (a
//! motion's expressed base then stays 1). Internally all weights are multiplied by the
//! least common multiple of their denominators, so methods add integers.
//!
//! Blank ballots (`{"blank": true}`, empty rankings/approvals/scores/grades, and `abstain` or
//! `blank` for a motion) count for the quorum but are not expressed.
//!
//! # Quorum
//!
//! With a `quorum` (a fraction of `electorate`), participation is the number of
//! participants (`Σ count`, or `present` when given) or, with `quorum_by: weight`, the total
//! `count × weight`. A missed quorum makes the outcome invalid (`valid: false`), not
//! rejected; `passed` is then false and `winners` is empty (the `ranking` and `details`
//! still show the count).
//!
//! # Ties
//!
//! `ranking` shows ties as shared tiers. Seats are filled from the ranking; a tie across the
//! last seat is broken by the seeded lottery described in [`report`] and reported in
//! `tie_break`. See each method's module for what it puts in `details`.
//!
//! # Example
//!
//! ```
//! use fabrique_vote::{Ballot, Election, Method, tally};
//!
//! let mut e = Election::new(Method::Schulze, &["Alice", "Bob", "Chloé"]);
//! e.push(Ballot::ranked(&[&["Alice"], &["Bob", "Chloé"]]).times(3));
//! e.push(Ballot::order(&["Bob", "Alice"]).times(2));
//! let outcome = tally(&e).unwrap();
//! assert_eq!(outcome.winners, ["Alice"]);
//! assert_eq!(outcome.ranking, [vec!["Alice"], vec!["Bob"], vec!["Chloé"]]);
//!
//! let e = Election::from_json(r#"{"method": "motion",
//!     "rule": {"majority": "qualified", "fraction": "2/3"},
//!     "ballots": [{"choice": "for", "count": 200}, {"choice": "against", "count": 100}]}"#)
//!     .unwrap();
//! assert_eq!(tally(&e).unwrap().passed, Some(true));
//! ```

#![warn(missing_docs)]

mod fxhash;
pub mod majority_judgment;
pub mod model;
mod motion;
mod pairwise;
mod prepare;
pub mod report;
mod scoring;
mod stv;

pub use majority_judgment::{MeritProfile, MjMode, rank_profiles};
pub use model::{
    Ballot, Base, Election, Fraction, Majority, Method, MissingGrade, QuorumBy, Rule, Seed,
    StvVariant, Tier,
};
pub use report::{Outcome, TieBreak};

/// Why an election cannot be counted. Each message is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    /// The JSON text is malformed (the message gives line and column), or a field of the
    /// election has the wrong type.
    #[error("{0}")]
    Json(String),
    /// A ballot is malformed; `ballot` is its 1-based index.
    #[error("ballot {ballot}: {problem}")]
    Ballot {
        /// 1-based index of the ballot in the election.
        ballot: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The method is not one of [`Method::ALL`].
    #[error(
        "unknown method {0:?} (expected one of motion, consent, plurality, approval, score, borda, copeland, schulze, ranked_pairs, irv, stv, majority_judgment)"
    )]
    UnknownMethod(String),
    /// A problem with the election itself (candidates, seats, colleges, rule…).
    #[error("{0}")]
    Election(String),
    /// Weights so large that exact integer counts exceed 128 bits.
    #[error("weights too large to count exactly")]
    Overflow,
}

/// What a method module returns.
pub(crate) struct Counted {
    pub ranking: Vec<Vec<usize>>,
    pub winners: Vec<usize>,
    pub passed: Option<bool>,
    pub details: serde_json::Value,
}

/// Counts an election.
///
/// The result does not depend on the order of the ballots. Errors name the faulty ballot
/// (1-based) and the problem.
pub fn tally(election: &Election) -> Result<Outcome, TallyError> {
    let prepared = prepare::prepare(election)?;
    let seed = election.seed.as_ref().map(|s| s.0.as_str()).unwrap_or("");
    let mut lottery = report::Lottery::new(seed, &election.candidates);
    let counted = match election.method {
        Method::Motion => motion::motion(election, &prepared)?,
        Method::Consent => motion::consent(&prepared),
        Method::Plurality | Method::Approval | Method::Score | Method::Borda => {
            scoring::count(election, &prepared, &mut lottery)
        }
        Method::Copeland | Method::Schulze | Method::RankedPairs => {
            pairwise::count(election, &prepared, &mut lottery)
        }
        Method::Irv | Method::Stv => stv::count(election, &prepared, &mut lottery)?,
        Method::MajorityJudgment => majority_judgment::count(election, &prepared, &mut lottery)?,
    };
    let mut details = counted.details;
    if let serde_json::Value::Object(m) = &mut details {
        if !prepared.quorum_report.is_null() {
            m.insert("quorum".into(), prepared.quorum_report.clone());
        }
        let colleges = prepare::college_report(&prepared);
        if !colleges.is_null() && !m.contains_key("colleges") {
            m.insert("colleges".into(), colleges);
        }
    }
    let valid = prepared.quorum_reached;
    Ok(Outcome {
        method: election.method,
        valid,
        quorum_reached: prepared.quorum_reached,
        ranking: counted
            .ranking
            .iter()
            .map(|t| report::names(&election.candidates, t))
            .collect(),
        winners: if valid {
            report::names(&election.candidates, &counted.winners)
        } else {
            Vec::new()
        },
        passed: counted.passed.map(|p| p && valid),
        tie_break: lottery.report(),
        details,
    })
}
