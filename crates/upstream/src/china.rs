//! The China community post API (UPSTREAM.md §4): a post's text blocks
//! carry HTML whose `.zip` links are recovery packages.

use serde::Deserialize;
use serde_json::Value;

use crate::config::SourceConfig;
use crate::error::{ErrorKind, SourceError, SourceId};
use crate::http::Http;
use crate::observation::Observation;

pub const PATH: &str = "/api/community/post/detail";

/// The most links read from one post.
const MAX_LINKS: usize = 1_000;

/// The China community adapter; a query is a post id.
#[derive(Debug, Clone)]
pub struct ChinaSource {
    http: Http,
    base_url: String,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: Option<String>,
    txt: Option<String>,
}

impl ChinaSource {
    pub fn new(config: &SourceConfig) -> Result<ChinaSource, SourceError> {
        Ok(ChinaSource {
            http: Http::new(SourceId::ChinaCommunity, config, true)?,
            base_url: config.base_url.trim_end_matches('/').to_string(),
        })
    }

    /// The recovery package links of one post.
    pub async fn post_links(&self, post_id: u64) -> Result<Vec<String>, SourceError> {
        let url = format!("{}{PATH}?postId={post_id}", self.base_url);
        let request = self.http.client.get(&url);
        let envelope: Value = self.http.get_json(request, &url).await?;
        links_of_answer(&envelope).map_err(|kind| self.http.error(&url, kind))
    }

    /// The recovery packages a post links to (`post_id`), each as an observation.
    pub async fn observe(&self, post_id: u64) -> Result<Vec<Observation>, SourceError> {
        let links = self.post_links(post_id).await?;
        let url = format!("{}{PATH}?postId={post_id}", self.base_url);
        links
            .iter()
            .map(|link| {
                Observation::of_url(SourceId::ChinaCommunity, link)
                    .map_err(|kind| self.http.error(&url, kind))
            })
            .collect()
    }
}

/// Reads `{"code": 200, "entity": {"textContent": "<JSON string>"}}`.
pub fn links_of_answer(envelope: &Value) -> Result<Vec<String>, ErrorKind> {
    let code = envelope.get("code");
    if code.and_then(Value::as_i64) != Some(200) {
        let message = ["message", "msg"]
            .iter()
            .find_map(|k| envelope.get(*k).and_then(Value::as_str))
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        let code = code.map_or_else(|| "(none)".to_string(), Value::to_string);
        return Err(ErrorKind::ErrorReply { code, message });
    }
    let text = envelope
        .get("entity")
        .and_then(|e| e.get("textContent"))
        .and_then(Value::as_str)
        .ok_or_else(|| ErrorKind::MissingField("entity.textContent".into()))?;
    let blocks: Vec<Block> = serde_json::from_str(text)
        .map_err(|e| ErrorKind::Json(format!("entity.textContent: {e}")))?;
    let mut links = Vec::new();
    for block in blocks {
        if block.kind.as_deref() != Some("txt") {
            continue;
        }
        for href in hrefs(block.txt.as_deref().unwrap_or("")) {
            let path = romwatch_model::strip_signed_query(&href);
            if path.ends_with(".zip") && links.len() < MAX_LINKS && !links.contains(&href) {
                links.push(href);
            }
        }
    }
    Ok(links)
}

/// The values of `href` attributes in an HTML fragment, quoted with `"` or
/// `'`, `&amp;` decoded. The fragments are small and machine-written, so a
/// scan for the attribute is enough; nothing else of the HTML is used.
pub fn hrefs(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(pos) = lower[at..].find("href") {
        let start = at + pos + "href".len();
        at = start;
        let rest = html[start..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let value = &rest[1..];
        if let Some(end) = value.find(quote) {
            found.push(value[..end].trim().replace("&amp;", "&"));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_zip_links_of_text_blocks() {
        let blocks = serde_json::json!([
            {"type": "txt", "txt": "<p>稳定版 <a href=\"https://bigota.d.miui.com/V14.0.6.0.TKHCNXM/miui_ALIOTH_V14.0.6.0.TKHCNXM_0123456789_13.0.zip\">下载</a></p>"},
            {"type": "image", "txt": "<a href='https://x/y.zip'>not text</a>"},
            {"type": "txt", "txt": "<a HREF = 'https://ultimateota.d.miui.com/V1/a.zip?t=1&amp;s=2'>x</a> <a href=\"https://x/readme.html\">r</a>"}
        ]);
        let answer =
            serde_json::json!({"code": 200, "entity": {"textContent": blocks.to_string()}});
        let links = links_of_answer(&answer).unwrap();
        assert_eq!(
            links,
            vec![
                "https://bigota.d.miui.com/V14.0.6.0.TKHCNXM/miui_ALIOTH_V14.0.6.0.TKHCNXM_0123456789_13.0.zip",
                "https://ultimateota.d.miui.com/V1/a.zip?t=1&s=2",
            ]
        );
    }

    #[test]
    fn error_codes_and_missing_content() {
        let err = links_of_answer(&serde_json::json!({"code": 404, "message": "帖子不存在"}))
            .unwrap_err();
        assert_eq!(err.to_string(), "error reply code 404: 帖子不存在");
        assert!(matches!(
            links_of_answer(&serde_json::json!({"code": 200, "entity": {}})),
            Err(ErrorKind::MissingField(_))
        ));
        assert!(matches!(
            links_of_answer(&serde_json::json!({"code": 200, "entity": {"textContent": "[{"}})),
            Err(ErrorKind::Json(_))
        ));
    }
}
