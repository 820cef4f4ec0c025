//! Azure shared access signatures read offline: a SAS carries its own expiry (`se=`, the signed
//! expiry, ISO 8601 in UTC), after which Azure refuses it. One whose expiry has passed grants
//! nothing, so it is reported as info, as an expired JSON Web Token is. A SAS without `se=`
//! (its expiry set by a stored access policy) is not judged.

use crate::clock;

/// A UTC time as (year, month, day, hour, minute, second), ordered as a tuple.
type Utc = (i64, u32, u32, u64, u64, u64);

/// The signed expiry of the SAS query string `token` (`se=2025-04-04T15:24:52Z`, also
/// URL-encoded `%3A`, with or without seconds, or a bare date: midnight).
pub fn expiry(token: &[u8]) -> Option<Utc> {
    let at = (0..token.len().saturating_sub(2)).find(|&i| {
        token[i..].starts_with(b"se=") && (i == 0 || matches!(token[i - 1], b'&' | b'?'))
    })? + 3;
    let rest = &token[at..];
    let raw = &rest[..rest.iter().position(|&b| b == b'&').unwrap_or(rest.len())];
    let text = String::from_utf8_lossy(raw)
        .replace("%3A", ":")
        .replace("%3a", ":");
    let num = |s: Option<&str>| s.and_then(|s| s.parse::<u64>().ok());
    let (date, time) = text.split_once('T').unwrap_or((text.as_str(), ""));
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next())?, num(d.next())?, num(d.next())?);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let time = time.trim_end_matches('Z');
    let time = time.split('.').next().unwrap_or("");
    let mut t = time.split(':').filter(|p| !p.is_empty());
    let (h, mi, s) = (num(t.next()), num(t.next()), num(t.next()));
    if time.is_empty() {
        return Some((y as i64, m as u32, day as u32, 0, 0, 0));
    }
    Some((y as i64, m as u32, day as u32, h?, mi?, s.unwrap_or(0)))
}

/// Whether the SAS `token` has a signed expiry before `now` (Unix seconds).
pub fn expired(token: &[u8], now: i64) -> bool {
    expiry(token).is_some_and(|e| e < clock::utc(now.max(0) as u64))
}

/// How far around a matched SAS its query string is looked at.
const AROUND: usize = 1024;

/// [`expired`] for the SAS matched at `hay[start..end]` with the rest of the query string
/// around it, up to a blank, a quote or an angle bracket: its parameters come in any order, and
/// `se=` may stand before the part a rule matched (`sp=…&se=…&sv=…&sig=…`).
pub fn expired_at(hay: &[u8], start: usize, end: usize, now: i64) -> bool {
    let stop = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>');
    let lo = start.saturating_sub(AROUND);
    let hi = end.saturating_add(AROUND).min(hay.len());
    let (Some(before), Some(after)) = (hay.get(lo..start), hay.get(end..hi)) else {
        return false;
    };
    let from = before.iter().rposition(stop).map_or(lo, |i| lo + i + 1);
    let to = after.iter().position(stop).map_or(hi, |i| end + i);
    expired(&hay[from..to], now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_expiry_is_read_in_its_forms() {
        let now = 1_764_979_200; // 2025-12-06T00:00:00Z
        let sas = |se: &str| format!("sv=2022-11-02&sr=c&sp=rl&se={se}&spr=https&sig=abc%3D");
        assert!(expired(sas("2025-04-04T15:24:52Z").as_bytes(), now));
        assert!(expired(sas("2025-04-04T15%3A24%3A52Z").as_bytes(), now));
        assert!(expired(sas("2025-12-05").as_bytes(), now));
        assert!(expired(sas("2025-12-05T23:59Z").as_bytes(), now));
        assert!(!expired(sas("2027-01-01T00:00:00Z").as_bytes(), now));
        assert!(!expired(sas("2025-12-06T00:00:01.5Z").as_bytes(), now));
        // No expiry (a stored access policy's), or one that is not a date: not judged.
        assert!(!expired(b"sv=2022-11-02&si=policy1&sig=abc%3D", now));
        assert!(!expired(sas("tomorrow").as_bytes(), now));
        assert!(!expired(sas("2025-13-01").as_bytes(), now));
        // `se=` inside another parameter's value is not the expiry.
        assert!(!expired(b"sv=2022-11-02&rscd=case=2020-01-01&sig=abc", now));
    }

    #[test]
    fn the_query_string_around_the_match_is_read() {
        let now = 1_764_979_200;
        let line = b"X=\"sp=r&se=2025-04-04T15:24:52Z&sv=2022-11-02&sig=abc%3D\" se=2030-01-01";
        let start = line.windows(3).position(|w| w == b"sv=").unwrap_or(0);
        assert!(expired_at(line, start, start + 10, now));
        // A later line's or another string's `se=` is not this SAS's.
        let line = b"X=\"sv=2022-11-02&sig=abc%3D\" Y=\"a&se=2020-01-01\"";
        assert!(!expired_at(line, 3, 20, now));
    }
}
