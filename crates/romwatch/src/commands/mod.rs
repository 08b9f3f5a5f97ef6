//! One module per subcommand; each takes its parsed arguments and the
//! shared context, and returns the exit status.

mod build;
mod demo;
mod export;
mod import;
mod mirrors;
mod notify;
mod openapi;
mod parse;
mod publish;
mod run;
mod serve;
mod sim;
mod stats;
mod track;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_store::{Store, StoreError};

use crate::cli::{Cli, Command, Global};
use crate::config::Config;

/// What every subcommand may need: the config and the global flags.
pub struct Context {
    pub config: Config,
    pub json: bool,
    db: PathBuf,
}

impl Context {
    fn new(global: &Global) -> anyhow::Result<Context> {
        let named = std::env::var_os("ROMWATCH_CONFIG").is_some()
            || global.config.as_path() != std::path::Path::new("romwatch.toml");
        let config = Config::load(&global.config, named)?;
        let db = config.db_path(global.db.as_deref());
        Ok(Context {
            config,
            json: global.json,
            db,
        })
    }

    /// A context of its own config and database (the demo's).
    fn with(config: Config, json: bool, db: PathBuf) -> Context {
        Context { config, json, db }
    }

    /// The database file.
    pub fn db_path(&self) -> &std::path::Path {
        &self.db
    }

    /// Opens (creating if needed) the store to write into it, after
    /// checking that the database is not damaged.
    pub fn store(&self) -> anyhow::Result<Store> {
        let store = self.open(Store::open)?;
        store.check_integrity()?;
        Ok(store)
    }

    /// Opens the store to read from it, read-only: nothing is created or
    /// written, and a missing or zero-length database file is refused,
    /// never taken as an empty store.
    pub fn store_to_read(&self) -> anyhow::Result<Store> {
        self.open(Store::open_read_only)
    }

    fn open(
        &self,
        open: impl FnOnce(&std::path::Path) -> Result<Store, StoreError>,
    ) -> anyhow::Result<Store> {
        open(&self.db).map_err(|err| match err {
            // These already name the file.
            StoreError::Open { .. }
            | StoreError::Missing { .. }
            | StoreError::Empty { .. }
            | StoreError::Damaged { .. } => err.into(),
            _ => anyhow::Error::new(err)
                .context(format!("cannot use the database {}", self.db.display())),
        })
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Context::new(&cli.global)?;
    match cli.command {
        Command::Import(args) => import::run(&ctx, &args),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Parse(args) => parse::run(&ctx, &args),
        Command::Stats => stats::run(&ctx),
        Command::Build(args) => build::run(&ctx, &args),
        Command::Publish(args) => publish::run(&ctx, &args),
        Command::Notify(args) => notify::run(&ctx, &args),
        Command::Verify(args) => verify::run(&ctx, &args),
        Command::Sim(args) => sim::run(&args),
        Command::Demo(args) => demo::run(&ctx, &args),
        Command::Serve(args) => serve::run(&ctx, &args),
        Command::Track(args) => track::run(&ctx, &args),
        Command::Mirrors(args) => mirrors::run(&ctx, &args),
        Command::Openapi => openapi::run(),
        Command::Run(args) => run::run(&ctx, &args),
    }
}

/// Prints a value as one line of JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Runs an HTTP service on `listen` until Ctrl-C or SIGTERM: binds, prints
/// `banner` (given the bound address) on stderr, then runs `serve` with the
/// listener and the stop signal. `blocking_threads` bounds the runtime's
/// blocking pool (tokio's default, 512, when `None`).
pub fn listen_until_stopped<Serve, Running>(
    listen: std::net::SocketAddr,
    blocking_threads: Option<usize>,
    banner: impl FnOnce(std::net::SocketAddr) -> String,
    serve: Serve,
) -> anyhow::Result<()>
where
    Serve: FnOnce(
        tokio::net::TcpListener,
        std::pin::Pin<Box<dyn Future<Output = ()> + Send>>,
    ) -> Running,
    Running: Future<Output = anyhow::Result<()>>,
{
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = blocking_threads {
        runtime.max_blocking_threads(threads);
    }
    let runtime = runtime
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        eprintln!("{}", banner(listener.local_addr()?));
        serve(listener, Box::pin(stop_signal())).await
    })
}

/// Ctrl-C or SIGTERM, whichever comes first.
async fn stop_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
