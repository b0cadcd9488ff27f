//! Field-by-field diffs of document contents, word level inside prose, with a
//! serialisable representation that is also a patch ([`apply`]).

use serde::{Deserialize, Serialize};
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};
use std::hash::Hash;
use std::time::{Duration, Instant};

use crate::license::License;
use crate::model::{Content, DocumentKind, Ingredient, Visibility};

/// Time budget for one diff; past it the diff is still exact (applying it gives the
/// target) but less minimal. Ordinary revisions diff in well under a millisecond.
const DIFF_DEADLINE: Duration = Duration::from_millis(500);

/// One operation of a text diff. In JSON: `{"op": "equal", "text": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum TextOp {
    /// Text present in both versions.
    Equal(String),
    /// Text only in the new version.
    Insert(String),
    /// Text only in the old version.
    Delete(String),
}

impl TextOp {
    /// The text of this operation.
    pub fn text(&self) -> &str {
        match self {
            TextOp::Equal(t) | TextOp::Insert(t) | TextOp::Delete(t) => t,
        }
    }
}

fn push_op(ops: &mut Vec<TextOp>, tag: ChangeTag, text: &str) {
    if text.is_empty() {
        return;
    }
    match (ops.last_mut(), tag) {
        (Some(TextOp::Equal(t)), ChangeTag::Equal)
        | (Some(TextOp::Insert(t)), ChangeTag::Insert)
        | (Some(TextOp::Delete(t)), ChangeTag::Delete) => t.push_str(text),
        _ => ops.push(match tag {
            ChangeTag::Equal => TextOp::Equal(text.to_string()),
            ChangeTag::Insert => TextOp::Insert(text.to_string()),
            ChangeTag::Delete => TextOp::Delete(text.to_string()),
        }),
    }
}

fn word_level(ops: &mut Vec<TextOp>, old: &str, new: &str, deadline: Instant) {
    if old.is_empty() || new.is_empty() {
        push_op(ops, ChangeTag::Delete, old);
        push_op(ops, ChangeTag::Insert, new);
        return;
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .deadline(deadline)
        .diff_unicode_words(old, new);
    for change in diff.iter_all_changes() {
        push_op(ops, change.tag(), change.value());
    }
}

/// A word-level diff of two texts. Lines are compared first, then words inside the
/// changed line hunks, so that two 1 MB revisions diff quickly; the whole diff has a
/// time budget of half a second, past which it stays exact but less minimal (so even
/// two unrelated megabytes diff in bounded time).
///
/// Concatenating the `Equal` and `Delete` texts gives `old`; `Equal` and `Insert`
/// give `new`.
pub fn diff_text(old: &str, new: &str) -> Vec<TextOp> {
    let mut ops = Vec::new();
    if old == new {
        push_op(&mut ops, ChangeTag::Equal, old);
        return ops;
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let deadline = Instant::now() + DIFF_DEADLINE;
    if old_lines.len() <= 1 && new_lines.len() <= 1 {
        word_level(&mut ops, old, new, deadline);
        return ops;
    }
    let old_offsets = offsets(&old_lines);
    let new_offsets = offsets(&new_lines);
    let line_ops = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_lines,
        &new_lines,
        Some(deadline),
    );
    for op in line_ops {
        match op {
            DiffOp::Equal { old_index, len, .. } => push_op(
                &mut ops,
                ChangeTag::Equal,
                &old[old_offsets[old_index]..old_offsets[old_index + len]],
            ),
            DiffOp::Delete {
                old_index, old_len, ..
            } => push_op(
                &mut ops,
                ChangeTag::Delete,
                &old[old_offsets[old_index]..old_offsets[old_index + old_len]],
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => push_op(
                &mut ops,
                ChangeTag::Insert,
                &new[new_offsets[new_index]..new_offsets[new_index + new_len]],
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => word_level(
                &mut ops,
                &old[old_offsets[old_index]..old_offsets[old_index + old_len]],
                &new[new_offsets[new_index]..new_offsets[new_index + new_len]],
                deadline,
            ),
        }
    }
    ops
}

fn offsets(lines: &[&str]) -> Vec<usize> {
    let mut v = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    v.push(0);
    for l in lines {
        at += l.len();
        v.push(at);
    }
    v
}

/// The old text of a diff (`Equal` + `Delete`).
pub fn old_text(ops: &[TextOp]) -> String {
    ops.iter()
        .filter(|o| !matches!(o, TextOp::Insert(_)))
        .map(TextOp::text)
        .collect()
}

/// The new text of a diff (`Equal` + `Insert`).
pub fn new_text(ops: &[TextOp]) -> String {
    ops.iter()
        .filter(|o| !matches!(o, TextOp::Delete(_)))
        .map(TextOp::text)
        .collect()
}

/// Why a diff could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: the diff does not apply to this revision ({message})")]
pub struct ApplyError {
    /// The field that does not match.
    pub field: &'static str,
    /// What did not match.
    pub message: String,
}

fn apply_text_ops(field: &'static str, base: &str, ops: &[TextOp]) -> Result<String, ApplyError> {
    let mut rest = base;
    let mut out = String::with_capacity(base.len());
    for op in ops {
        match op {
            TextOp::Equal(t) | TextOp::Delete(t) => {
                rest = rest.strip_prefix(t.as_str()).ok_or_else(|| ApplyError {
                    field,
                    message: format!("expected {:?}", shorten(t)),
                })?;
                if let TextOp::Equal(t) = op {
                    out.push_str(t);
                }
            }
            TextOp::Insert(t) => out.push_str(t),
        }
    }
    if !rest.is_empty() {
        return Err(ApplyError {
            field,
            message: format!("unexpected trailing text {:?}", shorten(rest)),
        });
    }
    Ok(out)
}

fn shorten(s: &str) -> String {
    let short: String = s.chars().take(40).collect();
    if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// How a prose field changed. In JSON: `{"change": "unchanged"}` or
/// `{"change": "changed", "ops": [{"op": "equal", "text": "…"}, …]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum TextChange {
    /// Same text on both sides.
    Unchanged,
    /// A word-level diff.
    Changed {
        /// The operations.
        ops: Vec<TextOp>,
    },
}

impl TextChange {
    /// Diffs two texts.
    pub fn new(old: &str, new: &str) -> TextChange {
        if old == new {
            TextChange::Unchanged
        } else {
            TextChange::Changed {
                ops: diff_text(old, new),
            }
        }
    }

    /// Whether the text changed.
    pub fn is_changed(&self) -> bool {
        !matches!(self, TextChange::Unchanged)
    }

    fn apply(&self, field: &'static str, base: &str) -> Result<String, ApplyError> {
        match self {
            TextChange::Unchanged => Ok(base.to_string()),
            TextChange::Changed { ops } => apply_text_ops(field, base, ops),
        }
    }
}

/// How a single-valued field changed: `{"change": "changed", "from": …, "to": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum ScalarChange<T> {
    /// Same value.
    Unchanged,
    /// A new value.
    Changed {
        /// The old value.
        from: T,
        /// The new value.
        to: T,
    },
}

impl<T: PartialEq + Clone> ScalarChange<T> {
    /// Compares two values.
    pub fn new(old: &T, new: &T) -> ScalarChange<T> {
        if old == new {
            ScalarChange::Unchanged
        } else {
            ScalarChange::Changed {
                from: old.clone(),
                to: new.clone(),
            }
        }
    }

    /// Whether the value changed.
    pub fn is_changed(&self) -> bool {
        !matches!(self, ScalarChange::Unchanged)
    }

    fn apply(&self, field: &'static str, base: &T) -> Result<T, ApplyError> {
        match self {
            ScalarChange::Unchanged => Ok(base.clone()),
            ScalarChange::Changed { from, to } => {
                if from == base {
                    Ok(to.clone())
                } else {
                    Err(ApplyError {
                        field,
                        message: "the old value differs".into(),
                    })
                }
            }
        }
    }
}

/// One operation of a list diff, item by item. In JSON:
/// `{"op": "equal", "item": …}`, `insert`, `delete`, or
/// `{"op": "changed", "from": …, "to": …, "ops": [word-level text ops]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum ListOp<T> {
    /// An item kept.
    Equal {
        /// The item.
        item: T,
    },
    /// An item added.
    Insert {
        /// The item.
        item: T,
    },
    /// An item removed.
    Delete {
        /// The item.
        item: T,
    },
    /// An item edited in place, with a word-level diff of its text.
    Changed {
        /// The old item.
        from: T,
        /// The new item.
        to: T,
        /// Word-level diff of the items' texts.
        ops: Vec<TextOp>,
    },
}

/// Items that can be shown as one line of text in a list diff.
pub trait ListItem: Clone + PartialEq + Eq + Hash {
    /// The item's text for word-level diffs and conflict display.
    fn item_text(&self) -> String;
}

impl ListItem for String {
    fn item_text(&self) -> String {
        self.clone()
    }
}

impl ListItem for Ingredient {
    fn item_text(&self) -> String {
        self.display_line()
    }
}

/// How a list field changed: `{"change": "unchanged"}` or
/// `{"change": "changed", "items": [list ops]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum ListChange<T> {
    /// Same items.
    Unchanged,
    /// Item-by-item operations.
    Changed {
        /// The operations, in order.
        items: Vec<ListOp<T>>,
    },
}

impl<T: ListItem> ListChange<T> {
    /// Diffs two lists item by item; a removed item facing an added one is shown as
    /// changed, with a word-level diff.
    pub fn new(old: &[T], new: &[T]) -> ListChange<T> {
        if old == new {
            return ListChange::Unchanged;
        }
        let mut items = Vec::new();
        for op in similar::capture_diff_slices(Algorithm::Myers, old, new) {
            match op {
                DiffOp::Equal { old_index, len, .. } => items.extend(
                    old[old_index..old_index + len]
                        .iter()
                        .map(|i| ListOp::Equal { item: i.clone() }),
                ),
                DiffOp::Delete {
                    old_index, old_len, ..
                } => items.extend(
                    old[old_index..old_index + old_len]
                        .iter()
                        .map(|i| ListOp::Delete { item: i.clone() }),
                ),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => items.extend(
                    new[new_index..new_index + new_len]
                        .iter()
                        .map(|i| ListOp::Insert { item: i.clone() }),
                ),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let paired = old_len.min(new_len);
                    for k in 0..paired {
                        let (from, to) = (&old[old_index + k], &new[new_index + k]);
                        items.push(ListOp::Changed {
                            from: from.clone(),
                            to: to.clone(),
                            ops: diff_text(&from.item_text(), &to.item_text()),
                        });
                    }
                    items.extend(
                        old[old_index + paired..old_index + old_len]
                            .iter()
                            .map(|i| ListOp::Delete { item: i.clone() }),
                    );
                    items.extend(
                        new[new_index + paired..new_index + new_len]
                            .iter()
                            .map(|i| ListOp::Insert { item: i.clone() }),
                    );
                }
            }
        }
        ListChange::Changed { items }
    }

    /// Whether the list changed.
    pub fn is_changed(&self) -> bool {
        !matches!(self, ListChange::Unchanged)
    }

    fn apply(&self, field: &'static str, base: &[T]) -> Result<Vec<T>, ApplyError> {
        let ops = match self {
            ListChange::Unchanged => return Ok(base.to_vec()),
            ListChange::Changed { items } => items,
        };
        let mut out = Vec::with_capacity(base.len());
        let mut it = base.iter().enumerate();
        let mismatch = |i: usize| ApplyError {
            field,
            message: format!("item {i} differs"),
        };
        for op in ops {
            match op {
                ListOp::Insert { item } => out.push(item.clone()),
                ListOp::Equal { item }
                | ListOp::Delete { item }
                | ListOp::Changed { from: item, .. } => {
                    let (i, b) = it.next().ok_or_else(|| ApplyError {
                        field,
                        message: "the list is shorter than expected".into(),
                    })?;
                    if b != item {
                        return Err(mismatch(i));
                    }
                    match op {
                        ListOp::Equal { item } => out.push(item.clone()),
                        ListOp::Changed { to, .. } => out.push(to.clone()),
                        _ => {}
                    }
                }
            }
        }
        if it.next().is_some() {
            return Err(ApplyError {
                field,
                message: "the list is longer than expected".into(),
            });
        }
        Ok(out)
    }
}

/// The difference between two contents, field by field. Serialisable for the web layer
/// to render, and a patch: [`apply`]`(a, &diff_content(a, b)) == Ok(b)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentDiff {
    /// Document kind.
    pub kind: ScalarChange<DocumentKind>,
    /// Title (word level).
    pub title: TextChange,
    /// Licence.
    pub license: ScalarChange<License>,
    /// Visibility.
    pub visibility: ScalarChange<Visibility>,
    /// Tags (item by item).
    pub tags: ListChange<String>,
    /// Markdown body (word level inside changed lines).
    pub body: TextChange,
    /// Recipe summary.
    pub summary: TextChange,
    /// Recipe context.
    pub context: TextChange,
    /// Recipe ingredients.
    pub ingredients: ListChange<Ingredient>,
    /// Recipe utensils.
    pub utensils: ListChange<String>,
    /// Recipe steps.
    pub steps: ListChange<String>,
    /// What the recipe produces.
    pub produces: TextChange,
    /// Difficulties.
    pub difficulties: TextChange,
    /// Tips.
    pub tips: TextChange,
    /// Local variants.
    pub local_variants: TextChange,
}

impl ContentDiff {
    /// The names of the fields that changed, in display order.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let flags = [
            ("kind", self.kind.is_changed()),
            ("title", self.title.is_changed()),
            ("license", self.license.is_changed()),
            ("visibility", self.visibility.is_changed()),
            ("tags", self.tags.is_changed()),
            ("body", self.body.is_changed()),
            ("summary", self.summary.is_changed()),
            ("context", self.context.is_changed()),
            ("ingredients", self.ingredients.is_changed()),
            ("utensils", self.utensils.is_changed()),
            ("steps", self.steps.is_changed()),
            ("produces", self.produces.is_changed()),
            ("difficulties", self.difficulties.is_changed()),
            ("tips", self.tips.is_changed()),
            ("local_variants", self.local_variants.is_changed()),
        ];
        flags.iter().filter(|(_, c)| *c).map(|(n, _)| *n).collect()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changed_fields().is_empty()
    }
}

/// Compares two contents field by field (word level inside prose, item by item in lists).
pub fn diff_content(a: &Content, b: &Content) -> ContentDiff {
    let (fa, fb) = (&a.fields, &b.fields);
    ContentDiff {
        kind: ScalarChange::new(&a.kind, &b.kind),
        title: TextChange::new(&a.title, &b.title),
        license: ScalarChange::new(&a.license, &b.license),
        visibility: ScalarChange::new(&a.visibility, &b.visibility),
        tags: ListChange::new(&a.tags, &b.tags),
        body: TextChange::new(&a.body, &b.body),
        summary: TextChange::new(&fa.summary, &fb.summary),
        context: TextChange::new(&fa.context, &fb.context),
        ingredients: ListChange::new(&fa.ingredients, &fb.ingredients),
        utensils: ListChange::new(&fa.utensils, &fb.utensils),
        steps: ListChange::new(&fa.steps, &fb.steps),
        produces: TextChange::new(&fa.produces, &fb.produces),
        difficulties: TextChange::new(&fa.difficulties, &fb.difficulties),
        tips: TextChange::new(&fa.tips, &fb.tips),
        local_variants: TextChange::new(&fa.local_variants, &fb.local_variants),
    }
}

/// Applies a diff to the content it was computed from. Fails, naming the field, when
/// `base` is not the diff's old side.
pub fn apply(base: &Content, diff: &ContentDiff) -> Result<Content, ApplyError> {
    let f = &base.fields;
    let mut out = base.clone();
    out.kind = diff.kind.apply("kind", &base.kind)?;
    out.title = diff.title.apply("title", &base.title)?;
    out.license = diff.license.apply("license", &base.license)?;
    out.visibility = diff.visibility.apply("visibility", &base.visibility)?;
    out.tags = diff.tags.apply("tags", &base.tags)?;
    out.body = diff.body.apply("body", &base.body)?;
    out.fields.summary = diff.summary.apply("summary", &f.summary)?;
    out.fields.context = diff.context.apply("context", &f.context)?;
    out.fields.ingredients = diff.ingredients.apply("ingredients", &f.ingredients)?;
    out.fields.utensils = diff.utensils.apply("utensils", &f.utensils)?;
    out.fields.steps = diff.steps.apply("steps", &f.steps)?;
    out.fields.produces = diff.produces.apply("produces", &f.produces)?;
    out.fields.difficulties = diff.difficulties.apply("difficulties", &f.difficulties)?;
    out.fields.tips = diff.tips.apply("tips", &f.tips)?;
    out.fields.local_variants = diff
        .local_variants
        .apply("local_variants", &f.local_variants)?;
    Ok(out)
}

/// A line-based unified diff (`---`/`+++` headers, `@@` hunks, 3 lines of context).
pub fn unified_text_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .deadline(Instant::now() + DIFF_DEADLINE)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

/// A unified diff of two contents, comparing their Markdown export
/// ([`crate::frontmatter::to_markdown_file`]), so that every field shows.
pub fn unified_content_diff(a: &Content, b: &Content, a_label: &str, b_label: &str) -> String {
    let meta = crate::frontmatter::Meta::default();
    unified_text_diff(
        &crate::frontmatter::to_markdown_file(a, &meta),
        &crate::frontmatter::to_markdown_file(b, &meta),
        a_label,
        b_label,
    )
}
