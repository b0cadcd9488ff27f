//! Day arithmetic on civil dates (proleptic Gregorian day numbers).

use jiff::civil::Date;

/// Days since 1970-01-01.
pub fn day_number(d: Date) -> i64 {
    let m = i64::from(d.month());
    let y = i64::from(d.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d.day()) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`day_number`]); saturates outside jiff's range.
pub fn from_day_number(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let y = y.clamp(-9999, 9999) as i16;
    Date::new(y, m as i8, d as i8).unwrap_or(Date::MAX)
}

/// `d` plus `days` days.
pub fn add_days(d: Date, days: i64) -> Date {
    from_day_number(day_number(d) + days)
}

/// Days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    day_number(b) - day_number(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn roundtrip() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(days_between(date(2026, 2, 27), date(2026, 3, 1)), 2);
        assert_eq!(days_between(date(2028, 2, 27), date(2028, 3, 1)), 3);
        assert_eq!(add_days(date(2026, 12, 15), 60), date(2027, 2, 13));
        for n in -1000..1000 {
            let z = 20_000 + n * 37;
            assert_eq!(day_number(from_day_number(z)), z);
        }
    }
}
