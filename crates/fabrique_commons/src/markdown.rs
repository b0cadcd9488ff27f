//! Safe Markdown rendering and plain-text extraction.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::OnceLock;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("ol", ["start"])
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("input", "type") if value != "checkbox" => None,
                _ => Some(value.into()),
            });
        b
    })
}

/// Renders Markdown (CommonMark with tables, strikethrough, task lists and footnotes)
/// to HTML that is safe to embed: no `<script>`, `<style>` or `<iframe>`, no event
/// handler attribute, no `style` attribute, no `javascript:`/`data:`/`vbscript:` URL
/// (only http, https, mailto, tel and relative URLs survive), and every link gets
/// `rel="noopener noreferrer nofollow"`. Raw HTML in the Markdown goes through the same
/// sanitiser.
pub fn render_markdown(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, options());
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    defang(with_alt(sanitizer().clean(&html).to_string()))
}

/// Gives an empty text alternative to every image written without one (raw HTML), so a
/// screen reader skips it rather than reading its address. The sanitiser's output writes
/// each tag as `<img` followed by quoted attributes, and a literal `<` in text as `&lt;`.
fn with_alt(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<img") {
        let end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
        let tag = &rest[i..end];
        out.push_str(&rest[..i]);
        if tag.contains(" alt=\"") {
            out.push_str(tag);
        } else {
            out.push_str("<img alt=\"\"");
            out.push_str(&tag[4..]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Writes the colon of any remaining `javascript:`/`vbscript:` (only possible in text,
/// the sanitiser having removed such URLs) as `&#58;`, so the output never holds the
/// scheme even as text: the text reads the same.
fn defang(html: String) -> String {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("script:") {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut last = 0;
    for (i, _) in lower.match_indices("script:") {
        if lower[..i].ends_with("java") || lower[..i].ends_with("vb") {
            let colon = i + "script".len();
            out.push_str(&html[last..colon]);
            out.push_str("&#58;");
            last = colon + 1;
        }
    }
    out.push_str(&html[last..]);
    out
}

/// The text of a Markdown document without markup, for search indexing and snippets:
/// blocks separated by newlines, raw HTML dropped, link and image targets dropped (image
/// alt text kept), whitespace inside a block collapsed.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut block = String::new();
    let flush = |block: &mut String, out: &mut String| {
        let collapsed = block.split_whitespace().collect::<Vec<_>>().join(" ");
        if !collapsed.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&collapsed);
        }
        block.clear();
    };
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                block.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => block.push(' '),
            Event::Start(Tag::TableCell) => block.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition,
            ) => flush(&mut block, &mut out),
            _ => {}
        }
    }
    flush(&mut block, &mut out);
    out
}

/// A snippet of at most `max_chars` characters of the plain text, cut at a word
/// boundary with an ellipsis when shortened.
pub fn snippet(markdown: &str, max_chars: usize) -> String {
    let text = plain_text(markdown).replace('\n', " ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > 0 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end())
}

/// All the searchable text of a document, without markup, one block per line: title,
/// tags, summary, context, ingredients, utensils, steps, produces, difficulties, tips,
/// local variants, then the body. For the search index (fold it with
/// [`crate::text::fold_for_search`]).
pub fn search_text(content: &crate::model::Content) -> String {
    let f = &content.fields;
    let mut parts: Vec<String> = vec![content.title.clone()];
    if !content.tags.is_empty() {
        parts.push(content.tags.join(" "));
    }
    for md in [&f.summary, &f.context] {
        parts.push(plain_text(md));
    }
    for i in &f.ingredients {
        parts.push(format!("{} {}", i.name, i.quantity).trim().to_string());
    }
    parts.extend(f.utensils.iter().cloned());
    parts.extend(f.steps.iter().map(|s| plain_text(s)));
    for md in [&f.produces, &f.difficulties, &f.tips, &f.local_variants] {
        parts.push(plain_text(md));
    }
    parts.push(plain_text(&content.body));
    parts.retain(|p| !p.is_empty());
    parts.join("\n")
}
