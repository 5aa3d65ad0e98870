//! A comment's Markdown, rendered safely to HTML on the server, and the `@handle`
//! mentions read from it. Pure: no I/O.
//!
//! Safe means: no HTML written in a comment reaches the page as HTML (every raw HTML
//! block or inline tag is shown as text, escaped); links keep their target only when it
//! is `http:`, `https:` or `mailto:` (anything else, `javascript:` included, becomes its
//! plain text); images are shown as their description, never loaded (a page would
//! otherwise fetch any address a commenter chose). Everything else is CommonMark with
//! tables and strikethrough, escaped by pulldown-cmark's writer.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Whether a link's target may be followed from a comment.
fn link_allowed(destination: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside a scheme
    // (`java\tscript:`), so they are dropped before the scheme is compared.
    let cleaned: String = destination.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control()).collect();
    let lower = cleaned.to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme))
}

/// Renders a comment's Markdown to HTML that holds no markup of the commenter's own.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // Which open links were refused, innermost last, so that their ends are left out too.
    let mut refused_links: Vec<bool> = Vec::new();
    let mut in_image = 0_usize;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::Link { dest_url, link_type, title, id }) => {
            let allowed = link_allowed(&dest_url);
            refused_links.push(!allowed);
            allowed.then_some(Event::Start(Tag::Link { dest_url, link_type, title, id }))
        }
        Event::End(TagEnd::Link) => {
            if refused_links.pop().unwrap_or(true) {
                None
            } else {
                Some(Event::End(TagEnd::Link))
            }
        }
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::InlineMath(text) | Event::DisplayMath(text) => Some(Event::Text(text)),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The handles a text mentions (`@dana`), lower-cased, each once, in order of first
/// mention. An `@` inside a word (an email address) is no mention.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let starts = c == '@' && previous.is_none_or(|p| !(p.is_alphanumeric() || matches!(p, '.' | '_' | '-' | '+')));
        previous = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[at + 1..];
        let handle: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let handle = handle.trim_end_matches('-').to_owned();
        if handle.is_empty() || handle.starts_with('-') {
            continue;
        }
        for _ in 0..handle.len() {
            if let Some((_, c)) = chars.next() {
                previous = Some(c);
            }
        }
        if !found.contains(&handle) {
            found.push(handle);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_as_html() {
        assert_eq!(render("**bold** and _it_"), "<p><strong>bold</strong> and <em>it</em></p>\n");
        assert_eq!(render("[site](https://example.com)"), "<p><a href=\"https://example.com\">site</a></p>\n");
        assert_eq!(render("[mail](mailto:a@b.c)"), "<p><a href=\"mailto:a@b.c\">mail</a></p>\n");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> there");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        let nested = render("<div><a href=\"javascript:alert(1)\">*x*</a></div>");
        assert!(!nested.contains("<a"), "{nested}");
        assert!(!nested.contains("<div"), "{nested}");
    }

    #[test]
    fn only_web_and_mail_links_keep_their_target() {
        for bad in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](data:text/html,<script>alert(1)</script>)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
        ] {
            let html = render(bad);
            assert!(!html.contains("href"), "{bad} gave {html}");
        }
        let nested = render("[**a [b](javascript:x) c**](https://ok.example)");
        assert!(!nested.contains("javascript"), "{nested}");
    }

    #[test]
    fn images_are_never_loaded() {
        let html = render("![a cat](https://tracker.example/pixel.png) ![x](javascript:alert(1))");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("a cat"), "{html}");
    }

    #[test]
    fn attributes_are_escaped() {
        let html = render("[x](https://example.com/\"onmouseover=\"alert(1))");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }

    #[test]
    fn mentions_are_read_from_words_starting_with_at() {
        assert_eq!(mentions("@dana and @Lee-2, again @dana."), vec!["dana", "lee-2"]);
        assert_eq!(mentions("mail dana@example.com or @ alone or @-x"), Vec::<String>::new());
        assert_eq!(mentions("(@sam)"), vec!["sam"]);
    }
}
