//! Reconciliation suggestions: which unreconciled bank-account entry lines may match a
//! bank statement line.
//!
//! Score out of 100: 60 for the exact amount (else up to 20 when within 5 % with the same
//! sign), up to 25 for the date (full on the same day, nothing beyond 45 days), up to 15
//! for the label (share of common words, accents and case ignored). Candidates scoring
//! under [`MIN_SCORE`] are not suggested.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::BankLine;
use crate::amount::Cents;
use crate::dates::days_between;

/// Lowest score suggested.
pub const MIN_SCORE: u32 = 40;

/// An entry line on the bank account not yet reconciled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenLine {
    /// The caller's id of the entry line.
    pub id: String,
    /// Entry date.
    pub date: Date,
    /// Debit − credit on the bank account (positive: money in), as on the statement.
    pub amount: Cents,
    /// Entry or line label.
    pub label: String,
}

/// A suggested match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The candidate's id.
    pub id: String,
    /// Score out of 100.
    pub score: u32,
    /// Whether the amounts are equal.
    pub exact_amount: bool,
    /// Days between the statement line and the entry.
    pub days: i64,
}

fn fold(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ç' => 'c',
        c => c,
    }
}

fn words(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text
        .to_lowercase()
        .chars()
        .map(fold)
        .collect::<String>()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2)
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Label similarity in [0, 1]: Dice coefficient over distinct words.
pub fn label_similarity(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    let common = wa.iter().filter(|w| wb.contains(w)).count();
    2.0 * common as f64 / (wa.len() + wb.len()) as f64
}

/// The score of one candidate for one statement line.
pub fn score(line: &BankLine, candidate: &OpenLine) -> Suggestion {
    let exact = line.amount == candidate.amount;
    let amount_points = if exact {
        60.0
    } else if line.amount.signum() == candidate.amount.signum() && line.amount != 0 {
        let diff = (line.amount - candidate.amount).abs() as f64 / line.amount.abs() as f64;
        if diff < 0.05 {
            20.0 * (1.0 - diff / 0.05)
        } else {
            0.0
        }
    } else {
        0.0
    };
    let days = days_between(candidate.date, line.date);
    let date_points = 25.0 * (1.0 - days.abs() as f64 / 45.0).max(0.0);
    let label_points = 15.0 * label_similarity(&line.label, &candidate.label);
    Suggestion {
        id: candidate.id.clone(),
        score: (amount_points + date_points + label_points).round() as u32,
        exact_amount: exact,
        days,
    }
}

/// The best candidates for a statement line, best first (at most `max`, score ≥
/// [`MIN_SCORE`]); ties go to the nearer date.
pub fn suggest(line: &BankLine, candidates: &[OpenLine], max: usize) -> Vec<Suggestion> {
    let mut v: Vec<Suggestion> = candidates
        .iter()
        .map(|c| score(line, c))
        .filter(|s| s.score >= MIN_SCORE)
        .collect();
    v.sort_by(|a, b| b.score.cmp(&a.score).then(a.days.abs().cmp(&b.days.abs())));
    v.truncate(max);
    v
}

/// One-to-one matching, greedy by score: each statement line gets at most one candidate
/// and each candidate is used once. Returns, per statement line, the chosen candidate id.
pub fn match_greedy(lines: &[BankLine], candidates: &[OpenLine]) -> Vec<Option<String>> {
    let mut all: Vec<(u32, usize, usize)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        for (j, c) in candidates.iter().enumerate() {
            let s = score(l, c);
            if s.score >= MIN_SCORE {
                all.push((s.score, i, j));
            }
        }
    }
    all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out = vec![None; lines.len()];
    let mut used = vec![false; candidates.len()];
    for (_, i, j) in all {
        if out[i].is_none() && !used[j] {
            out[i] = Some(candidates[j].id.clone());
            used[j] = true;
        }
    }
    out
}
