//! The OTA API's answer: decrypting it, and decoding the ROM objects it may
//! hold. Decoding is lenient about types (numbers where strings are
//! expected, `[]` for an absent object) and strict about what matters (a
//! ROM object must name its file; an MD5 must be one).

use std::fmt;

use romwatch_model::{Md5, Size};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::changelog::{Changelog, ShapedChangelog};
use crate::crypto::{self, EnvelopeError};
use crate::error::ErrorKind;
use crate::http::looks_like_html;

/// A decoded answer. Every ROM object may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OtaAnswer {
    pub auth_result: Option<i64>,
    /// The build the asking device runs, as the server knows it.
    pub current: Option<OtaRom>,
    /// The newest full package of the asked branch.
    pub latest: Option<OtaRom>,
    /// The incremental package from the asked version to the newest.
    pub incremental: Option<OtaRom>,
    /// A package to another OS line (MIUI to HyperOS).
    pub cross: Option<OtaRom>,
}

/// One ROM object of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtaRom {
    pub filename: String,
    pub version: Option<String>,
    /// The full 32-hex digest.
    pub md5: Option<Md5>,
    pub size: Option<Size>,
    pub changelog: Option<Changelog>,
    pub device: Option<String>,
    pub branch: Option<String>,
    /// The Android version (`14.0`).
    pub codebase: Option<String>,
    pub bigversion: Option<String>,
    pub osbigversion: Option<String>,
    pub name: Option<String>,
    pub is_beta: bool,
    pub is_gov: bool,
}

impl OtaAnswer {
    /// The ROM objects present, with their key names.
    pub fn roms(&self) -> impl Iterator<Item = (&'static str, &OtaRom)> {
        [
            ("CurrentRom", &self.current),
            ("LatestRom", &self.latest),
            ("IncrementRom", &self.incremental),
            ("CrossRom", &self.cross),
        ]
        .into_iter()
        .filter_map(|(key, rom)| rom.as_ref().map(|rom| (key, rom)))
    }
}

/// Opens an answer body: Base64 (with line breaks), decrypt, cut junk after
/// the final `}`, decode.
pub fn open_answer(body: &[u8]) -> Result<OtaAnswer, ErrorKind> {
    if looks_like_html(body) {
        return Err(ErrorKind::Html);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ErrorKind::Base64("answer is not ASCII text".to_string()))?;
    let plaintext = crypto::open(text).map_err(|e| match e {
        EnvelopeError::Base64(reason) => ErrorKind::Base64(reason),
        other => ErrorKind::Cipher(other.to_string()),
    })?;
    decode_answer(&plaintext)
}

/// Decodes a decrypted answer. An object holding a `code` key is an error reply.
pub fn decode_answer(plaintext: &[u8]) -> Result<OtaAnswer, ErrorKind> {
    let json = crypto::json_object_of(plaintext)
        .ok_or_else(|| ErrorKind::Json("no JSON object in the decrypted answer".to_string()))?;
    let raw: RawAnswer =
        serde_json::from_slice(json).map_err(|e| ErrorKind::Json(e.to_string()))?;
    if let Some(code) = raw.code {
        let message = [raw.desc, raw.msg, raw.message]
            .into_iter()
            .flatten()
            .map(|s| s.0)
            .next()
            .unwrap_or_default();
        return Err(ErrorKind::ErrorReply {
            code: code.0,
            message: message.chars().take(200).collect(),
        });
    }
    let rom = |key: &str, raw: Option<RawRom>| raw.map(|r| r.into_rom(key)).transpose();
    Ok(OtaAnswer {
        auth_result: raw.auth_result.and_then(|s| s.0.parse().ok()),
        current: rom("CurrentRom", raw.current)?,
        latest: rom("LatestRom", raw.latest)?,
        incremental: rom("IncrementRom", raw.incremental)?,
        cross: rom("CrossRom", raw.cross)?,
    })
}

/// Decodes the full-ROM endpoint's JSON form, `{"LatestFullRom": {…}}`;
/// `None` when it holds no ROM object.
pub fn decode_full_rom(body: &[u8]) -> Result<Option<OtaRom>, ErrorKind> {
    #[derive(Deserialize)]
    struct RawFullRom {
        code: Option<Scalar>,
        #[serde(rename = "LatestFullRom", default, deserialize_with = "rom_slot")]
        latest: Option<RawRom>,
    }
    if looks_like_html(body) {
        return Err(ErrorKind::Html);
    }
    let raw: RawFullRom =
        serde_json::from_slice(body).map_err(|e| ErrorKind::Json(e.to_string()))?;
    if let Some(code) = raw.code {
        return Err(ErrorKind::ErrorReply {
            code: code.0,
            message: String::new(),
        });
    }
    raw.latest.map(|r| r.into_rom("LatestFullRom")).transpose()
}

/// A JSON string, number or boolean, read as text.
#[derive(Debug, Clone)]
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct ScalarVisitor;
        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.chars().take(4_096).collect()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(u8::from(v).to_string()))
            }
        }
        d.deserialize_any(ScalarVisitor)
    }
}

#[derive(Deserialize)]
struct RawAnswer {
    code: Option<Scalar>,
    desc: Option<Scalar>,
    msg: Option<Scalar>,
    message: Option<Scalar>,
    #[serde(rename = "AuthResult")]
    auth_result: Option<Scalar>,
    #[serde(rename = "CurrentRom", default, deserialize_with = "rom_slot")]
    current: Option<RawRom>,
    #[serde(rename = "LatestRom", default, deserialize_with = "rom_slot")]
    latest: Option<RawRom>,
    #[serde(rename = "IncrementRom", default, deserialize_with = "rom_slot")]
    incremental: Option<RawRom>,
    #[serde(rename = "CrossRom", default, deserialize_with = "rom_slot")]
    cross: Option<RawRom>,
}

#[derive(Deserialize)]
struct RawRom {
    filename: Option<Scalar>,
    version: Option<Scalar>,
    md5: Option<Scalar>,
    filesize: Option<Scalar>,
    #[serde(default)]
    changelog: Option<Changelog>,
    device: Option<Scalar>,
    branch: Option<Scalar>,
    codebase: Option<Scalar>,
    bigversion: Option<Scalar>,
    osbigversion: Option<Scalar>,
    name: Option<Scalar>,
    #[serde(rename = "isBeta")]
    is_beta: Option<Scalar>,
    #[serde(rename = "isGov")]
    is_gov: Option<Scalar>,
}

/// A ROM slot: an object, or `null`, `[]`, `""` for "none".
fn rom_slot<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RawRom>, D::Error> {
    struct SlotVisitor;
    impl<'de> Visitor<'de> for SlotVisitor {
        type Value = Option<RawRom>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a ROM object or nothing")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            RawRom::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.is_empty() {
                Ok(None)
            } else {
                Err(E::custom("a ROM slot holds a non-empty string"))
            }
        }
    }
    d.deserialize_any(SlotVisitor)
}

fn text(field: Option<Scalar>) -> Option<String> {
    field
        .map(|s| s.0.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl RawRom {
    fn into_rom(self, key: &str) -> Result<OtaRom, ErrorKind> {
        let malformed = |field: &str, value: &str| {
            ErrorKind::MissingField(format!(
                "{key}.{field} {:?}",
                value.chars().take(80).collect::<String>()
            ))
        };
        let filename = text(self.filename)
            .ok_or_else(|| ErrorKind::MissingField(format!("{key}.filename")))?;
        let md5 = match text(self.md5) {
            Some(m) => match m.parse::<Md5>() {
                Ok(md5 @ Md5::Full(_)) => Some(md5),
                _ => return Err(malformed("md5", &m)),
            },
            None => None,
        };
        let size = match text(self.filesize) {
            Some(s) => Some(Size::parse_human(&s).map_err(|_| malformed("filesize", &s))?),
            None => None,
        };
        let flag = |f: Option<Scalar>| text(f).is_some_and(|v| v != "0" && v != "false");
        Ok(OtaRom {
            filename,
            version: text(self.version),
            md5,
            size,
            changelog: self.changelog.filter(|c| !c.is_empty()),
            device: text(self.device),
            branch: text(self.branch),
            codebase: text(self.codebase),
            bigversion: text(self.bigversion),
            osbigversion: text(self.osbigversion),
            name: text(self.name),
            is_beta: flag(self.is_beta),
            is_gov: flag(self.is_gov),
        })
    }
}

/// A ROM object as the server writes it (the simulator's side).
#[derive(Debug, Serialize)]
pub struct RomObject<'a> {
    pub bigversion: String,
    pub osbigversion: String,
    pub branch: &'a str,
    pub codebase: &'a str,
    pub device: &'a str,
    pub filename: &'a str,
    pub filesize: String,
    pub md5: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub version: &'a str,
    #[serde(rename = "isBeta")]
    pub is_beta: u8,
    #[serde(rename = "isGov")]
    pub is_gov: u8,
    pub changelog: ShapedChangelog<'a>,
}

/// An answer as the server writes it (the simulator's side).
#[derive(Debug, Serialize)]
pub struct AnswerObject<'a> {
    #[serde(rename = "AuthResult")]
    pub auth_result: i64,
    #[serde(rename = "CurrentRom", skip_serializing_if = "Option::is_none")]
    pub current: Option<RomObject<'a>>,
    #[serde(rename = "LatestRom", skip_serializing_if = "Option::is_none")]
    pub latest: Option<RomObject<'a>>,
    #[serde(rename = "IncrementRom", skip_serializing_if = "Option::is_none")]
    pub incremental: Option<RomObject<'a>>,
    #[serde(rename = "CrossRom", skip_serializing_if = "Option::is_none")]
    pub cross: Option<RomObject<'a>>,
    #[serde(rename = "FileMirror")]
    pub file_mirror: FileMirror,
    #[serde(rename = "GentleNotice")]
    pub gentle_notice: GentleNotice,
}

#[derive(Debug, Serialize)]
pub struct FileMirror {
    pub icon: String,
    pub image: String,
    pub video: String,
    pub headimage: String,
}

#[derive(Debug, Serialize)]
pub struct GentleNotice {
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"{
        "AuthResult": 1,
        "CurrentRom": [],
        "LatestRom": {"bigversion": "816", "osbigversion": "1.0", "branch": "F", "codebase": "14.0",
            "device": "agate_eea_global",
            "filename": "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip",
            "filesize": "4.9 GB", "md5": "6e09feeec4fd978802f4db87ddd7035b", "name": "Xiaomi 11T EEA",
            "type": "F", "version": "OS1.0.10.0.UKWEUXM", "isBeta": 0, "isGov": "0",
            "changelog": {"System": {"txt": ["Updated the security patch to January 2025."]},
                          "Camera": {"txt": ["Fixes"]}}},
        "IncrementRom": {"filename":
            "miui-blockota-agate_eea_global-OS1.0.9.0.UKWEUXM-OS1.0.10.0.UKWEUXM-685ef0944d-14.0.zip",
            "md5": "685ef0944d0000000000000000000000", "filesize": "512.3 MB",
            "changelog": {"System": [{"txt": "Updated the security patch to January 2025.",
                                       "image": [{"path": "x.png", "h": "10", "w": "20"}]}]}},
        "FileMirror": {"icon": "", "image": "", "video": "", "headimage": ""},
        "GentleNotice": {"text": "<p>hi</p>"}
    }"#;

    #[test]
    fn decodes_rom_objects_of_both_changelog_shapes() {
        let answer = decode_answer(ANSWER.as_bytes()).unwrap();
        assert_eq!(answer.auth_result, Some(1));
        assert_eq!(answer.current, None);
        assert_eq!(answer.cross, None);
        let latest = answer.latest.as_ref().unwrap();
        assert_eq!(latest.version.as_deref(), Some("OS1.0.10.0.UKWEUXM"));
        assert_eq!(latest.size.map(|s| s.human()).as_deref(), Some("4.9 GB"));
        assert_eq!(
            latest.changelog.as_ref().unwrap().to_text(),
            "[System]\nUpdated the security patch to January 2025.\n[Camera]\nFixes"
        );
        assert!(!latest.is_beta && !latest.is_gov);
        let inc = answer.incremental.as_ref().unwrap();
        assert_eq!(
            inc.changelog.as_ref().unwrap().to_text(),
            "[System]\nUpdated the security patch to January 2025."
        );
        assert_eq!(answer.roms().count(), 2);
    }

    #[test]
    fn cuts_trailing_junk_and_opens_sealed_answers() {
        let mut plain = ANSWER.as_bytes().to_vec();
        plain.extend_from_slice(b"\x00\x00\x03junk");
        let sealed = crypto::seal(&plain);
        let wrapped: String = sealed
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8_lossy(c).into_owned() + "\n")
            .collect();
        let answer = open_answer(wrapped.as_bytes()).unwrap();
        assert!(answer.latest.is_some());
    }

    #[test]
    fn empty_answer_has_no_roms() {
        let answer = decode_answer(br#"{"AuthResult": 1, "LatestRom": null}"#).unwrap();
        assert_eq!(answer.roms().count(), 0);
    }

    #[test]
    fn error_replies_and_broken_answers() {
        let err = decode_answer(br#"{"code": 2001, "desc": "device not supported"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "error reply code 2001: device not supported"
        );
        assert!(matches!(
            decode_answer(br#"{"LatestRom": {"md5": "x"}}"#),
            Err(ErrorKind::MissingField(f)) if f == "LatestRom.filename"
        ));
        assert!(matches!(
            decode_answer(br#"{"LatestRom": {"filename": "a.zip", "md5": "123"}}"#),
            Err(ErrorKind::MissingField(f)) if f.starts_with("LatestRom.md5")
        ));
        assert!(matches!(
            decode_answer(br#"{"LatestRom": {"#),
            Err(ErrorKind::Json(_))
        ));
        assert!(matches!(
            open_answer(b"<html>502</html>"),
            Err(ErrorKind::Html)
        ));
        assert!(matches!(open_answer(b"%%%"), Err(ErrorKind::Base64(_))));
        // `{}` sealed under the key `0000000000000000`.
        assert!(matches!(
            open_answer(b"8E/8t8xbZ2GBEgJucV2Nsg=="),
            Err(ErrorKind::Cipher(_))
        ));
    }
}
