//! Versioned schema migrations, applied in order on open. The applied
//! version is SQLite's `user_version`; each migration runs in the same
//! transaction as the version bump, so a crash leaves either the old or the
//! new schema.

use rusqlite::Connection;

use crate::StoreError;

/// Each entry takes the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: device variants and ROM files.
    "CREATE TABLE devices (
        codename TEXT PRIMARY KEY,   -- variant codename: corot_eea_global
        device   TEXT NOT NULL,      -- device codename: corot
        name     TEXT NOT NULL,      -- marketing name with region
        region   TEXT NOT NULL
    ) STRICT;
    CREATE TABLE roms (
        id               INTEGER PRIMARY KEY,  -- order of first record
        filename         TEXT NOT NULL UNIQUE,
        codename         TEXT NOT NULL,
        variant          TEXT NOT NULL REFERENCES devices(codename),
        version          TEXT NOT NULL,
        android          TEXT,
        os_family        TEXT NOT NULL,
        os_major         INTEGER,
        branch           TEXT NOT NULL,
        method           TEXT NOT NULL,
        incremental_from TEXT,
        size_bytes       INTEGER,
        size_exact       INTEGER NOT NULL DEFAULT 0,
        md5              TEXT,
        url              TEXT,
        mirrors          TEXT NOT NULL DEFAULT '[]',  -- JSON array of URLs
        changelog        TEXT,
        released         TEXT,                        -- YYYY-MM-DD
        first_seen       TEXT NOT NULL                -- RFC 3339, UTC
    ) STRICT;
    CREATE INDEX roms_by_codename ON roms(codename, released);
    CREATE INDEX roms_by_variant ON roms(variant);",
    // 2: the outbox. An event is written in the transaction that made the
    // change it announces; a delivery row records each channel's outcome.
    "CREATE TABLE events (
        id         INTEGER PRIMARY KEY,
        uid        TEXT NOT NULL UNIQUE,      -- stable, random: delivery ids derive from it
        rom_id     INTEGER NOT NULL REFERENCES roms(id),
        kind       TEXT NOT NULL,             -- new, md5, size, promoted
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE channels (
        name       TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,             -- telegram, discord, webhook
        after_event INTEGER NOT NULL,         -- the channel gets events with a greater id
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE deliveries (
        event_id   INTEGER NOT NULL REFERENCES events(id),
        channel    TEXT NOT NULL REFERENCES channels(name),
        state      TEXT NOT NULL,             -- pending, delivered, failed, skipped
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (event_id, channel)
    ) STRICT;",
    // 3: what the tracker keeps between runs. A pending file was seen
    // upstream but not (yet) on the CDN: it is re-checked on later runs
    // and never announced while pending. `meta` holds run state such as
    // whether the silent baseline run has completed. An end-of-life
    // variant is no longer checked unless a source lists it.
    "CREATE TABLE pending_files (
        filename   TEXT PRIMARY KEY,
        variant    TEXT NOT NULL,
        record     TEXT NOT NULL,             -- the romwatch Record, JSON
        reason     TEXT NOT NULL,             -- why the CDN check failed
        checks     INTEGER NOT NULL,          -- CDN checks failed so far
        first_seen TEXT NOT NULL
    ) STRICT;
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    ALTER TABLE devices ADD COLUMN end_of_life INTEGER NOT NULL DEFAULT 0;",
    // 4: the search index over file names (which hold the version),
    // variants and device names. Words are split at every non-alphanumeric character and found
    // by prefix (`agate` finds `miui_AGATEEEAGlobal_…`, `v14 0 3` finds
    // V14.0.3.0.…); trigrams would find any substring but cost three times
    // the import time. Triggers keep it in step with the tables.
    "CREATE VIRTUAL TABLE rom_search USING fts5(filename, variant, name);
    INSERT INTO rom_search (rowid, filename, variant, name)
        SELECT r.id, r.filename, r.variant, d.name FROM roms r JOIN devices d ON d.codename = r.variant;
    CREATE TRIGGER rom_search_insert AFTER INSERT ON roms BEGIN
        INSERT INTO rom_search (rowid, filename, variant, name)
            VALUES (new.id, new.filename, new.variant,
                    (SELECT name FROM devices WHERE codename = new.variant));
    END;
    CREATE TRIGGER rom_search_delete AFTER DELETE ON roms BEGIN
        DELETE FROM rom_search WHERE rowid = old.id;
    END;
    CREATE TRIGGER rom_search_rename AFTER UPDATE OF name ON devices BEGIN
        UPDATE rom_search SET name = new.name
            WHERE rowid IN (SELECT id FROM roms WHERE variant = new.codename);
    END;",
    // 5: announcements held back. A ROM recorded in a run where the check
    // that decides its branch failed is not announced (its facts are not
    // all known); it is announced once a run has that check's answer.
    "CREATE TABLE held_roms (
        rom_id INTEGER PRIMARY KEY REFERENCES roms(id)
    ) STRICT;",
    // 6: the store's generation, bumped by every change to the ROMs or the
    // device variants, and a random id that tells one store file from
    // another: the site builder skips a build whose input is unchanged
    // without reading it.
    "CREATE TABLE generation (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        store TEXT NOT NULL,
        value INTEGER NOT NULL
    ) STRICT;
    INSERT INTO generation (id, store, value) VALUES (1, lower(hex(randomblob(16))), 0);
    CREATE TRIGGER generation_rom_insert AFTER INSERT ON roms BEGIN
        UPDATE generation SET value = value + 1;
    END;
    CREATE TRIGGER generation_rom_update AFTER UPDATE ON roms BEGIN
        UPDATE generation SET value = value + 1;
    END;
    CREATE TRIGGER generation_rom_delete AFTER DELETE ON roms BEGIN
        UPDATE generation SET value = value + 1;
    END;
    CREATE TRIGGER generation_device_insert AFTER INSERT ON devices BEGIN
        UPDATE generation SET value = value + 1;
    END;
    CREATE TRIGGER generation_device_update AFTER UPDATE ON devices BEGIN
        UPDATE generation SET value = value + 1;
    END;
    CREATE TRIGGER generation_device_delete AFTER DELETE ON devices BEGIN
        UPDATE generation SET value = value + 1;
    END;",
    // 7: the devices table names its columns as the model does: `variant`
    // (`corot_eea_global`, the key) and `codename` (the device's, `corot`),
    // as the roms table always has. SQLite rewrites the references in
    // triggers, indexes and foreign keys.
    "ALTER TABLE devices RENAME COLUMN codename TO variant;
    ALTER TABLE devices RENAME COLUMN device TO codename;",
    // 8: mirror health. `mirror_checks` holds the last check of each file
    // on each mirror host; `mirror_log` one row per check, for each host's
    // rate and latency over days; `withdrawals` the files every mirror
    // answered 404 for, counted on checks a day apart. Rows older than 30
    // days are pruned by each mirror run.
    "CREATE TABLE mirror_checks (
        rom_id      INTEGER NOT NULL REFERENCES roms(id),
        host        TEXT NOT NULL,
        status      TEXT NOT NULL,             -- ok, slow, down
        latency_ms  INTEGER,
        checked_at  TEXT NOT NULL,             -- RFC 3339, UTC
        down_since  TEXT,                      -- first failed check of the current failures
        PRIMARY KEY (rom_id, host)
    ) STRICT;
    CREATE TABLE mirror_log (
        host       TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        ok         INTEGER NOT NULL,           -- 1: the file was there
        latency_ms INTEGER
    ) STRICT;
    CREATE INDEX mirror_log_by_host ON mirror_log(host, checked_at);
    CREATE TABLE withdrawals (
        rom_id          INTEGER PRIMARY KEY REFERENCES roms(id),
        missing_checks  INTEGER NOT NULL,      -- all-404 checks at least a day apart
        last_missing_at TEXT NOT NULL,
        withdrawn_on    TEXT                   -- YYYY-MM-DD, once withdrawn
    ) STRICT;",
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            known: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let fail = |source: rusqlite::Error| StoreError::Migration {
            version,
            source: source.into(),
        };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
}
