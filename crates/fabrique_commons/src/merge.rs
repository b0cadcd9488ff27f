//! Three-way merge of document contents, field by field.

use serde::{Deserialize, Serialize};
use similar::{Algorithm, DiffOp, MergeResolution, TextMerge};
use std::collections::HashSet;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// Texts larger than this (all three sides, in bytes) are merged by a time-budgeted
/// line-level diff3 instead of `TextMerge`, whose cost is not bounded.
const LARGE_MERGE_BYTES: usize = 64 * 1024;
/// Time budget for diffing large texts against their base.
const MERGE_DEADLINE: Duration = Duration::from_millis(400);

use crate::diff::ListItem;
use crate::model::Content;

/// One field that both sides changed in incompatible ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// The field (`title`, `body`, `steps`, `license`…).
    pub field: String,
    /// The conflicting region (or value) in the common ancestor.
    pub base: String,
    /// The region on our side (the edit being saved, or the fork).
    pub ours: String,
    /// The region on their side (the latest revision, or upstream).
    pub theirs: String,
}

/// The result of a three-way merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum MergeOutcome {
    /// Every change merged.
    Clean(Content),
    /// Some changes overlap. `merged_with_markers` holds everything that merged, with
    /// git-style conflict markers (`<<<<<<< ours`, `=======`, `>>>>>>> theirs`) in text
    /// fields; single-valued and list fields keep our side where they conflict.
    Conflict {
        /// The merge with conflict markers.
        merged_with_markers: Content,
        /// Every conflict, field by field.
        conflicts: Vec<FieldConflict>,
    },
}

impl MergeOutcome {
    /// Whether the merge is clean.
    pub fn is_clean(&self) -> bool {
        matches!(self, MergeOutcome::Clean(_))
    }

    /// The merged content (with markers if conflicted).
    pub fn content(&self) -> &Content {
        match self {
            MergeOutcome::Clean(c) => c,
            MergeOutcome::Conflict {
                merged_with_markers,
                ..
            } => merged_with_markers,
        }
    }
}

/// A region of a generic three-way merge over slices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge3Region<'a, T> {
    /// Resolved items.
    Resolved(Vec<&'a T>),
    /// Both sides changed this region differently.
    Conflict {
        /// Items in the ancestor.
        base: &'a [T],
        /// Items on our side.
        ours: &'a [T],
        /// Items on their side.
        theirs: &'a [T],
    },
}

fn matches<T: Hash + Eq>(base: &[T], side: &[T]) -> Vec<Option<usize>> {
    matches_from_ops(
        base.len(),
        &similar::capture_diff_slices(Algorithm::Myers, base, side),
    )
}

fn matches_from_ops(base_len: usize, ops: &[DiffOp]) -> Vec<Option<usize>> {
    let mut m = vec![None; base_len];
    for op in ops.iter().copied() {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                m[old_index + k] = Some(new_index + k);
            }
        }
    }
    m
}

/// A diff3 merge of three slices: regions stable on both sides are kept, a region only
/// one side changed takes that side, identical changes merge, others conflict.
pub fn merge_slices<'a, T: Hash + Eq>(
    base: &'a [T],
    ours: &'a [T],
    theirs: &'a [T],
) -> Vec<Merge3Region<'a, T>> {
    merge_with_matches(
        base,
        ours,
        theirs,
        matches(base, ours),
        matches(base, theirs),
    )
}

fn merge_with_matches<'a, T: Hash + Eq>(
    base: &'a [T],
    ours: &'a [T],
    theirs: &'a [T],
    mo: Vec<Option<usize>>,
    mt: Vec<Option<usize>>,
) -> Vec<Merge3Region<'a, T>> {
    let mut regions: Vec<Merge3Region<'a, T>> = Vec::new();
    let push_resolved = |regions: &mut Vec<Merge3Region<'a, T>>, items: &'a [T]| {
        if items.is_empty() {
            return;
        }
        if let Some(Merge3Region::Resolved(v)) = regions.last_mut() {
            v.extend(items.iter());
        } else {
            regions.push(Merge3Region::Resolved(items.iter().collect()));
        }
    };
    let (mut i, mut o, mut t) = (0usize, 0usize, 0usize);
    loop {
        // Stable run.
        while i < base.len() && mo[i] == Some(o) && mt[i] == Some(t) {
            push_resolved(&mut regions, &base[i..i + 1]);
            i += 1;
            o += 1;
            t += 1;
        }
        // Next anchor matched on both sides.
        let mut j = i;
        while j < base.len() && !(mo[j].is_some() && mt[j].is_some()) {
            j += 1;
        }
        let (oe, te) = if j < base.len() {
            (mo[j].unwrap_or(ours.len()), mt[j].unwrap_or(theirs.len()))
        } else {
            (ours.len(), theirs.len())
        };
        let (b, ou, th) = (&base[i..j], &ours[o..oe], &theirs[t..te]);
        if !(b.is_empty() && ou.is_empty() && th.is_empty()) {
            if ou == b {
                push_resolved(&mut regions, th);
            } else if th == b || ou == th {
                push_resolved(&mut regions, ou);
            } else {
                regions.push(Merge3Region::Conflict {
                    base: b,
                    ours: ou,
                    theirs: th,
                });
            }
        }
        if j >= base.len() {
            break;
        }
        i = j;
        o = oe;
        t = te;
    }
    regions
}

fn word_tokens(s: &str) -> Vec<&str> {
    // Runs of alphanumerics, runs of whitespace, single other characters.
    let mut out = Vec::new();
    let mut start = 0;
    let mut class = 0u8;
    for (i, c) in s.char_indices() {
        let k = if c.is_alphanumeric() {
            1
        } else if c.is_whitespace() {
            2
        } else {
            3
        };
        if i > start && (k != class || k == 3) {
            out.push(&s[start..i]);
            start = i;
        }
        class = k;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Three-way merge of words. Returns the merged text, or `None` on conflict.
/// `None` on conflict, or when `deadline` has already passed (too much merging already).
fn merge_words(base: &str, ours: &str, theirs: &str, deadline: Instant) -> Option<String> {
    if Instant::now() >= deadline {
        return None;
    }
    let (b, o, t) = (word_tokens(base), word_tokens(ours), word_tokens(theirs));
    let mut out = String::with_capacity(ours.len().max(theirs.len()));
    let deadline = Some(deadline);
    let mo = matches_from_ops(
        b.len(),
        &similar::capture_diff_slices_deadline(Algorithm::Myers, &b, &o, deadline),
    );
    let mt = matches_from_ops(
        b.len(),
        &similar::capture_diff_slices_deadline(Algorithm::Myers, &b, &t, deadline),
    );
    for region in merge_with_matches(&b, &o, &t, mo, mt) {
        match region {
            Merge3Region::Resolved(items) => items.iter().for_each(|s| out.push_str(s)),
            Merge3Region::Conflict { .. } => return None,
        }
    }
    Some(out)
}

fn is_single_paragraph(s: &str) -> bool {
    !s.lines().any(|l| l.trim().is_empty()) || s.trim().is_empty()
}

fn lines<'a>(range: std::ops::Range<usize>, f: impl Fn(usize) -> Option<&'a str>) -> String {
    range.filter_map(f).collect()
}

fn push_conflict(text: &mut String, o: &str, t: &str) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("<<<<<<< ours\n");
    text.push_str(o);
    if !o.is_empty() && !o.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("=======\n");
    text.push_str(t);
    if !t.is_empty() && !t.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(">>>>>>> theirs\n");
}

/// Line-level diff3 for large texts, with a time budget on the two diffs against the
/// base: past it the diffs are less minimal, which can only add conflicts, never make a
/// wrong merge; so merging very different large texts stays bounded in time.
/// Conflicting single paragraphs are retried word by word, as in [`merge_text`].
fn merge_large_text(base: &str, ours: &str, theirs: &str) -> TextMergeResult {
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let o: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let start = Instant::now();
    let deadline = Some(start + MERGE_DEADLINE);
    let words_deadline = start + 2 * MERGE_DEADLINE;
    let ops_o = similar::capture_diff_slices_deadline(Algorithm::Myers, &b, &o, deadline);
    let ops_t = similar::capture_diff_slices_deadline(Algorithm::Myers, &b, &t, deadline);
    let mo = matches_from_ops(b.len(), &ops_o);
    let mt = matches_from_ops(b.len(), &ops_t);
    let mut text = String::with_capacity(ours.len().max(theirs.len()));
    let mut conflicts = Vec::new();
    for region in merge_with_matches(&b, &o, &t, mo, mt) {
        match region {
            Merge3Region::Resolved(lines) => lines.iter().for_each(|l| text.push_str(l)),
            Merge3Region::Conflict { base, ours, theirs } => {
                let (b, o, t) = (base.concat(), ours.concat(), theirs.concat());
                if is_single_paragraph(&b)
                    && is_single_paragraph(&o)
                    && is_single_paragraph(&t)
                    && let Some(m) = merge_words(&b, &o, &t, words_deadline)
                {
                    text.push_str(&m);
                    continue;
                }
                push_conflict(&mut text, &o, &t);
                conflicts.push((b, o, t));
            }
        }
    }
    TextMergeResult { text, conflicts }
}

/// Result of a text merge: the text (with markers where conflicted) and the conflicts
/// as `(base, ours, theirs)` regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMergeResult {
    /// Merged text, with conflict markers around unresolved regions.
    pub text: String,
    /// Unresolved regions: `(base, ours, theirs)`.
    pub conflicts: Vec<(String, String, String)>,
}

/// Three-way merge of a text: line level (similar's `TextMerge`; above 64 KB, an
/// equivalent diff3 whose diffs have a time budget); a conflicting region that is a
/// single paragraph on all three sides is retried word by word, so edits to different
/// sentences of a long paragraph merge.
pub fn merge_text(base: &str, ours: &str, theirs: &str) -> TextMergeResult {
    if ours == theirs || theirs == base {
        return TextMergeResult {
            text: ours.to_string(),
            conflicts: vec![],
        };
    }
    if ours == base {
        return TextMergeResult {
            text: theirs.to_string(),
            conflicts: vec![],
        };
    }
    if base.len() + ours.len() + theirs.len() > LARGE_MERGE_BYTES {
        return merge_large_text(base, ours, theirs);
    }
    let words_deadline = Instant::now() + MERGE_DEADLINE;
    let merge = TextMerge::from_lines(base, ours, theirs);
    let mut text = String::with_capacity(ours.len().max(theirs.len()));
    let mut conflicts = Vec::new();
    for region in merge.regions() {
        match region.resolution() {
            MergeResolution::Theirs => {
                text.push_str(&lines(region.theirs_range(), |i| merge.theirs_line(i)))
            }
            MergeResolution::Conflict => {
                let b = lines(region.base_range(), |i| merge.base_line(i));
                let o = lines(region.ours_range(), |i| merge.ours_line(i));
                let t = lines(region.theirs_range(), |i| merge.theirs_line(i));
                if is_single_paragraph(&b)
                    && is_single_paragraph(&o)
                    && is_single_paragraph(&t)
                    && let Some(m) = merge_words(&b, &o, &t, words_deadline)
                {
                    text.push_str(&m);
                    continue;
                }
                push_conflict(&mut text, &o, &t);
                conflicts.push((b, o, t));
            }
            _ => text.push_str(&lines(region.ours_range(), |i| merge.ours_line(i))),
        }
    }
    TextMergeResult { text, conflicts }
}

fn merge_scalar<T: PartialEq + Clone + ToString>(
    field: &str,
    base: &T,
    ours: &T,
    theirs: &T,
    conflicts: &mut Vec<FieldConflict>,
) -> T {
    if ours == theirs || theirs == base {
        ours.clone()
    } else if ours == base {
        theirs.clone()
    } else {
        conflicts.push(FieldConflict {
            field: field.into(),
            base: base.to_string(),
            ours: ours.to_string(),
            theirs: theirs.to_string(),
        });
        ours.clone()
    }
}

fn merge_line_field(
    field: &str,
    base: &str,
    ours: &str,
    theirs: &str,
    conflicts: &mut Vec<FieldConflict>,
) -> String {
    if ours == theirs || theirs == base {
        return ours.to_string();
    }
    if ours == base {
        return theirs.to_string();
    }
    merge_words(base, ours, theirs, Instant::now() + MERGE_DEADLINE).unwrap_or_else(|| {
        conflicts.push(FieldConflict {
            field: field.into(),
            base: base.into(),
            ours: ours.into(),
            theirs: theirs.into(),
        });
        ours.to_string()
    })
}

fn merge_prose(
    field: &str,
    base: &str,
    ours: &str,
    theirs: &str,
    conflicts: &mut Vec<FieldConflict>,
) -> String {
    let r = merge_text(base, ours, theirs);
    for (b, o, t) in r.conflicts {
        conflicts.push(FieldConflict {
            field: field.into(),
            base: b,
            ours: o,
            theirs: t,
        });
    }
    r.text
}

fn merge_list<T: ListItem>(
    field: &str,
    base: &[T],
    ours: &[T],
    theirs: &[T],
    conflicts: &mut Vec<FieldConflict>,
) -> Vec<T> {
    if ours == theirs || theirs == base {
        return ours.to_vec();
    }
    if ours == base {
        return theirs.to_vec();
    }
    let join = |items: &[T]| {
        items
            .iter()
            .map(ListItem::item_text)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut out = Vec::new();
    for region in merge_slices(base, ours, theirs) {
        match region {
            Merge3Region::Resolved(items) => out.extend(items.into_iter().cloned()),
            Merge3Region::Conflict { base, ours, theirs } => {
                conflicts.push(FieldConflict {
                    field: field.into(),
                    base: join(base),
                    ours: join(ours),
                    theirs: join(theirs),
                });
                out.extend(ours.iter().cloned());
            }
        }
    }
    out
}

/// Set merge of tags: a tag is kept if present in ours or theirs and not removed by
/// either side; our order first, then tags only they added. Never conflicts.
pub fn merge_tags(base: &[String], ours: &[String], theirs: &[String]) -> Vec<String> {
    let b: HashSet<&String> = base.iter().collect();
    let o: HashSet<&String> = ours.iter().collect();
    let t: HashSet<&String> = theirs.iter().collect();
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for tag in ours.iter().chain(theirs.iter()) {
        let removed = b.contains(tag) && (!o.contains(tag) || !t.contains(tag));
        if !removed && seen.insert(tag) {
            out.push(tag.clone());
        }
    }
    out
}

/// Three-way merge of two edits (`ours`, `theirs`) of a common ancestor `base`, field
/// by field: single-valued fields take the side that changed (conflict if both changed
/// differently); the title merges word by word; prose merges line by line (word by word
/// inside a paragraph); lists merge item by item; tags merge as sets.
pub fn merge(base: &Content, ours: &Content, theirs: &Content) -> MergeOutcome {
    if ours == theirs || theirs == base {
        return MergeOutcome::Clean(ours.clone());
    }
    if ours == base {
        return MergeOutcome::Clean(theirs.clone());
    }
    let mut c = Vec::new();
    let (bf, of, tf) = (&base.fields, &ours.fields, &theirs.fields);
    let mut merged = ours.clone();
    merged.kind = merge_scalar("kind", &base.kind, &ours.kind, &theirs.kind, &mut c);
    merged.title = merge_line_field("title", &base.title, &ours.title, &theirs.title, &mut c);
    merged.license = merge_scalar(
        "license",
        &base.license,
        &ours.license,
        &theirs.license,
        &mut c,
    );
    merged.visibility = merge_scalar(
        "visibility",
        &base.visibility,
        &ours.visibility,
        &theirs.visibility,
        &mut c,
    );
    merged.tags = merge_tags(&base.tags, &ours.tags, &theirs.tags);
    merged.body = merge_prose("body", &base.body, &ours.body, &theirs.body, &mut c);
    let m = &mut merged.fields;
    m.summary = merge_prose("summary", &bf.summary, &of.summary, &tf.summary, &mut c);
    m.context = merge_prose("context", &bf.context, &of.context, &tf.context, &mut c);
    m.ingredients = merge_list(
        "ingredients",
        &bf.ingredients,
        &of.ingredients,
        &tf.ingredients,
        &mut c,
    );
    m.utensils = merge_list("utensils", &bf.utensils, &of.utensils, &tf.utensils, &mut c);
    m.steps = merge_list("steps", &bf.steps, &of.steps, &tf.steps, &mut c);
    m.produces = merge_prose("produces", &bf.produces, &of.produces, &tf.produces, &mut c);
    m.difficulties = merge_prose(
        "difficulties",
        &bf.difficulties,
        &of.difficulties,
        &tf.difficulties,
        &mut c,
    );
    m.tips = merge_prose("tips", &bf.tips, &of.tips, &tf.tips, &mut c);
    m.local_variants = merge_prose(
        "local_variants",
        &bf.local_variants,
        &of.local_variants,
        &tf.local_variants,
        &mut c,
    );
    if c.is_empty() {
        MergeOutcome::Clean(merged)
    } else {
        MergeOutcome::Conflict {
            merged_with_markers: merged,
            conflicts: c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_merge_like_diff3() {
        let b = ["a", "b", "c", "d"];
        let o = ["a", "B", "c", "d"];
        let t = ["a", "b", "c", "D"];
        let r: Vec<&str> = merge_slices(&b, &o, &t)
            .into_iter()
            .flat_map(|r| match r {
                Merge3Region::Resolved(v) => v.into_iter().copied().collect::<Vec<_>>(),
                Merge3Region::Conflict { .. } => panic!("conflict"),
            })
            .collect();
        assert_eq!(r, ["a", "B", "c", "D"]);
        let t2 = ["a", "X", "c", "d"];
        assert!(
            merge_slices(&b, &o, &t2)
                .iter()
                .any(|r| matches!(r, Merge3Region::Conflict { .. }))
        );
    }

    #[test]
    fn words_merge_inside_a_paragraph() {
        let base = "Le repair café a lieu le samedi matin dans la salle des fêtes.\n";
        let ours = "Le repair café a lieu le premier samedi matin dans la salle des fêtes.\n";
        let theirs = "Le repair café a lieu le samedi matin dans la grande salle des fêtes.\n";
        let r = merge_text(base, ours, theirs);
        assert!(r.conflicts.is_empty());
        assert_eq!(
            r.text,
            "Le repair café a lieu le premier samedi matin dans la grande salle des fêtes.\n"
        );
    }

    #[test]
    fn overlapping_lines_conflict_with_markers() {
        let r = merge_text("a\n\nb\n", "a\n\nB1\n", "a\n\nB2\n");
        assert_eq!(
            r.text,
            "a\n\n<<<<<<< ours\nB1\n=======\nB2\n>>>>>>> theirs\n"
        );
        assert_eq!(
            r.conflicts,
            vec![("b\n".into(), "B1\n".into(), "B2\n".into())]
        );
    }
}
