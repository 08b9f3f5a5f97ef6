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
//! 4. otherwise hard-links every unchanged file from the live version into
//!    the staging directory (no content is rewritten), writes the manifest,
//!    renames the staging directory to `v-<n+1>`, and swaps the symlink with
//!    rename(2), which is atomic: a web server sees the old site or the new
//!    one, never a mix.
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

use crate::SiteError;
use crate::artifact::Artifact;
use crate::report::Stopwatch;
use crate::shrink::{Shrink, check_shrink};
use crate::theme::Theme;

/// A version's manifest: each file's fingerprint, by path.
type Manifest = HashMap<String, u128>;

/// The live version.
struct Live {
    id: u64,
    dir: PathBuf,
    manifest: Manifest,
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
}

fn version_name(id: u64) -> String {
    format!("v-{id:06}")
}

fn manifest_path(versions: &Path, id: u64) -> PathBuf {
    versions.join(format!("{}.manifest.json", version_name(id)))
}

fn load_manifest(path: &Path) -> Option<Manifest> {
    let bytes = fs::read(path).ok()?;
    let hex: HashMap<String, String> = serde_json::from_slice(&bytes).ok()?;
    hex.into_iter()
        .map(|(k, v)| u128::from_str_radix(&v, 16).ok().map(|v| (k, v)))
        .collect()
}

impl Publisher {
    /// Opens the output `out`, locking it against a concurrent build and
    /// deleting what earlier builds left behind.
    pub fn open(out: &Path) -> Result<Publisher, SiteError> {
        if !cfg!(unix) {
            return Err(SiteError::Unsupported);
        }
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
        let versions = parent.join(&versions_name);
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

        let live = match fs::symlink_metadata(out) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(SiteError::io("inspect", out)(e)),
            Ok(meta) if !meta.file_type().is_symlink() => {
                return Err(SiteError::ForeignOutput {
                    path: out.to_path_buf(),
                });
            }
            Ok(_) => {
                let target = fs::read_link(out).map_err(SiteError::io("read link", out))?;
                let id = target
                    .strip_prefix(&versions_name)
                    .ok()
                    .and_then(|v| v.to_str())
                    .and_then(|v| v.strip_prefix("v-"))
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| SiteError::ForeignOutput {
                        path: out.to_path_buf(),
                    })?;
                // Without its manifest the live version is rebuilt in full,
                // which is slower but always right.
                let manifest = load_manifest(&manifest_path(&versions, id)).unwrap_or_default();
                Some(Live {
                    id,
                    dir: versions.join(version_name(id)),
                    manifest,
                })
            }
        };
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
        let live_manifest = self
            .live
            .as_ref()
            .map(|l| format!("{}.manifest.json", version_name(l.id)));
        self.remove_entries(|name| {
            let live_dir = self
                .live
                .as_ref()
                .is_some_and(|l| name == version_name(l.id));
            let complete = name.starts_with("v-") && !name.contains('.');
            let manifest_of_complete = name.ends_with(".manifest.json")
                && self
                    .versions
                    .join(name.trim_end_matches(".manifest.json"))
                    .is_dir();
            !(live_dir
                || complete
                || manifest_of_complete
                || Some(name) == live_manifest.as_deref())
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
        let names: HashSet<String> = keep
            .iter()
            .flat_map(|&id| {
                [
                    version_name(id),
                    format!("{}.manifest.json", version_name(id)),
                ]
            })
            .collect();
        self.remove_entries(|name| !names.contains(name))
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
        let empty = Manifest::new();
        let old = self.live.as_ref().map_or(&empty, |l| &l.manifest);
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
                    let target = staging.join(a.path.as_str());
                    if let Some(dir) = target.parent() {
                        fs::create_dir_all(dir).map_err(SiteError::io("create", dir))?;
                    }
                    match fs::hard_link(live.dir.join(a.path.as_str()), &target) {
                        Ok(()) => Ok(0),
                        Err(_) => write_file(&staging, a, theme).map(|()| 1),
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

/// Renders `artifact` into the staging directory.
fn write_file(staging: &Path, artifact: &Artifact, theme: &Theme) -> Result<(), SiteError> {
    let bytes = artifact.render(theme)?;
    let target = staging.join(artifact.path.as_str());
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(SiteError::io("create", dir))?;
    }
    fs::write(&target, bytes).map_err(SiteError::io("write", &target))
}
