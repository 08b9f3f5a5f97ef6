//! Mirror health: the last check of each file on each mirror host, each
//! host's record over days, and the files Xiaomi withdrew.
//!
//! [`Store::record_mirror_checks`] writes one run's results in one
//! transaction: the last check per file and host (keeping since when a
//! failing host has failed), one log row per check, the withdrawal counts
//! and their outbox events, then it prunes what is older than
//! [`KEEP_DAYS`]. A check where every host answered 404 counts towards
//! withdrawal at most once a day; [`WITHDRAWN_AFTER`] such checks make the
//! file withdrawn (dated, one `withdrawn` event). A check where any host
//! has the file resets the count, and restores a withdrawn file (one
//! `restored` event). A run that records checks bumps the store's
//! generation: the pages show the hosts' rates, which every check moves,
//! so the next build renders them (writing only the files that changed).
//!
//! Times are passed in (`now`), never read from the clock here: tests
//! replay days in seconds.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use romwatch_model::{DayHealth, FileMirrors, HostCheck, HostHealth, MirrorStatus, Rom};

use crate::events::add_event;
use crate::sqlite::{ROM_COLUMNS, read_rom};
use crate::{EventKind, Store, StoreError};

/// Days of check results kept.
pub const KEEP_DAYS: i64 = 30;
/// All-404 checks, a day apart at least, that make a file withdrawn.
pub const WITHDRAWN_AFTER: i64 = 3;

/// One check of one file on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorCheck {
    pub host: String,
    /// `ok`, `slow` or `down` (never `unchecked`).
    pub status: MirrorStatus,
    /// The host answered 404 (or 410): it does not have the file at all,
    /// as opposed to failing to answer.
    pub missing: bool,
    pub latency_ms: Option<u64>,
}

/// The checks of one file, one per host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    pub filename: String,
    pub checks: Vec<MirrorCheck>,
}

/// What recording a run's checks did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MirrorReport {
    pub files: usize,
    pub checks: usize,
    /// Checks whose status differs from the host's last one for the file.
    pub changed: usize,
    /// Files marked withdrawn by this run.
    pub withdrawn: Vec<String>,
    /// Withdrawn files that answered again.
    pub restored: Vec<String>,
    /// Old log and check rows removed.
    pub pruned: usize,
}

fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("mirror check time {text:?}")))
}

fn parse_status(text: &str) -> Result<MirrorStatus, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("mirror status {text:?}")))
}

impl Store {
    /// The files a mirror run should check, at most `limit`: every file
    /// first seen in the last `recent_days` first, then the others; within
    /// each, the never checked, then the longest unchecked (so older files
    /// take turns from run to run).
    pub fn mirror_candidates(
        &self,
        now: DateTime<Utc>,
        recent_days: i64,
        limit: usize,
    ) -> Result<Vec<Rom>, StoreError> {
        let sql = format!(
            "SELECT {ROM_COLUMNS} FROM (
                SELECT r.*, (SELECT max(m.checked_at) FROM mirror_checks m WHERE m.rom_id = r.id) AS last
                FROM roms r)
             ORDER BY first_seen >= ?1 DESC, last IS NOT NULL, last, id DESC
             LIMIT ?2"
        );
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let cutoff = stamp(now - Duration::days(recent_days));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![cutoff, limit], |r| Ok(read_rom(r, 0)))?;
        rows.map(|r| r?).collect()
    }

    /// Records a run's checks, made at `now` (see the module doc).
    pub fn record_mirror_checks(
        &mut self,
        files: &[FileCheck],
        now: DateTime<Utc>,
    ) -> Result<MirrorReport, StoreError> {
        let tx = self.conn_mut().transaction()?;
        let mut report = MirrorReport::default();
        let now_text = stamp(now);
        for file in files {
            let rom_id: Option<i64> = tx
                .prepare_cached("SELECT id FROM roms WHERE filename = ?1")?
                .query_row([&file.filename], |r| r.get(0))
                .optional()?;
            let Some(rom_id) = rom_id else { continue };
            report.files += 1;
            for check in &file.checks {
                report.checks += 1;
                let previous: Option<(String, Option<String>)> = tx
                    .prepare_cached(
                        "SELECT status, down_since FROM mirror_checks WHERE rom_id = ?1 AND host = ?2",
                    )?
                    .query_row(params![rom_id, check.host], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let previous_status = previous.as_ref().map(|(s, _)| s.as_str());
                if previous_status != Some(check.status.slug()) {
                    report.changed += 1;
                }
                let down_since = (check.status == MirrorStatus::Down).then(|| {
                    previous
                        .as_ref()
                        .filter(|(status, _)| status == MirrorStatus::Down.slug())
                        .and_then(|(_, since)| since.clone())
                        .unwrap_or_else(|| now_text.clone())
                });
                let latency = check.latency_ms.map(|ms| ms as i64);
                tx.prepare_cached(
                    "INSERT INTO mirror_checks (rom_id, host, status, latency_ms, checked_at, down_since)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (rom_id, host) DO UPDATE SET
                        status = excluded.status, latency_ms = excluded.latency_ms,
                        checked_at = excluded.checked_at, down_since = excluded.down_since",
                )?
                .execute(params![rom_id, check.host, check.status.slug(), latency, now_text, down_since])?;
                tx.prepare_cached(
                    "INSERT INTO mirror_log (host, checked_at, ok, latency_ms) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    check.host,
                    now_text,
                    check.status != MirrorStatus::Down,
                    latency
                ])?;
            }
            record_withdrawal(&tx, rom_id, file, now, &mut report)?;
        }
        let cutoff = stamp(now - Duration::days(KEEP_DAYS));
        report.pruned += tx.execute("DELETE FROM mirror_log WHERE checked_at < ?1", [&cutoff])?;
        report.pruned +=
            tx.execute("DELETE FROM mirror_checks WHERE checked_at < ?1", [&cutoff])?;
        if report.checks > 0 {
            tx.execute("UPDATE generation SET value = value + 1", [])?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// The mirror state of every file that has one, by file name; or of
    /// the one file `only` names.
    pub fn mirror_states(
        &self,
        only: Option<&str>,
    ) -> Result<HashMap<String, FileMirrors>, StoreError> {
        let mut states: HashMap<String, FileMirrors> = HashMap::new();
        // Two forms, so that one file's read goes through the indexes.
        let filter = if only.is_some() {
            "r.filename = ?1"
        } else {
            "?1 IS NULL"
        };
        let mut stmt = self.connection().prepare_cached(&format!(
            "SELECT r.filename, m.host, m.status, m.checked_at, m.latency_ms, m.down_since
             FROM roms r JOIN mirror_checks m ON m.rom_id = r.id
             WHERE {filter} ORDER BY r.filename, m.host"
        ))?;
        let mut rows = stmt.query([only])?;
        while let Some(row) = rows.next()? {
            let status: String = row.get(2)?;
            let checked_at: String = row.get(3)?;
            let down_since: Option<String> = row.get(5)?;
            states
                .entry(row.get(0)?)
                .or_default()
                .checks
                .push(HostCheck {
                    host: row.get(1)?,
                    status: parse_status(&status)?,
                    checked_at: parse_time(&checked_at)?,
                    latency_ms: row.get::<_, Option<i64>>(4)?.map(|ms| ms.max(0) as u64),
                    down_since: down_since.as_deref().map(parse_time).transpose()?,
                });
        }
        let mut stmt = self.connection().prepare_cached(&format!(
            "SELECT r.filename, w.withdrawn_on FROM roms r JOIN withdrawals w ON w.rom_id = r.id
             WHERE w.withdrawn_on IS NOT NULL AND {filter}"
        ))?;
        let mut rows = stmt.query([only])?;
        while let Some(row) = rows.next()? {
            let day: String = row.get(1)?;
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("withdrawal date {day:?}")))?;
            states.entry(row.get(0)?).or_default().withdrawn_on = Some(day);
        }
        Ok(states)
    }

    /// Each host's record over the `days` days before `now`, by host.
    pub fn host_health(
        &self,
        now: DateTime<Utc>,
        days: i64,
    ) -> Result<Vec<HostHealth>, StoreError> {
        let cutoff = stamp(now - Duration::days(days));
        let mut hosts: BTreeMap<String, (Vec<DayHealth>, Vec<u64>)> = BTreeMap::new();
        let mut stmt = self.connection().prepare_cached(
            "SELECT host, substr(checked_at, 1, 10), count(*), sum(ok) FROM mirror_log
             WHERE checked_at >= ?1 GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        let mut rows = stmt.query([&cutoff])?;
        while let Some(row) = rows.next()? {
            let day: String = row.get(1)?;
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("mirror check day {day:?}")))?;
            hosts.entry(row.get(0)?).or_default().0.push(DayHealth {
                day,
                checks: row.get::<_, i64>(2)?.max(0) as u64,
                ok: row.get::<_, i64>(3)?.max(0) as u64,
            });
        }
        let mut stmt = self.connection().prepare_cached(
            "SELECT host, latency_ms FROM mirror_log
             WHERE checked_at >= ?1 AND ok = 1 AND latency_ms IS NOT NULL ORDER BY 1, 2",
        )?;
        let mut rows = stmt.query([&cutoff])?;
        while let Some(row) = rows.next()? {
            let latency = row.get::<_, i64>(1)?.max(0) as u64;
            hosts.entry(row.get(0)?).or_default().1.push(latency);
        }
        Ok(hosts
            .into_iter()
            .map(|(host, (days, latencies))| HostHealth {
                checks: days.iter().map(|d| d.checks).sum(),
                ok: days.iter().map(|d| d.ok).sum(),
                // Sorted by the query.
                median_latency_ms: latencies.get(latencies.len() / 2).copied(),
                host,
                days,
            })
            .collect())
    }
}

/// Counts a file's all-404 check towards withdrawal, or clears the count
/// when a host has the file (see the module doc).
fn record_withdrawal(
    tx: &rusqlite::Transaction,
    rom_id: i64,
    file: &FileCheck,
    now: DateTime<Utc>,
    report: &mut MirrorReport,
) -> Result<(), StoreError> {
    let all_missing = !file.checks.is_empty() && file.checks.iter().all(|c| c.missing);
    let any_there = file.checks.iter().any(|c| c.status != MirrorStatus::Down);
    let row: Option<(i64, String, Option<String>)> = tx
        .prepare_cached(
            "SELECT missing_checks, last_missing_at, withdrawn_on FROM withdrawals WHERE rom_id = ?1",
        )?
        .query_row([rom_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if all_missing {
        let (count, withdrawn_on) = match &row {
            None => (1, None),
            Some((count, last, withdrawn_on)) => {
                if now - parse_time(last)? < Duration::days(1) {
                    return Ok(());
                }
                (count + 1, withdrawn_on.clone())
            }
        };
        let newly = withdrawn_on.is_none() && count >= WITHDRAWN_AFTER;
        let withdrawn_on = if newly {
            Some(now.date_naive().format("%Y-%m-%d").to_string())
        } else {
            withdrawn_on
        };
        tx.prepare_cached(
            "INSERT INTO withdrawals (rom_id, missing_checks, last_missing_at, withdrawn_on)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (rom_id) DO UPDATE SET missing_checks = excluded.missing_checks,
                last_missing_at = excluded.last_missing_at, withdrawn_on = excluded.withdrawn_on",
        )?
        .execute(params![rom_id, count, stamp(now), withdrawn_on])?;
        if newly {
            add_event(tx, &file.filename, EventKind::Withdrawn)?;
            report.withdrawn.push(file.filename.clone());
        }
    } else if any_there && let Some((_, _, withdrawn_on)) = row {
        tx.prepare_cached("DELETE FROM withdrawals WHERE rom_id = ?1")?
            .execute([rom_id])?;
        if withdrawn_on.is_some() {
            add_event(tx, &file.filename, EventKind::Restored)?;
            report.restored.push(file.filename.clone());
        }
    }
    Ok(())
}
