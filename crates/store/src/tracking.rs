//! What the tracker keeps between runs, beside the ROMs themselves: files
//! seen upstream but not yet on the CDN (*pending*), ROMs recorded but not
//! yet announced (*held*: their branch is undecided), small run state
//! (`meta`), the variants no longer checked (end of life), and the builds
//! the OTA API did not know when the backfill asked (*unknown to the API*).
//!
//! [`Store::merge_tracked`] writes a tracker batch — ROMs, their events,
//! the pending files and the held ROMs — in one transaction, so a killed run keeps whole
//! batches and nothing else.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};

use romwatch_model::{Codename, Method, PackageFacts, Rom, RomParts, security_patches};

use crate::convert::{record_of, to_parts};
use crate::sqlite::{ROM_COLUMNS, merge_in, read_rom};
use crate::{Announce, Incoming, MergeReport, Store, StoreError};

/// The file names of every held ROM.
fn held_files(tx: &rusqlite::Transaction) -> Result<HashSet<String>, StoreError> {
    let mut stmt =
        tx.prepare_cached("SELECT r.filename FROM held_roms h JOIN roms r ON r.id = h.rom_id")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A file seen upstream whose CDN check failed: not recorded as a ROM, not
/// announced, checked again on the next run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFile {
    /// What the sources said of it, ready to record once the CDN has it.
    pub parts: RomParts,
    /// The variant it belongs to.
    pub variant: Codename,
    /// Why the last CDN check failed.
    pub reason: String,
    /// How many CDN checks have failed, this one included.
    pub checks: u32,
    pub first_seen: DateTime<Utc>,
}

/// The announcements a tracker batch holds back or lets go. A ROM whose
/// branch a run could not decide (the check that tells Stable from Stable
/// Beta failed) is recorded but not announced; it is announced, as what it
/// then is, once a run has that check's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    /// File names of new ROMs to record without announcing them.
    pub hold: Vec<String>,
    /// File names of held ROMs now decided: each gets its `new` event.
    pub decide: Vec<String>,
}

impl Store {
    /// Merges a tracker batch like [`Store::merge`], and in the same
    /// transaction forgets the pending state of every file the batch records
    /// and writes `pending` (a file already pending has its check count
    /// raised; its first-seen time is kept). Held ROMs (already held, or
    /// held by `held`) get no event; those `held` decides get their `new`
    /// event after the batch is merged, so it announces them as merged.
    pub fn merge_tracked(
        &mut self,
        batch: &[Incoming],
        announce: Announce,
        pending: &[PendingFile],
        held: &Held,
    ) -> Result<MergeReport, StoreError> {
        let tx = self.conn_mut().transaction()?;
        let mut quiet = held_files(&tx)?;
        quiet.extend(held.hold.iter().cloned());
        let mut report = merge_in(&tx, batch, announce, &quiet)?;
        if announce == Announce::Changes {
            let mut hold = tx.prepare_cached(
                "INSERT INTO held_roms (rom_id) SELECT id FROM roms WHERE filename = ?1
                 ON CONFLICT (rom_id) DO NOTHING",
            )?;
            for filename in &held.hold {
                hold.execute([filename])?;
            }
        }
        {
            let mut decide = tx.prepare_cached(
                "DELETE FROM held_roms WHERE rom_id = (SELECT id FROM roms WHERE filename = ?1)",
            )?;
            for filename in &held.decide {
                if decide.execute([filename])? > 0 && announce == Announce::Changes {
                    crate::events::add_event(&tx, filename, crate::EventKind::New)?;
                    report.events += 1;
                }
            }
        }
        {
            let mut forget = tx.prepare_cached("DELETE FROM pending_files WHERE filename = ?1")?;
            let recorded = batch
                .iter()
                .flat_map(|i| std::iter::once(&i.rom).chain(i.incremental.as_ref()));
            for rom in recorded {
                forget.execute([rom.filename.as_str()])?;
            }
            let mut keep = tx.prepare_cached(
                "INSERT INTO pending_files (filename, variant, record, reason, checks, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (filename) DO UPDATE SET
                    record = excluded.record, reason = excluded.reason,
                    checks = pending_files.checks + 1",
            )?;
            for file in pending {
                // Kept as the interchange record, which a later romwatch
                // still reads.
                let record = serde_json::to_string(&record_of(&file.parts)).map_err(|source| {
                    StoreError::Encode {
                        what: "pending record",
                        source,
                    }
                })?;
                keep.execute(params![
                    file.parts.filename.as_str(),
                    file.variant.as_str(),
                    record,
                    file.reason,
                    file.checks,
                    file.first_seen.to_rfc3339_opts(SecondsFormat::Micros, true),
                ])?;
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// The held ROMs (see [`Held`]): file name and variant, by file name.
    pub fn held_roms(&self) -> Result<Vec<(String, Codename)>, StoreError> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT r.filename, r.variant FROM held_roms h JOIN roms r ON r.id = h.rom_id
             ORDER BY r.filename",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (filename, variant) = row?;
            let variant = Codename::new(&variant)
                .map_err(|_| StoreError::Corrupt(format!("held ROM variant {variant:?}")))?;
            Ok((filename, variant))
        })
        .collect()
    }

    /// Every pending file, by file name.
    pub fn pending_files(&self) -> Result<Vec<PendingFile>, StoreError> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT variant, record, reason, checks, first_seen FROM pending_files ORDER BY filename",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (variant, record, reason, checks, first_seen) = row?;
            let corrupt = |what: &str| StoreError::Corrupt(format!("pending file {what}"));
            let first_seen = DateTime::parse_from_rfc3339(&first_seen)
                .map_err(|_| corrupt("time"))?
                .with_timezone(&Utc);
            let record = serde_json::from_str(&record).map_err(|_| corrupt("record"))?;
            Ok(PendingFile {
                parts: to_parts(&record, first_seen).map_err(|e| corrupt(&e.to_string()))?,
                variant: Codename::new(&variant).map_err(|_| corrupt("variant"))?,
                reason,
                checks,
                first_seen,
            })
        })
        .collect()
    }

    /// A value of the run state, if set.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .connection()
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.connection()
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key, value])?;
        Ok(())
    }

    /// Remembers that the OTA API did not know these builds when asked at
    /// `asked_at` (see [`Store::unknown_to_api`]).
    pub fn remember_unknown_to_api(
        &mut self,
        filenames: &[String],
        asked_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        {
            let mut remember = tx.prepare_cached(
                "INSERT INTO unknown_to_api (filename, asked_at) VALUES (?1, ?2)
                 ON CONFLICT (filename) DO UPDATE SET asked_at = excluded.asked_at",
            )?;
            let at = asked_at.to_rfc3339_opts(SecondsFormat::Micros, true);
            for filename in filenames {
                remember.execute(params![filename, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The builds the OTA API did not know when asked after `since`, by
    /// file name: the backfill leaves them alone until then.
    pub fn unknown_to_api(&self, since: DateTime<Utc>) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self
            .connection()
            .prepare_cached("SELECT filename FROM unknown_to_api WHERE asked_at > ?1")?;
        // RFC 3339 in UTC with a fixed precision sorts as text.
        let since = since.to_rfc3339_opts(SecondsFormat::Micros, true);
        let rows = stmt.query_map([since], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records what packages' metadata says, by file name; a value already
    /// recorded is kept where the new facts lack it.
    pub fn record_package_facts(
        &mut self,
        facts: &[(String, PackageFacts)],
    ) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        {
            let mut write = tx.prepare_cached(
                "INSERT INTO package_facts (filename, security_patch, fingerprint, build_time, pre_build)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (filename) DO UPDATE SET
                    security_patch = coalesce(excluded.security_patch, security_patch),
                    fingerprint = coalesce(excluded.fingerprint, fingerprint),
                    build_time = coalesce(excluded.build_time, build_time),
                    pre_build = coalesce(excluded.pre_build, pre_build)",
            )?;
            for (filename, f) in facts {
                write.execute(params![
                    filename,
                    f.security_patch.map(|d| d.to_string()),
                    f.fingerprint,
                    f.build_time
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    f.pre_build,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every package's recorded metadata, by file name.
    pub fn package_facts(&self) -> Result<HashMap<String, PackageFacts>, StoreError> {
        read_package_facts(self.connection())
    }

    /// The security patch of each of `roms` that has one, by file name, by
    /// the rule of [`security_patches`]: a fastboot image takes the one of
    /// the recovery package of its variant and version, which need not be
    /// among `roms`.
    pub fn security_patches_of(
        &self,
        roms: &[Rom],
    ) -> Result<HashMap<String, NaiveDate>, StoreError> {
        let conn = self.connection();
        let mut related = roms.to_vec();
        let mut builds = HashSet::new();
        let mut same_build = conn.prepare_cached(&format!(
            "SELECT {ROM_COLUMNS} FROM roms WHERE variant = ?1 AND version = ?2"
        ))?;
        for rom in roms.iter().filter(|r| r.method == Method::Fastboot) {
            if builds.insert((rom.variant.as_str(), rom.version.as_str())) {
                let rows = same_build
                    .query_map([rom.variant.as_str(), rom.version.as_str()], |r| {
                        Ok(read_rom(r, 0))
                    })?;
                for sibling in rows {
                    related.push(sibling??);
                }
            }
        }
        let mut facts = HashMap::new();
        for rom in &related {
            facts.extend(facts_where(conn, Some(rom.filename.as_str()))?);
        }
        let patches = security_patches(&related, &facts);
        Ok(roms
            .iter()
            .filter_map(|rom| {
                let patch = patches.get(rom.filename.as_str())?;
                Some((rom.filename.to_string(), *patch))
            })
            .collect())
    }

    /// Marks a variant end-of-life (no longer checked) or not; whether the
    /// store knows the variant.
    pub fn set_end_of_life(&mut self, variant: &Codename, end: bool) -> Result<bool, StoreError> {
        let changed = self
            .connection()
            .prepare_cached("UPDATE devices SET end_of_life = ?2 WHERE variant = ?1")?
            .execute(params![variant.as_str(), end])?;
        Ok(changed > 0)
    }

    /// The variants marked end-of-life.
    pub fn end_of_life(&self) -> Result<Vec<Codename>, StoreError> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT variant FROM devices WHERE end_of_life != 0 ORDER BY variant",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|c| Codename::new(&c?).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }
}

/// Every package's recorded metadata, by file name.
pub(crate) fn read_package_facts(
    conn: &rusqlite::Connection,
) -> Result<HashMap<String, PackageFacts>, StoreError> {
    facts_where(conn, None)
}

/// The recorded metadata of every package, or of the one `only` names.
fn facts_where(
    conn: &rusqlite::Connection,
    only: Option<&str>,
) -> Result<HashMap<String, PackageFacts>, StoreError> {
    // Two forms, so that one file's read goes through the primary key.
    let filter = if only.is_some() {
        "filename = ?1"
    } else {
        "?1 IS NULL"
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT filename, security_patch, fingerprint, build_time, pre_build FROM package_facts
         WHERE {filter}"
    ))?;
    let rows = stmt.query_map([only], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    rows.map(|row| {
        let (filename, patch, fingerprint, time, pre_build) = row?;
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("package facts {what} of {filename}"));
        let security_patch = patch
            .map(|p| NaiveDate::parse_from_str(&p, "%Y-%m-%d").map_err(|_| corrupt("date")))
            .transpose()?;
        let build_time = time
            .map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| corrupt("time"))
            })
            .transpose()?;
        let facts = PackageFacts {
            security_patch,
            fingerprint,
            build_time,
            pre_build,
        };
        Ok((filename, facts))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::to_incoming;
    use romwatch_model::Record;

    fn record(filename: &str) -> Record {
        Record {
            codename: "corot".into(),
            device: "Xiaomi 13T Pro Global".into(),
            os: "hyperos".into(),
            version: "OS2.0.3.0.VMLMIXM".into(),
            branch: "Stable".into(),
            method: "Recovery".into(),
            filename: filename.into(),
            variant: Some("corot_global".into()),
            ..Record::default()
        }
    }

    #[test]
    fn pending_files_wait_then_leave_when_recorded() {
        let mut store = Store::open_in_memory().unwrap();
        let name = "corot_global-ota_full-OS2.0.3.0.VMLMIXM-user-15.0-0123456789.zip";
        let now = Utc::now();
        let pending = PendingFile {
            parts: to_parts(&record(name), now).unwrap(),
            variant: Codename::new("corot_global").unwrap(),
            reason: "not a package".into(),
            checks: 1,
            first_seen: now,
        };
        store
            .merge_tracked(
                &[],
                Announce::Changes,
                std::slice::from_ref(&pending),
                &Held::default(),
            )
            .unwrap();
        store
            .merge_tracked(
                &[],
                Announce::Changes,
                std::slice::from_ref(&pending),
                &Held::default(),
            )
            .unwrap();
        let waiting = store.pending_files().unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].checks, 2);
        assert_eq!(
            store.event_count().unwrap(),
            0,
            "pending files are not announced"
        );

        let incoming = to_incoming(&record(name), now).unwrap();
        let report = store
            .merge_tracked(&[incoming], Announce::Changes, &[], &Held::default())
            .unwrap();
        assert_eq!((report.new_roms, report.events), (1, 1));
        assert!(store.pending_files().unwrap().is_empty());
    }

    #[test]
    fn a_held_rom_is_announced_once_decided_as_what_it_then_is() {
        let mut store = Store::open_in_memory().unwrap();
        let name = "corot_global-ota_full-OS2.0.3.0.VMLMIXM-user-15.0-0123456789.zip";
        let beta = Record {
            branch: "Stable Beta".into(),
            ..record(name)
        };
        let hold = Held {
            hold: vec![name.to_string()],
            decide: Vec::new(),
        };
        let incoming = to_incoming(&beta, Utc::now()).unwrap();
        let report = store
            .merge_tracked(&[incoming], Announce::Changes, &[], &hold)
            .unwrap();
        assert_eq!((report.new_roms, report.events), (1, 0));
        assert_eq!(store.held_roms().unwrap().len(), 1);

        // Decided in a later run: promoted, and announced once, as new.
        let decide = Held {
            hold: Vec::new(),
            decide: vec![name.to_string()],
        };
        let stable = to_incoming(&record(name), Utc::now()).unwrap();
        let report = store
            .merge_tracked(&[stable], Announce::Changes, &[], &decide)
            .unwrap();
        assert_eq!((report.updated_roms, report.events), (1, 1));
        assert!(store.held_roms().unwrap().is_empty());
        assert_eq!(store.event_count().unwrap(), 1, "new, not promoted");
    }

    #[test]
    fn builds_unknown_to_the_api_are_remembered_until_their_memory_expires() {
        let mut store = Store::open_in_memory().unwrap();
        let asked = DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        store
            .remember_unknown_to_api(&["a.zip".into(), "b.zip".into()], asked)
            .unwrap();
        let day = chrono::Duration::days(1);
        assert_eq!(store.unknown_to_api(asked - day).unwrap().len(), 2);
        assert!(store.unknown_to_api(asked + day).unwrap().is_empty());
        // Asked again later: remembered from the later time.
        store
            .remember_unknown_to_api(&["a.zip".into()], asked + day * 2)
            .unwrap();
        assert_eq!(
            store.unknown_to_api(asked + day).unwrap(),
            HashSet::from(["a.zip".to_string()])
        );
    }

    #[test]
    fn package_facts_are_kept_and_missing_values_stay_missing() {
        let mut store = Store::open_in_memory().unwrap();
        let facts = PackageFacts::from_metadata(
            "post-build=Xiaomi/a/a:14/UKQ1.230905.001/V1:user/release-keys\npost-security-patch-level=2024-05-01\npost-timestamp=1715000000\n",
        );
        let bare = PackageFacts {
            fingerprint: Some("f".into()),
            ..PackageFacts::default()
        };
        store
            .record_package_facts(&[
                ("a.zip".into(), facts.clone()),
                ("b.zip".into(), bare.clone()),
            ])
            .unwrap();
        let read = store.package_facts().unwrap();
        assert_eq!(read["a.zip"], facts);
        assert_eq!(read["b.zip"], bare);
    }

    #[test]
    fn a_fastboot_image_asked_alone_takes_its_recovery_packages_security_patch() {
        let mut store = Store::open_in_memory().unwrap();
        let recovery = "corot_global-ota_full-OS2.0.3.0.VMLMIXM-user-15.0-0123456789.zip";
        let fastboot =
            "corot_global_images_OS2.0.3.0.VMLMIXM_20250101.0000.00_15.0_global_0123456789.tgz";
        let other = "corot_global-ota_full-OS2.0.4.0.VMLMIXM-user-15.0-0123456789.zip";
        let records = [
            record(recovery),
            Record {
                method: "Fastboot".into(),
                ..record(fastboot)
            },
            Record {
                version: "OS2.0.4.0.VMLMIXM".into(),
                ..record(other)
            },
        ];
        let incoming: Vec<_> = records
            .iter()
            .map(|r| to_incoming(r, Utc::now()).unwrap())
            .collect();
        store.merge(&incoming, Announce::Nothing).unwrap();
        let patch = NaiveDate::from_ymd_opt(2025, 1, 1);
        let facts = PackageFacts {
            security_patch: patch,
            ..PackageFacts::default()
        };
        store
            .record_package_facts(&[(recovery.into(), facts)])
            .unwrap();
        let asked: Vec<Rom> = [fastboot, other]
            .iter()
            .map(|f| store.rom(f).unwrap().unwrap())
            .collect();
        let found = store.security_patches_of(&asked).unwrap();
        assert_eq!(found.get(fastboot).copied(), patch);
        assert_eq!(found.len(), 1, "another build has none: {found:?}");
    }

    #[test]
    fn meta_and_end_of_life() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.meta("k").unwrap(), None);
        store.set_meta("k", "1").unwrap();
        store.set_meta("k", "2").unwrap();
        assert_eq!(store.meta("k").unwrap().as_deref(), Some("2"));
        let name = "corot_global-ota_full-OS2.0.3.0.VMLMIXM-user-15.0-0123456789.zip";
        let incoming = to_incoming(&record(name), Utc::now()).unwrap();
        store.merge(&[incoming], Announce::Nothing).unwrap();
        let variant = Codename::new("corot_global").unwrap();
        assert!(store.set_end_of_life(&variant, true).unwrap());
        assert_eq!(store.end_of_life().unwrap(), vec![variant.clone()]);
        assert!(store.set_end_of_life(&variant, false).unwrap());
        assert!(store.end_of_life().unwrap().is_empty());
        assert!(
            !store
                .set_end_of_life(&Codename::new("nope").unwrap(), true)
                .unwrap()
        );
    }
}
