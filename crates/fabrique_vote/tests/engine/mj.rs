//! Majority judgment from ballots.

use fabrique_vote::majority_judgment::{MeritProfile, compare};
use fabrique_vote::{Ballot, Election, Method, MissingGrade};
use num_bigint::BigUint;
use serde_json::json;
use std::cmp::Ordering;

use crate::common::{count, tiers};

#[test]
fn lower_median_and_tie_break_from_ballots() {
    let mut e = Election::new(Method::MajorityJudgment, &["Alice", "Bob", "Chloé"]);
    // Alice: Bien, Bien, Passable, Excellent → sorted P B B E, lower median Bien.
    // Bob: Bien ×2, Très bien, Insuffisant → I B B TB, lower median Bien.
    // Chloé: Passable everywhere.
    e.push(Ballot::grades(&[("Alice", "Bien"), ("Bob", "Bien"), ("Chloé", "Passable")]).times(2));
    e.push(Ballot::grades(&[
        ("Alice", "Passable"),
        ("Bob", "Très bien"),
        ("Chloé", "Passable"),
    ]));
    e.push(Ballot::grades(&[
        ("Alice", "Excellent"),
        ("Bob", "Insuffisant"),
        ("Chloé", "Passable"),
    ]));
    let o = count(&e);
    assert_eq!(o.details["majority_grades"]["Alice"], json!("Bien"));
    assert_eq!(o.details["majority_grades"]["Bob"], json!("Bien"));
    // Remove one Bien each: Alice P B E → Bien; Bob I B TB → Bien. Remove again: Alice P E →
    // Passable, Bob I TB → Insuffisant: Alice wins.
    assert_eq!(tiers(&o), [["Alice"], ["Bob"], ["Chloé"]]);
    assert_eq!(o.details["profiles"]["Alice"], json!([0, 0, 1, 0, 2, 0, 1]));
}

#[test]
fn missing_grades_worst_median_or_normalized() {
    let build = |mode| {
        let mut e = Election::new(Method::MajorityJudgment, &["A", "B"]);
        e.grades = vec!["bad".into(), "ok".into(), "good".into()];
        e.missing_grade = mode;
        e.push(Ballot::grades(&[("A", "good"), ("B", "ok")]).times(2));
        e.push(Ballot::grades(&[("B", "ok")]).times(3));
        e
    };
    // Worst: A = good ×2, bad ×3 → bad; B = ok ×5 → B wins.
    let o = count(&build(MissingGrade::Worst));
    assert_eq!(o.winners, ["B"]);
    assert_eq!(o.details["majority_grades"]["A"], json!("bad"));
    // Median or normalized: A = good → A wins.
    for m in [MissingGrade::Median, MissingGrade::Normalized] {
        let o = count(&build(m));
        assert_eq!(o.winners, ["A"], "{m:?}");
        assert_eq!(o.details["majority_grades"]["A"], json!("good"));
    }
}

#[test]
fn identical_profiles_tie_exactly() {
    let mut e = Election::new(Method::MajorityJudgment, &["A", "B"]);
    e.push(Ballot::grades(&[("A", "Bien"), ("B", "Bien")]));
    e.push(Ballot::grades(&[("A", "Passable"), ("B", "Passable")]));
    let o = count(&e);
    assert_eq!(tiers(&o), vec![vec!["A", "B"]]);
    assert_eq!(o.winners.len(), 1);
    assert!(o.tie_break.is_some());
}

fn naive(a: &[u64], b: &[u64]) -> Ordering {
    // Reference: expand judgments and remove lower medians one at a time.
    let expand = |p: &[u64]| -> Vec<usize> {
        p.iter()
            .enumerate()
            .flat_map(|(g, &c)| std::iter::repeat_n(g, c as usize))
            .collect()
    };
    let (mut x, mut y) = (expand(a), expand(b));
    while !x.is_empty() {
        let m = (x.len() - 1) / 2;
        match x[m].cmp(&y[m]) {
            Ordering::Equal => {
                x.remove(m);
                y.remove(m);
            }
            o => return o,
        }
    }
    Ordering::Equal
}

#[test]
fn block_comparison_matches_one_by_one_removal() {
    // Exhaustive over small profiles of 3 grades and 6 judgments.
    let mut profiles = Vec::new();
    for a in 0..=6u64 {
        for b in 0..=(6 - a) {
            profiles.push([a, b, 6 - a - b]);
        }
    }
    for p in &profiles {
        for q in &profiles {
            let big = |v: &[u64; 3]| MeritProfile(v.iter().map(|&c| BigUint::from(c)).collect());
            assert_eq!(compare(&big(p), &big(q)), naive(p, q), "{p:?} vs {q:?}");
        }
    }
}

#[test]
fn unequal_totals_are_compared_after_scaling() {
    // [0, 1] (1 judgment: good) against [1, 1] (bad, good → lower median bad).
    let a = MeritProfile(vec![BigUint::from(0u32), BigUint::from(1u32)]);
    let b = MeritProfile(vec![BigUint::from(1u32), BigUint::from(1u32)]);
    assert_eq!(compare(&a, &b), Ordering::Greater);
    assert_eq!(compare(&b, &a), Ordering::Less);
    // Same distribution, different totals: an exact tie.
    let c = MeritProfile(vec![BigUint::from(2u32), BigUint::from(2u32)]);
    assert_eq!(compare(&b, &c), Ordering::Equal);
}
