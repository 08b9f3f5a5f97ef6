//! Exit statuses, and how a failure is printed: its whole chain, once,
//! without a backtrace.
//!
//! The rule every error type in the workspace follows, so that this chain
//! reads well: a message says what was being done (`cannot create DIR`),
//! its source says why (`Not a directory`), and no message repeats its
//! source's text. `error:` is the outermost message, then one `caused by:`
//! line per source.
//!
//! - 0: success (also when the reader of our output went away: `| head`);
//! - 1: the input had problems (names that do not parse, bad records);
//! - 2: wrong usage (clap's own status);
//! - 3: anything else (the database, the file system, the config);
//! - 4: `track` could check nothing at all (every source failed).

use std::process::ExitCode;

pub const DATA_ERROR: u8 = 1;
pub const FAILURE: u8 = 3;
pub const NOTHING_CHECKED: u8 = 4;

pub fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let mut message = format!("error: {err}");
    for cause in err.chain().skip(1) {
        message.push_str(&format!("\n  caused by: {cause}"));
    }
    eprintln!("{message}");
    let data = err.chain().any(|c| {
        matches!(
            c.downcast_ref(),
            Some(romwatch_store::ImportError::Invalid { .. })
        ) || c
            .downcast_ref::<romwatch_store::formats::ReadError>()
            .is_some_and(|e| e.is_bad_input())
    });
    ExitCode::from(if data { DATA_ERROR } else { FAILURE })
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
