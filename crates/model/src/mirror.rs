//! Mirror health as the pages and the API show it: for one ROM file, each
//! mirror's link with what its last check found, best first; for each
//! host, its record over days.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::Link;

crate::named_enum!(
    /// What the last check of one file on one mirror host found.
    MirrorStatus, "mirror status", {
        /// The file is there, answered in good time.
        Ok => "ok", "ok";
        /// The file is there, but the answer took longer than the slow
        /// threshold.
        Slow => "slow", "slow";
        /// Not checked yet (or not within the results kept).
        Unchecked => "unchecked", "unchecked";
        /// No file: a 404, an error page, a wrong size, or no answer.
        Down => "down", "down";
    }
);

/// One mirror of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MirrorHealth {
    /// The host, with its port when the link names one.
    pub host: String,
    pub url: Link,
    pub status: MirrorStatus,
    /// When it was last checked.
    pub checked_at: Option<DateTime<Utc>>,
    /// How long the last check's answer took.
    pub latency_ms: Option<u64>,
    /// The first failed check of the failures that go on (status `down`).
    pub down_since: Option<DateTime<Utc>>,
}

/// The last check of one file on one host, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCheck {
    pub host: String,
    pub status: MirrorStatus,
    pub checked_at: DateTime<Utc>,
    pub latency_ms: Option<u64>,
    pub down_since: Option<DateTime<Utc>>,
}

/// The mirror state of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileMirrors {
    /// The last check on each host, by host name.
    pub checks: Vec<HostCheck>,
    /// The day it was found withdrawn.
    pub withdrawn_on: Option<NaiveDate>,
}

/// One host's record over a span of days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostHealth {
    pub host: String,
    pub checks: u64,
    /// Checks that found the file.
    pub ok: u64,
    /// Of the checks that found the file.
    pub median_latency_ms: Option<u64>,
    /// Per day (UTC), oldest first: checks and how many found the file.
    pub days: Vec<DayHealth>,
}

/// One host on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayHealth {
    pub day: NaiveDate,
    pub checks: u64,
    pub ok: u64,
}

impl HostHealth {
    /// The share of checks that found the file, 0 to 1.
    pub fn success_rate(&self) -> f64 {
        if self.checks == 0 {
            0.0
        } else {
            self.ok as f64 / self.checks as f64
        }
    }
}

/// The mirrors of a file best first: its links (`url`, then `mirrors`) and
/// every checked host's copy of `url`, each with its last check; `ok`
/// before `slow`, then unchecked, then `down`, and in the given order
/// within each (so the usual mirror leads among equals). The first is where
/// a download button should point.
pub fn mirrors_best_first(
    url: Option<&Link>,
    mirrors: &[Link],
    checks: &[HostCheck],
) -> Vec<MirrorHealth> {
    let mut links: Vec<Link> = url.into_iter().chain(mirrors).cloned().collect();
    if let Some(url) = url {
        for check in checks {
            if !links.iter().any(|l| l.authority() == check.host)
                && let Ok(copy) = url.on_host(&check.host)
            {
                links.push(copy);
            }
        }
    }
    let mut list: Vec<MirrorHealth> = links
        .into_iter()
        .map(|link| {
            let host = link.authority();
            let check = checks.iter().find(|c| c.host == host);
            MirrorHealth {
                status: check.map_or(MirrorStatus::Unchecked, |c| c.status),
                checked_at: check.map(|c| c.checked_at),
                latency_ms: check.and_then(|c| c.latency_ms),
                down_since: check.and_then(|c| c.down_since),
                host,
                url: link,
            }
        })
        .collect();
    // Stable: equals keep their order.
    list.sort_by_key(|m| m.status);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(host: &str, status: MirrorStatus) -> HostCheck {
        HostCheck {
            host: host.to_string(),
            status,
            checked_at: DateTime::UNIX_EPOCH,
            latency_ms: Some(5),
            down_since: None,
        }
    }

    #[test]
    fn healthy_mirrors_lead_and_down_ones_trail() {
        let url = Link::parse("https://a.example/V1/x.zip").unwrap();
        let mirrors = [url.on_host("b.example").unwrap()];
        let checks = [
            check("a.example", MirrorStatus::Down),
            check("c.example", MirrorStatus::Slow),
            check("d.example", MirrorStatus::Ok),
        ];
        let list = mirrors_best_first(Some(&url), &mirrors, &checks);
        let order: Vec<(&str, MirrorStatus)> =
            list.iter().map(|m| (m.host.as_str(), m.status)).collect();
        assert_eq!(
            order,
            [
                ("d.example", MirrorStatus::Ok),
                ("c.example", MirrorStatus::Slow),
                ("b.example", MirrorStatus::Unchecked),
                ("a.example", MirrorStatus::Down),
            ]
        );
        assert_eq!(list[0].url.as_str(), "https://d.example/V1/x.zip");
        assert!(mirrors_best_first(None, &[], &checks).is_empty());
    }
}
