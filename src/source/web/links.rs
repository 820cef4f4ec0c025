//! What a fetched body says to fetch next: in HTML, `<script src>`, `<link rel=modulepreload>`
//! and `rel=preload` hrefs, and what inline scripts name; in scripts, `sourceMappingURL`s and
//! string literals naming other chunks (`import("./chunk-a1.js")`, Vite's preload lists,
//! Next's `_buildManifest.js`); in JSON manifests (`asset-manifest.json`, Vite's
//! `.vite/manifest.json`), every `.js`/`.map` path. Only what could hold a key is followed
//! (scripts, source maps, manifests), at most [`MAX_LINKS`] per body.

use std::collections::BTreeSet;

use crate::source::web::url::Url;

/// Links taken from one body at most (a page that links 100,000 scripts yields this many).
pub const MAX_LINKS: usize = 5000;

/// What a URL is expected to hold, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Page,
    Script,
    SourceMap,
    Manifest,
}

impl Kind {
    /// The kind of a linked URL by its path's extension; `None` for what is not followed.
    pub fn of_link(url: &Url) -> Option<Kind> {
        let p = url.path_only().to_ascii_lowercase();
        if p.ends_with(".js") || p.ends_with(".mjs") || p.ends_with(".cjs") {
            Some(Kind::Script)
        } else if p.ends_with(".map") {
            Some(Kind::SourceMap)
        } else if p.ends_with("manifest.json") {
            Some(Kind::Manifest)
        } else {
            None
        }
    }
}

/// The URLs `body` (fetched from `base`, as `kind`) names that a probe follows.
pub fn links(base: &Url, kind: Kind, content_type: &str, body: &[u8]) -> Vec<Url> {
    let text = String::from_utf8_lossy(&body[..body.len().min(32 << 20)]);
    let html = kind == Kind::Page && (content_type.contains("html") || looks_like_html(&text));
    let mut refs: Vec<String> = Vec::new();
    if html {
        from_html(&text, &mut refs);
    } else if kind == Kind::Manifest || content_type.contains("json") && kind != Kind::SourceMap {
        from_manifest(&text, &mut refs);
    } else if kind == Kind::Script || content_type.contains("javascript") {
        from_script(&text, &mut refs);
    }
    let mut out = BTreeSet::new();
    for r in refs {
        if out.len() >= MAX_LINKS {
            break;
        }
        if let Some(url) = resolve(base, &r)
            && url.same_origin(base)
            && Kind::of_link(&url).is_some()
        {
            out.insert(url);
        }
    }
    out.into_iter().collect()
}

/// A `SourceMap` header's URL (resolved against the script it came with).
pub fn header_map(base: &Url, value: &str) -> Option<Url> {
    base.join(value).filter(|u| u.same_origin(base))
}

/// Whether `text` starts like an HTML page (what a single-page app answers for any path).
pub fn looks_like_html(text: &str) -> bool {
    let head = text
        .get(..text.len().min(1024))
        .unwrap_or("")
        .to_ascii_lowercase();
    head.contains("<html") || head.contains("<!doctype") || head.contains("<script")
}

/// A reference as written (`./a.js`, `/x.js`, `assets/b.js`) as the URL it means. A bare path
/// (`assets/b.js`, as bundlers' preload lists and manifests write them) is relative to the
/// site's base, not to the script: where the script's own path has the bare path's first
/// directory (`/shop/assets/index.js` for `assets/b.js`, `/_next/static/…` for
/// `static/chunks/…`), the base is what comes before it; else the root.
fn resolve(base: &Url, r: &str) -> Option<Url> {
    let bare = !r.starts_with(['.', '/']) && !r.contains("://");
    if !bare {
        return base.join(r);
    }
    let first = r.split('/').next().unwrap_or("");
    let here = base.path_only();
    let prefix = match here.find(&format!("/{first}/")) {
        Some(at) if r.contains('/') && !first.is_empty() => &here[..=at],
        _ => "/",
    };
    Some(base.with_path(&format!("{prefix}{r}")))
}

/// `<script src>`, `<link rel=modulepreload|preload href>`, and references in inline scripts.
fn from_html(text: &str, refs: &mut Vec<String>) {
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find('<') {
        let start = at + i;
        let tag_end = match lower[start..].find('>') {
            Some(e) => start + e,
            None => break,
        };
        let tag = &text[start + 1..tag_end];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let mut next = tag_end + 1;
        match name.as_str() {
            "script" => {
                if let Some(src) = attribute(tag, "src") {
                    refs.push(relative(src));
                } else {
                    // An inline script runs to its `</script` (or the end): read once, skipped
                    // over, so a page of unclosed scripts stays linear.
                    let close = lower[tag_end..].find("</script").map(|c| tag_end + c);
                    let end = close.unwrap_or(text.len());
                    from_script(&text[tag_end + 1..end.max(tag_end + 1)], refs);
                    next = end;
                }
            }
            "link" => {
                let rel = attribute(tag, "rel")
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let followed = rel
                    .split_ascii_whitespace()
                    .any(|r| matches!(r, "modulepreload" | "preload" | "prefetch"));
                if followed && let Some(href) = attribute(tag, "href") {
                    refs.push(relative(href));
                }
            }
            _ => {}
        }
        if refs.len() >= MAX_LINKS {
            return;
        }
        at = next;
    }
}

/// A reference an HTML attribute or a `sourceMappingURL` makes: relative to the document, so
/// a bare `app.js` is marked `./app.js` (bare names in scripts mean the site's base).
fn relative(r: String) -> String {
    let bare = !r.starts_with(['.', '/', '?', '#']) && !r.contains(':');
    if bare { format!("./{r}") } else { r }
}

/// The value of attribute `name` in a tag's text (`script type="module" src=/a.js`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let bytes = tag.as_bytes();
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || bytes[at - 1].is_ascii_whitespace();
        let mut j = at + name.len();
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if !before_ok || bytes.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let value = match bytes.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let rest = &tag[j + 1..];
                &rest[..rest.find(q as char).unwrap_or(rest.len())]
            }
            Some(_) => {
                let rest = &tag[j..];
                &rest[..rest
                    .find(|c: char| c.is_ascii_whitespace() || c == '/' && rest.len() == 1)
                    .unwrap_or(rest.len())]
            }
            None => "",
        };
        return Some(decode_entities(value.trim()));
    }
    None
}

fn decode_entities(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
}

/// `sourceMappingURL`s and string literals that name scripts or maps.
fn from_script(text: &str, refs: &mut Vec<String>) {
    for marker in ["sourceMappingURL=", "sourceURL="] {
        let mut at = 0;
        while let Some(i) = text[at..].find(marker) {
            let start = at + i + marker.len();
            let value: String = text[start..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '*' | '"' | '\''))
                .collect();
            if !value.is_empty() && !value.starts_with("data:") {
                // Relative to the script, as the source map specification says.
                refs.push(relative(value));
            }
            at = start;
            if refs.len() >= MAX_LINKS {
                return;
            }
        }
    }
    string_paths(text, refs);
}

/// Quoted strings ending in `.js`, `.mjs` or `.map` (an optional query after), made of path
/// characters only.
fn string_paths(text: &str, refs: &mut Vec<String>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if !matches!(q, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < bytes.len() && j - start < 512 && path_byte(bytes[j]) {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == q && j > start {
            // A string followed by `:` is an object's key (a manifest's `"main.js": …`), not a
            // path.
            let key = bytes[j + 1..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b':');
            let s = &text[start..j];
            let path = s.split('?').next().unwrap_or(s);
            let lower = path.to_ascii_lowercase();
            let named = [".js", ".mjs", ".map"].iter().any(|e| lower.ends_with(e))
                && lower.len() > 3
                && !lower.starts_with("//")
                && lower.contains(|c: char| c.is_ascii_alphanumeric());
            if named && !key {
                refs.push(s.to_string());
                if refs.len() >= MAX_LINKS {
                    return;
                }
            }
            i = j + 1;
        } else {
            i = start;
        }
    }
}

fn path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_./~@%+=&?:".contains(&b)
}

/// Every string value of a JSON manifest that names a script or map.
fn from_manifest(text: &str, refs: &mut Vec<String>) {
    string_paths(text, refs);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(base: &str, kind: Kind, ct: &str, body: &str) -> Vec<String> {
        let base = Url::parse(base).expect("base");
        links(&base, kind, ct, body.as_bytes())
            .into_iter()
            .map(|u| u.to_string())
            .collect()
    }

    #[test]
    fn html_scripts_preloads_and_inline_references() {
        let page = r#"<!doctype html><html><head>
            <script type="module" crossorigin src="/assets/index-Qx7a.js"></script>
            <link rel="modulepreload" href="/assets/vendor-9f.js">
            <link rel=preload as=script href=/assets/lazy.js>
            <link rel="stylesheet" href="/assets/index.css">
            <script src="https://cdn.other.example/lib.js"></script>
            <script>window.__NUXT__={};import("/_nuxt/entry.mjs")</script>
            <SCRIPT SRC='rel/app.js?v=2'></SCRIPT>
            </head></html>"#;
        assert_eq!(
            names("https://shop.example/store/", Kind::Page, "text/html", page),
            [
                "https://shop.example/_nuxt/entry.mjs",
                "https://shop.example/assets/index-Qx7a.js",
                "https://shop.example/assets/lazy.js",
                "https://shop.example/assets/vendor-9f.js",
                "https://shop.example/store/rel/app.js?v=2",
            ]
        );
    }

    #[test]
    fn scripts_name_chunks_and_maps() {
        let js = r#"const a=()=>import("./chunk-a1.js");__vitePreload(()=>import("./b.js"),["assets/b.js","assets/b.css"]);
//# sourceMappingURL=index-Qx7a.js.map"#;
        assert_eq!(
            names(
                "https://s.example/assets/index-Qx7a.js",
                Kind::Script,
                "application/javascript",
                js
            ),
            [
                "https://s.example/assets/b.js",
                "https://s.example/assets/chunk-a1.js",
                "https://s.example/assets/index-Qx7a.js.map",
            ]
        );
        // Vite with `base: '/shop/'`: preload lists name `assets/…` under the base.
        let vite = r#"const m=["assets/checkout-C0QNghot.js","assets/money-CEsQy-rD.js"];"#;
        assert_eq!(
            names(
                "https://s.example/shop/assets/index-D.js",
                Kind::Script,
                "",
                vite
            ),
            [
                "https://s.example/shop/assets/checkout-C0QNghot.js",
                "https://s.example/shop/assets/money-CEsQy-rD.js",
            ]
        );
        let next = r#"self.__BUILD_MANIFEST={"/":["static/chunks/pages/index-1a.js"],"/pay":["static/chunks/pages/pay-2b.js"]}"#;
        assert_eq!(
            names(
                "https://s.example/_next/static/b1/_buildManifest.js",
                Kind::Script,
                "",
                next
            ),
            [
                "https://s.example/_next/static/chunks/pages/index-1a.js",
                "https://s.example/_next/static/chunks/pages/pay-2b.js",
            ]
        );
    }

    #[test]
    fn manifests_name_files() {
        let cra = r#"{"files":{"main.js":"/static/js/main.8e.js","main.js.map":"/static/js/main.8e.js.map"}}"#;
        assert_eq!(
            names(
                "https://s.example/asset-manifest.json",
                Kind::Manifest,
                "application/json",
                cra
            ),
            [
                "https://s.example/static/js/main.8e.js",
                "https://s.example/static/js/main.8e.js.map"
            ]
        );
    }

    #[test]
    fn bounded_and_garbage_safe() {
        let many: String = (0..20_000)
            .map(|i| format!("<script src=\"/s{i}.js\"></script>"))
            .collect();
        assert_eq!(
            names("http://a/", Kind::Page, "text/html", &many).len(),
            MAX_LINKS
        );
        let garbage: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let base = Url::parse("http://a/").expect("base");
        for kind in [Kind::Page, Kind::Script, Kind::Manifest, Kind::SourceMap] {
            let _ = links(&base, kind, "", &garbage);
        }
        assert!(names("http://a/", Kind::Page, "text/html", "<script src=").is_empty());
        // Quadratic shapes stay fast: unclosed scripts, `<` with no `>`, one huge tag.
        for page in [
            "<script>".repeat(200_000),
            "<".repeat(2_000_000),
            format!("<link rel=preload {} href=/a.js>", "x ".repeat(1_000_000)),
        ] {
            let started = std::time::Instant::now();
            let _ = names("http://a/", Kind::Page, "text/html", &page);
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "{}",
                &page[..20]
            );
        }
        assert!(
            names(
                "http://a/",
                Kind::Page,
                "text/html",
                "<link rel=preload href"
            )
            .is_empty()
        );
    }
}
