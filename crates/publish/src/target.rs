//! Where a site is published: `s3://bucket/prefix`, and how to reach the
//! storage that holds it.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use serde::Deserialize;

use crate::PublishError;

/// `[publish]` in the config file. Credentials come from the standard
/// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
/// `AWS_SESSION_TOKEN`) variables, never from the file; the endpoint and
/// region may come from `AWS_ENDPOINT_URL` and `AWS_REGION` too, the keys
/// here taking precedence.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishConfig {
    /// `s3://bucket/prefix`; `romwatch run` publishes after each build when
    /// it is set.
    pub to: Option<String>,
    /// An S3-compatible endpoint (`https://s3.example.org`); AWS when unset.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Allow a plain-HTTP endpoint (a server on loopback).
    pub allow_http: Option<bool>,
}

/// A bucket and the prefix the site's files go under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub bucket: String,
    /// Without a leading or trailing `/`; empty for the bucket's root.
    pub prefix: String,
}

impl Target {
    /// Reads `s3://bucket` or `s3://bucket/prefix`.
    pub fn parse(text: &str) -> Result<Target, PublishError> {
        let fail = |reason: &str| PublishError::Target {
            target: text.to_string(),
            reason: reason.to_string(),
        };
        // Read as written: a URL parser would resolve `a/../b` to `b`
        // rather than let it be refused.
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| fail("expected s3://bucket/prefix"))?;
        if rest.contains(['?', '#']) {
            return Err(fail("a target has no query or fragment"));
        }
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        // S3's rule for bucket names: 3 to 63 lowercase letters, digits,
        // `.` and `-`.
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !bucket_ok {
            return Err(fail(
                "the bucket name must be 3 to 63 lowercase letters, digits, '.' or '-'",
            ));
        }
        let prefix = prefix.trim_end_matches('/');
        let plain = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        };
        if !prefix.is_empty() && !prefix.split('/').all(plain) {
            return Err(fail(
                "each segment of the prefix must be letters, digits, '.', '_' or '-' (not '.' or '..')",
            ));
        }
        Ok(Target {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// The object key of a site file.
    pub fn key(&self, file: &str) -> String {
        if self.prefix.is_empty() {
            file.to_string()
        } else {
            format!("{}/{file}", self.prefix)
        }
    }
}

impl PublishConfig {
    /// The configured target, or an error saying none is.
    pub fn target(&self) -> Result<Target, PublishError> {
        let to = self.to.as_deref().ok_or_else(|| PublishError::Target {
            target: String::new(),
            reason: "no target: pass s3://bucket/prefix or set `to` in [publish]".into(),
        })?;
        Target::parse(to)
    }

    /// A client for the target's bucket: the `AWS_*` environment, then
    /// this table.
    pub(crate) fn store(&self, target: &Target) -> Result<Arc<dyn ObjectStore>, PublishError> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&target.bucket);
        if let Some(endpoint) = &self.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(region) = &self.region {
            builder = builder.with_region(region);
        }
        if let Some(allow) = self.allow_http {
            builder = builder.with_allow_http(allow);
        }
        let store = builder.build().map_err(|source| PublishError::Remote {
            action: "reach",
            url: format!("s3://{}", target.bucket),
            source,
        })?;
        Ok(Arc::new(store))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_a_bucket_and_a_safe_prefix() {
        let t = Target::parse("s3://roms-site/www/").unwrap();
        assert_eq!((t.bucket.as_str(), t.prefix.as_str()), ("roms-site", "www"));
        assert_eq!(t.key("index.html"), "www/index.html");
        assert_eq!(
            Target::parse("s3://roms-site").unwrap().key("a.json"),
            "a.json"
        );
        for bad in [
            "s3://site//x",
            "s3://site/x%2F..",
            "https://roms-site/x",
            "s3://Roms/x",
            "s3://ab",
            "s3://site/a/../b",
            "s3://site/x?y=1",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
