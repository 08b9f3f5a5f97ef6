//! A local notification log: each announcement appended to a file as one
//! JSON line, with the message a Telegram channel would get. For trying
//! romwatch out (`romwatch demo`) and for keeping an audit trail.

use std::io::Write;
use std::path::PathBuf;

use romwatch_store::Event;
use serde_json::json;

use crate::channel::{Channel, SendError, SendFuture, chat_wants};
use crate::config::{FileConfig, Filter};
use crate::release::Release;
use crate::telegram;

pub struct FileLog {
    name: String,
    path: PathBuf,
    filter: Filter,
}

impl FileLog {
    pub fn new(config: &FileConfig) -> FileLog {
        FileLog {
            name: config.name.clone(),
            path: config.path.clone(),
            filter: config.filter.clone(),
        }
    }

    fn line(&self, r: &Release<'_>) -> String {
        json!({
            "time": chrono::Utc::now().to_rfc3339(),
            "channel": self.name,
            "event": r.event.kind,
            "filename": r.event.rom.filename,
            "device": r.device_name,
            "version": r.version,
            "update_page": r.update_page,
            "message": telegram::text(r),
        })
        .to_string()
    }
}

impl Channel for FileLog {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &'static str {
        "file"
    }

    fn wants(&self, event: &Event) -> bool {
        chat_wants(&self.filter, event)
    }

    fn preview(&self, release: &Release<'_>) -> String {
        self.line(release)
    }

    /// A local file holds no secret.
    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }

    fn send<'a>(&'a self, release: &'a Release<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let line = self.line(release) + "\n";
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .and_then(|mut file| file.write_all(line.as_bytes()));
            // A full disk may clear up; a missing directory will not.
            written.map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    SendError::Permanent {
                        reason: format!("cannot append to {}: {e}", self.path.display()),
                    }
                }
                _ => SendError::Retry {
                    reason: format!("cannot append to {}: {e}", self.path.display()),
                    after: None,
                },
            })
        })
    }
}
