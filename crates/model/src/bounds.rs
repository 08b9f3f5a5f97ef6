//! The plausible range of the values a ROM carries: what no real Xiaomi
//! ROM can have is refused at the door, before it reaches the store and
//! from there every page, feed and message built from it.
//!
//! Each bound is a small function of its own that depends on nothing else
//! here and says what is wrong; [`Incoming::checked`](crate::Incoming::checked)
//! names the field.

use chrono::{Days, NaiveDate};

/// MIUI's first builds came out in 2010: no ROM is older.
pub const FIRST_RELEASE: NaiveDate = match NaiveDate::from_ymd_opt(2010, 1, 1) {
    Some(date) => date,
    None => unreachable!(),
};

/// A release date from 2010 up to tomorrow (`today` is UTC's; a day ahead
/// covers the time zones east of it).
pub fn check_release_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, String> {
    let latest = today.checked_add_days(Days::new(1)).unwrap_or(today);
    if date < FIRST_RELEASE || date > latest {
        return Err(format!(
            "{date} is outside the plausible range {FIRST_RELEASE} to {latest}"
        ));
    }
    Ok(date)
}

/// The largest package a record may state: the biggest real ROMs are
/// about 12 GB (fastboot archives); 64 GB leaves room for growth and stops
/// nonsense such as 2^64−1 bytes.
pub const MAX_SIZE_BYTES: u64 = 64_000_000_000;

/// A size no larger than [`MAX_SIZE_BYTES`].
pub fn check_size(bytes: u64) -> Result<u64, String> {
    if bytes > MAX_SIZE_BYTES {
        return Err(format!(
            "{bytes} bytes is larger than any ROM (at most {MAX_SIZE_BYTES})"
        ));
    }
    Ok(bytes)
}

/// The most mirror hosts a record may list: Xiaomi has five CDN hosts, and
/// the reference data lists at most six.
pub const MAX_MIRROR_HOSTS: usize = 16;

/// A list of `count` mirror hosts, no more than [`MAX_MIRROR_HOSTS`].
pub fn check_mirror_count(count: usize) -> Result<(), String> {
    if count > MAX_MIRROR_HOSTS {
        return Err(format!(
            "{count} hosts listed; at most {MAX_MIRROR_HOSTS} are taken"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn dates_from_2010_to_tomorrow() {
        let today = day("2026-12-03");
        for ok in ["2010-01-01", "2017-12-28", "2026-12-04"] {
            assert_eq!(check_release_date(day(ok), today), Ok(day(ok)));
        }
        let refused = [
            day("2009-12-31"),
            day("2026-12-05"),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(-44, 3, 15).unwrap(),
        ];
        for date in refused {
            let err = check_release_date(date, today).unwrap_err();
            assert!(err.contains("outside the plausible range"), "{date}: {err}");
        }
    }

    #[test]
    fn sizes_and_lists_have_ceilings() {
        assert_eq!(check_size(11_500_000_000), Ok(11_500_000_000));
        assert!(check_size(u64::MAX).is_err());
        assert!(check_mirror_count(MAX_MIRROR_HOSTS).is_ok());
        assert!(check_mirror_count(MAX_MIRROR_HOSTS + 1).is_err());
    }
}
