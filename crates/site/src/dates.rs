//! The dates the site shows of a ROM, and the one format with a limit:
//! RFC 2822 (RSS) has four-digit years only. The catalog leaves out a ROM
//! whose date that format cannot carry, so that no stored value can stop a
//! build.

use chrono::{DateTime, Datelike, NaiveTime, Utc};
use romwatch_model::Rom;

/// A time in RFC 2822: `None` for a time outside years 0 to 9999, which
/// chrono's formatter panics on.
pub(crate) fn rfc2822(time: DateTime<Utc>) -> Option<String> {
    (0..=9999).contains(&time.year()).then(|| time.to_rfc2822())
}

/// When a ROM became available, as far as the data says: its release
/// date, at the moment romwatch first saw it when that was the same day (a
/// tracked ROM, seen as it came out), else at midnight UTC. `None` for a
/// ROM without a release date: the time it was first seen is when it was
/// imported, not when it came out, so it is no news for a feed.
pub(crate) fn published(rom: &Rom) -> Option<DateTime<Utc>> {
    let day = rom.released?;
    Some(if rom.first_seen.date_naive() == day {
        rom.first_seen
    } else {
        day.and_time(NaiveTime::MIN).and_utc()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_rfc_2822_cannot_hold_give_none() {
        let at = |y| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .unwrap()
                .and_time(NaiveTime::MIN)
                .and_utc()
        };
        assert_eq!(
            rfc2822(at(2017)).as_deref(),
            Some("Sun, 1 Jan 2017 00:00:00 +0000")
        );
        assert_eq!(rfc2822(at(10_000)), None);
        assert_eq!(rfc2822(at(-44)), None);
    }
}
