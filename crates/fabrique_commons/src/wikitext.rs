//! Wikitext → Markdown conversion, "as far as it reasonably goes": headings, bold and
//! italic, internal and external links, lists, definition lists, `<ref>` footnotes,
//! simple tables, `<nowiki>`, `<pre>`, comments dropped, templates kept verbatim in code,
//! categories turned into tags.

use crate::model::{MAX_TAG_CHARS, normalize_tag};
use crate::text::slugify;

/// The result of converting a wikitext.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WikiConversion {
    /// The Markdown.
    pub markdown: String,
    /// Tags from `[[Catégorie:…]]` / `[[Category:…]]`, normalised, without duplicates.
    pub tags: Vec<String>,
    /// Titles of the pages linked with `[[…]]`, in order of appearance.
    pub links: Vec<String>,
}

const PH_OPEN: char = '\u{E000}';
const PH_CLOSE: char = '\u{E001}';

#[derive(Default)]
struct Converter {
    placeholders: Vec<String>,
    footnotes: Vec<(Option<String>, String)>,
    tags: Vec<String>,
    links: Vec<String>,
}

fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let lower = hay[from..].to_ascii_lowercase();
    lower.find(&needle.to_ascii_lowercase()).map(|i| i + from)
}

/// Escapes Markdown punctuation so the text shows literally.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]{}<>#|!~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes the pipes of a table cell that are not escaped yet (GFM reads `\|` as a
/// pipe even inside code spans).
fn escape_pipes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        if c == '|' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

fn code_span(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

fn fenced(s: &str, info: &str) -> String {
    let mut fence = "```".to_string();
    while s.contains(&fence) {
        fence.push('`');
    }
    format!("\n{fence}{info}\n{}\n{fence}\n", s.trim_matches('\n'))
}

impl Converter {
    fn placeholder(&mut self, markdown: String) -> String {
        self.placeholders.push(markdown);
        format!("{PH_OPEN}{}{PH_CLOSE}", self.placeholders.len() - 1)
    }

    fn restore(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find(PH_OPEN) {
            out.push_str(&rest[..i]);
            let after = &rest[i + PH_OPEN.len_utf8()..];
            match after.find(PH_CLOSE) {
                Some(j) => {
                    let n: usize = after[..j].parse().unwrap_or(usize::MAX);
                    match self.placeholders.get(n) {
                        Some(p) => out.push_str(&self.restore(p)),
                        None => out.push_str(&after[..j]),
                    }
                    rest = &after[j + PH_CLOSE.len_utf8()..];
                }
                None => {
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Removes comments and replaces nowiki, pre, refs and templates by placeholders.
    fn protect(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            let rest = &s[i..];
            if rest.starts_with("<!--") {
                i = match rest.find("-->") {
                    Some(j) => i + j + 3,
                    None => s.len(),
                };
                continue;
            }
            let lower_head: String = rest
                .chars()
                .take(12)
                .collect::<String>()
                .to_ascii_lowercase();
            if lower_head.starts_with("<nowiki>") {
                let end = find_ci(s, "</nowiki>", i).unwrap_or(s.len());
                let inner = &s[i + 8..end];
                let ph = self.placeholder(escape_markdown(inner));
                out.push_str(&ph);
                i = (end + 9).min(s.len());
                continue;
            }
            if lower_head.starts_with("<nowiki/>") || lower_head.starts_with("<nowiki />") {
                i += rest.find('>').map(|j| j + 1).unwrap_or(rest.len());
                continue;
            }
            if lower_head.starts_with("<pre>") {
                let end = find_ci(s, "</pre>", i).unwrap_or(s.len());
                let ph = self.placeholder(fenced(&s[i + 5..end], ""));
                out.push_str(&ph);
                i = (end + 6).min(s.len());
                continue;
            }
            if lower_head.starts_with("<references") {
                let close = rest.find('>').map(|j| j + 1).unwrap_or(rest.len());
                let mut next = i + close;
                if !rest[..close].ends_with("/>")
                    && let Some(end) = find_ci(s, "</references>", next)
                {
                    next = end + "</references>".len();
                }
                i = next;
                continue;
            }
            if lower_head.starts_with("<ref>") || lower_head.starts_with("<ref ") {
                let close = rest.find('>').map(|j| j + 1).unwrap_or(rest.len());
                let tag = &rest[..close];
                let name = ref_name(tag);
                if tag.ends_with("/>") {
                    let n = self.footnote_for(name, None);
                    out.push_str(&format!("[^{n}]"));
                    i += close;
                    continue;
                }
                let end = find_ci(s, "</ref>", i + close).unwrap_or(s.len());
                let inner = s[i + close..end].to_string();
                let protected = self.protect(&inner);
                let md = self.inline(protected.trim());
                let n = self.footnote_for(name, Some(md));
                out.push_str(&format!("[^{n}]"));
                i = (end + 6).min(s.len());
                continue;
            }
            if rest.starts_with("{{") {
                let end = matching_braces(s, i);
                let template = &s[i..end];
                let md = if template.contains('\n') {
                    fenced(template, "wikitext")
                } else {
                    code_span(template)
                };
                let ph = self.placeholder(md);
                out.push_str(&ph);
                i = end;
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            if c == PH_OPEN || c == PH_CLOSE {
                i += c.len_utf8();
                continue;
            }
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    fn footnote_for(&mut self, name: Option<String>, text: Option<String>) -> usize {
        if let Some(n) = &name
            && let Some(pos) = self
                .footnotes
                .iter()
                .position(|(k, _)| k.as_deref() == Some(n))
        {
            if let Some(t) = text
                && self.footnotes[pos].1.is_empty()
            {
                self.footnotes[pos].1 = t;
            }
            return pos + 1;
        }
        self.footnotes.push((name, text.unwrap_or_default()));
        self.footnotes.len()
    }

    fn internal_link(&mut self, inner: &str, trail: &str) -> String {
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t.trim(), Some(l.trim())),
            None => (inner.trim(), None),
        };
        let lower = target.to_lowercase();
        for prefix in ["catégorie:", "categorie:", "category:"] {
            if lower.starts_with(prefix) {
                let name = target.split_once(':').map(|(_, n)| n).unwrap_or("");
                let tag = tag_from_category(name);
                if !tag.is_empty() && !self.tags.contains(&tag) {
                    self.tags.push(tag);
                }
                return String::new();
            }
        }
        for prefix in ["fichier:", "file:", "image:", "média:", "media:"] {
            if lower.starts_with(prefix) {
                return self.placeholder(code_span(&format!("[[{inner}]]")));
            }
        }
        let target = target.strip_prefix(':').unwrap_or(target);
        let (page, anchor) = match target.split_once('#') {
            Some((p, a)) => (p.trim(), Some(a.trim())),
            None => (target, None),
        };
        let label = match label {
            Some(l) if !l.is_empty() => l.to_string(),
            _ => target.to_string(),
        };
        let mut url = String::new();
        if !page.is_empty() {
            url.push_str(&slugify(page));
            if !self.links.iter().any(|l| l == page) {
                self.links.push(page.to_string());
            }
        }
        if let Some(a) = anchor {
            url.push('#');
            url.push_str(&slugify(a));
        }
        let label = format!("{label}{trail}");
        let label = emphasis(&label).replace('[', "\\[").replace(']', "\\]");
        self.placeholder(format!("[{label}]({url})"))
    }

    /// Inline markup of one line: links, then bold and italic.
    fn inline(&mut self, line: &str) -> String {
        let mut out = String::with_capacity(line.len());
        let mut i = 0;
        while i < line.len() {
            let rest = &line[i..];
            if rest.starts_with("[[") {
                if let Some(end) = rest.find("]]") {
                    let inner = &rest[2..end];
                    if !inner.contains("[[") {
                        let after = &rest[end + 2..];
                        let trail_len: usize = after
                            .chars()
                            .take_while(|c| c.is_alphabetic() && c.is_lowercase())
                            .map(char::len_utf8)
                            .sum();
                        let link = self.internal_link(inner, &after[..trail_len]);
                        out.push_str(&link);
                        i += end + 2 + trail_len;
                        continue;
                    }
                }
            } else if rest.starts_with('[')
                && is_url_start(&rest[1..])
                && let Some(end) = rest.find(']')
            {
                {
                    let inner = &rest[1..end];
                    let (url, label) = match inner.split_once(' ') {
                        Some((u, l)) => (u, l.trim()),
                        None => (inner, ""),
                    };
                    let url = url
                        .replace(' ', "%20")
                        .replace(')', "%29")
                        .replace('(', "%28");
                    let md = if label.is_empty() {
                        format!("<{url}>")
                    } else {
                        let label = emphasis(label).replace('[', "\\[").replace(']', "\\]");
                        format!("[{label}]({url})")
                    };
                    let ph = self.placeholder(md);
                    out.push_str(&ph);
                    i += end + 1;
                    continue;
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
        let out = emphasis(&out);
        remove_magic_words(&out)
    }
}

fn ref_name(tag: &str) -> Option<String> {
    let i = tag.find("name")?;
    let rest = tag[i + 4..].trim_start().strip_prefix('=')?.trim_start();
    let name: String = if let Some(r) = rest.strip_prefix('"') {
        r.split('"').next()?.to_string()
    } else if let Some(r) = rest.strip_prefix('\'') {
        r.split('\'').next()?.to_string()
    } else {
        rest.chars()
            .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
            .collect()
    };
    Some(name)
}

fn matching_braces(s: &str, start: usize) -> usize {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{{") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"}}") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    s.len()
}

fn is_url_start(s: &str) -> bool {
    let l = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("http://")
        || l.starts_with("https://")
        || l.starts_with("//")
        || l.starts_with("mailto:")
        || l.starts_with("ftp://")
}

fn tag_from_category(name: &str) -> String {
    let name = name.split('|').next().unwrap_or("").replace('_', " ");
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let tag = normalize_tag(&cleaned);
    tag.chars()
        .take(MAX_TAG_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

fn remove_magic_words(s: &str) -> String {
    let mut out = s.to_string();
    for w in [
        "__NOTOC__",
        "__TOC__",
        "__FORCETOC__",
        "__NOEDITSECTION__",
        "__NOINDEX__",
        "__INDEX__",
    ] {
        out = out.replace(w, "");
    }
    out
}

/// `'''bold'''`, `''italic''`, `'''''both'''''` → `**bold**`, `*italic*`, `***both***`.
fn emphasis(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let (mut bold, mut italic) = (false, false);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\'' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut n = 0;
        while i + n < chars.len() && chars[i + n] == '\'' {
            n += 1;
        }
        i += n;
        let mut run = n;
        if run == 1 {
            out.push('\'');
            continue;
        }
        if run == 4 {
            out.push('\'');
            run = 3;
        } else if run > 5 {
            out.push_str(&"'".repeat(run - 5));
            run = 5;
        }
        match run {
            2 => {
                out.push('*');
                italic = !italic;
            }
            3 => {
                out.push_str("**");
                bold = !bold;
            }
            _ => {
                // Five: bold and italic together.
                out.push_str("***");
                bold = !bold;
                italic = !italic;
            }
        }
    }
    if italic && bold {
        out.push_str("***");
    } else if bold {
        out.push_str("**");
    } else if italic {
        out.push('*');
    }
    out
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_end();
    if !t.starts_with('=') || !t.ends_with('=') || t.len() < 3 {
        return None;
    }
    let open = t.chars().take_while(|c| *c == '=').count();
    let close = t.chars().rev().take_while(|c| *c == '=').count();
    if open + close >= t.len() {
        return None;
    }
    let level = open.min(close).min(6);
    let inner = &t[level..t.len() - level];
    Some((level, inner.trim()))
}

fn split_cells<'a>(s: &'a str, sep: &str) -> Vec<&'a str> {
    // Split on `sep` outside [[…]] links.
    let mut cells = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"[[") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"]]") {
            depth -= 1;
            i += 2;
        } else if depth <= 0 && b[i..].starts_with(sep.as_bytes()) {
            cells.push(&s[start..i]);
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    cells.push(&s[start..]);
    cells
}

/// Drops a cell's attributes (`style="…" | content` → `content`).
fn cell_content(cell: &str) -> &str {
    let parts = split_cells(cell, "|");
    if parts.len() >= 2 && (parts[0].contains('=') || parts[0].trim().is_empty()) {
        let first_len = parts[0].len() + 1;
        cell[first_len..].trim()
    } else {
        cell.trim()
    }
}

#[derive(Default)]
struct Table {
    caption: Option<String>,
    rows: Vec<(bool, Vec<String>)>,
}

impl Converter {
    fn render_table(&mut self, t: Table) -> String {
        let mut out = String::new();
        if let Some(c) = t.caption {
            let c = self.inline(&c);
            out.push_str(&format!("*{}*\n\n", c.trim()));
        }
        let rows: Vec<(bool, Vec<String>)> = t
            .rows
            .into_iter()
            .filter(|(_, cells)| !cells.is_empty())
            .collect();
        if rows.is_empty() {
            return out;
        }
        let width = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(1);
        let fmt_row = |this: &mut Converter, cells: &[String]| -> String {
            let mut line = String::from("|");
            for k in 0..width {
                let cell = cells.get(k).map(String::as_str).unwrap_or("");
                let inline = this.inline(cell.trim());
                let md = escape_pipes(&this.restore(&inline)).replace('\n', "<br>");
                if !md.trim().is_empty() {
                    line.push(' ');
                    line.push_str(md.trim());
                }
                line.push_str(" |");
            }
            line.push('\n');
            line
        };
        let header = fmt_row(self, &rows[0].1);
        out.push_str(&header);
        out.push('|');
        out.push_str(&" --- |".repeat(width));
        out.push('\n');
        for (_, cells) in &rows[1..] {
            let r = fmt_row(self, cells);
            out.push_str(&r);
        }
        out
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Block {
    None,
    Para,
    List,
    Quote,
}

/// Converts wikitext to Markdown as far as it reasonably goes; see the module docs.
/// Constructs it cannot convert (templates, files, parser functions) are kept verbatim
/// in code spans or `wikitext` code blocks, so nothing is lost silently.
pub fn wikitext_to_markdown(wikitext: &str) -> WikiConversion {
    let mut cv = Converter::default();
    let normalized = wikitext.replace("\r\n", "\n");
    let protected = cv.protect(&normalized);
    let mut out = String::with_capacity(protected.len() + 64);
    let mut block = Block::None;
    let mut table: Option<Table> = None;
    let mut pre: Vec<&str> = Vec::new();

    let lines: Vec<&str> = protected.split('\n').collect();
    let ensure_blank = |out: &mut String| {
        if !out.is_empty() && !out.ends_with("\n\n") {
            if out.ends_with('\n') {
                out.push('\n');
            } else {
                out.push_str("\n\n");
            }
        }
    };
    for line in lines {
        // Tables.
        if let Some(t) = table.as_mut() {
            let tl = line.trim_start();
            if tl.starts_with("|}") {
                let t = table.take().unwrap_or_default();
                let md = cv.render_table(t);
                out.push_str(&md);
                ensure_blank(&mut out);
                block = Block::None;
            } else if tl.starts_with("|-") {
                t.rows.push((false, Vec::new()));
            } else if let Some(c) = tl.strip_prefix("|+") {
                t.caption = Some(cell_content(c).to_string());
            } else if let Some(h) = tl.strip_prefix('!') {
                if t.rows.is_empty() {
                    t.rows.push((true, Vec::new()));
                }
                let row = t.rows.last_mut().expect("row");
                row.0 = true;
                for c in split_cells(h, "!!")
                    .into_iter()
                    .flat_map(|c| split_cells(c, "||"))
                {
                    row.1.push(cell_content(c).to_string());
                }
            } else if let Some(d) = tl.strip_prefix('|') {
                if t.rows.is_empty() {
                    t.rows.push((false, Vec::new()));
                }
                let row = t.rows.last_mut().expect("row");
                for c in split_cells(d, "||") {
                    row.1.push(cell_content(c).to_string());
                }
            } else if let Some(cell) = t.rows.last_mut().and_then(|r| r.1.last_mut()) {
                // Continuation of a multi-line cell.
                if !tl.trim().is_empty() {
                    if !cell.is_empty() {
                        cell.push('\n');
                    }
                    cell.push_str(tl.trim());
                }
            }
            continue;
        }
        // Preformatted lines (leading space).
        if line.starts_with(' ') && !line.trim().is_empty() && !line.trim_start().starts_with("{|")
        {
            pre.push(&line[1..]);
            continue;
        }
        if !pre.is_empty() {
            ensure_blank(&mut out);
            out.push_str(fenced(&pre.join("\n"), "").trim_start_matches('\n'));
            out.push('\n');
            pre.clear();
            block = Block::None;
        }
        let trimmed = line.trim_end();
        if trimmed.trim().is_empty() {
            ensure_blank(&mut out);
            block = Block::None;
            continue;
        }
        if trimmed.trim_start().starts_with("{|") {
            ensure_blank(&mut out);
            table = Some(Table::default());
            continue;
        }
        if let Some((level, text)) = heading(trimmed) {
            ensure_blank(&mut out);
            let text = cv.inline(text);
            out.push_str(&format!("{} {}\n\n", "#".repeat(level), text.trim()));
            block = Block::None;
            continue;
        }
        if trimmed.starts_with("----") && trimmed.chars().all(|c| c == '-') {
            ensure_blank(&mut out);
            out.push_str("---\n\n");
            block = Block::None;
            continue;
        }
        let prefix: String = trimmed
            .chars()
            .take_while(|c| matches!(c, '*' | '#' | ':' | ';'))
            .collect();
        if !prefix.is_empty() {
            let rest = trimmed[prefix.len()..].trim();
            let last = prefix.chars().last().unwrap_or('*');
            let all_colons = prefix.chars().all(|c| c == ':');
            if all_colons {
                if block != Block::Quote && block != Block::None {
                    ensure_blank(&mut out);
                }
                let text = cv.inline(rest);
                out.push_str(&format!("{} {}\n", ">".repeat(prefix.len()), text.trim()));
                block = Block::Quote;
                continue;
            }
            if block != Block::List && block != Block::None {
                ensure_blank(&mut out);
            }
            let mut indent = String::new();
            for c in prefix[..prefix.len() - 1].chars() {
                indent.push_str(match c {
                    '#' => "   ",
                    _ => "  ",
                });
            }
            let item = match last {
                '#' => format!("1. {}", cv.inline(rest).trim()),
                '*' => format!("- {}", cv.inline(rest).trim()),
                ';' => match split_cells(rest, " :").as_slice() {
                    [term, def @ ..] if def.iter().any(|d| !d.trim().is_empty()) => {
                        let def = def.join(" :");
                        format!(
                            "**{}** : {}",
                            cv.inline(term.trim()).trim(),
                            cv.inline(def.trim()).trim()
                        )
                    }
                    _ => format!("**{}**", cv.inline(rest).trim()),
                },
                _ => format!(": {}", cv.inline(rest).trim()),
            };
            if prefix.len() == 1 && last == ';' {
                if block != Block::None {
                    ensure_blank(&mut out);
                }
                out.push_str(&format!("{item}\n"));
                block = Block::Para;
                continue;
            }
            if prefix.starts_with(';') && prefix.len() == 2 && last == ':' {
                out.push_str(&format!("> {}\n", cv.inline(rest).trim()));
                block = Block::Quote;
                continue;
            }
            out.push_str(&format!("{indent}{item}\n"));
            block = Block::List;
            continue;
        }
        if block == Block::List || block == Block::Quote {
            ensure_blank(&mut out);
        }
        let text = cv.inline(trimmed);
        if text.trim().is_empty() {
            continue;
        }
        out.push_str(&text);
        out.push('\n');
        block = Block::Para;
    }
    if let Some(t) = table.take() {
        ensure_blank(&mut out);
        let md = cv.render_table(t);
        out.push_str(&md);
    }
    if !pre.is_empty() {
        ensure_blank(&mut out);
        out.push_str(fenced(&pre.join("\n"), "").trim_start_matches('\n'));
    }
    if !cv.footnotes.is_empty() {
        let mut notes = String::new();
        for (k, (_, text)) in cv.footnotes.iter().enumerate() {
            notes.push_str(&format!("[^{}]: {}\n", k + 1, text.trim()));
        }
        ensure_blank(&mut out);
        out.push_str(&notes);
    }
    let mut markdown = cv.restore(&out);
    while markdown.ends_with("\n\n") {
        markdown.pop();
    }
    let markdown = markdown.trim_start_matches('\n').to_string();
    WikiConversion {
        markdown,
        tags: cv.tags,
        links: cv.links,
    }
}
