//! One module per subcommand: each turns its arguments into a config, calls one workflow in
//! `qbank::ops`, and prints the result.

mod assemble;
mod check;
mod export;
mod generate;
mod import;
mod init;
mod key;
mod list;
mod show;
mod status;
mod verify;

use crate::cli::{Cli, Command};
use qbank::Result;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    match cli.command {
        Command::Init => init::exec(g),
        Command::Check { paths } => check::exec(g, &paths),
        Command::Import { init, paths } => import::exec(g, init, &paths),
        Command::Export { out } => export::exec(g, &out),
        Command::List(args) => list::exec(g, &args),
        Command::Show { id, version } => show::exec(g, &id, version),
        Command::Status { min } => status::exec(g, min),
        Command::Gen {
            items,
            seed,
            occupations,
            tasks_per_level,
            out,
        } => generate::exec(g, items, seed, occupations, tasks_per_level, &out),
        Command::Key(k) => key::exec(g, k),
        Command::Assemble {
            blueprints,
            seed,
            forms,
            out,
            replace,
        } => assemble::exec(g, &blueprints, seed, forms, &out, replace),
        Command::Verify { path } => verify::exec(g, &path),
    }
}
