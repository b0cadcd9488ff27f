//! Plurality, approval, score and Borda.

use std::collections::BTreeMap;

use fabrique_vote::{Ballot, Election, Fraction, Method};
use serde_json::json;

use crate::common::{count, tiers};

#[test]
fn plurality_counts_choices() {
    let mut e = Election::new(Method::Plurality, &["A", "B", "C"]);
    e.push(Ballot::choice("A").times(3));
    e.push(Ballot::choice("B").times(4));
    e.push(Ballot::choice("C").times(2));
    let o = count(&e);
    assert_eq!(o.winners, ["B"]);
    assert_eq!(tiers(&o), [["B"], ["A"], ["C"]]);
    assert_eq!(o.details["totals"]["A"], json!(3));
    assert_eq!(o.details["ballots"], json!(9));
}

#[test]
fn approval_with_two_seats_and_a_tie_on_the_last_seat() {
    let mut e = Election::new(Method::Approval, &["A", "B", "C", "D"]);
    e.seats = 2;
    e.push(Ballot::approve(&["A", "B"]).times(3));
    e.push(Ballot::approve(&["A", "C"]).times(2));
    e.push(Ballot::approve(&["D"]));
    let o = count(&e);
    assert_eq!(o.details["totals"]["A"], json!(5));
    assert_eq!(tiers(&o), vec![vec!["A"], vec!["B"], vec!["C"], vec!["D"]]);
    assert_eq!(o.winners, ["A", "B"]);
    // Now B and C tie for the second seat: the lottery decides and says so.
    e.push(Ballot::approve(&["C"]));
    let o = count(&e);
    assert_eq!(tiers(&o), vec![vec!["A"], vec!["B", "C"], vec!["D"]]);
    assert_eq!(o.winners[0], "A");
    let tb = o.tie_break.expect("tie-break");
    assert!(tb.choices[0].contains("tie for the last seats"));
    let favoured = tb
        .order
        .iter()
        .find(|c| *c == "B" || *c == "C")
        .expect("B or C");
    assert_eq!(&o.winners[1], favoured);
}

#[test]
fn score_totals() {
    let mut e = Election::new(Method::Score, &["A", "B"]);
    e.push(Ballot::scores(&[("A", 5), ("B", 2)]).times(2));
    e.push(Ballot::scores(&[("B", 9)]));
    let o = count(&e);
    assert_eq!(o.details["totals"]["A"], json!(10));
    assert_eq!(o.details["totals"]["B"], json!(13));
    assert_eq!(o.winners, ["B"]);
}

#[test]
fn borda_shares_points_between_tied_and_unranked_candidates() {
    // 4 candidates: points 3, 2, 1, 0. Ballot [A], [B, C] then D unranked:
    // A 3, B and C (2+1)/2 = 3/2 each, D 0. Ballot [D] only: D 3, others (2+1+0)/3 = 1.
    let mut e = Election::new(Method::Borda, &["A", "B", "C", "D"]);
    e.push(Ballot::ranked(&[&["A"], &["B", "C"]]));
    e.push(Ballot::ranked(&[&["D"]]));
    let o = count(&e);
    let t = &o.details["totals"];
    assert_eq!(t["A"], json!(4));
    assert_eq!(t["B"], json!("5/2"));
    assert_eq!(t["C"], json!("5/2"));
    assert_eq!(t["D"], json!(3));
    assert_eq!(tiers(&o), vec![vec!["A"], vec!["D"], vec!["B", "C"]]);
}

#[test]
fn college_weights_apply_to_other_methods() {
    // Three colleges of 2/5, 2/5, 1/5: each ballot weighs share / expressed ballots of its
    // college. A: 1 of 1 in X (2/5); B: 3 of 3 in Y (2/5) → tie; C: 1 of 2 in Z (1/10).
    let mut e = Election::new(Method::Plurality, &["A", "B", "C"]);
    let cs: BTreeMap<String, Fraction> = [("X", "2/5"), ("Y", "2/5"), ("Z", "1/5")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Fraction::parse(v).expect("fraction")))
        .collect();
    e.colleges = Some(cs);
    e.push(Ballot::choice("A").in_college("X"));
    e.push(Ballot::choice("B").times(3).in_college("Y"));
    e.push(Ballot::choice("C").in_college("Z"));
    e.push(Ballot::choice("A").in_college("Z"));
    let o = count(&e);
    assert_eq!(o.details["totals"]["A"], json!("1/2"));
    assert_eq!(o.details["totals"]["B"], json!("2/5"));
    assert_eq!(o.details["totals"]["C"], json!("1/10"));
    assert_eq!(o.winners, ["A"]);
}

#[test]
fn ballot_weight_multiplies() {
    let mut e = Election::new(Method::Plurality, &["A", "B"]);
    e.push(Ballot::choice("A").weighted(Fraction::new(5, 2)));
    e.push(Ballot::choice("B").times(2));
    let o = count(&e);
    assert_eq!(o.details["totals"]["A"], json!("5/2"));
    assert_eq!(o.winners, ["A"]);
}
