//! The `qbank` binary: parses arguments, runs one command, maps errors to exit codes.
#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod output;

use clap::Parser;
use qbank::Error;
use std::process::ExitCode;

/// Exit codes, in one place (documented in README.md).
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Invalid(_) | Error::Usage(_) | Error::Infeasible(_) | Error::TooEarly(_) => 3,
        Error::NoStore(_)
        | Error::StoreExists(_)
        | Error::NotFound { .. }
        | Error::Exists { .. } => 4,
        Error::NoKey
        | Error::KeyFile { .. }
        | Error::KeyKindMismatch { .. }
        | Error::WrongKey(_)
        | Error::WrongOrgKey { .. }
        | Error::PackageKey(_) => 5,
        Error::Tampered { .. }
        | Error::Corrupt { .. }
        | Error::StoreFormat { .. }
        | Error::PackageRefused(_)
        | Error::Audit(_) => 6,
        _ => 7,
    }
}

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cmd::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}
