//! Incremental, atomic publishing.
//!
//! The output path (`public`) is a symlink to one complete version of the
//! site, `.public.versions/v-<n>`, kept beside it. A build:
//!
//! 1. refuses, before writing anything, to remove more than half of the
//!    live version's files unless told to ([`check_shrink`]); then
//!    fingerprints every file (see [`Artifact::fingerprint`]) and compares
//!    it with the live version's manifest;
//! 2. renders and writes only new or changed files, into a fresh staging
//!    directory `v-<n+1>.partial`;
//! 3. if nothing changed and nothing was removed, deletes the (empty)
//!    staging directory and stops: no file is written;
//! 4. otherwise hard-links every unchanged file (with its compressed
//!    copies, [`crate::precompress`]) from the live version into
//!    the staging directory (no content is rewritten), writes the manifest,
//!    renames the staging directory to `v-<n+1>`, and swaps the symlink with
//!    rename(2), which is atomic: a web server sees the old site or the new
//!    one, never a mix.
//!
//! Each version may carry a stamp (`v-<n>.stamp.json`): a fingerprint of
//! everything the version was built from (the input's generation, the
//! theme, the config), its file count and the ROMs it left out. A build
//! whose input has an unchanged stamp stops before loading or planning
//! anything.
//!
//! A build killed at any moment leaves the symlink on the old, complete
//! version; the next build deletes whatever the killed one left. The version
//! a build replaces stays on disk until the next build that publishes, so
//! that a reader that resolved the old symlink can finish; a build without
//! changes deletes nothing, which keeps it fast.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::Skipped;
use crate::precompress;
use crate::report::Stopwatch;
use crate::shrink::{Shrink, check_shrink};
use crate::theme::Theme;

/// A version's manifest: each file's fingerprint, by path.
type Manifest = HashMap<String, u128>;

/// The live version. Its manifest is read only when a build needs it.
struct Live {
    id: u64,
    dir: PathBuf,
}

/// What a version was built from, and what it holds: see the module doc.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Stamp {
    /// The fingerprint of the build's inputs, in hex.
    pub inputs: String,
    pub files: usize,
    pub skipped: Vec<Skipped>,
}

pub(crate) struct Publisher {
    out: PathBuf,
    /// Where versions live: `.<name>.versions` beside `out`.
    versions: PathBuf,
    /// The name of `versions`, as the symlink's relative target starts.
    versions_name: String,
    /// The new symlink before it is renamed over `out`.
    link_temp: PathBuf,
    live: Option<Live>,
    /// Held for the whole build: two builds must not publish at once.
    _lock: File,
}

/// What [`Publisher::publish`] did.
pub(crate) struct Published {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub dir: Option<PathBuf>,
    /// The version live after the build.
    live_id: Option<u64>,
}

fn version_name(id: u64) -> String {
    format!("v-{id:06}")
}

fn manifest_path(versions: &Path, id: u64) -> PathBuf {
    versions.join(format!("{}.manifest.json", version_name(id)))
}

fn stamp_path(versions: &Path, id: u64) -> PathBuf {
    versions.join(format!("{}.stamp.json", version_name(id)))
}

/// The version directory an entry of the versions directory belongs to:
/// `v-000003` for `v-000003`, `v-000003.manifest.json`, `v-000003.stamp.json`
/// and `v-000003.partial`.
fn version_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(dir, _)| dir)
}

fn load_manifest(path: &Path) -> Option<Manifest> {
    let bytes = fs::read(path).ok()?;
    let hex: HashMap<String, String> = serde_json::from_slice(&bytes).ok()?;
    hex.into_iter()
        .map(|(k, v)| u128::from_str_radix(&v, 16).ok().map(|v| (k, v)))
        .collect()
}

/// Where the versions of the site at `out` live: `.<name>.versions` beside it.
struct Beside {
    parent: PathBuf,
    name: String,
    versions: PathBuf,
    versions_name: String,
}

impl Beside {
    fn of(out: &Path) -> Result<Beside, SiteError> {
        let name = out
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
            .ok_or_else(|| {
                SiteError::Config(format!(
                    "output path {} must end in a directory name",
                    out.display()
                ))
            })?;
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let versions_name = format!(".{name}.versions");
        Ok(Beside {
            versions: parent.join(&versions_name),
            parent,
            name: name.to_string(),
            versions_name,
        })
    }
}

/// The version the symlink `out` points at; `None` before the first build.
fn read_live(out: &Path, versions: &Path, versions_name: &str) -> Result<Option<Live>, SiteError> {
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SiteError::io("inspect", out)(e)),
        Ok(meta) if !meta.file_type().is_symlink() => Err(SiteError::ForeignOutput {
            path: out.to_path_buf(),
        }),
        Ok(_) => {
            let target = fs::read_link(out).map_err(SiteError::io("read link", out))?;
            let id = target
                .strip_prefix(versions_name)
                .ok()
                .and_then(|v| v.to_str())
                .and_then(|v| v.strip_prefix("v-"))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| SiteError::ForeignOutput {
                    path: out.to_path_buf(),
                })?;
            Ok(Some(Live {
                id,
                dir: versions.join(version_name(id)),
            }))
        }
    }
}

/// The live version of a built site, as a copy kept elsewhere (object
/// storage) needs it: its directory and each file's fingerprint by path.
#[derive(Debug)]
pub struct LiveVersion {
    pub dir: PathBuf,
    pub files: HashMap<String, u128>,
}

/// Reads the live version of the site built at `out`, without writing or
/// locking anything. The version stays on disk until the second build
/// after it (see the module doc), long enough to copy it.
pub fn live_version(out: &Path) -> Result<LiveVersion, SiteError> {
    let beside = Beside::of(out)?;
    let live = read_live(out, &beside.versions, &beside.versions_name)?.ok_or_else(|| {
        SiteError::Config(format!(
            "no site has been built at {} (run `romwatch build` first)",
            out.display()
        ))
    })?;
    let manifest = manifest_path(&beside.versions, live.id);
    let files = load_manifest(&manifest).ok_or_else(|| {
        SiteError::Config(format!(
            "the built site at {} has no readable manifest {}; rebuild it",
            out.display(),
            manifest.display()
        ))
    })?;
    Ok(LiveVersion {
        dir: live.dir,
        files,
    })
}

impl Publisher {
    /// Opens the output `out`, locking it against a concurrent build and
    /// deleting what earlier builds left behind.
    pub fn open(out: &Path) -> Result<Publisher, SiteError> {
        if !cfg!(unix) {
            return Err(SiteError::Unsupported);
        }
        let Beside {
            parent,
            name,
            versions,
            versions_name,
        } = Beside::of(out)?;
        fs::create_dir_all(&versions).map_err(SiteError::io("create", &versions))?;
        let lock_path = versions.join(".lock");
        let lock = File::create(&lock_path).map_err(SiteError::io("create", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(SiteError::Busy {
                    out: out.to_path_buf(),
                    lock: lock_path,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(SiteError::io("lock", &lock_path)(e));
            }
        }
        let live = read_live(out, &versions, &versions_name)?;
        let publisher = Publisher {
            out: out.to_path_buf(),
            versions,
            link_temp: parent.join(format!(".{name}.link")),
            versions_name,
            live,
            _lock: lock,
        };
        publisher.clean_leftovers()?;
        Ok(publisher)
    }

    /// Deletes what a killed build left: a partial version, its manifest,
    /// a temporary symlink. Complete versions stay.
    fn clean_leftovers(&self) -> Result<(), SiteError> {
        self.remove_entries(|name| {
            let live = self
                .live
                .as_ref()
                .is_some_and(|l| version_of(name) == version_name(l.id));
            let complete = name.starts_with("v-") && !name.contains('.');
            let of_complete =
                !name.ends_with(".partial") && self.versions.join(version_of(name)).is_dir();
            !(live || complete || of_complete)
        })?;
        match fs::remove_file(&self.link_temp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(SiteError::io("remove", &self.link_temp)(e))
            }
            _ => Ok(()),
        }
    }

    /// A version number no entry uses yet: a build killed between renaming
    /// its version into place and swapping the symlink leaves a complete
    /// version that is not live.
    fn next_id(&self) -> Result<u64, SiteError> {
        let mut max = self.live.as_ref().map_or(0, |l| l.id);
        let entries =
            fs::read_dir(&self.versions).map_err(SiteError::io("list", &self.versions))?;
        for entry in entries {
            let entry = entry.map_err(SiteError::io("list", &self.versions))?;
            let name = entry.file_name();
            let id = name
                .to_str()
                .and_then(|n| n.strip_prefix("v-"))
                .and_then(|n| n.split('.').next())
                .and_then(|n| n.parse::<u64>().ok());
            max = max.max(id.unwrap_or(0));
        }
        Ok(max + 1)
    }

    /// Deletes every version but `keep` (the one just published and the
    /// one it replaced).
    fn prune(&self, keep: &[u64]) -> Result<(), SiteError> {
        let names: HashSet<String> = keep.iter().map(|&id| version_name(id)).collect();
        self.remove_entries(|name| !names.contains(version_of(name)))
    }

    /// Removes the entries of the versions directory that `doomed` names
    /// (never the lock). Directory trees are removed in parallel: a
    /// version holds tens of thousands of entries.
    fn remove_entries(&self, doomed: impl Fn(&str) -> bool) -> Result<(), SiteError> {
        let entries =
            fs::read_dir(&self.versions).map_err(SiteError::io("list", &self.versions))?;
        for entry in entries {
            let entry = entry.map_err(SiteError::io("list", &self.versions))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".lock" || !doomed(&name) {
                continue;
            }
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_tree(&path)?;
            } else {
                fs::remove_file(&path).map_err(SiteError::io("remove", &path))?;
            }
        }
        Ok(())
    }

    /// The live version's stamp, when it has a readable one.
    pub fn live_stamp(&self) -> Option<Stamp> {
        let live = self.live.as_ref()?;
        let bytes = fs::read(stamp_path(&self.versions, live.id)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stamps the version now live (after [`Publisher::publish`], which
    /// says which one that is): a later build with the same inputs can
    /// stop early. Written after the symlink swap, so a killed build leaves
    /// at worst a live version without a stamp, which is rebuilt in full.
    pub fn stamp(&self, published: &Published, stamp: &Stamp) -> Result<(), SiteError> {
        let Some(id) = published.live_id else {
            return Ok(());
        };
        let path = stamp_path(&self.versions, id);
        let bytes = serde_json::to_vec(stamp).map_err(|source| SiteError::Json {
            path: path.display().to_string(),
            source,
        })?;
        // Written beside and renamed: a reader sees the old stamp or the
        // new one, never half of one.
        let temp = self
            .versions
            .join(format!("{}.stamp.partial", version_name(id)));
        fs::write(&temp, bytes).map_err(SiteError::io("write", &temp))?;
        fs::rename(&temp, &path).map_err(SiteError::io("rename", &temp))
    }

    /// Writes what changed and, if anything did, publishes a new version.
    pub fn publish(
        &self,
        artifacts: &[Artifact],
        theme: &Theme,
        watch: &mut Stopwatch,
        shrink: Shrink,
    ) -> Result<Published, SiteError> {
        let mut seen = HashSet::with_capacity(artifacts.len());
        for a in artifacts {
            if !seen.insert(a.path.as_str()) {
                return Err(SiteError::DuplicatePath(a.path.to_string()));
            }
        }
        // Without its manifest the live version is rebuilt in full, which
        // is slower but always right.
        let old = self
            .live
            .as_ref()
            .and_then(|l| load_manifest(&manifest_path(&self.versions, l.id)))
            .unwrap_or_default();
        let removed = old.keys().filter(|k| !seen.contains(k.as_str())).count();
        check_shrink(old.len(), removed, shrink)?;
        let next = self.next_id()?;
        let staging = self
            .versions
            .join(format!("{}.partial", version_name(next)));

        // Pass 1: fingerprint everything, render and write what changed.
        let results: Vec<(u128, bool)> = artifacts
            .par_iter()
            .map(|a| {
                let fingerprint = a.fingerprint(theme.salt)?;
                if old.get(a.path.as_str()) == Some(&fingerprint) {
                    return Ok((fingerprint, false));
                }
                write_file(&staging, a, theme)?;
                Ok((fingerprint, true))
            })
            .collect::<Result<_, SiteError>>()?;
        let mut written = results.iter().filter(|r| r.1).count();
        watch.lap("render");
        if written == 0 && removed == 0 && self.live.is_some() {
            return Ok(Published {
                written: 0,
                unchanged: artifacts.len(),
                removed: 0,
                dir: None,
                live_id: self.live.as_ref().map(|l| l.id),
            });
        }

        // Pass 2: carry the unchanged files over. A file missing from the
        // live version (deleted by hand) is rendered again.
        if let Some(live) = &self.live {
            let rewritten: usize = artifacts
                .par_iter()
                .zip(results.par_iter())
                .filter(|(_, r)| !r.1)
                .map(|(a, _)| {
                    if link_unchanged(&live.dir, &staging, a.path.as_str())? {
                        Ok(0)
                    } else {
                        write_file(&staging, a, theme).map(|()| 1)
                    }
                })
                .sum::<Result<usize, SiteError>>()?;
            written += rewritten;
        }
        watch.lap("link");

        // Publish: manifest, then the directory, then the symlink.
        fs::create_dir_all(&staging).map_err(SiteError::io("create", &staging))?;
        let manifest: HashMap<&str, String> = artifacts
            .iter()
            .zip(&results)
            .map(|(a, r)| (a.path.as_str(), format!("{:032x}", r.0)))
            .collect();
        let manifest_file = manifest_path(&self.versions, next);
        let bytes = serde_json::to_vec(&manifest).map_err(|source| SiteError::Json {
            path: manifest_file.display().to_string(),
            source,
        })?;
        fs::write(&manifest_file, bytes).map_err(SiteError::io("write", &manifest_file))?;
        let final_dir = self.versions.join(version_name(next));
        fs::rename(&staging, &final_dir).map_err(SiteError::io("rename", &staging))?;
        self.swap_symlink(next)?;
        watch.lap("publish");
        let keep: Vec<u64> = std::iter::once(next)
            .chain(self.live.as_ref().map(|l| l.id))
            .collect();
        self.prune(&keep)?;
        watch.lap("prune");
        Ok(Published {
            written,
            unchanged: artifacts.len() - written,
            removed,
            dir: Some(final_dir),
            live_id: Some(next),
        })
    }

    /// Points `out` at version `id` with one rename(2): a new symlink is
    /// made beside `out` (a relative target resolves from the link's own
    /// directory) and renamed over it.
    #[cfg(unix)]
    fn swap_symlink(&self, id: u64) -> Result<(), SiteError> {
        let target = Path::new(&self.versions_name).join(version_name(id));
        match fs::remove_file(&self.link_temp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(SiteError::io("remove", &self.link_temp)(e));
            }
            _ => {}
        }
        std::os::unix::fs::symlink(&target, &self.link_temp)
            .map_err(SiteError::io("link", &self.link_temp))?;
        fs::rename(&self.link_temp, &self.out).map_err(SiteError::io("rename", &self.link_temp))
    }

    #[cfg(not(unix))]
    fn swap_symlink(&self, _id: u64) -> Result<(), SiteError> {
        Err(SiteError::Unsupported)
    }
}

/// Removes a directory tree, its subdirectories in parallel.
fn remove_tree(path: &Path) -> Result<(), SiteError> {
    let children: Vec<PathBuf> = fs::read_dir(path)
        .map_err(SiteError::io("list", path))?
        .map(|e| e.map(|e| e.path()).map_err(SiteError::io("list", path)))
        .collect::<Result<_, _>>()?;
    children.par_iter().try_for_each(|child| {
        let result = if child.is_dir() {
            fs::remove_dir_all(child)
        } else {
            fs::remove_file(child)
        };
        result.map_err(SiteError::io("remove", child))
    })?;
    fs::remove_dir(path).map_err(SiteError::io("remove", path))
}

/// Renders `artifact` into the staging directory, with its compressed
/// copies when it is text (see [`crate::precompress`]).
fn write_file(staging: &Path, artifact: &Artifact, theme: &Theme) -> Result<(), SiteError> {
    let bytes = artifact.render(theme)?;
    let target = staging.join(artifact.path.as_str());
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(SiteError::io("create", dir))?;
    }
    if precompress::compressible(artifact.path.as_str()) {
        precompress::write_copies(&target, &bytes)?;
    }
    fs::write(&target, bytes).map_err(SiteError::io("write", &target))
}

/// Hard-links an unchanged file and its compressed copies from the live
/// version; false when the file itself is missing there (deleted by hand)
/// and must be written again.
fn link_unchanged(live: &Path, staging: &Path, path: &str) -> Result<bool, SiteError> {
    let target = staging.join(path);
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(SiteError::io("create", dir))?;
    }
    let source = live.join(path);
    if fs::hard_link(&source, &target).is_err() {
        return Ok(false);
    }
    for suffix in precompress::SUFFIXES {
        let copy = precompress::copy_path(&source, suffix);
        match fs::hard_link(&copy, precompress::copy_path(&target, suffix)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(SiteError::io("link", &copy)(e));
            }
            // A copy not smaller than its file was never written.
            _ => {}
        }
    }
    Ok(true)
}
