//! Counts in words for people: `1 finding`, `2 findings`, `1 entry`, `3 entries` — one place,
//! so that no message says "1 findings" or "1 archives".

/// `n` and `what`, made plural unless `n` is 1: `plural(2, "archive")` is `2 archives`.
pub fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        return format!("1 {what}");
    }
    let many = match what {
        w if w.ends_with("FIFO, socket or device") => "FIFOs, sockets or devices".to_string(),
        w if w.ends_with("entry") => format!("{}entries", &w[..w.len() - "entry".len()]),
        w => format!("{w}s"),
    };
    format!("{n} {many}")
}

/// The verb agreeing with `n`: `verb(1, "occurs", "occur")` is `occurs`.
pub fn verb<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// A byte count as the size options spell it: `1G`, `256M`, `1500` (the largest unit that
/// divides it exactly).
pub fn size(bytes: u64) -> String {
    for (shift, unit) in [(40, 'T'), (30, 'G'), (20, 'M'), (10, 'K')] {
        if bytes != 0 && bytes.is_multiple_of(1u64 << shift) {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree() {
        assert_eq!(plural(1, "finding"), "1 finding");
        assert_eq!(plural(0, "archive"), "0 archives");
        assert_eq!(plural(2, "baseline entry"), "2 baseline entries");
        assert_eq!(
            plural(3, "FIFO, socket or device"),
            "3 FIFOs, sockets or devices"
        );
        assert_eq!(verb(1, "occurs", "occur"), "occurs");
        assert_eq!(size(1 << 30), "1G");
        assert_eq!(size(256 << 20), "256M");
        assert_eq!(size(1500), "1500");
        assert_eq!(size(0), "0");
    }
}
