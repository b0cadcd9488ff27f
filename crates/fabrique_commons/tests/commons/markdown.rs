//! Safe Markdown rendering against a hostile corpus.

use fabrique_commons::{plain_text, render_markdown, snippet};

/// Inputs that try to get script, event handlers, styles or dangerous URLs through.
pub const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" ONERROR=\"alert(1)\">",
    "<a href=\"javascript:alert(1)\">clic</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">clic</a>",
    "<a href=\"java\tscript:alert(1)\">clic</a>",
    "<a href=\"&#106;avascript:alert(1)\">clic</a>",
    "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>",
    "[clic](javascript:alert(1))",
    "[clic](JAVASCRIPT:alert(1))",
    "[clic](  javascript:alert(1) )",
    "[clic](<javascript:alert(1)>)",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[ref]: javascript:alert(1)\n\n[clic][ref]",
    "<svg onload=alert(1)><circle r=10 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<style>body{background:red}</style>",
    "<div onclick=\"alert(1)\" onmouseover='alert(2)'>survol</div>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "[a](https://ok.example \"title\" onmouseover=alert(1))",
    "[[a](javascript:alert(1))](https://ok.example)",
    "[a](https://ok.example)[b](javascript:alert(1))",
    "<a href=\"https://ok.example\"><img src=x onerror=alert(1)></a>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<template><script>alert(1)</script></template>",
    "<input type=\"image\" src=\"x\" onerror=\"alert(1)\">",
    "- [ ] <input onfocus=alert(1) autofocus>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<img srcset=\"javascript:alert(1) 1x\">",
    "<video><source onerror=\"alert(1)\"></video>",
    "<a xlink:href=\"javascript:alert(1)\">x</a>",
];

/// Whether rendered HTML holds anything dangerous.
pub fn dangerous(html: &str) -> Option<String> {
    let lower = html.to_lowercase();
    if lower.contains("<script")
        || lower.contains("<style")
        || lower.contains("<iframe")
        || lower.contains("<svg")
    {
        return Some("dangerous element".into());
    }
    if lower.contains("javascript:") || lower.contains("vbscript:") {
        return Some("script URL".into());
    }
    for tag in lower
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""))
    {
        let squeezed: String = tag.chars().filter(|c| !c.is_whitespace()).collect();
        if squeezed.contains("=\"data:")
            || squeezed.contains("='data:")
            || squeezed.contains("=data:")
        {
            return Some(format!("data URL in <{tag}>"));
        }
        if tag.contains(" style=") {
            return Some(format!("style attribute in <{tag}>"));
        }
    }
    // An attribute named on…= inside a tag (quoted attribute values skipped).
    let b = lower.as_bytes();
    let mut in_tag = false;
    let mut quote: Option<u8> = None;
    for i in 0..b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'<' if !in_tag => in_tag = true,
            b'>' if in_tag => in_tag = false,
            b'"' | b'\'' if in_tag => quote = Some(c),
            c if in_tag && (c.is_ascii_whitespace() || c == b'/') => {
                let rest = &lower[i + 1..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                if name.starts_with("on") && rest[name.len()..].trim_start().starts_with('=') {
                    return Some(format!("event handler {name}"));
                }
            }
            _ => {}
        }
    }
    None
}

#[test]
fn hostile_corpus_is_neutralised() {
    for input in HOSTILE {
        let html = render_markdown(input);
        assert_eq!(dangerous(&html), None, "input {input:?} rendered {html:?}");
    }
}

#[test]
fn hostile_inputs_inside_markdown_structures() {
    for input in HOSTILE {
        for wrapped in [
            format!("> {input}"),
            format!("- {input}"),
            format!("| a |\n|---|\n| {input} |"),
            format!("**{input}**"),
            format!("[^1]\n\n[^1]: {input}"),
        ] {
            let html = render_markdown(&wrapped);
            assert_eq!(
                dangerous(&html),
                None,
                "input {wrapped:?} rendered {html:?}"
            );
        }
    }
}

#[test]
fn ordinary_markdown_renders_with_safe_links() {
    let html = render_markdown(
        "# Titre\n\nUn [lien](https://ex.example/a?b=1) et ~~barré~~.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n- [x] fait\n- [ ] à faire\n",
    );
    assert!(html.contains("<h1>Titre</h1>"), "{html}");
    assert!(
        html.contains(
            "<a href=\"https://ex.example/a?b=1\" rel=\"noopener noreferrer nofollow\">lien</a>"
        ),
        "{html}"
    );
    assert!(html.contains("<del>barré</del>"), "{html}");
    assert!(
        html.contains("<table>") && html.contains("<td>1</td>"),
        "{html}"
    );
    assert!(
        html.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\">"),
        "{html}"
    );
    assert!(
        html.contains("<input disabled=\"\" type=\"checkbox\">"),
        "{html}"
    );
    // Relative links (wiki imports) survive.
    let html = render_markdown("[repair café](repair-cafe)");
    assert!(html.contains("href=\"repair-cafe\""), "{html}");
    // The hostile text shows as text.
    let html = render_markdown("<script>alert(1)</script> et [x](javascript:alert(1))");
    assert!(!html.contains("alert(1)</script>"));
    assert!(html.contains("x"));
}

#[test]
fn plain_text_and_snippets() {
    let md = "# Repair café\n\nUn **atelier** de [réparation](https://x.example).\n\n<b>html</b> brut\n\n- un\n- deux\n\n![photo du café](a.png)";
    assert_eq!(
        plain_text(md),
        "Repair café\nUn atelier de réparation.\nhtml brut\nun\ndeux\nphoto du café"
    );
    assert_eq!(snippet(md, 20), "Repair café Un…");
    assert_eq!(snippet("court", 20), "court");
}

#[test]
fn search_text_gathers_every_field() {
    let mut c = crate::diff::repair_cafe();
    c.tags = vec!["réparation".into()];
    c.body = "Un **atelier** ouvert.".into();
    let t = fabrique_commons::search_text(&c);
    assert_eq!(
        t,
        "Repair café\nréparation\nRéparer ensemble ses objets.\nDans un quartier sans atelier.\nbénévoles 5\nune salle\ntournevis\nmultimètre\nTrouver une salle\nAnnoncer la date\nAccueillir\nDes objets réparés\nUn atelier ouvert."
    );
    assert!(fabrique_commons::fold_for_search(&t).contains("reparer ensemble"));
}

#[test]
fn every_image_has_a_text_alternative() {
    // Raw HTML without alt gets an empty one; Markdown's alt text and an author's alt stay.
    let html =
        render_markdown("<img src=x onerror=alert(1)> et <img alt=\"un vélo\" src=\"v.png\">");
    assert_eq!(html.matches("<img").count(), 2, "{html}");
    assert!(html.contains("<img alt=\"\" src=\"x\">"), "{html}");
    assert!(html.contains("alt=\"un vélo\""), "{html}");
    assert_eq!(html.matches("alt=").count(), 2, "{html}");
    let html = render_markdown("![photo du café](a.png) 1 &lt; 2 <b>x</b>");
    assert!(html.contains("alt=\"photo du café\""), "{html}");
    assert_eq!(html.matches("alt=").count(), 1, "{html}");
    assert!(html.contains("1 &lt; 2"), "{html}");
}
