//! Malformed input: one clear line naming the ballot and the problem.

use fabrique_vote::{Election, TallyError, tally};

fn error(json: &str) -> String {
    match Election::from_json(json) {
        Err(e) => e.to_string(),
        Ok(e) => tally(&e).expect_err("should be refused").to_string(),
    }
}

#[test]
fn unknown_candidate_names_the_ballot() {
    let msg = error(
        r#"{"method": "schulze", "candidates": ["A", "B"],
            "ballots": [{"ranking": ["A"]}, {"ranking": [["B"], ["Zoé"]]}]}"#,
    );
    assert_eq!(msg, r#"ballot 2: unknown candidate "Zoé""#);
}

#[test]
fn candidate_twice_in_a_ranking() {
    let msg = error(
        r#"{"method": "irv", "candidates": ["A", "B"], "ballots": [{"ranking": ["A", ["B", "A"]]}]}"#,
    );
    assert_eq!(
        msg,
        r#"ballot 1: candidate "A" appears twice in the ranking"#
    );
}

#[test]
fn negative_count() {
    let msg = error(
        r#"{"method": "motion", "ballots": [{"choice": "for"}, {"choice": "for", "count": -3}]}"#,
    );
    assert_eq!(msg, "ballot 2: negative count -3");
}

#[test]
fn unknown_grade_and_method() {
    let msg = error(
        r#"{"method": "majority_judgment", "candidates": ["A"], "ballots": [{"grades": {"A": "Super"}}]}"#,
    );
    assert_eq!(msg, r#"ballot 1: unknown grade "Super""#);
    let msg = error(r#"{"method": "dictator", "candidates": ["A"]}"#);
    assert!(msg.contains("unknown variant `dictator`"), "{msg}");
    assert!(
        "dictator"
            .parse::<fabrique_vote::Method>()
            .expect_err("unknown")
            .to_string()
            .starts_with("unknown method \"dictator\"")
    );
}

#[test]
fn college_shares_must_sum_to_one_and_stay_in_bounds() {
    let msg =
        error(r#"{"method": "motion", "colleges": {"a": "1/2", "b": "3/10"}, "ballots": []}"#);
    assert_eq!(msg, "college shares sum to 4/5, not 1");
    let msg = error(
        r#"{"method": "motion", "colleges": {"a": "1/2", "b": "9/20", "c": "1/20"}, "ballots": []}"#,
    );
    assert_eq!(msg, r#"college "c" has share 1/20, outside [1/10, 1/2]"#);
    let msg = error(
        r#"{"method": "motion", "colleges": {"a": "1/2", "b": "1/2"},
            "ballots": [{"choice": "for", "college": "a"}, {"choice": "for", "college": "z"}]}"#,
    );
    assert_eq!(msg, r#"ballot 2: unknown college "z""#);
}

#[test]
fn wrong_shape_for_the_method() {
    let msg =
        error(r#"{"method": "approval", "candidates": ["A"], "ballots": [{"ranking": ["A"]}]}"#);
    assert!(
        msg.starts_with("ballot 1: wrong shape for approval (has ranking; expected"),
        "{msg}"
    );
    let msg = error(r#"{"method": "motion", "ballots": [{"choice": "maybe"}]}"#);
    assert!(
        msg.starts_with(r#"ballot 1: unknown choice "maybe""#),
        "{msg}"
    );
    let msg = error(r#"{"method": "motion", "ballots": [{"choice": "for", "rankng": 1}]}"#);
    assert!(msg.starts_with("ballot 1: unknown field `rankng`"), "{msg}");
}

#[test]
fn bad_json_gives_line_and_column() {
    let err =
        Election::from_json("{\n  \"method\": \"motion\",\n  \"ballots\": [\n}").expect_err("bad");
    assert!(matches!(err, TallyError::Json(_)));
    let msg = err.to_string();
    assert!(msg.contains("line 4 column 1"), "{msg}");
    assert!(!msg.contains('\n'));
}

#[test]
fn qualified_majority_needs_a_fraction() {
    let msg = error(r#"{"method": "motion", "rule": {"majority": "qualified"}, "ballots": []}"#);
    assert_eq!(msg, "a qualified majority needs a \"fraction\"");
}

#[test]
fn seats_must_fit() {
    let msg = error(r#"{"method": "stv", "candidates": ["A", "B"], "seats": 3, "ballots": []}"#);
    assert!(
        msg.starts_with("seats must be between 1 and the number of candidates (2)"),
        "{msg}"
    );
}

#[test]
fn fractions_are_exact() {
    use fabrique_vote::Fraction;
    assert_eq!(Fraction::parse("0.3"), Some(Fraction::new(3, 10)));
    assert_eq!(Fraction::parse("2/3"), Some(Fraction::new(2, 3)));
    assert_eq!(Fraction::parse("1/0"), None);
    assert_eq!(Fraction::parse("-1/2"), None);
    let e = Election::from_json(
        r#"{"method": "motion", "quorum": 0.3, "electorate": 10,
        "ballots": [{"choice": "for", "count": 3}]}"#,
    )
    .expect("valid");
    assert_eq!(e.quorum, Some(Fraction::new(3, 10)));
    assert!(tally(&e).expect("count").quorum_reached); // 3 ≥ 3 exactly
}

#[test]
fn invalid_counts() {
    let msg = error(r#"{"method": "motion", "ballots": [{"choice": "for", "count": 1.5}]}"#);
    assert_eq!(msg, "ballot 1: invalid count 1.5 (expected a whole number)");
    let msg = error(r#"{"method": "motion", "ballots": [{"choice": "for", "count": "3"}]}"#);
    assert_eq!(
        msg,
        "ballot 1: invalid count \"3\" (expected a whole number)"
    );
}
