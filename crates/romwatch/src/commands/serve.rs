//! `romwatch serve`: the site and the live API over HTTP, until Ctrl-C or
//! SIGTERM; requests in flight are finished first.

use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_server::ServerOptions;

use super::Context;
use crate::cli::ServeArgs;

pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    // A missing, empty or outdated database stops the start with what to
    // do; nothing is created (the server only reads).
    drop(ctx.store_to_read()?);
    let options = ServerOptions {
        site: args.site.clone(),
        db: ctx.db_path().to_path_buf(),
        base_url: ctx.config.site.base_url.clone(),
        limits: ctx.config.serve.clone(),
    };
    options.check()?;
    super::listen_until_stopped(
        args.listen,
        Some(options.limits.blocking_threads()),
        |addr| {
            format!(
                "serving {} and the live API on http://{addr}/ (Ctrl-C stops)",
                args.site.display()
            )
        },
        |listener, stop| async move {
            romwatch_server::serve(listener, &options, stop)
                .await
                .context("the server stopped")
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
