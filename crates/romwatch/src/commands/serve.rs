//! `romwatch serve`: the site and the live API over HTTP, until Ctrl-C or
//! SIGTERM; requests in flight are finished first.

use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_server::ServerOptions;

use super::Context;
use crate::cli::ServeArgs;

pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    // Creates the database and brings its schema up to date, so that the
    // read-only server can open it.
    drop(ctx.store()?);
    let options = ServerOptions {
        site: args.site.clone(),
        db: ctx.db_path().to_path_buf(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "serving {} and the live API on http://{addr}/ (Ctrl-C stops)",
            args.site.display()
        );
        romwatch_server::serve(listener, &options, super::stop_signal())
            .await
            .context("the server stopped")
    })?;
    Ok(ExitCode::SUCCESS)
}
