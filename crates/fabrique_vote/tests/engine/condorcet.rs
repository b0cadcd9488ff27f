//! Copeland, Schulze and ranked pairs on hand-checked examples.

use fabrique_vote::{Ballot, Election, Method};
use serde_json::json;

use crate::common::{count, ranked, tennessee, tiers, wikipedia_schulze};

#[test]
fn wikipedia_schulze_example_elects_e() {
    let o = count(&wikipedia_schulze(Method::Schulze));
    assert_eq!(o.winners, ["E"]);
    assert_eq!(tiers(&o), [["E"], ["A"], ["C"], ["B"], ["D"]]);
    let d = &o.details["pairwise"];
    assert_eq!(d["A"]["B"], json!(20));
    assert_eq!(d["B"]["A"], json!(25));
    assert_eq!(d["A"]["C"], json!(26));
    assert_eq!(d["D"]["B"], json!(12));
    assert_eq!(d["D"]["C"], json!(28));
    assert_eq!(d["E"]["D"], json!(31));
    let p = &o.details["strongest_paths"];
    // The strongest-path matrix as published.
    let expected = [
        ("A", [("B", 28), ("C", 28), ("D", 30), ("E", 24)]),
        ("B", [("A", 25), ("C", 28), ("D", 33), ("E", 24)]),
        ("C", [("A", 25), ("B", 29), ("D", 29), ("E", 24)]),
        ("D", [("A", 25), ("B", 28), ("C", 28), ("E", 24)]),
        ("E", [("A", 25), ("B", 28), ("C", 28), ("D", 31)]),
    ];
    for (a, row) in expected {
        for (b, v) in row {
            assert_eq!(p[a][b], json!(v), "p[{a}][{b}]");
        }
    }
    assert!(o.tie_break.is_none());
}

#[test]
fn wikipedia_example_under_ranked_pairs_and_copeland() {
    // Ranked pairs locks E>D 31, D>C... and elects A (the classic disagreement with Schulze).
    let o = count(&wikipedia_schulze(Method::RankedPairs));
    assert_eq!(o.winners, ["A"]);
    assert_eq!(tiers(&o), [["A"], ["C"], ["E"], ["B"], ["D"]]);
    assert_eq!(o.details["locked"][0], json!(["B", "D", 33, 12]));
    // Copeland: no Condorcet winner; E beats A, B and D.
    let o = count(&wikipedia_schulze(Method::Copeland));
    let s = &o.details["copeland_scores"];
    assert_eq!(s["A"], json!(2));
    assert_eq!(s["E"], json!(3));
    assert_eq!(o.winners, ["E"]);
}

#[test]
fn tennessee_methods_disagree() {
    assert_eq!(count(&tennessee(Method::Plurality)).winners, ["Memphis"]);
    assert_eq!(count(&tennessee(Method::Irv)).winners, ["Knoxville"]);
    for m in [Method::Schulze, Method::RankedPairs, Method::Copeland] {
        let o = count(&tennessee(m));
        assert_eq!(o.winners, ["Nashville"], "{m}");
        assert_eq!(
            tiers(&o),
            [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]],
            "{m}"
        );
    }
    let o = count(&tennessee(Method::Borda));
    assert_eq!(o.winners, ["Nashville"]);
    assert_eq!(o.details["totals"]["Nashville"], json!(194));
    assert_eq!(o.details["totals"]["Chattanooga"], json!(173));
    assert_eq!(o.details["totals"]["Memphis"], json!(126));
    assert_eq!(o.details["totals"]["Knoxville"], json!(107));
}

#[test]
fn condorcet_paradox_is_reported_as_a_tie() {
    for m in [Method::Schulze, Method::RankedPairs, Method::Copeland] {
        let e = ranked(
            m,
            &["A", "B", "C"],
            &[
                (1, &["A", "B", "C"]),
                (1, &["B", "C", "A"]),
                (1, &["C", "A", "B"]),
            ],
        );
        let o = count(&e);
        assert_eq!(tiers(&o), [["A", "B", "C"]], "{m}");
        // One seat among three tied: the seeded lottery decides and is reported.
        assert_eq!(o.winners.len(), 1);
        let tb = o.tie_break.expect("a tie-break");
        assert_eq!(tb.seed, "");
        assert_eq!(tb.order.len(), 3);
        assert_eq!(o.winners[0], tb.order[0]);
    }
}

#[test]
fn tie_break_depends_on_the_seed_only() {
    let mut e = ranked(
        Method::Schulze,
        &["A", "B", "C"],
        &[
            (1, &["A", "B", "C"]),
            (1, &["B", "C", "A"]),
            (1, &["C", "A", "B"]),
        ],
    );
    e.seed = Some(fabrique_vote::Seed("assemblée 2026".into()));
    let a = count(&e);
    e.ballots.reverse();
    let b = count(&e);
    assert_eq!(a, b);
    let tb = a.tie_break.expect("tie-break");
    assert_eq!(tb.seed, "assemblée 2026");
    // The order is sha256(seed + "\n" + name) ascending; recompute it.
    use sha2::Digest;
    let mut keyed: Vec<(String, &str)> = ["A", "B", "C"]
        .iter()
        .map(|n| {
            let h = sha2::Sha256::digest(format!("assemblée 2026\n{n}").as_bytes());
            (hex::encode(h), *n)
        })
        .collect();
    keyed.sort();
    let order: Vec<&str> = keyed.iter().map(|k| k.1).collect();
    assert_eq!(tb.order, order);
}

#[test]
fn truncated_and_tied_rankings() {
    // Unranked candidates tie last; tied candidates get no pairwise preference.
    let mut e = Election::new(Method::Schulze, &["A", "B", "C", "D"]);
    e.push(Ballot::ranked(&[&["A"], &["B", "C"]]).times(3));
    e.push(Ballot::ranked(&[&["B"]]).times(2));
    e.push(Ballot::ranked(&[&["C"], &["A"]]).times(2));
    let o = count(&e);
    let d = &o.details["pairwise"];
    assert_eq!(d["A"]["B"], json!(5)); // 3 + 2 (C>A>unranked B)
    assert_eq!(d["B"]["A"], json!(2));
    assert_eq!(d["B"]["C"], json!(2));
    assert_eq!(d["C"]["B"], json!(2));
    assert_eq!(d["A"]["D"], json!(5));
    assert_eq!(d["D"]["A"], json!(0));
    assert_eq!(d["B"]["D"], json!(5));
    assert_eq!(d["C"]["D"], json!(5));
    assert_eq!(d["A"]["C"], json!(3));
    assert_eq!(d["C"]["A"], json!(2));
    assert_eq!(o.winners, ["A"]);
    assert_eq!(tiers(&o), vec![vec!["A"], vec!["B", "C"], vec!["D"]]);
}

#[test]
fn ranked_pairs_equal_strength_cycle_is_skipped_together() {
    // A>B, B>C, C>A all 2 to 1 plus a clear D last: the three equal pairs form a cycle and
    // are all skipped, the pairs over D are locked.
    let e = ranked(
        Method::RankedPairs,
        &["A", "B", "C", "D"],
        &[
            (1, &["A", "B", "C", "D"]),
            (1, &["B", "C", "A", "D"]),
            (1, &["C", "A", "B", "D"]),
        ],
    );
    let o = count(&e);
    assert_eq!(tiers(&o), vec![vec!["A", "B", "C"], vec!["D"]]);
    assert_eq!(o.details["skipped"].as_array().map(Vec::len), Some(3));
    assert_eq!(o.details["locked"].as_array().map(Vec::len), Some(3));
}

#[test]
fn copeland_half_points_for_ties() {
    let e = ranked(
        Method::Copeland,
        &["A", "B", "C"],
        &[(1, &["A", "B", "C"]), (1, &["B", "A", "C"])],
    );
    let o = count(&e);
    assert_eq!(o.details["copeland_scores"]["A"], json!("3/2"));
    assert_eq!(o.details["copeland_scores"]["B"], json!("3/2"));
    assert_eq!(o.details["copeland_scores"]["C"], json!(0));
    assert_eq!(tiers(&o), vec![vec!["A", "B"], vec!["C"]]);
}

#[test]
fn several_seats_from_the_ranking() {
    let mut e = wikipedia_schulze(Method::Schulze);
    e.seats = 3;
    assert_eq!(count(&e).winners, ["E", "A", "C"]);
}
