//! The Nu Html Checker (`vnu`, the W3C validator) finds no error and no
//! warning in any page or in the stylesheet. It needs Java and the checker's
//! jar, which the npm package `vnu-jar` ships:
//!
//! ```text
//! npm install vnu-jar
//! ROMWATCH_VNU_JAR=node_modules/vnu-jar/build/dist/vnu.jar cargo test -p romwatch-site --test vnu
//! ```
//!
//! Without `ROMWATCH_VNU_JAR` the test says so and passes; the html5ever
//! checks in `html.rs` always run.

mod common;

use std::process::Command;

use common::*;
use romwatch_site::build;

#[test]
fn the_w3c_checker_accepts_every_page_and_the_stylesheet() {
    let Some(jar) = std::env::var_os("ROMWATCH_VNU_JAR") else {
        eprintln!("ROMWATCH_VNU_JAR not set; skipping the Nu Html Checker");
        return;
    };
    let mut data = sample();
    data.devices[0].name = r#""><img src=x onerror=alert(1)>"#.to_string();
    data.roms[1].changelog = Some("<script>alert(1)</script>\n</details></p>".to_string());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    let site = std::fs::canonicalize(&out).unwrap();
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--also-check-css", "--skip-non-html"])
        .arg(&site)
        .output()
        .expect("run java -jar vnu.jar");
    let messages = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && messages.trim().is_empty(),
        "{messages}"
    );
}
