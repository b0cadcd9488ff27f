//! The Mieux Voter majority-judgment test vectors.

use fabrique_vote::majority_judgment::{MeritProfile, MjMode, rank_profiles, ranks_of};
use num_bigint::BigUint;
use serde_json::Value;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/majority-judgment/assertions.json"
);

#[test]
fn every_mieux_voter_vector() {
    let text = std::fs::read_to_string(VECTORS).expect("the shared test vectors");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("valid JSON");
    assert!(cases.len() >= 9, "expected at least 9 cases");
    let mut titles = Vec::new();
    for case in &cases {
        let title = case["title"].as_str().expect("title");
        let participants = BigUint::from(case["participants"].as_u64().expect("participants"));
        let profiles: Vec<MeritProfile> = case["tallies"]
            .as_array()
            .expect("tallies")
            .iter()
            .map(|t| {
                MeritProfile(
                    t.as_array()
                        .expect("tally")
                        .iter()
                        .map(|c| BigUint::from(c.as_u64().expect("count")))
                        .collect(),
                )
            })
            .collect();
        let mode = match case["mode"].as_str() {
            None => MjMode::Static(0),
            Some("StaticDefault") => MjMode::Static(case["default"].as_u64().unwrap_or(0) as usize),
            Some("MedianDefault") => MjMode::Median,
            Some("Normalized") => MjMode::Normalized,
            Some(other) => panic!("unknown mode {other}"),
        };
        let expected: Vec<usize> = case["ranks"]
            .as_array()
            .expect("ranks")
            .iter()
            .map(|r| r.as_u64().expect("rank") as usize)
            .collect();
        let tiers = rank_profiles(&profiles, &participants, mode);
        let ranks = ranks_of(&tiers, profiles.len());
        assert_eq!(ranks, expected, "case {title:?}");
        titles.push(title.to_string());
    }
    assert!(
        titles.iter().any(|t| t.to_lowercase().contains("billions")),
        "the billions case must be present: {titles:?}"
    );
}

#[test]
fn vectors_through_tally_with_profiles() {
    let text = std::fs::read_to_string(VECTORS).expect("the shared test vectors");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("valid JSON");
    let mut checked = 0;
    for case in &cases {
        let missing = match (case["mode"].as_str(), case["default"].as_u64()) {
            (None, _) | (Some("StaticDefault"), None | Some(0)) => "worst",
            (Some("MedianDefault"), _) => "median",
            (Some("Normalized"), _) => "normalized",
            _ => continue, // a static default other than the worst grade: API only
        };
        let tallies = case["tallies"].as_array().expect("tallies");
        let grades = tallies[0].as_array().expect("tally").len();
        let candidates: Vec<String> = (0..tallies.len()).map(|i| format!("P{i}")).collect();
        let profiles: serde_json::Map<String, Value> = candidates
            .iter()
            .cloned()
            .zip(tallies.iter().cloned())
            .collect();
        let election = serde_json::json!({
            "method": "majority_judgment",
            "candidates": candidates,
            "grades": (0..grades).map(|g| format!("g{g}")).collect::<Vec<_>>(),
            "missing_grade": missing,
            "participants": case["participants"],
            "profiles": profiles,
        });
        let e = fabrique_vote::Election::from_value(election).expect("valid election");
        let o = fabrique_vote::tally(&e).expect("count");
        let mut ranks = vec![0; candidates.len()];
        let mut next = 1;
        for tier in &o.ranking {
            for c in tier {
                ranks[candidates.iter().position(|x| x == c).expect("known")] = next;
            }
            next += tier.len();
        }
        let expected: Vec<usize> = case["ranks"]
            .as_array()
            .expect("ranks")
            .iter()
            .map(|r| r.as_u64().expect("rank") as usize)
            .collect();
        assert_eq!(ranks, expected, "case {}", case["title"]);
        checked += 1;
    }
    assert!(checked >= 7, "{checked} cases checked");
}
