//! `safepassage`: the one binary. Parses the command line, reads settings, and hands over to
//! one command module; the work itself lives in the library crates.

mod channel_settings;
mod cli;
mod commands;
mod logging;
mod settings;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the request path allocates many small, short-lived values (parsed JSON, flow
/// sessions, expression values); glibc malloc spent about 40% of a flow step on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let settings = match settings::Settings::resolve(&cli) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("safepassage: {e:#}");
            return ExitCode::from(2);
        }
    };
    logging::init(settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("safepassage: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, settings)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("safepassage: {e:#}");
            ExitCode::FAILURE
        }
    }
}
