//! The HTML report's charts, drawn as inline SVG by the report itself: horizontal bars of
//! findings by severity, by exposure and by rule, and for history scans a timeline of when
//! leaks were introduced (still in HEAD or removed since). Each bar names the table filter it
//! sets when clicked (`data-filter`, `data-value`).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::finding::{Finding, Severity};

use super::markup::escape;

/// One bar: its label, count, colour class, and the table filter it stands for.
pub(super) struct Bar {
    pub label: String,
    pub count: u64,
    pub class: &'static str,
    pub filter: Option<(&'static str, String)>,
}

const ROW: u32 = 22;
const LABEL_W: u32 = 230;
const BAR_W: u32 = 260;

/// A titled chart of horizontal bars, scaled to the largest count.
pub(super) fn bars(title: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let height = ROW * bars.len() as u32 + 8;
    let width = LABEL_W + BAR_W + 60;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<figure class=\"chart\"><figcaption>{}</figcaption>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        escape(title),
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4 + ROW * i as u32;
        let w = if b.count == 0 {
            0
        } else {
            ((b.count * u64::from(BAR_W)) / max).max(2)
        };
        let filter = match &b.filter {
            Some((key, value)) => format!(
                " class=\"bar\" data-filter=\"{key}\" data-value=\"{}\" tabindex=\"0\"",
                escape(value)
            ),
            None => String::new(),
        };
        let _ = write!(
            svg,
            "<g{filter}><title>{label}: {count}</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{short}</text>\
             <rect class=\"{class}\" x=\"{LABEL_W}\" y=\"{y}\" width=\"{w}\" height=\"{bh}\" rx=\"2\"/>\
             <text x=\"{cx}\" y=\"{ty}\">{count}</text></g>",
            label = escape(&b.label),
            count = b.count,
            lx = LABEL_W - 6,
            ty = y + 14,
            short = escape(&shorten(&b.label, 32)),
            class = b.class,
            bh = ROW - 6,
            cx = u64::from(LABEL_W) + w + 6,
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

/// Findings by severity, most severe first (counting those counted but not listed).
pub(super) fn by_severity(counts: &[(Severity, u64)]) -> Vec<Bar> {
    counts
        .iter()
        .map(|&(s, n)| Bar {
            label: s.as_str().to_string(),
            count: n,
            class: severity_class(s),
            filter: Some(("severity", s.as_str().to_string())),
        })
        .collect()
}

/// Where each finding sits: its exposure, or `history` when it is no longer in HEAD.
pub(super) fn place(f: &Finding) -> &'static str {
    match &f.provenance {
        Some(p) if !p.in_head => "history",
        _ => f.exposure.as_str(),
    }
}

/// Findings by where they sit: source, public bundle, web root, mobile app, history.
pub(super) fn by_place(findings: &[Finding]) -> Vec<Bar> {
    let order = [
        ("live-site", "live site"),
        ("public-bundle", "public bundle"),
        ("web-root", "web root"),
        ("mobile-app", "mobile app"),
        ("source", "source"),
        ("history", "history only (removed)"),
    ];
    order
        .iter()
        .map(|&(key, label)| Bar {
            label: label.to_string(),
            count: findings.iter().filter(|f| place(f) == key).count() as u64,
            class: if key == "source" || key == "history" {
                "quiet"
            } else {
                "public"
            },
            filter: Some(("place", key.to_string())),
        })
        // A live site only where a probe found something (no scan of files has one).
        .filter(|b| b.count > 0 || b.filter.as_ref().is_some_and(|f| f.1 != "live-site"))
        .collect()
}

/// Rules shown by name in the rule chart; the rest are one bar.
const TOP_RULES: usize = 12;

/// Findings by rule, most first; past [`TOP_RULES`], one bar for the others.
pub(super) fn by_rule(findings: &[Finding]) -> Vec<Bar> {
    let mut counts: BTreeMap<&str, (u64, &str, Severity)> = BTreeMap::new();
    for f in findings {
        let e = counts
            .entry(&f.rule_id)
            .or_insert((0, &f.title, f.severity));
        e.0 += 1;
        e.2 = e.2.max(f.severity);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let mut bars: Vec<Bar> = rows
        .iter()
        .take(TOP_RULES)
        .map(|(id, (n, title, sev))| Bar {
            label: title.to_string(),
            count: *n,
            class: severity_class(*sev),
            filter: Some(("rule", id.to_string())),
        })
        .collect();
    if rows.len() > TOP_RULES {
        let rest = &rows[TOP_RULES..];
        bars.push(Bar {
            label: format!("{} other rules", rest.len()),
            count: rest.iter().map(|r| r.1.0).sum(),
            class: "quiet",
            filter: None,
        });
    }
    bars
}

/// For history scans: findings by the month (or, over more than four years, the year) their
/// commit introduced them, stacked by whether the secret is still in HEAD. `None` when no
/// finding has a dated commit.
pub(super) fn timeline(findings: &[Finding]) -> Option<String> {
    let mut months: BTreeMap<(i32, u32), (u64, u64)> = BTreeMap::new();
    for f in findings {
        let Some(p) = &f.provenance else { continue };
        let Some((y, m)) = p.date.as_deref().and_then(year_month) else {
            continue;
        };
        let e = months.entry((y, m)).or_default();
        if p.in_head {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let (&first, _) = months.first_key_value()?;
    let (&last, _) = months.last_key_value()?;
    let span = (last.0 - first.0) * 12 + last.1 as i32 - first.1 as i32 + 1;
    let by_year = span > 48;
    let mut buckets: Vec<(String, u64, u64)> = Vec::new();
    let (mut y, mut m) = first;
    loop {
        let key = if by_year {
            format!("{y}")
        } else {
            format!("{y}-{m:02}")
        };
        let (head, gone) = months.get(&(y, m)).copied().unwrap_or_default();
        match buckets.last_mut() {
            Some(b) if b.0 == key => {
                b.1 += head;
                b.2 += gone;
            }
            _ => buckets.push((key, head, gone)),
        }
        if (y, m) == last {
            break;
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let max = buckets.iter().map(|b| b.1 + b.2).max().unwrap_or(1).max(1);
    let step = (640 / buckets.len() as u32).clamp(4, 40);
    let plot_h = 120u32;
    let width = 60 + step * buckets.len() as u32 + 20;
    let height = plot_h + 50;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<figure class=\"chart wide\"><figcaption>When each leak was introduced (by {}): \
         <span class=\"key head\">still in HEAD</span> <span class=\"key gone\">removed \
         since (still in history)</span></figcaption>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"timeline\">\
         <text x=\"52\" y=\"14\" text-anchor=\"end\">{max}</text>\
         <line class=\"axis\" x1=\"56\" y1=\"{base}\" x2=\"{end}\" y2=\"{base}\"/>",
        if by_year { "year" } else { "month" },
        base = plot_h + 10,
        end = width - 10,
    );
    // At most 8 labels, and never closer than a label's width (56 px for `2024-05`).
    let label_every = (buckets.len() / 8)
        .max(1)
        .max(56u32.div_ceil(step) as usize);
    for (i, (key, head, gone)) in buckets.iter().enumerate() {
        let x = 60 + step * i as u32;
        let h_head = (*head * u64::from(plot_h) / max) as u32;
        let h_gone = (*gone * u64::from(plot_h) / max) as u32;
        let base = plot_h + 10;
        let _ = write!(
            svg,
            "<g class=\"bar\" data-filter=\"introduced\" data-value=\"{key}\" tabindex=\"0\">\
             <title>{key}: {head} still in HEAD, {gone} removed</title>\
             <rect class=\"gone\" x=\"{x}\" y=\"{yg}\" width=\"{w}\" height=\"{h_gone}\"/>\
             <rect class=\"head\" x=\"{x}\" y=\"{yh}\" width=\"{w}\" height=\"{h_head}\"/></g>",
            yg = base - h_gone,
            yh = base - h_gone - h_head,
            w = step.saturating_sub(2).max(2),
        );
        if i % label_every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{x}\" y=\"{}\" class=\"tick\">{key}</text>",
                base + 16
            );
        }
    }
    svg.push_str("</svg></figure>");
    Some(svg)
}

/// The year and month of an ISO 8601 date (`2024-05-01T12:00:00+02:00`).
pub(super) fn year_month(date: &str) -> Option<(i32, u32)> {
    let y = date.get(..4)?.parse().ok()?;
    let m: u32 = date.get(5..7)?.parse().ok()?;
    (date.as_bytes().get(4) == Some(&b'-') && (1..=12).contains(&m)).then_some((y, m))
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

/// `s` cut to `n` characters with an ellipsis.
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_bucket_by_month() {
        assert_eq!(year_month("2024-05-01T12:00:00+02:00"), Some((2024, 5)));
        assert_eq!(year_month("2024-13-01"), None);
        assert_eq!(year_month("May 2024"), None);
        assert_eq!(year_month(""), None);
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
