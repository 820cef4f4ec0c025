//! Text made safe for the HTML report: escaped for markup and attributes (as JUnit's XML is),
//! and JSON made safe to sit inside a `<script>` element.

pub(super) use crate::report::escape_markup as escape;

/// JSON made safe to sit in a `<script>` element: `<`, `>` and `&` (which only occur inside
/// strings) as `\u` escapes, so no `</script>` or `<!--` in a scanned path ends the element.
pub(super) fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_a_path_ends_the_data_element() {
        let json = serde_json::to_string("</script><script>alert(1)</script>&").unwrap();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><script>alert(1)</script>&");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;"
        );
    }
}
