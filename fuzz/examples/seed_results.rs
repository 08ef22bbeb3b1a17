//! Writes the seed of the `results` target (sealed 机考 results, fixed test keys):
//! `cargo +nightly run --example seed_results` in `fuzz/`. Run once; the file is committed.

use qbank::package::results::{FORMAT, ResultsFiles, ResultsMeta, seal};
use qbank_fuzz::*;
use zeroize::Zeroizing;

fn main() {
    let responses = format!("candidate,copy,1,2\n1001,{ORG}-dg4-theory-F01,A,√\n");
    let meta = ResultsMeta {
        format: FORMAT,
        organisation: ORG.into(),
        sitting: SITTING.into(),
        copy: format!("{ORG}-dg4-theory-F01"),
        exported_at: "2026-11-28T03:00:00Z".into(),
        candidates: 1,
        log_head: String::new(),
        responses_len: responses.len() as u64,
        scores_len: 0,
        log_len: 0,
    };
    let files = ResultsFiles {
        responses: Zeroizing::new(responses.into_bytes()),
        scores: Zeroizing::new(Vec::new()),
        log: Zeroizing::new(Vec::new()),
    };
    let sealed = seal(&meta, &files, &org_key(), &bureau_submission_key().public().unwrap()).unwrap();
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/results");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("valid.qres"), sealed).unwrap();
}
