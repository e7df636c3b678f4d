//! The `kabar` binary: parse the command line, run the command, map the
//! outcome to an exit code (0 ok, 1 no results, 2 bad input, 3 failure).

use std::process::ExitCode;

use clap::Parser;
use kabar::cli::Cli;
use kabar::commands::{self, Exit};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.global.verbose {
        0 => "warn",
        1 => "kabar=info,warn",
        _ => "kabar=debug,info",
    };
    let filter =
        EnvFilter::try_from_env("KABAR_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();

    let exit = match commands::run(cli) {
        Ok(exit) => exit,
        Err(commands::CommandError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Exit::Ok
        }
        Err(e) => {
            eprintln!("kabar: {e}");
            e.exit()
        }
    };
    ExitCode::from(exit as u8)
}
