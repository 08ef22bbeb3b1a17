//! The library's error type. Messages say what went wrong, where (file, line, record, item id or
//! constraint) and what to do; they never contain question content or key material.

use crate::bankfile::Diagnostic;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bank files with problems; nothing was changed.
    #[error("{} problem(s) found; nothing was changed:\n{}", .0.len(), render(.0))]
    Invalid(Vec<Diagnostic>),

    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("no store at {}: create one with `qbank init` or point --store / QBANK_STORE at it", .0.display())]
    NoStore(PathBuf),

    #[error("a store already exists at {}; refusing to overwrite it", .0.display())]
    StoreExists(PathBuf),

    #[error("the store at {} is in use by another qbank process; wait for it to finish", .0.display())]
    StoreLocked(PathBuf),

    #[error("no key given: pass --key-file FILE (or QBANK_KEY_FILE), or set QBANK_PASSPHRASE")]
    NoKey,

    /// A passphrase variable that is set but empty (it would derive a guessable key).
    #[error("{0} is set but empty: give a passphrase, or use a key file (--key-file)")]
    EmptyPassphrase(&'static str),

    #[error("key file {}: {reason}", path.display())]
    KeyFile { path: PathBuf, reason: String },

    #[error("wrong key: this {given} does not open the store (it was created with a {expected})")]
    KeyKindMismatch {
        given: &'static str,
        expected: &'static str,
    },

    #[error(
        "wrong key: the {0} does not unlock this store's data keys; nothing was read or changed"
    )]
    WrongKey(&'static str),

    /// Authentication failed for a record: altered, damaged, or moved from elsewhere.
    #[error(
        "record `{record}` failed authentication: the store was altered or damaged (or the record was copied from another place); restore it from a backup"
    )]
    Tampered { record: String },

    /// Records that are not the ones the store's authenticated header names: an old record put
    /// back, or records deleted or added (rollback).
    #[error("存储中的记录已被回滚或改动：{0}。请运行 `qbank audit verify` 查看，并从可信备份恢复")]
    RolledBack(String),

    #[error("record `{record}` is malformed: {reason}")]
    Corrupt { record: String, reason: String },

    #[error("store format {found} is newer than this qbank ({supported}); upgrade qbank")]
    StoreFormat { found: u32, supported: u32 },

    #[error("{what} `{id}` already exists; nothing was changed")]
    Exists { what: &'static str, id: String },

    #[error("no {what} `{id}` in the store")]
    NotFound { what: &'static str, id: String },

    #[error("storage engine: {0}")]
    Storage(String),

    #[error("cryptography: {0}")]
    Crypto(String),

    #[error("{0}")]
    Usage(String),

    /// A sealed package or release that fails verification; nothing was written.
    #[error("refused: {0}; nothing was written")]
    PackageRefused(String),

    #[error(
        "this package is for organisation {package}, but the key given is {key}'s; nothing was written"
    )]
    WrongOrgKey { package: String, key: String },

    #[error("{0}; nothing was written")]
    PackageKey(String),

    /// An operation that is not yet allowed at this time (e.g. a release before the start).
    #[error("{0}")]
    TooEarly(String),

    /// The audit log does not verify.
    #[error("audit log: {0}")]
    Audit(String),

    /// A person's key is not a registered, unrevoked identity with the role needed (a review
    /// signed by an unregistered key, or by one person's key under another's name).
    #[error("identity refused: {0}")]
    Identity(String),

    /// Blueprints that cannot be met; nothing was built.
    #[error("{}", .0.iter().map(|i| i.to_string()).collect::<String>())]
    Infeasible(Vec<crate::assemble::Infeasible>),

    /// A refusal of the file named (a package, release or submission), whose own message names
    /// what was refused but not where it came from. Exits as the error it holds.
    #[error("{}: {source}", file.display())]
    In { file: PathBuf, source: Box<Error> },

    /// A paper, answer key, copy or report file that does not hold what its kind of document
    /// must (a field missing or of the wrong type): refused, never printed with a gap.
    #[error("{file}: not a valid {what}: field `{field}`: {reason}")]
    Document {
        file: String,
        what: &'static str,
        field: String,
        reason: String,
    },

    /// An outside program qbank drives (Chromium printing a PDF) is missing, failed or hung.
    #[error("{0}")]
    Tool(String),
}

fn render(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The process exit code for this error (README.md, "Exit codes"), decided here, in the
    /// library, by an exhaustive match: a new variant cannot fall through to a default.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_)
            | Error::Usage(_)
            | Error::Infeasible(_)
            | Error::TooEarly(_)
            | Error::Document { .. } => 3,
            Error::NoStore(_)
            | Error::StoreExists(_)
            | Error::NotFound { .. }
            | Error::Exists { .. } => 4,
            Error::NoKey
            | Error::EmptyPassphrase(_)
            | Error::KeyFile { .. }
            | Error::KeyKindMismatch { .. }
            | Error::WrongKey(_)
            | Error::WrongOrgKey { .. }
            | Error::PackageKey(_)
            | Error::Identity(_) => 5,
            Error::Tampered { .. }
            | Error::RolledBack(_)
            | Error::Corrupt { .. }
            | Error::StoreFormat { .. }
            | Error::PackageRefused(_)
            | Error::Audit(_) => 6,
            Error::Io { .. }
            | Error::StoreLocked(_)
            | Error::Storage(_)
            | Error::Crypto(_)
            | Error::Tool(_) => 7,
            Error::In { source, .. } => source.exit_code(),
        }
    }

    /// Names the file a package, release or submission refusal is about (its message said what
    /// failed, not in which file). Errors about the store or the user's keys, and errors that
    /// already name a file, are left as they are; every new variant must say which it is.
    pub(crate) fn naming(self, path: &std::path::Path) -> Error {
        match self {
            Error::PackageRefused(m) => Error::PackageRefused(format!("{}: {m}", path.display())),
            Error::PackageKey(m) => Error::PackageKey(format!("{}: {m}", path.display())),
            e @ (Error::Usage(_)
            | Error::NotFound { .. }
            | Error::Exists { .. }
            | Error::WrongOrgKey { .. }
            | Error::Invalid(_)
            | Error::Infeasible(_)
            | Error::TooEarly(_)) => Error::In {
                file: path.to_path_buf(),
                source: Box::new(e),
            },
            e @ (Error::Io { .. }
            | Error::KeyFile { .. }
            | Error::In { .. }
            | Error::Document { .. }
            | Error::NoStore(_)
            | Error::StoreExists(_)
            | Error::StoreLocked(_)
            | Error::NoKey
            | Error::EmptyPassphrase(_)
            | Error::KeyKindMismatch { .. }
            | Error::WrongKey(_)
            | Error::Tampered { .. }
            | Error::RolledBack(_)
            | Error::Corrupt { .. }
            | Error::StoreFormat { .. }
            | Error::Storage(_)
            | Error::Crypto(_)
            | Error::Identity(_)
            | Error::Tool(_)
            | Error::Audit(_)) => e,
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
