//! Markdown files with YAML front matter: the export format of documents, and its
//! importer. The front matter uses a small, well-defined YAML subset (block mappings,
//! block and flow sequences, plain, single- and double-quoted scalars, `|`/`>` block
//! scalars, comments); the writer only emits double-quoted strings, so any text
//! round-trips.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::attribution::Attribution;
use crate::license::License;
use crate::model::{Content, DocumentKind, Ingredient, RecipeFields, Visibility};

/// Where a fork comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    /// Slug of the source organisation.
    pub org: String,
    /// Slug or id of the source document.
    pub document: String,
    /// Source revision the fork was taken from or last pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
}

/// What a Markdown export carries besides the content: identity, authors, dates and
/// the attribution chain (nearest source first).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Meta {
    /// Document slug.
    pub slug: Option<String>,
    /// Owning organisation's slug.
    pub org: Option<String>,
    /// Authors' display names.
    pub authors: Vec<String>,
    /// Revision number.
    pub revision: Option<u64>,
    /// Creation time of the document.
    pub created: Option<jiff::Timestamp>,
    /// Time of this revision.
    pub updated: Option<jiff::Timestamp>,
    /// Fork source.
    pub source: Option<SourceRef>,
    /// Attribution chain (see [`crate::attribution`]).
    pub attribution: Vec<Attribution>,
}

/// A problem in an imported file, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    /// 1-based line number in the file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError {
        line,
        message: message.into(),
    })
}

// ---------------------------------------------------------------- writer

/// A value to write, with its keys in a fixed order.
enum Y {
    /// A double-quoted string.
    Str(String),
    /// A plain scalar (identifiers, numbers).
    Plain(String),
    /// A sequence.
    Seq(Vec<Y>),
    /// A mapping, in order.
    Map(Vec<(&'static str, Y)>),
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn strs(v: &[String]) -> Y {
    Y::Seq(v.iter().map(|s| Y::Str(s.clone())).collect())
}

fn scalar(v: &Y) -> Option<String> {
    match v {
        Y::Str(s) => Some(quote(s)),
        Y::Plain(s) => Some(s.clone()),
        _ => None,
    }
}

fn write_entry(out: &mut String, key: &str, v: &Y, indent: usize, first_prefix: Option<&str>) {
    let pad = " ".repeat(indent);
    let lead = match first_prefix {
        Some(p) => p.to_string(),
        None => pad.clone(),
    };
    match v {
        Y::Seq(items) => {
            let inner: Option<Vec<String>> = items.iter().map(scalar).collect();
            match inner {
                Some(inner)
                    if key != "steps" && inner.iter().map(String::len).sum::<usize>() < 60 =>
                {
                    out.push_str(&format!("{lead}{key}: [{}]\n", inner.join(", ")));
                }
                _ => {
                    out.push_str(&format!("{lead}{key}:\n"));
                    for item in items {
                        match item {
                            Y::Map(entries) if !entries.is_empty() => {
                                let dash = format!("{pad}  - ");
                                for (k, (ek, ev)) in entries.iter().enumerate() {
                                    let prefix = if k == 0 { Some(dash.as_str()) } else { None };
                                    write_entry(out, ek, ev, indent + 4, prefix);
                                }
                            }
                            Y::Map(_) => out.push_str(&format!("{pad}  - {{}}\n")),
                            Y::Seq(_) => {}
                            other => out.push_str(&format!(
                                "{pad}  - {}\n",
                                scalar(other).unwrap_or_default()
                            )),
                        }
                    }
                }
            }
        }
        Y::Map(entries) => {
            out.push_str(&format!("{lead}{key}:\n"));
            for (k, v) in entries {
                write_entry(out, k, v, indent + 2, None);
            }
        }
        other => out.push_str(&format!(
            "{lead}{key}: {}\n",
            scalar(other).unwrap_or_default()
        )),
    }
}

fn attribution_y(a: &Attribution) -> Y {
    let mut e = vec![("title", Y::Str(a.title.clone()))];
    if !a.authors.is_empty() {
        e.push(("authors", strs(&a.authors)));
    }
    e.push(("org", Y::Str(a.org.clone())));
    if let Some(s) = &a.org_slug {
        e.push(("org_slug", Y::Str(s.clone())));
    }
    if let Some(s) = &a.document {
        e.push(("document", Y::Str(s.clone())));
    }
    if let Some(r) = a.revision {
        e.push(("revision", Y::Plain(r.to_string())));
    }
    e.push(("license", Y::Plain(a.license.id().into())));
    if let Some(u) = &a.url {
        e.push(("url", Y::Str(u.clone())));
    }
    Y::Map(e)
}

fn ingredient_y(i: &Ingredient) -> Y {
    let mut e = vec![
        ("kind", Y::Plain(i.kind.as_str().into())),
        ("name", Y::Str(i.name.clone())),
    ];
    if !i.quantity.is_empty() {
        e.push(("quantity", Y::Str(i.quantity.clone())));
    }
    Y::Map(e)
}

/// Writes a document as Markdown with YAML front matter: title, kind, licence,
/// visibility, tags, the [`Meta`] (slug, org, authors, revision, dates, source,
/// attribution) and, for recipes, every structured field; then the body verbatim.
/// [`from_markdown_file`] reads it back to the same content and meta.
pub fn to_markdown_file(content: &Content, meta: &Meta) -> String {
    let mut e: Vec<(&'static str, Y)> = vec![
        ("title", Y::Str(content.title.clone())),
        ("kind", Y::Plain(content.kind.as_str().into())),
        ("license", Y::Plain(content.license.id().into())),
        ("visibility", Y::Plain(content.visibility.as_str().into())),
        ("tags", strs(&content.tags)),
    ];
    if let Some(s) = &meta.slug {
        e.push(("slug", Y::Str(s.clone())));
    }
    if let Some(s) = &meta.org {
        e.push(("org", Y::Str(s.clone())));
    }
    if !meta.authors.is_empty() {
        e.push(("authors", strs(&meta.authors)));
    }
    if let Some(r) = meta.revision {
        e.push(("revision", Y::Plain(r.to_string())));
    }
    if let Some(t) = meta.created {
        e.push(("created", Y::Str(t.to_string())));
    }
    if let Some(t) = meta.updated {
        e.push(("updated", Y::Str(t.to_string())));
    }
    if let Some(s) = &meta.source {
        let mut m = vec![
            ("org", Y::Str(s.org.clone())),
            ("document", Y::Str(s.document.clone())),
        ];
        if let Some(r) = s.revision {
            m.push(("revision", Y::Plain(r.to_string())));
        }
        e.push(("source", Y::Map(m)));
    }
    if !meta.attribution.is_empty() {
        e.push((
            "attribution",
            Y::Seq(meta.attribution.iter().map(attribution_y).collect()),
        ));
    }
    let f = &content.fields;
    let prose = |e: &mut Vec<(&'static str, Y)>, k: &'static str, v: &str| {
        if !v.is_empty() {
            e.push((k, Y::Str(v.to_string())));
        }
    };
    prose(&mut e, "summary", &f.summary);
    prose(&mut e, "context", &f.context);
    if !f.ingredients.is_empty() {
        e.push((
            "ingredients",
            Y::Seq(f.ingredients.iter().map(ingredient_y).collect()),
        ));
    }
    if !f.utensils.is_empty() {
        e.push(("utensils", strs(&f.utensils)));
    }
    if !f.steps.is_empty() {
        e.push(("steps", strs(&f.steps)));
    }
    prose(&mut e, "produces", &f.produces);
    prose(&mut e, "difficulties", &f.difficulties);
    prose(&mut e, "tips", &f.tips);
    prose(&mut e, "local_variants", &f.local_variants);

    let mut out = String::with_capacity(content.body.len() + 512);
    out.push_str("---\n");
    for (k, v) in &e {
        write_entry(&mut out, k, v, 0, None);
    }
    out.push_str("---\n");
    out.push_str(&content.body);
    out
}

// ---------------------------------------------------------------- YAML subset reader

#[derive(Debug, Clone)]
enum Node {
    Scalar {
        text: String,
        quoted: bool,
        line: usize,
    },
    Seq {
        items: Vec<Node>,
        line: usize,
    },
    Map {
        entries: Vec<(String, Node)>,
        line: usize,
    },
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Scalar { line, .. } | Node::Seq { line, .. } | Node::Map { line, .. } => *line,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Node::Scalar {
                text, quoted: true, ..
            } => Value::String(text.clone()),
            Node::Scalar { text, .. } => match text.as_str() {
                "null" | "~" | "" => Value::Null,
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                t => t
                    .parse::<u64>()
                    .map(Value::from)
                    .or_else(|_| t.parse::<i64>().map(Value::from))
                    .unwrap_or_else(|_| Value::String(t.to_string())),
            },
            Node::Seq { items, .. } => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map { entries, .. } => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

struct Yaml<'a> {
    lines: Vec<Line<'a>>,
    /// Replacement for the text and indent of a line (`- key: v` items).
    overrides: std::collections::HashMap<usize, (usize, &'a str)>,
}

fn is_blank_or_comment(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t.starts_with('#')
}

impl<'a> Yaml<'a> {
    fn get(&self, pos: usize) -> (usize, &'a str, usize) {
        let l = &self.lines[pos];
        match self.overrides.get(&pos) {
            Some((indent, text)) => (*indent, text, l.no),
            None => (l.indent, l.text.trim_start(), l.no),
        }
    }

    fn skip(&self, mut pos: usize) -> usize {
        while pos < self.lines.len()
            && is_blank_or_comment(self.lines[pos].text)
            && !self.overrides.contains_key(&pos)
        {
            pos += 1;
        }
        pos
    }

    fn block(&mut self, pos: usize, indent: usize) -> Result<(Node, usize), ImportError> {
        let (_, text, _) = self.get(pos);
        if text == "-" || text.starts_with("- ") {
            self.seq(pos, indent)
        } else {
            self.map(pos, indent)
        }
    }

    fn seq(&mut self, mut pos: usize, indent: usize) -> Result<(Node, usize), ImportError> {
        let line0 = self.get(pos).2;
        let mut items = Vec::new();
        loop {
            pos = self.skip(pos);
            if pos >= self.lines.len() {
                break;
            }
            let (ind, text, no) = self.get(pos);
            if ind < indent {
                break;
            }
            if ind > indent {
                return err(no, "unexpected indentation");
            }
            if !(text == "-" || text.starts_with("- ")) {
                break;
            }
            let rest = text[1..].trim_start();
            let item_indent = ind + (text.len() - rest.len());
            if rest.is_empty() || rest.starts_with('#') {
                let next = self.skip(pos + 1);
                if next < self.lines.len() && self.get(next).0 > indent {
                    let ni = self.get(next).0;
                    let (node, p) = self.block(next, ni)?;
                    items.push(node);
                    pos = p;
                } else {
                    items.push(Node::Scalar {
                        text: String::new(),
                        quoted: false,
                        line: no,
                    });
                    pos += 1;
                }
            } else if map_key(rest).is_some() {
                self.overrides.insert(pos, (item_indent, rest));
                let (node, p) = self.map(pos, item_indent)?;
                items.push(node);
                pos = p;
            } else {
                items.push(inline(rest, no)?);
                pos += 1;
            }
        }
        Ok((Node::Seq { items, line: line0 }, pos))
    }

    fn map(&mut self, mut pos: usize, indent: usize) -> Result<(Node, usize), ImportError> {
        let line0 = self.get(pos).2;
        let mut entries: Vec<(String, Node)> = Vec::new();
        loop {
            pos = self.skip(pos);
            if pos >= self.lines.len() {
                break;
            }
            let (ind, text, no) = self.get(pos);
            if ind < indent {
                break;
            }
            if ind > indent {
                return err(no, "unexpected indentation");
            }
            let Some((key, rest)) = map_key(text) else {
                return err(no, format!("expected `key: value`, found {text:?}"));
            };
            if entries.iter().any(|(k, _)| k == key) {
                return err(no, format!("duplicate key {key:?}"));
            }
            let rest = rest.trim();
            let value;
            if rest.is_empty() || rest.starts_with('#') {
                let next = self.skip(pos + 1);
                if next < self.lines.len() {
                    let (ni, nt, _) = self.get(next);
                    if ni > indent || (ni == indent && (nt == "-" || nt.starts_with("- "))) {
                        let (node, p) = self.block(next, ni)?;
                        entries.push((key.to_string(), node));
                        pos = p;
                        continue;
                    }
                }
                value = Node::Scalar {
                    text: String::new(),
                    quoted: false,
                    line: no,
                };
                pos += 1;
            } else if let Some(style) = block_scalar_style(rest) {
                let (text, p) = self.block_scalar(pos + 1, indent, style);
                value = Node::Scalar {
                    text,
                    quoted: true,
                    line: no,
                };
                pos = p;
            } else {
                value = inline(rest, no)?;
                pos += 1;
            }
            entries.push((key.to_string(), value));
        }
        Ok((
            Node::Map {
                entries,
                line: line0,
            },
            pos,
        ))
    }

    fn block_scalar(
        &self,
        mut pos: usize,
        parent: usize,
        (folded, chomp): (bool, char),
    ) -> (String, usize) {
        let mut raw: Vec<&str> = Vec::new();
        let mut block_indent = None;
        while pos < self.lines.len() {
            let l = &self.lines[pos];
            if l.text.trim().is_empty() {
                raw.push("");
                pos += 1;
                continue;
            }
            if l.indent <= parent {
                break;
            }
            let bi = *block_indent.get_or_insert(l.indent);
            if l.indent < bi {
                break;
            }
            raw.push(&l.text[bi..]);
            pos += 1;
        }
        // Trailing blank lines belong to chomping.
        let content_len = raw
            .iter()
            .rposition(|l| !l.is_empty())
            .map(|i| i + 1)
            .unwrap_or(0);
        let trailing = raw.len() - content_len;
        let body = &raw[..content_len];
        let mut text = if folded {
            let mut s = String::new();
            for (i, l) in body.iter().enumerate() {
                if i > 0 {
                    if l.is_empty() || body[i - 1].is_empty() {
                        s.push('\n');
                    } else {
                        s.push(' ');
                    }
                }
                s.push_str(l);
            }
            s
        } else {
            body.join("\n")
        };
        match chomp {
            '-' => {}
            '+' => {
                text.push('\n');
                text.push_str(&"\n".repeat(trailing));
            }
            _ => {
                if !body.is_empty() {
                    text.push('\n');
                }
            }
        }
        (text, pos)
    }
}

fn block_scalar_style(rest: &str) -> Option<(bool, char)> {
    let r = rest.split(" #").next().unwrap_or(rest).trim();
    match r {
        "|" => Some((false, ' ')),
        "|-" => Some((false, '-')),
        "|+" => Some((false, '+')),
        ">" => Some((true, ' ')),
        ">-" => Some((true, '-')),
        ">+" => Some((true, '+')),
        _ => None,
    }
}

fn map_key(text: &str) -> Option<(&str, &str)> {
    let end = text.find(':')?;
    let key = &text[..end];
    let rest = &text[end + 1..];
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        || !(rest.is_empty() || rest.starts_with(' '))
    {
        return None;
    }
    Some((key, rest))
}

/// Parses a double-quoted scalar at the start of `s`; returns it and the rest.
fn double_quoted(s: &str, line: usize) -> Result<(String, &str), ImportError> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                let lit = &s[..=i];
                let v: String = serde_json::from_str(lit).map_err(|e| ImportError {
                    line,
                    message: format!("bad double-quoted string: {e}"),
                })?;
                return Ok((v, &s[i + 1..]));
            }
            _ => i += 1,
        }
    }
    err(line, "unterminated double-quoted string")
}

fn single_quoted(s: &str, line: usize) -> Result<(String, &str), ImportError> {
    let mut out = String::new();
    let mut chars = s[1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if let Some((_, '\'')) = chars.peek() {
                out.push('\'');
                chars.next();
            } else {
                return Ok((out, &s[i + 2..]));
            }
        } else {
            out.push(c);
        }
    }
    err(line, "unterminated single-quoted string")
}

fn check_trailing(rest: &str, line: usize) -> Result<(), ImportError> {
    let r = rest.trim();
    if r.is_empty() || r.starts_with('#') {
        Ok(())
    } else {
        err(line, format!("unexpected text after the value: {r:?}"))
    }
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) => &s[..i],
        None => s,
    }
}

fn inline(rest: &str, line: usize) -> Result<Node, ImportError> {
    let rest = rest.trim();
    if rest.starts_with('"') {
        let (v, tail) = double_quoted(rest, line)?;
        check_trailing(tail, line)?;
        return Ok(Node::Scalar {
            text: v,
            quoted: true,
            line,
        });
    }
    if rest.starts_with('\'') {
        let (v, tail) = single_quoted(rest, line)?;
        check_trailing(tail, line)?;
        return Ok(Node::Scalar {
            text: v,
            quoted: true,
            line,
        });
    }
    if rest.starts_with('[') {
        return flow_seq(rest, line);
    }
    if rest.starts_with('{') {
        if strip_comment(rest).trim() == "{}" {
            return Ok(Node::Map {
                entries: vec![],
                line,
            });
        }
        return err(
            line,
            "flow mappings ({…}) are not supported; use an indented block",
        );
    }
    if rest.starts_with(['&', '*', '!']) {
        return err(line, "anchors, aliases and tags are not supported");
    }
    Ok(Node::Scalar {
        text: strip_comment(rest).trim().to_string(),
        quoted: false,
        line,
    })
}

fn flow_seq(s: &str, line: usize) -> Result<Node, ImportError> {
    let mut items = Vec::new();
    let mut rest = s[1..].trim_start();
    loop {
        if let Some(tail) = rest.strip_prefix(']') {
            check_trailing(tail, line)?;
            return Ok(Node::Seq { items, line });
        }
        if rest.is_empty() {
            return err(line, "unterminated flow sequence (missing `]`)");
        }
        let (item, tail) = if rest.starts_with('"') {
            let (v, t) = double_quoted(rest, line)?;
            (
                Node::Scalar {
                    text: v,
                    quoted: true,
                    line,
                },
                t,
            )
        } else if rest.starts_with('\'') {
            let (v, t) = single_quoted(rest, line)?;
            (
                Node::Scalar {
                    text: v,
                    quoted: true,
                    line,
                },
                t,
            )
        } else if rest.starts_with(['[', '{']) {
            return err(line, "nested flow collections are not supported");
        } else {
            let end = rest.find([',', ']']).unwrap_or(rest.len());
            (
                Node::Scalar {
                    text: rest[..end].trim().to_string(),
                    quoted: false,
                    line,
                },
                &rest[end..],
            )
        };
        items.push(item);
        let tail = tail.trim_start();
        if let Some(t) = tail.strip_prefix(',') {
            rest = t.trim_start();
        } else if tail.starts_with(']') {
            rest = tail;
        } else {
            return err(line, "expected `,` or `]` in flow sequence");
        }
    }
}

fn parse_yaml(lines: Vec<Line<'_>>) -> Result<Node, ImportError> {
    for l in &lines {
        if l.text.starts_with('\t') || l.text[..l.indent].contains('\t') {
            return err(l.no, "tabs are not allowed for indentation");
        }
    }
    let mut y = Yaml {
        lines,
        overrides: Default::default(),
    };
    let start = y.skip(0);
    if start >= y.lines.len() {
        return Ok(Node::Map {
            entries: vec![],
            line: 1,
        });
    }
    let (ind, _, no) = y.get(start);
    if ind != 0 {
        return err(no, "the front matter must start at column 1");
    }
    let (node, pos) = y.block(start, 0)?;
    let pos = y.skip(pos);
    if pos < y.lines.len() {
        return err(y.lines[pos].no, "unexpected content (bad indentation?)");
    }
    if !matches!(node, Node::Map { .. }) {
        return err(
            no,
            "the front matter must be a mapping of `key: value` lines",
        );
    }
    Ok(node)
}

// ---------------------------------------------------------------- reader

fn text_of(node: &Node, key: &str) -> Result<String, ImportError> {
    match node {
        Node::Scalar { text, .. } => Ok(text.clone()),
        _ => err(node.line(), format!("{key}: expected a single value")),
    }
}

fn list_of(node: &Node, key: &str) -> Result<Vec<String>, ImportError> {
    match node {
        Node::Seq { items, .. } => items.iter().map(|i| text_of(i, key)).collect(),
        Node::Scalar { text, .. } if text.is_empty() => Ok(vec![]),
        _ => err(node.line(), format!("{key}: expected a list")),
    }
}

fn from_node<T: serde::de::DeserializeOwned>(node: &Node, key: &str) -> Result<T, ImportError> {
    serde_json::from_value(node.to_json()).map_err(|e| ImportError {
        line: node.line(),
        message: format!("{key}: {e}"),
    })
}

/// Reads a Markdown file with YAML front matter written by [`to_markdown_file`] (or by
/// hand). A file without front matter is a page whose title is its first `# heading`.
/// A missing licence is an error.
pub fn from_markdown_file(text: &str) -> Result<(Content, Meta), ImportError> {
    from_markdown_file_with(text, None)
}

/// Like [`from_markdown_file`], using `default_license` when the file names none.
pub fn from_markdown_file_with(
    text: &str,
    default_license: Option<License>,
) -> Result<(Content, Meta), ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut raw_lines = text.split_inclusive('\n');
    let first = raw_lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        // No front matter: a plain Markdown page.
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("# ").map(|t| t.trim().to_string()))
            .filter(|t| !t.is_empty());
        let Some(title) = title else {
            return err(
                1,
                "no front matter (`---` on the first line) and no `# title` heading",
            );
        };
        let Some(license) = default_license else {
            return err(
                1,
                "no front matter, so no licence: add `license:` in a front matter",
            );
        };
        let mut content = Content::page(title, text);
        content.license = license;
        return Ok((content, Meta::default()));
    }
    let mut fm_lines = Vec::new();
    let mut offset = first.len();
    let mut closed = false;
    for (i, l) in raw_lines.enumerate() {
        offset += l.len();
        let t = l.trim_end_matches(['\n', '\r']);
        if t == "---" || t == "..." {
            closed = true;
            break;
        }
        let indent = t.len() - t.trim_start_matches(' ').len();
        fm_lines.push(Line {
            no: i + 2,
            indent,
            text: t,
        });
    }
    if !closed {
        return err(
            1,
            "the front matter opened on line 1 is never closed by `---`",
        );
    }
    let body = &text[offset..];
    let root = parse_yaml(fm_lines)?;
    let Node::Map { entries, .. } = &root else {
        return err(1, "the front matter must be a mapping");
    };
    let get = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| v);

    let title_node = get("title");
    let title = match title_node {
        Some(n) => text_of(n, "title")?,
        None => return err(1, "title: missing"),
    };
    let line_of = |k: &str| get(k).map(Node::line).unwrap_or(1);
    let kind = match get("kind") {
        Some(n) => text_of(n, "kind")?
            .parse::<DocumentKind>()
            .map_err(|e| ImportError {
                line: n.line(),
                message: e.to_string(),
            })?,
        None => DocumentKind::Page,
    };
    let license = match get("license").or_else(|| get("licence")) {
        Some(n) => License::parse(&text_of(n, "license")?).map_err(|e| ImportError {
            line: n.line(),
            message: format!("license: {e}"),
        })?,
        None => match default_license {
            Some(l) => l,
            None => return err(1, "license: missing"),
        },
    };
    let visibility = match get("visibility") {
        Some(n) => text_of(n, "visibility")?
            .parse::<Visibility>()
            .map_err(|e| ImportError {
                line: n.line(),
                message: e.to_string(),
            })?,
        None => Visibility::Public,
    };
    let tags = match get("tags") {
        Some(n) => list_of(n, "tags")?,
        None => vec![],
    };
    let mut fields = RecipeFields::default();
    let prose: [(&str, &mut String); 6] = [
        ("summary", &mut fields.summary),
        ("context", &mut fields.context),
        ("produces", &mut fields.produces),
        ("difficulties", &mut fields.difficulties),
        ("tips", &mut fields.tips),
        ("local_variants", &mut fields.local_variants),
    ];
    for (k, slot) in prose {
        if let Some(n) = get(k) {
            *slot = text_of(n, k)?;
        }
    }
    if let Some(n) = get("utensils") {
        fields.utensils = list_of(n, "utensils")?;
    }
    if let Some(n) = get("steps") {
        fields.steps = list_of(n, "steps")?;
    }
    if let Some(n) = get("ingredients") {
        fields.ingredients = match n {
            Node::Seq { items, .. } => items
                .iter()
                .map(|i| match i {
                    Node::Scalar { text, .. } => Ok(Ingredient {
                        name: text.clone(),
                        ..Default::default()
                    }),
                    other => from_node::<Ingredient>(other, "ingredients"),
                })
                .collect::<Result<_, _>>()?,
            Node::Scalar { text, .. } if text.is_empty() => vec![],
            other => return err(other.line(), "ingredients: expected a list"),
        };
    }
    let mut meta = Meta::default();
    if let Some(n) = get("slug") {
        meta.slug = Some(text_of(n, "slug")?);
    }
    if let Some(n) = get("org") {
        meta.org = Some(text_of(n, "org")?);
    }
    if let Some(n) = get("authors") {
        meta.authors = list_of(n, "authors")?;
    }
    if let Some(n) = get("revision") {
        meta.revision = Some(text_of(n, "revision")?.parse().map_err(|_| ImportError {
            line: n.line(),
            message: "revision: expected a number".into(),
        })?);
    }
    for (k, slot) in [
        ("created", &mut meta.created),
        ("updated", &mut meta.updated),
    ] {
        if let Some(n) = get(k) {
            let t = text_of(n, k)?;
            *slot = Some(t.parse::<jiff::Timestamp>().map_err(|e| ImportError {
                line: n.line(),
                message: format!("{k}: not a timestamp ({e})"),
            })?);
        }
    }
    if let Some(n) = get("source") {
        meta.source = Some(from_node(n, "source")?);
    }
    if let Some(n) = get("attribution") {
        meta.attribution = from_node(n, "attribution")?;
    }
    let content = Content {
        kind,
        title,
        body: body.to_string(),
        license,
        visibility,
        tags,
        fields,
    };
    if let Err(errors) = content.validate() {
        let first = &errors.0[0];
        let f = first.field();
        let key = f.strip_prefix("fields.").unwrap_or(&f);
        return err(line_of(key), first.to_string());
    }
    Ok((content, meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_front_matter() {
        let text = "---\n# a comment\ntitle: Réparer l'école\nlicense: CC BY-SA\ntags: [vélo, 'atelier', \"réparation\"]\nkind: recipe\nsummary: |\n  Ligne 1\n\n  Ligne 2\nsteps:\n- Accueillir\n- \"Réparer\"\ningredients:\n  - kind: people\n    name: bénévoles\n    quantity: 3\n  - une salle\n---\n# Corps\n";
        let (c, _) = from_markdown_file(text).unwrap();
        assert_eq!(c.title, "Réparer l'école");
        assert_eq!(c.license, License::CcBySa);
        assert_eq!(c.tags, ["vélo", "atelier", "réparation"]);
        assert_eq!(c.fields.summary, "Ligne 1\n\nLigne 2\n");
        assert_eq!(c.fields.steps, ["Accueillir", "Réparer"]);
        assert_eq!(c.fields.ingredients[0].quantity, "3");
        assert_eq!(c.fields.ingredients[1].name, "une salle");
        assert_eq!(c.body, "# Corps\n");
    }

    #[test]
    fn errors_name_the_line() {
        let e = from_markdown_file("---\ntitle: x\nlicense: WTFPL\n---\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e =
            from_markdown_file("---\ntitle: x\nlicense: CC0\ntags: [a, \"b]\n---\n").unwrap_err();
        assert_eq!(e.line, 4);
        let e = from_markdown_file("---\ntitle: x\n   bad: 1\n---\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = from_markdown_file("---\ntitle: \"\"\nlicense: CC0\n---\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("title"));
    }
}
