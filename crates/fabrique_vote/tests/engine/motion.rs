//! Motions (majorities, bases, quorum, SCIC colleges) and consent.

use std::collections::BTreeMap;

use fabrique_vote::{Ballot, Base, Election, Fraction, Majority, Method, QuorumBy, Rule};
use serde_json::json;

use crate::common::count;

fn motion(for_: i64, against: i64, abstain: i64) -> Election {
    let mut e = Election::new(Method::Motion, &[]);
    e.push(Ballot::choice("for").times(for_));
    e.push(Ballot::choice("against").times(against));
    e.push(Ballot::choice("abstain").times(abstain));
    e
}

fn qualified(fraction: &str, base: Base) -> Rule {
    Rule {
        majority: Majority::Qualified,
        fraction: Fraction::parse(fraction),
        base,
    }
}

#[test]
fn two_thirds_of_300_is_exactly_200() {
    let mut e = motion(200, 100, 7);
    e.rule = qualified("2/3", Base::Expressed);
    let o = count(&e);
    assert_eq!(o.passed, Some(true));
    assert_eq!(o.details["threshold"], json!(200));
    assert_eq!(o.details["expressed"], json!(300));
    assert_eq!(o.details["for_share"], json!("2/3"));
    assert!(o.valid);
    assert!(o.ranking.is_empty() && o.winners.is_empty());

    let mut e = motion(199, 101, 0);
    e.rule = qualified("2/3", Base::Expressed);
    let o = count(&e);
    assert_eq!(o.passed, Some(false));
    assert_eq!(o.details["for_share"], json!("199/300"));
}

#[test]
fn simple_and_absolute_majorities() {
    // Abstentions are not expressed: 10 for, 9 against, 50 abstain passes a simple majority.
    let e = motion(10, 9, 50);
    assert_eq!(count(&e).passed, Some(true));
    // A tie fails.
    assert_eq!(count(&motion(10, 10, 0)).passed, Some(false));
    // Absolute: more than half of expressed votes; exactly half fails.
    let mut e = motion(10, 10, 0);
    e.rule.majority = Majority::Absolute;
    assert_eq!(count(&e).passed, Some(false));
    let mut e = motion(11, 10, 0);
    e.rule.majority = Majority::Absolute;
    assert_eq!(count(&e).passed, Some(true));
}

#[test]
fn bases_present_and_electorate() {
    // 60 for, 20 against, 20 abstain; 120 present, 150 in the electorate.
    let mut e = motion(60, 20, 20);
    e.present = Fraction::parse("120");
    e.electorate = Fraction::parse("150");
    e.rule = Rule {
        majority: Majority::Absolute,
        fraction: None,
        base: Base::Present,
    };
    assert_eq!(count(&e).passed, Some(false)); // 60 is not > 60
    e.rule = qualified("1/2", Base::Present);
    assert_eq!(count(&e).passed, Some(true)); // 60 ≥ 60
    e.rule = qualified("2/5", Base::Electorate);
    assert_eq!(count(&e).passed, Some(true)); // 60 ≥ 60
    e.rule = qualified("1/2", Base::Electorate);
    let o = count(&e);
    assert_eq!(o.passed, Some(false)); // 60 < 75
    assert_eq!(o.details["threshold"], json!(75));
}

#[test]
fn missed_quorum_is_invalid_not_rejected() {
    let mut e = motion(20, 1, 3);
    e.electorate = Fraction::parse("100");
    e.quorum = Fraction::parse("1/4");
    let o = count(&e);
    assert!(!o.valid);
    assert!(!o.quorum_reached);
    assert_eq!(o.passed, Some(false));
    assert_eq!(o.details["quorum"]["required"], json!(25));
    assert_eq!(o.details["quorum"]["participation"], json!(24));
    // One more participant, even abstaining, reaches it.
    e.push(Ballot::choice("blank"));
    let o = count(&e);
    assert!(o.valid && o.quorum_reached);
    assert_eq!(o.passed, Some(true));
}

#[test]
fn quorum_by_weight() {
    let mut e = Election::new(Method::Motion, &[]);
    e.push(Ballot::choice("for").weighted(Fraction::new(3, 1)));
    e.push(Ballot::choice("against"));
    e.electorate = Fraction::parse("10");
    e.quorum = Fraction::parse("2/5");
    e.quorum_by = QuorumBy::Weight;
    let o = count(&e);
    assert!(o.quorum_reached); // weight 4 ≥ 4
    assert_eq!(o.passed, Some(true));
    e.quorum_by = QuorumBy::Count;
    assert!(!count(&e).quorum_reached); // 2 < 4
}

fn scic() -> Election {
    let mut e = Election::new(Method::Motion, &[]);
    let shares: BTreeMap<String, Fraction> = [
        ("salariés", "3/10"),
        ("usagers", "3/10"),
        ("producteurs", "1/4"),
        ("collectivités", "3/20"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Fraction::parse(v).expect("fraction")))
    .collect();
    e.colleges = Some(shares);
    let mut add = |college: &str, choice: &str, n: i64| {
        e.push(Ballot::choice(choice).times(n).in_college(college));
    };
    add("salariés", "for", 8);
    add("salariés", "against", 2);
    add("usagers", "for", 10);
    add("usagers", "against", 30);
    add("producteurs", "for", 3);
    add("producteurs", "against", 1);
    add("producteurs", "abstain", 2);
    add("collectivités", "against", 2);
    e
}

#[test]
fn scic_colleges_30_30_25_15() {
    // Headcount: 21 for, 35 against. Weighted: 3/10·8/10 + 3/10·1/4 + 1/4·3/4 + 0 = 201/400.
    let o = count(&scic());
    assert_eq!(o.passed, Some(true));
    assert_eq!(o.details["weighted"]["for"], json!("201/400"));
    assert_eq!(o.details["weighted"]["against"], json!("199/400"));
    assert_eq!(o.details["totals"]["for"], json!(21));
    assert_eq!(o.details["totals"]["against"], json!(35));
    assert_eq!(o.details["colleges"]["usagers"]["score"], json!("1/4"));
    assert_eq!(o.details["colleges"]["producteurs"]["expressed"], json!(4));
    let mut e = scic();
    e.rule = qualified("2/3", Base::Expressed);
    assert_eq!(count(&e).passed, Some(false));
    let mut e = scic();
    e.rule.majority = Majority::Absolute;
    assert_eq!(count(&e).passed, Some(true)); // 201/400 > 1/2
}

#[test]
fn empty_college_share_is_redistributed() {
    let mut e = scic();
    e.ballots
        .retain(|b| b.college.as_deref() != Some("collectivités"));
    // Shares become 6/17, 6/17, 5/17: for = 6/17·4/5 + 6/17·1/4 + 5/17·3/4 = 201/340.
    let o = count(&e);
    assert_eq!(o.details["weighted"]["for"], json!("201/340"));
    assert_eq!(
        o.details["colleges"]["usagers"]["effective_share"],
        json!("6/17")
    );
    assert_eq!(
        o.details["colleges"]["collectivités"]["effective_share"],
        json!("0")
    );
    // Without redistribution the share is lost: for = 201/400 of a base of 1.
    e.college_redistribution = false;
    let o = count(&e);
    assert_eq!(o.details["weighted"]["for"], json!("201/400"));
    assert_eq!(o.details["base"], json!(1));
}

#[test]
fn consent_blocks_on_objection_and_records_stand_aside() {
    let e = Election::from_json(
        r#"{"method": "consent", "ballots": [
            {"consent": true, "count": 5},
            {"stand_aside": "not my field"}
        ]}"#,
    )
    .expect("valid");
    let o = count(&e);
    assert_eq!(o.passed, Some(true));
    assert_eq!(o.details["stand_asides"], json!(["not my field"]));
    assert_eq!(o.details["consents"], json!(5));
    let e = Election::from_json(
        r#"{"method": "consent", "ballots": [
            {"consent": true},
            {"objection": "the budget is not funded"}
        ]}"#,
    )
    .expect("valid");
    let o = count(&e);
    assert_eq!(o.passed, Some(false));
    assert_eq!(o.details["objections"], json!(["the budget is not funded"]));
}

#[test]
fn objection_without_reason_is_refused() {
    let e = Election::from_json(
        r#"{"method": "consent", "ballots": [{"consent": true}, {"objection": "  "}]}"#,
    )
    .expect("parses");
    let err = fabrique_vote::tally(&e).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "ballot 2: an objection must carry a reason"
    );
}
