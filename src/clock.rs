//! Calendar time in UTC from Unix seconds, for the few places a report or a request needs a
//! date (GitLab's report timestamps, AWS request signing) without a date library.

/// Year, month, day, hour, minute, second (UTC) of `secs` seconds after the Unix epoch.
pub fn utc(secs: u64) -> (i64, u32, u32, u64, u64, u64) {
    let rest = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rest / 3600, rest % 3600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(utc(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(utc(1_440_938_160), (2015, 8, 30, 12, 36, 0));
        assert_eq!(utc(4_102_444_799), (2099, 12, 31, 23, 59, 59));
    }
}
