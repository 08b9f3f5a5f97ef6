//! OTA changelogs: sections of lines, read from either of the two JSON
//! shapes the OTA API uses, written in either (by the simulator), and
//! rendered as romwatch's text form (`[Title]` then one line per entry).

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Upper bounds on what is kept from an untrusted changelog.
const MAX_SECTIONS: usize = 64;
const MAX_LINES: usize = 256;
const MAX_LINE_CHARS: usize = 2_000;

/// A changelog: titled sections in the order the source gave them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changelog {
    pub sections: Vec<ChangelogSection>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangelogSection {
    pub title: String,
    pub lines: Vec<String>,
}

/// The two JSON shapes of a section's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangelogShape {
    /// `{"txt": ["line", …]}` (older MIUI answers).
    TxtList,
    /// `[{"txt": "line", "image": [{"path", "h", "w"}]}, …]` (newer answers).
    Items,
}

impl Changelog {
    pub fn is_empty(&self) -> bool {
        self.sections.iter().all(|s| s.lines.is_empty())
    }

    /// The text form of romwatch records: `[Title]` on its own line, then
    /// the section's lines, sections one after another.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for section in &self.sections {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push('[');
            text.push_str(&section.title);
            text.push(']');
            for line in &section.lines {
                text.push('\n');
                text.push_str(line);
            }
        }
        text
    }

    /// Reads the text form back (`[Title]` lines start sections; lines
    /// before the first title go to an untitled section).
    pub fn from_text(text: &str) -> Changelog {
        let mut sections: Vec<ChangelogSection> = Vec::new();
        for line in text.lines() {
            let title = line
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .filter(|t| !t.contains(['[', ']']));
            match (title, sections.last_mut()) {
                (Some(title), _) => sections.push(ChangelogSection {
                    title: title.to_string(),
                    lines: Vec::new(),
                }),
                (None, Some(section)) => section.lines.push(line.to_string()),
                (None, None) => sections.push(ChangelogSection {
                    title: String::new(),
                    lines: vec![line.to_string()],
                }),
            }
        }
        Changelog { sections }
    }

    /// A serializable view in one of the wire shapes.
    pub fn shaped(&self, shape: ChangelogShape) -> ShapedChangelog<'_> {
        ShapedChangelog {
            changelog: self,
            shape,
        }
    }
}

/// Reads a section body of either shape into lines.
fn section_lines(title: &str, body: Value) -> Result<Vec<String>, String> {
    let bad =
        || format!("changelog section {title:?}: neither {{\"txt\": [..]}} nor [{{\"txt\": ..}}]");
    let lines: Vec<String> = match body {
        Value::Object(mut map) => match map.remove("txt") {
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
                .collect::<Result<_, _>>()?,
            Some(Value::String(line)) => vec![line],
            _ => return Err(bad()),
        },
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Object(mut map) => match map.remove("txt") {
                    Some(Value::String(line)) => Some(Ok(line)),
                    // An entry that is only an image has no text.
                    None => None,
                    Some(_) => Some(Err(bad())),
                },
                _ => Some(Err(bad())),
            })
            .collect::<Result<_, _>>()?,
        Value::Null => Vec::new(),
        _ => return Err(bad()),
    };
    Ok(lines
        .into_iter()
        .map(|line| line.trim().chars().take(MAX_LINE_CHARS).collect::<String>())
        .filter(|line| !line.is_empty())
        .take(MAX_LINES)
        .collect())
}

impl<'de> Deserialize<'de> for Changelog {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChangelogVisitor;
        impl<'de> Visitor<'de> for ChangelogVisitor {
            type Value = Changelog;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a changelog object of titled sections")
            }
            // Read map entries one by one so the sections keep their order.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Changelog, A::Error> {
                let mut sections = Vec::new();
                while let Some((title, body)) = map.next_entry::<String, Value>()? {
                    if sections.len() >= MAX_SECTIONS {
                        continue;
                    }
                    let lines = section_lines(&title, body).map_err(de::Error::custom)?;
                    let title = title.trim().chars().take(MAX_LINE_CHARS).collect();
                    sections.push(ChangelogSection { title, lines });
                }
                Ok(Changelog { sections })
            }
            // PHP writes an empty object as `[]`, and some answers say `null` or `""`.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Changelog, A::Error> {
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("changelog is a non-empty list"));
                }
                Ok(Changelog::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Changelog, E> {
                Ok(Changelog::default())
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Changelog, E> {
                Ok(Changelog::from_text(text))
            }
        }
        deserializer.deserialize_any(ChangelogVisitor)
    }
}

/// A [`Changelog`] to be written in one wire shape.
#[derive(Debug)]
pub struct ShapedChangelog<'a> {
    changelog: &'a Changelog,
    shape: ChangelogShape,
}

struct TxtList<'a>(&'a [String]);
struct Items<'a>(&'a [String]);
struct Item<'a>(&'a str);

impl Serialize for ShapedChangelog<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.changelog.sections.len()))?;
        for section in &self.changelog.sections {
            match self.shape {
                ChangelogShape::TxtList => {
                    map.serialize_entry(&section.title, &TxtList(&section.lines))?
                }
                ChangelogShape::Items => {
                    map.serialize_entry(&section.title, &Items(&section.lines))?
                }
            }
        }
        map.end()
    }
}

impl Serialize for TxtList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("txt", self.0)?;
        map.end()
    }
}

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for line in self.0 {
            seq.serialize_element(&Item(line))?;
        }
        seq.end()
    }
}

impl Serialize for Item<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("txt", self.0)?;
        map.serialize_entry("image", &[] as &[u8])?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "[System]\nUpdated the security patch.\nFixed a crash\n[Camera]\nNew: Night mode";

    #[test]
    fn reads_both_shapes_in_order() {
        let txt = r#"{"System": {"txt": ["Updated the security patch.", "Fixed a crash"]},
                      "Camera": {"txt": ["New: Night mode"]}}"#;
        let items = r#"{"System": [{"txt": "Updated the security patch.", "image": []},
                        {"txt": "Fixed a crash", "image": [{"path": "a.png", "h": "1", "w": "2"}]}],
                        "Camera": [{"txt": "New: Night mode"}, {"image": [{"path": "b.png"}]}]}"#;
        for json in [txt, items] {
            let changelog: Changelog = serde_json::from_str(json).unwrap();
            assert_eq!(changelog.to_text(), TEXT);
        }
    }

    #[test]
    fn writes_both_shapes_and_reads_them_back() {
        let changelog = Changelog::from_text(TEXT);
        for shape in [ChangelogShape::TxtList, ChangelogShape::Items] {
            let json = serde_json::to_string(&changelog.shaped(shape)).unwrap();
            assert!(json.starts_with(r#"{"System":"#), "{json}");
            assert_eq!(serde_json::from_str::<Changelog>(&json).unwrap(), changelog);
        }
    }

    #[test]
    fn empty_forms_and_bad_shapes() {
        for empty in ["[]", "null", "{}"] {
            assert!(serde_json::from_str::<Changelog>(empty).unwrap().is_empty());
        }
        let err = serde_json::from_str::<Changelog>(r#"{"System": 5}"#).unwrap_err();
        assert!(err.to_string().contains("System"), "{err}");
    }
}
