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
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
}

impl Global {
    pub fn key(&self) -> Result<KeySource> {
        if let Some(f) = &self.key_file {
            return Ok(KeySource::File(f.clone()));
        }
        if let Ok(p) = std::env::var("QBANK_PASSPHRASE") {
            if p.is_empty() {
                return Err(Error::Usage("QBANK_PASSPHRASE is set but empty".into()));
            }
            return Ok(KeySource::Passphrase(Zeroizing::new(p)));
        }
        Ok(KeySource::File(PathBuf::from(DEFAULT_KEY_FILE)))
    }

    pub fn store(&self) -> Result<StoreConfig> {
        let key = self.key()?;
        let default_missing =
            matches!(&key, KeySource::File(p) if self.key_file.is_none() && !p.exists());
        if default_missing && self.store.join("db").exists() {
            return Err(Error::NoKey);
        }
        Ok(StoreConfig {
            dir: self.store.clone(),
            key,
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
        /// Override the number of forms of every blueprint.
        #[arg(long)]
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
