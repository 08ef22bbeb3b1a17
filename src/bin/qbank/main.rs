//! The `qbank` binary: parses arguments, runs one command, maps errors to exit codes.
#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cmd::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(e.exit_code())
        }
    }
}
