//! Progress bars on a terminal; nothing at all when stderr is not one.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `unit`s, hidden when stderr is not a terminal.
pub fn bar(unit: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let template = if unit == "bytes" {
        "{spinner} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)".to_string()
    } else {
        format!("{{spinner}} {{bar:40}} {{pos}}/{{len}} {unit} ({{elapsed}})")
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
