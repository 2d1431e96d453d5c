//! Formatting epoch times as UTC text, without a date-time dependency.

/// `2026-11-25T03:08:19Z` for epoch seconds.
pub fn iso_seconds(epoch_seconds: i64) -> String {
    let (date, secs_of_day) = split(epoch_seconds);
    format!("{date}T{}Z", hms(secs_of_day))
}

/// CloudWatch's own `2026-11-25 03:08:19.123` form for epoch milliseconds.
pub fn insights_millis(epoch_millis: i64) -> String {
    let (date, secs_of_day) = split(epoch_millis.div_euclid(1000));
    format!(
        "{date} {}.{:03}",
        hms(secs_of_day),
        epoch_millis.rem_euclid(1000)
    )
}

fn split(epoch_seconds: i64) -> (String, i64) {
    let days = epoch_seconds.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        epoch_seconds.rem_euclid(86_400),
    )
}

fn hms(secs_of_day: i64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Howard Hinnant's days-from-civil inverse: proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(iso_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_seconds(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_seconds(1_795_568_899), "2026-11-25T01:08:19Z");
        assert_eq!(
            insights_millis(1_795_568_899_123),
            "2026-11-25 01:08:19.123"
        );
        assert_eq!(iso_seconds(-1), "1969-12-31T23:59:59Z");
    }
}
