//! The OTA API's request: which device, on which version and branch, asks
//! for updates. Serialized with its keys in the order clients send them.

use romwatch_model::{Codename, Region};
use serde::Serialize;

/// The updater branch asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtaBranch {
    /// `F`: stable.
    Stable,
    /// `X`: developer (weekly) builds.
    Developer,
}

impl OtaBranch {
    pub fn letter(self) -> &'static str {
        match self {
            OtaBranch::Stable => "F",
            OtaBranch::Developer => "X",
        }
    }

    pub fn from_letter(letter: &str) -> Option<OtaBranch> {
        match letter {
            "F" => Some(OtaBranch::Stable),
            "X" => Some(OtaBranch::Developer),
            _ => None,
        }
    }
}

/// One question to the OTA API: "this variant runs this version; what is there?"
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtaQuery {
    /// The variant codename with its region suffix (`corot_eea_global`).
    pub variant: Codename,
    /// The version the device runs (`OS1.0.9.0.UKWEUXM`).
    pub version: String,
    /// The Android version it runs (`14.0` or `14`).
    pub android: String,
    pub branch: OtaBranch,
}

/// The request object, all values strings.
#[derive(Debug, Serialize)]
pub struct OtaRequest {
    pub b: String,
    pub c: String,
    pub d: String,
    pub f: String,
    pub id: String,
    pub l: String,
    pub ov: String,
    pub p: String,
    pub pn: String,
    pub r: String,
    pub security: String,
    pub token: String,
    pub unlock: String,
    pub v: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<OtaOptions>,
}

#[derive(Debug, Serialize)]
pub struct OtaOptions {
    /// The updater app's version.
    pub av: String,
}

impl OtaQuery {
    /// The Android major version (`14` of `14.0`).
    fn android_major(&self) -> &str {
        self.android.split('.').next().unwrap_or(&self.android)
    }

    /// Builds the request (UPSTREAM.md §1): English and `GL` for `*_global`
    /// variants, Chinese and `CN` otherwise; `options.av` from Android 15 on.
    pub fn request(&self, updater_version: &str) -> OtaRequest {
        let global = Region::of_variant(self.variant.as_str()) != Region::China;
        let device = self.variant.device().as_str().to_string();
        let major = self.android_major();
        let modern = major.parse::<u32>().is_ok_and(|m| m >= 15);
        OtaRequest {
            b: self.branch.letter().to_string(),
            c: major.to_string(),
            d: self.variant.as_str().to_string(),
            f: "1".to_string(),
            id: String::new(),
            l: if global { "en_US" } else { "zh_CN" }.to_string(),
            ov: self.version.clone(),
            p: device.clone(),
            pn: device,
            r: if global { "GL" } else { "CN" }.to_string(),
            security: String::new(),
            token: String::new(),
            unlock: "0".to_string(),
            v: format!("MIUI-{}", self.version),
            options: modern.then(|| OtaOptions {
                av: updater_version.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto;

    fn query(variant: &str, version: &str, android: &str) -> OtaQuery {
        OtaQuery {
            variant: Codename::new(variant).unwrap(),
            version: version.into(),
            android: android.into(),
            branch: OtaBranch::Stable,
        }
    }

    #[test]
    fn request_json_matches_the_wire_format() {
        let json = serde_json::to_string(
            &query("alioth_global", "V14.0.9.0.TKHMIXM", "13.0").request("9.0.6"),
        )
        .unwrap();
        assert_eq!(
            json,
            r#"{"b":"F","c":"13","d":"alioth_global","f":"1","id":"","l":"en_US","ov":"V14.0.9.0.TKHMIXM","p":"alioth","pn":"alioth","r":"GL","security":"","token":"","unlock":"0","v":"MIUI-V14.0.9.0.TKHMIXM"}"#
        );
        let modern = query("corot", "OS2.0.5.0.VMLCNXM", "15.0").request("9.0.6");
        assert_eq!((modern.l.as_str(), modern.r.as_str()), ("zh_CN", "CN"));
        assert_eq!(modern.options.map(|o| o.av), Some("9.0.6".to_string()));
    }

    #[test]
    fn fixed_encryption_vector_of_a_real_request() {
        // Computed independently with openssl (see crypto.rs).
        let json = serde_json::to_string(
            &query("alioth_global", "V14.0.9.0.TKHMIXM", "13.0").request("9.0.6"),
        )
        .unwrap();
        let sealed = crypto::seal(json.as_bytes());
        assert_eq!(sealed, FIXED_REQUEST_VECTOR);
        assert_eq!(crypto::open(&sealed).unwrap(), json.as_bytes());
    }

    const FIXED_REQUEST_VECTOR: &str = concat!(
        "MBupFiv/nRLxVdtxbtFm9VQuKnj4++mHoNK+nSSzXTn0dGfKtkPp4lcb8+bClfMENRPjx074Vx0UfjeraNnOfqX7O0vw6bttiHMF75Ae4i39oAJmmqACkuLyFDHebXbwdTnDrT7Wq/MU",
        "6XMETDXcRMhB7RbE9dB0s2MbKywoW7pE6toYDLRysLcw+zpYOKy+6YWGJYen6zNcwL3DqnHfOVeZ1mbeN6wZ+MA6CkN/RFw2MaFBsCnipW2hMEpK4fiFHPRayaPwUA+zpQwzPHEHkA==",
    );
}
