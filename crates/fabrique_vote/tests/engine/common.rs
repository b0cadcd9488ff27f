//! Helpers shared by the tests.

use fabrique_vote::{Ballot, Election, Method, Outcome, tally};

/// An election with `method`, `candidates` and ballots `(count, order)` without ties.
pub fn ranked(method: Method, candidates: &[&str], ballots: &[(i64, &[&str])]) -> Election {
    let mut e = Election::new(method, candidates);
    for (count, order) in ballots {
        e.push(Ballot::order(order).times(*count));
    }
    e
}

/// Counts, panicking with the error message on failure.
pub fn count(e: &Election) -> Outcome {
    tally(e).unwrap_or_else(|err| panic!("tally failed: {err}"))
}

/// Tiers as vectors of &str for comparisons.
pub fn tiers(o: &Outcome) -> Vec<Vec<&str>> {
    o.ranking
        .iter()
        .map(|t| t.iter().map(String::as_str).collect())
        .collect()
}

/// The wikipedia Schulze example (45 voters, 5 candidates).
pub fn wikipedia_schulze(method: Method) -> Election {
    ranked(
        method,
        &["A", "B", "C", "D", "E"],
        &[
            (5, &["A", "C", "B", "E", "D"]),
            (5, &["A", "D", "E", "C", "B"]),
            (8, &["B", "E", "D", "A", "C"]),
            (3, &["C", "A", "B", "E", "D"]),
            (7, &["C", "A", "E", "B", "D"]),
            (2, &["C", "B", "A", "D", "E"]),
            (7, &["D", "C", "E", "B", "A"]),
            (8, &["E", "B", "A", "D", "C"]),
        ],
    )
}

/// The Tennessee capital example (100 voters: 42 Memphis, 26 Nashville, 15 Chattanooga,
/// 17 Knoxville).
pub fn tennessee(method: Method) -> Election {
    ranked(
        method,
        &["Memphis", "Nashville", "Chattanooga", "Knoxville"],
        &[
            (42, &["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
            (26, &["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
            (15, &["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
            (17, &["Knoxville", "Chattanooga", "Nashville", "Memphis"]),
        ],
    )
}
