//! Parsing points in time and durations given on the command line.

use anyhow::{bail, Context, Result};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// Parses a duration: a number followed by `s`, `m`, `h`, `d` or `w` (`30d`, `12h`, `2w`).
pub fn parse_duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    if digits.is_empty() {
        bail!("'{t}' is not a duration: expected a number and a unit, like 30d, 12h or 2w");
    }
    let n: i64 = digits
        .parse()
        .with_context(|| format!("'{t}' is not a duration: number too large"))?;
    let seconds_per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" | "" => 86_400,
        "w" => 7 * 86_400,
        _ => bail!("'{t}' is not a duration: the unit must be s, m, h, d or w"),
    };
    n.checked_mul(seconds_per)
        .filter(|s| *s <= 100 * 366 * 86_400)
        .map(Duration::seconds)
        .with_context(|| format!("'{t}' is too long a duration"))
}

/// Parses a number of seconds for `--timeout`-style flags (fractions
/// allowed, more than 0, at most a day); the error is for clap to show.
pub fn parse_secs(s: &str) -> std::result::Result<std::time::Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v <= 86_400.0) {
        return Err("must be more than 0 and at most 86400 seconds".to_string());
    }
    Ok(std::time::Duration::from_secs_f64(v))
}

/// Parses a point in time relative to `now`: `now`, `+2d` / `-40d` (any
/// [`parse_duration`] unit), an RFC 3339 timestamp, or a `YYYY-MM-DD` date (midnight UTC).
pub fn parse_time(text: &str, now: OffsetDateTime) -> Result<OffsetDateTime> {
    let t = text.trim();
    if t == "now" {
        return Ok(now);
    }
    if let Some(rest) = t.strip_prefix('+') {
        return Ok(now + parse_duration(rest)?);
    }
    if let Some(rest) = t.strip_prefix('-') {
        return Ok(now - parse_duration(rest)?);
    }
    if let Ok(ts) = OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
        return Ok(ts);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(t, &fmt) {
        return Ok(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc());
    }
    bail!("'{t}' is not a time: use YYYY-MM-DD, an RFC 3339 timestamp, 'now', or a relative time like -40d or +2d")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").unwrap(), Duration::days(30));
        assert_eq!(parse_duration("12h").unwrap(), Duration::hours(12));
        assert_eq!(parse_duration("2w").unwrap(), Duration::weeks(2));
        assert_eq!(parse_duration("7").unwrap(), Duration::days(7));
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }

    #[test]
    fn seconds() {
        assert_eq!(
            parse_secs("1.5").unwrap(),
            std::time::Duration::from_millis(1500)
        );
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("NaN").is_err());
        assert!(parse_secs("inf").is_err());
        assert!(parse_secs("ten").unwrap_err().contains("not a number"));
    }

    #[test]
    fn times() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(100);
        assert_eq!(parse_time("-40d", now).unwrap(), now - Duration::days(40));
        assert_eq!(parse_time("+2d", now).unwrap(), now + Duration::days(2));
        assert_eq!(
            parse_time("1970-01-02", now).unwrap(),
            OffsetDateTime::UNIX_EPOCH + Duration::days(1)
        );
        assert_eq!(
            parse_time("1970-01-01T01:00:00Z", now).unwrap(),
            OffsetDateTime::UNIX_EPOCH + Duration::hours(1)
        );
        assert!(parse_time("yesterday", now).is_err());
    }
}
