//! What happens when a ROM the store holds is seen again: knowledge only
//! grows (an MD5 prefix becomes a full hash, a rounded size an exact one, a
//! Stable Beta becomes Stable), and a fact that contradicts a stored one is
//! reported, never written over it.

use romwatch_model::{Branch, Rom};
use serde::Serialize;

/// A stored fact and an incoming one that cannot both be true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub filename: String,
    pub field: &'static str,
    pub stored: String,
    pub incoming: String,
}

/// What one write did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    pub new_roms: usize,
    pub updated_roms: usize,
    pub unchanged_roms: usize,
    pub new_devices: usize,
    pub renamed_devices: usize,
    pub conflicts: Vec<Conflict>,
    /// Outbox events written (none for an import).
    pub events: usize,
}

impl MergeReport {
    /// Whether the write changed anything.
    pub fn changed(&self) -> bool {
        self.new_roms + self.updated_roms + self.new_devices + self.renamed_devices > 0
    }
}

/// Merges what an incoming record says of a stored ROM into it.
pub fn merge_rom(stored: &Rom, incoming: &Rom, conflicts: &mut Vec<Conflict>) -> Rom {
    let mut merged = stored.clone();
    let conflict = |field, stored: String, new: String| Conflict {
        filename: incoming.filename.to_string(),
        field,
        stored,
        incoming: new,
    };

    match (stored.md5, incoming.md5) {
        (Some(a), Some(b)) if !a.agrees_with(&b) => {
            conflicts.push(conflict("md5", a.to_string(), b.to_string()));
        }
        (Some(a), Some(b)) => merged.md5 = Some(a.most_known(b)),
        (None, b) => merged.md5 = b,
        (Some(_), None) => {}
    }
    match (stored.size, incoming.size) {
        (Some(a), Some(b)) if !a.agrees_with(&b) => {
            conflicts.push(conflict("size", a.bytes.to_string(), b.bytes.to_string()));
        }
        (Some(a), Some(b)) => merged.size = Some(a.most_known(b)),
        (None, b) => merged.size = b,
        (Some(_), None) => {}
    }
    if stored.branch == Branch::StableBeta && incoming.branch == Branch::Stable {
        merged.branch = Branch::Stable;
    }
    merged.released = match (stored.released, incoming.released) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    merged.first_seen = stored.first_seen.min(incoming.first_seen);
    merged.android = stored.android.clone().or_else(|| incoming.android.clone());
    merged.url = stored.url.clone().or_else(|| incoming.url.clone());
    merged.changelog = stored
        .changelog
        .clone()
        .or_else(|| incoming.changelog.clone());
    for mirror in &incoming.mirrors {
        if !merged.mirrors.contains(mirror) && merged.url.as_ref() != Some(mirror) {
            merged.mirrors.push(mirror.clone());
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use romwatch_model::{Codename, Kind, Method, OsLine, Size};

    fn rom() -> Rom {
        Rom {
            filename: romwatch_model::FileName::new("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip")
                .unwrap(),
            codename: Codename::new("capricorn").unwrap(),
            variant: Codename::new("capricorn_global").unwrap(),
            version: romwatch_model::Version::parse("7.12.28").unwrap(),
            android: None,
            os: "MIUI".parse::<OsLine>().unwrap(),
            branch: Branch::Weekly,
            method: Method::Recovery,
            kind: Kind::Full,
            size: Some(Size::parse_human("1.5 GB").unwrap()),
            md5: Some("409451bb85".parse().unwrap()),
            url: None,
            mirrors: vec![],
            changelog: None,
            released: None,
            first_seen: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn knowledge_grows() {
        let full_md5 = "409451bb85aaaaaaaaaaaaaaaaaaaaaa".parse().unwrap();
        let incoming = Rom {
            md5: Some(full_md5),
            size: Some(Size::exact(1_512_345_678)),
            changelog: Some("x".into()),
            ..rom()
        };
        let mut conflicts = vec![];
        let merged = merge_rom(&rom(), &incoming, &mut conflicts);
        assert!(conflicts.is_empty());
        assert_eq!(merged.md5, Some(full_md5));
        assert_eq!(merged.size, Some(Size::exact(1_512_345_678)));
        assert_eq!(merged.changelog.as_deref(), Some("x"));
        // Seen again with less knowledge: nothing is lost.
        assert_eq!(merge_rom(&merged, &rom(), &mut conflicts), merged);
    }

    #[test]
    fn contradictions_are_reported_and_the_stored_fact_kept() {
        let incoming = Rom {
            md5: Some("0000000000".parse().unwrap()),
            size: Some(Size::exact(9_000_000_000)),
            ..rom()
        };
        let mut conflicts = vec![];
        let merged = merge_rom(&rom(), &incoming, &mut conflicts);
        assert_eq!(merged, rom());
        let fields: Vec<_> = conflicts.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["md5", "size"]);
    }

    #[test]
    fn stable_beta_is_promoted_never_demoted() {
        let beta = Rom {
            branch: Branch::StableBeta,
            ..rom()
        };
        let stable = Rom {
            branch: Branch::Stable,
            ..rom()
        };
        assert_eq!(
            merge_rom(&beta, &stable, &mut vec![]).branch,
            Branch::Stable
        );
        assert_eq!(
            merge_rom(&stable, &beta, &mut vec![]).branch,
            Branch::Stable
        );
    }
}
