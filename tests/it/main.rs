//! The integration tests: one binary, one module per area, shared helpers here.

mod analysis;
mod assemble;
mod check;
mod chinese;
mod cites;
mod cli;
mod crash;
mod documents;
mod exam;
mod exam_crash;
mod exam_marking;
mod exam_pages;
mod figures;
mod files;
mod hostile;
mod identity;
mod issued;
mod neardup;
mod operators;
mod portal;
mod portal_http;
mod rollback;
mod rotation;
mod sitting;
mod special;
mod store;
mod store_vectors;
mod submission;
mod threats;
mod tight;
mod trace;
mod transcripts;
mod vectors;

use qbank::ops::StoreConfig;
use qbank::store::KeySource;
use std::path::{Path, PathBuf};

/// The committed sample bank.
pub fn sample_bank() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("banks")
}

/// The 电工 (6-31-01-03) standard of a checked bank holding the sample's occupations.
pub fn dg_standard(bank: &qbank::bankfile::ParsedBank) -> &qbank::model::Standard {
    &bank
        .standards
        .iter()
        .find(|s| s.value.occupation.code.to_string() == "6-31-01-03")
        .expect("the 电工 standard")
        .value
}

/// A personal key file copied under another person's id (`person = "…"` relabelled): a key
/// that claims to be someone it is not.
pub fn relabelled(from: &Path, to: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(from).unwrap();
    std::fs::write(
        to,
        text.replace(
            &format!("person = \"{old}\""),
            &format!("person = \"{new}\""),
        ),
    )
    .unwrap();
}

pub fn sample_standard() -> PathBuf {
    sample_bank().join("6-31-01-03/standard.toml")
}

/// A fresh store with a new key file inside `dir`.
pub fn new_store(dir: &Path) -> StoreConfig {
    std::fs::create_dir_all(dir).unwrap();
    let cfg = StoreConfig::new(dir.join("store"), KeySource::File(dir.join("master.key")));
    qbank::ops::init(&cfg).expect("init");
    cfg
}

/// The sample bank imported into a fresh store.
pub fn sample_store(dir: &Path) -> StoreConfig {
    let cfg = new_store(dir);
    qbank::ops::import(&cfg, &[sample_bank()], &qbank::ops::Quiet).expect("import sample bank");
    cfg
}

pub fn digest(cfg: &StoreConfig) -> String {
    cfg.open()
        .expect("open")
        .digest()
        .expect("digest")
        .to_string()
}

/// Copies the sample bank's files into `dir` (to edit them in a test).
pub fn copy_sample(dir: &Path) -> PathBuf {
    let to = dir.join("bank");
    let from = sample_bank().join("6-31-01-03");
    std::fs::create_dir_all(to.join("6-31-01-03")).unwrap();
    for f in std::fs::read_dir(&from).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&f, to.join("6-31-01-03").join(f.file_name().unwrap())).unwrap();
        }
    }
    // the figures the items show
    std::fs::create_dir_all(to.join("6-31-01-03/fig")).unwrap();
    for f in std::fs::read_dir(from.join("fig")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, to.join("6-31-01-03/fig").join(f.file_name().unwrap())).unwrap();
    }
    to
}

/// Makes an organisation's key pair in `keys` (as it would on its own machine) and registers it
/// from the public key: `kind` Y or S, `scope` one or more `OCCUPATION:LEVELS` as `--certify` takes
/// them, separated by spaces (6-31-01-03:5,4 6-18-01-01:5).
pub fn register(cfg: &StoreConfig, keys: &Path, id: &str, name: &str, kind: &str, scope: &str) {
    use qbank::model::{OrgCategory, OrgKind};
    qbank::ops::org::keygen(id, keys).unwrap();
    let (kind, category) = match kind {
        "Y" => (OrgKind::Y, OrgCategory::Enterprise),
        _ => (OrgKind::S, OrgCategory::Training),
    };
    qbank::ops::org::add(
        cfg,
        qbank::ops::org::NewOrg {
            id: id.into(),
            name: name.into(),
            kind,
            category,
            region: "江苏省".into(),
            certify: scope
                .split_whitespace()
                .map(|s| qbank::model::parse_scope(s).unwrap())
                .collect(),
            public_key: keys.join(format!("{id}.pub")),
        },
    )
    .unwrap();
    pin(cfg, keys, id);
}

/// On the organisation's side: pins the bureau keys of `cfg` into `keys/<id>.key`, checked
/// against the pin the bureau gives at registration (as `qbank org pin` does).
pub fn pin(cfg: &StoreConfig, keys: &Path, id: &str) {
    let bureau = keys.join(format!("bureau-for-{id}.pub"));
    let _ = std::fs::remove_file(&bureau);
    qbank::ops::org::export_bureau_key(cfg, &bureau).unwrap();
    let fp = qbank::ops::org::bureau_pin(cfg).unwrap();
    qbank::ops::org::pin(&keys.join(format!("{id}.key")), &bureau, &fp).unwrap();
}

/// The CLI tests' side of `pin`: the default store `dir/qbank-store` with `dir/qbank.key` pins
/// its bureau keys into `dir/keys/<id>.key` for each of `ids`.
pub fn pin_cli(dir: &Path, ids: &[&str]) {
    let cfg = StoreConfig::new(
        dir.join("qbank-store"),
        KeySource::File(dir.join("qbank.key")),
    );
    for id in ids {
        pin(&cfg, &dir.join("keys"), id);
    }
}

/// Registers a reviewer `id` (key pair made in `dir/people`) and returns their private key.
pub fn reviewer(cfg: &StoreConfig, dir: &Path, id: &str) -> qbank::package::person::PersonSecret {
    let people = dir.join("people");
    qbank::ops::person::keygen(id, &people).unwrap();
    qbank::ops::person::add(
        cfg,
        id,
        &format!("审核员{id}"),
        &[qbank::ops::person::Role::Reviewer],
        &people.join(format!("{id}.pub")),
    )
    .unwrap();
    qbank::package::person::PersonSecret::read(&people.join(format!("{id}.key"))).unwrap()
}

/// Every file under `dir`, as (relative path, bytes), sorted by path.
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}
