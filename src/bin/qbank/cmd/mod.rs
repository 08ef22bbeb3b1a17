//! One module per subcommand: each turns its arguments into a config, calls one workflow in
//! `qbank::ops`, and prints the result.

mod analysis;
mod assemble;
mod audit;
mod check;
mod exam;
mod export;
mod generate;
mod import;
mod init;
mod key;
mod list;
mod org;
mod pdf;
mod portal;
mod review;
mod show;
mod sitting;
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
        Command::Status {
            min,
            blueprints,
            register,
        } => status::exec(g, min, &blueprints, register.as_deref()),
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
        Command::Org(c) => org::exec(g, c),
        Command::Catalog(c) => org::catalog(g, c),
        Command::BureauKey(c) => org::bureau_key(g, c),
        Command::Sitting { plan, out, check } => match (check, out) {
            (false, Some(out)) => sitting::run(g, &plan, &out),
            _ => sitting::check(g, &plan),
        },
        Command::Sittings => sitting::list(g),
        Command::Release {
            sitting,
            out,
            keys,
            early_reason,
        } => sitting::release(g, &sitting, &out, keys, early_reason.as_deref()),
        Command::Unseal {
            package,
            org_key,
            release,
            keys_release,
            bureau_key,
            out,
        } => sitting::unseal(
            g,
            &package,
            &org_key,
            (&release, keys_release.as_deref()),
            bureau_key.as_deref(),
            &out,
        ),
        Command::Pdf { paths } => pdf::exec(g, &paths),
        Command::Exam(c) => exam::exec(g, c),
        Command::Portal(c) => portal::exec(g, c),
        Command::Trace { leaked, sitting } => sitting::trace(g, &leaked, &sitting),
        Command::Audit(c) => audit::exec(g, c),
        Command::Item(c) => analysis::item(g, c),
        Command::Submission(c) => review::submission(g, c),
        Command::Review(c) => review::review(g, c),
        Command::Person(c) => review::person(g, c),
        Command::Feedback(c) => review::feedback(g, c),
        Command::Revise {
            item,
            file,
            reason,
            min_n,
            verbose,
            dismiss,
            register,
        } => review::revise(
            g,
            &item,
            file.as_deref(),
            reason.as_deref(),
            review::ReviseFlags {
                min_n,
                verbose,
                dismiss,
                register,
            },
        ),
        Command::Analysis {
            files,
            sitting,
            report,
            p_min,
            p_max,
            d_min,
            distractor_min,
            rasch_min,
        } => analysis::run(
            g,
            &files,
            &sitting,
            report.as_deref(),
            qbank::analysis::Thresholds {
                p_min,
                p_max,
                d_min,
                distractor_min_share: distractor_min,
                rasch_min_responses: rasch_min,
            },
        ),
    }
}
