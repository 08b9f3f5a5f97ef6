//! `romwatch openapi`: the OpenAPI document, as `/api/v1/openapi.json`
//! serves it (`crates/server/openapi.json` is this output).

use std::io::Write as _;
use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    std::io::stdout()
        .lock()
        .write_all(romwatch_server::openapi_json().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
