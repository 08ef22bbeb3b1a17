//! Argument definitions (clap derive) and their translation into library configs.

use clap::{Args, Parser, Subcommand};
use qbank::ops::StoreConfig;
use qbank::store::KeySource;
use qbank::{Error, Result};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Default key file, in the working directory, when neither --key-file nor a passphrase is given.
pub const DEFAULT_KEY_FILE: &str = "qbank.key";

#[derive(Parser)]
#[command(
    name = "qbank",
    version,
    about = "Encrypted provincial question bank and exam-paper assembly (职业技能等级认定)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args)]
pub struct Global {
    /// The store folder.
    #[arg(
        long,
        env = "QBANK_STORE",
        default_value = "qbank-store",
        global = true
    )]
    pub store: PathBuf,
    /// The master key file (32 random bytes). Without it, QBANK_PASSPHRASE is used if set, else ./qbank.key.
    #[arg(long, env = "QBANK_KEY_FILE", global = true)]
    pub key_file: Option<PathBuf>,
    /// Your personal key file as a registered operator (人员登记): signs every change you make.
    /// Required once an operator is registered.
    #[arg(long, env = "QBANK_OPERATOR_KEY", global = true)]
    pub operator_key: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Tells the user (stderr) when a secret key file is readable by others.
pub fn warn_key_file(path: &std::path::Path) {
    if let Some(w) = qbank::package::keys::key_file_warning(path) {
        eprintln!("{w}");
    }
}

impl Global {
    pub fn key(&self) -> Result<KeySource> {
        if let Some(f) = &self.key_file {
            return Ok(KeySource::File(f.clone()));
        }
        if let Ok(p) = std::env::var("QBANK_PASSPHRASE") {
            if p.is_empty() {
                return Err(Error::EmptyPassphrase("QBANK_PASSPHRASE"));
            }
            return Ok(KeySource::Passphrase(Zeroizing::new(p)));
        }
        Ok(KeySource::File(PathBuf::from(DEFAULT_KEY_FILE)))
    }

    pub fn store(&self) -> Result<StoreConfig> {
        let key = self.key()?;
        if let KeySource::File(p) = &key {
            warn_key_file(p);
        }
        let default_missing =
            matches!(&key, KeySource::File(p) if self.key_file.is_none() && !p.exists());
        if default_missing && self.store.join("db").exists() {
            return Err(Error::NoKey);
        }
        let operator = match &self.operator_key {
            Some(f) => {
                warn_key_file(f);
                Some(std::sync::Arc::new(
                    qbank::package::person::PersonSecret::read(f)?,
                ))
            }
            None => None,
        };
        Ok(StoreConfig {
            dir: self.store.clone(),
            key,
            operator,
        })
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a store and, if it does not exist, its key file (0600).
    Init,
    /// Validate bank files without a store; every problem as file:line: message.
    Check {
        /// Files or folders (searched for *.toml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Import bank files: all or nothing; changed entries become new versions.
    Import {
        /// Create the store (and key file) first if there is none.
        #[arg(long)]
        init: bool,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Write the current bank, decrypted, as bank files into a new folder.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// List current entries (no content), with filters.
    List(ListArgs),
    /// Show one entry in full (decrypted).
    Show {
        id: String,
        /// A stored version; default the current one.
        #[arg(long)]
        version: Option<u32>,
    },
    /// Counts, coverage, thin 鉴定点 and the bank digest.
    Status {
        /// Report 鉴定点 with fewer active items than this.
        #[arg(long, default_value_t = 3)]
        min: usize,
        /// Blueprint files or folders: report how many consecutive sittings each can sustain
        /// under its cooldown from the current pool.
        #[arg(long)]
        blueprints: Vec<PathBuf>,
        /// The register of standards (banks/standards-register.toml): flag every entry citing a
        /// withdrawn or replaced standard.
        #[arg(long)]
        register: Option<PathBuf>,
    },
    /// Write a synthetic bank (scale tests only) as bank files.
    Gen {
        #[arg(long)]
        items: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Occupations to spread items over (default: about 500 items per occupation-level).
        #[arg(long)]
        occupations: Option<usize>,
        #[arg(long, default_value_t = 6)]
        tasks_per_level: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Assemble parallel forms from blueprints: papers, answer keys, manifests, quality report.
    Assemble {
        /// Blueprint files (or folders searched for them).
        #[arg(required = true)]
        blueprints: Vec<PathBuf>,
        /// The sitting seed; drawn at random (and recorded) when absent.
        #[arg(long)]
        seed: Option<u64>,
        /// Override the number of forms of every blueprint (1..=1000, as in a blueprint file).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(qbank::model::MAX_FORMS)))]
        forms: Option<u32>,
        #[arg(long)]
        out: PathBuf,
        /// Replace OUT if it holds an earlier assemble output.
        #[arg(long)]
        replace: bool,
    },
    /// Rebuild papers from their manifests and the store, and report identical / different.
    Verify {
        /// A folder of assembled papers, a form folder, or one of its files.
        path: PathBuf,
    },
    /// Master key management.
    #[command(subcommand)]
    Key(KeyCommand),
    /// The catalog of evaluation organisations (目录管理).
    #[command(subcommand)]
    Org(OrgCommand),
    /// Publish the public catalog (目录公开发布).
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// The bureau's Ed25519 signing key (made by `init`): export its public half.
    #[command(subcommand)]
    BureauKey(BureauKeyCommand),
    /// Run a sitting plan: assemble, render, and seal one package per organisation.
    Sitting {
        /// The sitting plan (TOML with [sitting], [[paper]], [[organisation]]).
        plan: PathBuf,
        /// A new or empty folder for the packages, bureau.pub, sitting.json and reports.
        #[arg(long, required_unless_present = "check")]
        out: Option<PathBuf>,
        /// Check the plan only (catalog, blueprints, relaxed cooldown) and report how many
        /// consecutive sittings each paper's pool sustains under its cooldown; writes nothing.
        #[arg(long)]
        check: bool,
    },
    /// List sittings.
    Sittings,
    /// Issue the signed release of a sitting: the papers (at or after its start), or with
    /// --keys the answer keys and marking schemes (at or after its keys time, default its end).
    Release {
        sitting: String,
        /// Where to write the release file.
        #[arg(long)]
        out: PathBuf,
        /// Issue the keys release (answer keys and marking schemes) instead of the papers release.
        #[arg(long)]
        keys: bool,
        /// Release before the start (with --keys: before the keys time), for this reason
        /// (recorded in the audit log).
        #[arg(long)]
        early_reason: Option<String>,
    },
    /// Evaluator side: verify and open a sealed package with the organisation key and the release.
    Unseal {
        package: PathBuf,
        #[arg(long)]
        org_key: PathBuf,
        /// The papers release (release.json).
        #[arg(long)]
        release: PathBuf,
        /// The keys release (keys-release.json): also opens the answer keys and marking schemes.
        #[arg(long)]
        keys_release: Option<PathBuf>,
        /// A bureau.pub to check against the bureau keys pinned in the organisation's key file
        /// (optional: packages and releases are verified with the pinned keys).
        #[arg(long, env = "QBANK_BUREAU_KEY")]
        bureau_key: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// 打印为 PDF：用无头 Chromium 把打开的文档（.html）逐一打印成 A4 PDF，放在 HTML 旁（权限 0600）；已是最新的不重印。
    Pdf {
        /// 文档文件或文件夹（如 qbank unseal 的输出文件夹），文件夹中的 .html 全部打印。
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Name the organisation copy a leaked paper or fragment comes from.
    Trace {
        /// The leaked text (a whole paper or a fragment, copied or re-typed).
        leaked: PathBuf,
        /// Only these sittings (default: all).
        #[arg(long)]
        sitting: Vec<String>,
    },
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Take an entry out of assembly at once, or put it back (recorded as a new version).
    #[command(subcommand)]
    Item(ItemCommand),
    /// Item analysis of organisations' response files (CSV: candidate,copy,1,2,…).
    Analysis {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only copies of these sittings (default: all).
        #[arg(long)]
        sitting: Vec<String>,
        /// Also write the HTML report (SVG charts) here.
        #[arg(long)]
        report: Option<PathBuf>,
        #[arg(long, default_value_t = 0.30)]
        p_min: f64,
        #[arg(long, default_value_t = 0.80)]
        p_max: f64,
        #[arg(long, default_value_t = 0.20)]
        d_min: f64,
        /// A distractor chosen by fewer than this share is non-functioning.
        #[arg(long, default_value_t = 0.05)]
        distractor_min: f64,
        /// Responses an item needs for a Rasch estimate.
        #[arg(long, default_value_t = 30)]
        rasch_min: usize,
    },
    /// Item writers' supplementary questions: seal (writer side), import into the review queue.
    #[command(subcommand)]
    Submission(SubmissionCommand),
    /// Review queued items; acceptance needs two different reviewers (四眼原则).
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Reviewers and operators with registered personal keys (人员登记).
    #[command(subcommand)]
    Person(PersonCommand),
    /// Organisations' reports on items (CSV: organisation,item,version,kind,text).
    #[command(subcommand)]
    Feedback(FeedbackCommand),
    /// The revision queue, new versions with reason and evidence, calibration of difficulty.
    Revise {
        /// The item to revise (or `list`, or `calibrate`).
        item: String,
        /// The edited item in a bank TOML file.
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long)]
        reason: Option<String>,
        /// For `calibrate`: responses an item version needs.
        #[arg(long, default_value_t = 100)]
        min_n: usize,
        /// For `calibrate`: list every changed and skipped item, not only the counts.
        #[arg(long)]
        verbose: bool,
        /// Close ITEM's case without a new version (its flags and open feedback), with --reason.
        #[arg(long)]
        dismiss: bool,
        /// For `list`: the register of standards; items citing a withdrawn or replaced standard
        /// join the queue.
        #[arg(long)]
        register: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum SubmissionCommand {
    /// On the organisation's machine: seal a bank TOML file or the Excel template to the
    /// bureau's pinned key, authenticated with the organisation's key.
    Seal {
        file: PathBuf,
        /// The organisation's private key file (with the bureau keys pinned by `org pin`).
        #[arg(long)]
        org_key: PathBuf,
        /// A bureau.pub to check against the pinned keys (optional: the pin is used).
        #[arg(long)]
        bureau_key: Option<PathBuf>,
        /// The writer's organisation (registration id); must be the key file's.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        writer: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Open, validate, screen for near-duplicates and queue a sealed submission (all or nothing).
    Import {
        file: PathBuf,
        /// Similarity at or above which an item is a near-duplicate.
        #[arg(long, default_value_t = qbank::screen::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// The items are for the submitting enterprise's own self-evaluation bank only.
        #[arg(long)]
        overlay: bool,
    },
}

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// The review queue.
    List {
        /// pending, changes-requested, rejected or accepted.
        #[arg(long)]
        status: Option<String>,
    },
    /// One queued item in full, with its reviews.
    Show { id: String },
    Accept {
        id: String,
        /// The reviewer's personal key file (registered with `qbank person add --role reviewer`).
        #[arg(long)]
        reviewer_key: PathBuf,
        #[arg(long, default_value = "")]
        comment: String,
        /// The status the item enters the bank with: pilot or active.
        #[arg(long, default_value = "pilot")]
        status: String,
    },
    Reject {
        id: String,
        /// The reviewer's personal key file (registered with `qbank person add --role reviewer`).
        #[arg(long)]
        reviewer_key: PathBuf,
        #[arg(long)]
        comment: String,
    },
    RequestChanges {
        id: String,
        /// The reviewer's personal key file (registered with `qbank person add --role reviewer`).
        #[arg(long)]
        reviewer_key: PathBuf,
        #[arg(long)]
        comment: String,
    },
}

#[derive(Subcommand)]
pub enum PersonCommand {
    /// On the person's own medium: make their key pair (ID.key, secret; ID.pub, for the bureau).
    Keygen {
        #[arg(long)]
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Register a person with the public key file they made.
    Add {
        id: String,
        #[arg(long)]
        name: String,
        /// reviewer or operator (repeatable).
        #[arg(long, required = true)]
        role: Vec<String>,
        #[arg(long = "pub")]
        public_key: PathBuf,
    },
    List,
    /// Revoke a person's key: it signs nothing from then on.
    Revoke {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum FeedbackCommand {
    Import { file: PathBuf },
}

#[derive(Subcommand)]
pub enum ItemCommand {
    /// Suspend an entry (e.g. a wrong key found during a sitting): no new paper draws it.
    Suspend {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Put a suspended entry back into use.
    Reinstate {
        id: String,
        #[arg(long)]
        reason: String,
        /// active or pilot.
        #[arg(long, default_value = "active")]
        status: String,
    },
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Register an organisation with the public key file it sent (`org keygen` on its side).
    Add {
        /// 备案号, e.g. S000032100001.
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// Y (用人单位) or S (社会培训评价组织).
        #[arg(long)]
        kind: String,
        /// enterprise, training, school or third-party.
        #[arg(long)]
        category: String,
        #[arg(long)]
        region: String,
        /// OCCUPATION:LEVELS it may certify, e.g. 6-31-01-03:4,3, or a 专项职业能力 code alone,
        /// e.g. S3200001 (no levels: it has none) (repeatable).
        #[arg(long, required = true)]
        certify: Vec<String>,
        /// The organisation's .pub file.
        #[arg(long)]
        public_key: PathBuf,
    },
    List,
    Show {
        id: String,
    },
    /// Suspend an organisation: it gets no papers until reinstated.
    Suspend {
        id: String,
        #[arg(long)]
        reason: String,
    },
    Reinstate {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// On the organisation's machine: make its key pair (ID.key, secret; ID.pub, for the bureau).
    Keygen {
        #[arg(long)]
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// On the organisation's machine: pin the bureau's keys into its key file, after checking
    /// bureau.pub against the fingerprint the bureau gave at registration.
    Pin {
        #[arg(long)]
        org_key: PathBuf,
        #[arg(long)]
        bureau_key: PathBuf,
        /// The pin (64 hex digits) the bureau gave at registration (`qbank bureau-key pin`).
        #[arg(long)]
        fingerprint: String,
    },
}

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Write catalog.json, catalog.csv, catalog.html and bureau.pub into a folder.
    Publish {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum BureauKeyCommand {
    /// Write the bureau's public key file.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the pin of the bureau's keys (64 hex digits), to give each organisation at
    /// registration.
    Pin,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Every entry, oldest first.
    List {
        /// Only the last N entries.
        #[arg(long)]
        last: Option<usize>,
    },
    /// Check the chain, every signature, the log's end and that the records are those the
    /// header names; with --anchor, that the log holds the entry each issued package or release
    /// names (a rolled-back store does not).
    Verify {
        /// An issued package (.qpkg) or release (release.json) whose signed audit checkpoint the
        /// log must hold; may be given several times.
        #[arg(long, value_name = "FILE")]
        anchor: Vec<PathBuf>,
    },
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long)]
    pub occupation: Option<String>,
    /// 5..1 or a name (四级, 中级工).
    #[arg(long)]
    pub level: Option<String>,
    /// A 鉴定点 code or a prefix of one (2, 2.1, 2.1.3).
    #[arg(long)]
    pub clause: Option<String>,
    /// 判断 单选 多选 填空 简答 计算 论述
    #[arg(long = "type")]
    pub item_type: Option<String>,
    /// item, task or defence
    #[arg(long)]
    pub kind: Option<String>,
    /// draft pilot active suspended retired
    #[arg(long)]
    pub status: Option<String>,
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Rewrap the data keys under a new master key (the bank is not re-encrypted).
    Rotate {
        /// The new key file (created if missing). Without it, QBANK_NEW_PASSPHRASE is used.
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
}
