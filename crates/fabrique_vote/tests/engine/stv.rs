//! IRV and STV.

use fabrique_vote::{Ballot, Election, Method, StvVariant};
use serde_json::json;

use crate::common::{count, ranked, tennessee, tiers};

#[test]
fn irv_tennessee_rounds() {
    let o = count(&tennessee(Method::Irv));
    assert_eq!(o.winners, ["Knoxville"]);
    let rounds = o.details["rounds"].as_array().expect("rounds");
    assert_eq!(rounds[0]["excluded"], json!(["Chattanooga"]));
    assert_eq!(rounds[0]["transfer"]["to"]["Knoxville"], json!(15));
    assert_eq!(rounds[1]["excluded"], json!(["Nashville"]));
    assert_eq!(rounds[1]["transfer"]["to"]["Knoxville"], json!(26));
    assert_eq!(rounds[2]["totals"]["Knoxville"], json!(58));
    assert_eq!(rounds[2]["elected"], json!(["Knoxville"]));
    assert_eq!(
        tiers(&o),
        [["Knoxville"], ["Memphis"], ["Nashville"], ["Chattanooga"]]
    );
}

#[test]
fn irv_majority_in_first_round() {
    let e = ranked(
        Method::Irv,
        &["A", "B", "C"],
        &[(6, &["A", "B"]), (3, &["B"]), (2, &["C", "B"])],
    );
    let o = count(&e);
    assert_eq!(o.winners, ["A"]);
    assert_eq!(o.details["rounds"].as_array().map(Vec::len), Some(1));
}

#[test]
fn stv_surplus_transfers_with_exact_fractions() {
    // 25 ballots, 2 seats: quota ⌊25/3⌋ + 1 = 9. A has 14, surplus 5, transfer value 5/14:
    // B receives 10 × 5/14 = 25/7, C receives 4 × 5/14 = 10/7.
    let mut e = ranked(
        Method::Stv,
        &["A", "B", "C", "D"],
        &[
            (10, &["A", "B"]),
            (4, &["A", "C"]),
            (5, &["C"]),
            (6, &["D"]),
        ],
    );
    e.seats = 2;
    let o = count(&e);
    assert_eq!(o.details["quota"], json!(9));
    let rounds = o.details["rounds"].as_array().expect("rounds");
    assert_eq!(rounds[0]["elected"], json!(["A"]));
    assert_eq!(rounds[0]["totals"]["A"], json!(14));
    let t = &rounds[1]["transfer"];
    assert_eq!(t["from"], json!("A"));
    assert_eq!(t["transfer_value"], json!("5/14"));
    assert_eq!(t["surplus"], json!(5));
    assert_eq!(t["to"]["B"], json!("25/7"));
    assert_eq!(t["to"]["C"], json!("10/7"));
    assert_eq!(rounds[2]["totals"]["C"], json!("45/7"));
    assert_eq!(rounds[2]["totals"]["A"], json!(9));
    // B is excluded (25/7), its papers exhaust; then D (6) is excluded and C is elected.
    assert_eq!(rounds[2]["excluded"], json!(["B"]));
    assert_eq!(rounds[2]["transfer"]["exhausted"], json!("25/7"));
    assert_eq!(o.winners, ["A", "C"]);
    assert_eq!(o.details["exhausted"], json!("67/7"));
}

#[test]
fn stv_chain_of_surpluses() {
    // 3 seats, 40 ballots, quota 11. A 20 → surplus 9 at 9/20 to B: 18 × 9/20 = 81/10 added to
    // B's 5 = 131/10, so B is elected with surplus 21/10 passed on to C.
    let mut e = ranked(
        Method::Stv,
        &["A", "B", "C", "D", "E"],
        &[
            (18, &["A", "B", "C"]),
            (2, &["A", "D"]),
            (5, &["B", "C"]),
            (7, &["C"]),
            (8, &["D"]),
        ],
    );
    e.seats = 3;
    let o = count(&e);
    assert_eq!(o.details["quota"], json!(11));
    let rounds = o.details["rounds"].as_array().expect("rounds");
    assert_eq!(rounds[1]["transfer"]["to"]["B"], json!("81/10"));
    assert_eq!(rounds[1]["transfer"]["to"]["D"], json!("9/10"));
    assert_eq!(rounds[2]["elected"], json!(["B"]));
    assert_eq!(rounds[2]["totals"]["B"], json!("131/10"));
    assert_eq!(rounds[3]["transfer"]["transfer_value"], json!("21/131"));
    assert_eq!(o.winners[..2], ["A", "B"]);
    assert_eq!(o.winners.len(), 3);
}

#[test]
fn stv_tied_preferences_split_the_paper() {
    let mut e = Election::new(Method::Stv, &["A", "B", "C"]);
    e.push(Ballot::ranked(&[&["A", "B"]]).times(4));
    e.push(Ballot::ranked(&[&["C"]]).times(3));
    let o = count(&e);
    assert_eq!(o.details["rounds"][0]["totals"]["A"], json!(2));
    assert_eq!(o.details["rounds"][0]["totals"]["B"], json!(2));
    // Quota 4: nobody; B and A tied lowest at 2 with no earlier round: the lottery excludes one,
    // whose half paper goes to the other (4), who is elected.
    assert_eq!(o.winners.len(), 1);
    assert!(o.winners[0] == "A" || o.winners[0] == "B");
    assert!(o.tie_break.is_some());
}

#[test]
fn meek_agrees_on_a_simple_case() {
    let mut e = ranked(
        Method::Stv,
        &["A", "B", "C", "D"],
        &[
            (10, &["A", "B"]),
            (4, &["A", "C"]),
            (5, &["C"]),
            (6, &["D"]),
        ],
    );
    e.seats = 2;
    e.stv_variant = StvVariant::Meek;
    let o = count(&e);
    assert_eq!(o.winners, ["A", "C"]);
    assert_eq!(o.details["variant"], json!("meek"));
}

#[test]
fn meek_differs_from_scottish_when_surplus_flows_to_an_elected_candidate() {
    // Meek passes A's surplus through B (already elected) on to C; Scottish skips B.
    let mut e = ranked(
        Method::Stv,
        &["A", "B", "C", "D"],
        &[
            (12, &["A", "B", "C"]),
            (11, &["B"]),
            (6, &["C"]),
            (7, &["D"]),
        ],
    );
    e.seats = 3;
    let scottish = count(&e);
    e.stv_variant = StvVariant::Meek;
    let meek = count(&e);
    assert_eq!(scottish.winners.len(), 3);
    assert_eq!(meek.winners.len(), 3);
    assert!(meek.winners.contains(&"A".to_string()) && meek.winners.contains(&"B".to_string()));
}

#[test]
fn candidates_without_votes_are_excluded_together() {
    let e = ranked(
        Method::Irv,
        &["A", "B", "C", "D", "E"],
        &[(3, &["A"]), (2, &["B", "A"]), (2, &["C", "B"])],
    );
    let o = count(&e);
    assert_eq!(o.details["rounds"][0]["excluded"], json!(["D", "E"]));
    assert_eq!(
        o.ranking.last(),
        Some(&vec!["D".to_string(), "E".to_string()])
    );
    // B and C then tie at 2 with no earlier difference: the lottery excludes one, and only
    // that choice is reported.
    let tb = o.tie_break.expect("tie-break");
    assert_eq!(tb.choices.len(), 1);
    assert!(tb.choices[0].contains("among B, C") || tb.choices[0].contains("among C, B"));
    assert_eq!(o.winners, ["A"]);
}

#[test]
fn stv_exclusion_in_substages_elects_as_soon_as_the_quota_is_reached() {
    // 26 ballots, 2 seats, quota 9. A (10) is elected, surplus 1 at 1/10 goes to X (now 2).
    // X is excluded: first its own paper (value 1) lifts Y to 9 = quota, so Y is elected at
    // once; then A's papers (value 1/10) skip Y and go to Z.
    let mut e = ranked(
        Method::Stv,
        &["A", "X", "Y", "Z", "W"],
        &[
            (10, &["A", "X", "Y", "Z"]),
            (1, &["X", "Y"]),
            (8, &["Y"]),
            (3, &["Z"]),
            (4, &["W"]),
        ],
    );
    e.seats = 2;
    let o = count(&e);
    assert_eq!(o.details["quota"], json!(9));
    let rounds = o.details["rounds"].as_array().expect("rounds");
    let exclusion = rounds
        .iter()
        .find(|r| r["excluded"] == json!(["X"]))
        .expect("X excluded");
    assert_eq!(exclusion["transfer"]["to"]["Y"], json!(1));
    assert_eq!(exclusion["transfer"]["to"]["Z"], json!(1));
    assert_eq!(exclusion["elected"], json!(["Y"]));
    assert_eq!(o.winners, ["A", "Y"]);
}

#[test]
fn stv_with_colleges_uses_the_exact_droop_quota() {
    use fabrique_vote::Fraction;
    // Two colleges of 1/2: X has 1 ballot A>B, Y has 2 ballots B>C and 1 ballot C.
    // Weights: X ballots 1/2 each; Y ballots 1/6 each. T = 1, 2 seats: quota 1/3 (exceeded).
    let mut e = Election::new(Method::Stv, &["A", "B", "C"]);
    e.seats = 2;
    e.colleges = Some(
        [("X", "1/2"), ("Y", "1/2")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Fraction::parse(v).expect("fraction")))
            .collect(),
    );
    e.push(Ballot::order(&["A", "B"]).in_college("X"));
    e.push(Ballot::order(&["B", "C"]).times(2).in_college("Y"));
    e.push(Ballot::order(&["C"]).in_college("Y"));
    let o = count(&e);
    assert_eq!(o.details["quota"], json!("1/3"));
    assert_eq!(o.details["rounds"][0]["totals"]["A"], json!("1/2"));
    assert_eq!(o.details["rounds"][0]["totals"]["B"], json!("1/3"));
    // A exceeds 1/3 and is elected; its surplus 1/6 goes to B (1/2), which is elected.
    assert_eq!(o.winners, ["A", "B"]);
}
